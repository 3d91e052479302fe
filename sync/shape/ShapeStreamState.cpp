#include "sync/shape/ShapeStreamState.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <algorithm>

namespace hivewatch {

namespace {

using Action = ShapeStreamAction;
using Phase = ShapeStreamState::Phase;

// Electric's error bodies: {"message": "...", "errors": {"field": ["...", ...]}}.
QString serverMessage(const QByteArray &body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject())
        return QString::fromUtf8(body.left(300)).trimmed();
    const QJsonObject object = document.object();
    QString text = object.value(QLatin1String("message")).toString();
    if (text.isEmpty())
        text = object.value(QLatin1String("error")).toString();
    const QJsonObject errors = object.value(QLatin1String("errors")).toObject();
    QStringList details;
    for (auto it = errors.begin(); it != errors.end(); ++it) {
        QStringList messages;
        for (const QJsonValue &message : it.value().toArray())
            messages << message.toString();
        if (it.value().isString())
            messages << it.value().toString();
        details << it.key() + QStringLiteral(": ") + messages.join(QStringLiteral("; "));
    }
    if (!details.isEmpty())
        text += (text.isEmpty() ? QString() : QStringLiteral(" — "))
            + details.join(QStringLiteral(", "));
    return text;
}

// A 400 whose errors name the offset or the handle: the position we sent is what was refused.
bool rejectsPosition(const QByteArray &body)
{
    const QJsonObject errors
        = QJsonDocument::fromJson(body).object().value(QLatin1String("errors")).toObject();
    return errors.contains(QLatin1String("offset")) || errors.contains(QLatin1String("handle"));
}

ShapeStreamStep fail(ShapeStreamState state, QString text,
                     ShapeStatus::Problem problem = ShapeStatus::Problem::Other)
{
    state.phase = Phase::Failed;
    state.lastError = text;
    return {std::move(state), {Action::Kind::Fail, 0, std::move(text), problem}};
}

ShapeStreamStep refetch(ShapeStreamState state, const QString &newHandle, QString text,
                        Action::OldHandle old, const QString &cacheBuster)
{
    state = ShapeStreamTransitions::resetToStart(std::move(state), newHandle, old, cacheBuster);
    return {std::move(state), {Action::Kind::Refetch, 0, std::move(text)}};
}

// Counts a 409 / must-refetch: a shape that is always gone again before it gets up to date
// never will be.
std::optional<ShapeStreamStep> refetchLimitReached(ShapeStreamState &state,
                                                   const ShapeResponseMeta &response,
                                                   const ShapeStreamLimits &limits)
{
    if (++state.refetchCount <= limits.refetchLimit)
        return std::nullopt;
    return fail(state,
                QStringLiteral("%1 answered 409 must-refetch %2 times in a row without the shape "
                               "getting up to date")
                    .arg(response.url)
                    .arg(state.refetchCount));
}

} // namespace

namespace ShapeStreamTransitions {

ShapeRequestPosition nextRequest(const ShapeStreamState &state)
{
    ShapeRequestPosition position = state.position;
    position.live = state.upToDate;
    return position;
}

ShapeStreamStep retry(ShapeStreamState state, const QString &reason,
                      std::optional<qint64> retryAfterMs, const ShapeStreamLimits &limits,
                      const Random &random)
{
    ++state.errorCount;
    if (limits.maxConsecutiveErrors > 0 && state.errorCount > limits.maxConsecutiveErrors)
        return fail(
            std::move(state),
            QStringLiteral("%1 (gave up after %2 attempts)").arg(reason).arg(state.errorCount));
    const qint64 delay = limits.backoff.delayMs(state.errorCount, random(), retryAfterMs);
    QString text = reason;
    if (delay >= 60000) // a long wait must not look like a hang: say when
        text += QStringLiteral(" (retrying in %1 min)").arg((delay + 59999) / 60000);
    state.phase = Phase::BackingOff;
    state.lastError = text;
    return {std::move(state), {Action::Kind::Retry, delay, std::move(text)}};
}

ShapeStreamState resetToStart(ShapeStreamState state, const QString &newHandle,
                              ShapeStreamAction::OldHandle old, const QString &cacheBuster)
{
    ShapeRequestPosition &position = state.position;
    switch (old) {
    case Action::OldHandle::Expired:
        if (!position.handle.isEmpty() && position.handle != newHandle)
            position.expiredHandle = position.handle;
        position.handle = newHandle;
        break;
    case Action::OldHandle::Kept:
        break; // at -1 the handle is only a cache key
    case Action::OldHandle::Forgotten:
        position.expiredHandle.clear();
        position.handle.clear();
        break;
    }
    position.offset = QStringLiteral("-1");
    position.cursor.clear();
    position.cacheBuster = cacheBuster;
    state.upToDate = false;
    state.staleRetries = 0;
    state.phase = Phase::Refetching;
    return state;
}

ShapeStreamStep emptyAnswer(ShapeStreamState state, qint64 waitedMs,
                            const ShapeStreamLimits &limits, const Random &random)
{
    qint64 delay = 0;
    if (waitedMs >= limits.backoff.initialMs) {
        // A long poll that timed out: the server paced us. Delaying the next one would only
        // delay the changes of an idle shape.
        state.emptyCount = 0;
    } else {
        ++state.emptyCount;
        delay = std::max<qint64>(
            0, limits.backoff.delayMs(state.emptyCount, random(), std::nullopt) - waitedMs);
    }
    return {std::move(state), {Action::Kind::Send, delay, {}}};
}

ShapeStreamStep onResponse(ShapeStreamState state, const ShapeResponseMeta &response,
                           const ShapeStreamLimits &limits, const Random &random,
                           const QDateTime &now, const QString &cacheBuster)
{
    const int status = response.status;
    // Lazily: a 2xx body may be megabytes of rows.
    const auto described = [&] {
        return describe(status, response.url, response.body);
    };
    if (status == 409) {
        if (auto failed = refetchLimitReached(state, response, limits))
            return *failed;
        return refetch(std::move(state), QString::fromUtf8(response.handle.value_or(QByteArray())),
                       QStringLiteral("the server reported the shape handle as gone (409)"),
                       Action::OldHandle::Expired, cacheBuster);
    }
    if (status >= 500 || status == 429) {
        const auto retryAfter
            = ShapeBackoff::parseRetryAfter(response.retryAfter.value_or(QByteArray()), now);
        return retry(std::move(state), described(), retryAfter, limits, random);
    }
    if (status == 400 && response.body.contains("out of bounds")) {
        // Often one lagging instance behind a load balancer: the next one has the offset. Only
        // when it persists are we ahead of the server's log (a restore), and our data is suspect.
        const QString offset = state.position.offset;
        if (++state.outOfBoundsCount <= limits.outOfBoundsRetries)
            return retry(std::move(state),
                         QStringLiteral("the server does not have offset %1 of this shape yet "
                                        "(HTTP 400 out of bounds)")
                             .arg(offset),
                         std::nullopt, limits, random);
        state.outOfBoundsCount = 0;
        const QString text = QStringLiteral("resyncing from scratch: the server kept answering "
                                            "that offset %1 is out of bounds for this shape")
                                 .arg(offset);
        ShapeStreamStep step
            = refetch(std::move(state), {}, text, Action::OldHandle::Kept, cacheBuster);
        step.action.warn = step.action.showText = true;
        return step;
    }
    if (status == 400 && state.position.offset != QLatin1String("-1") && !state.positionRejected
        && rejectsPosition(response.body)) {
        // A saved position the server cannot read (a store written by a broken server or an old
        // client): starting over once repairs it; a shape must not stay dead on it.
        state.positionRejected = true;
        const QString text = QStringLiteral("resyncing from scratch: the server rejected the saved "
                                            "position (offset %1): %2")
                                 .arg(state.position.offset, described());
        ShapeStreamStep step
            = refetch(std::move(state), {}, text, Action::OldHandle::Forgotten, cacheBuster);
        step.action.warn = step.action.showText = true;
        return step;
    }
    if (status == 401 || status == 403) {
        if (response.canRenewToken && !state.tokenFresh)
            return {std::move(state), {Action::Kind::RenewToken, 0, {}}};
        return fail(
            std::move(state),
            QStringLiteral("sign-in needed for %1: %2").arg(response.sourceName, described()),
            ShapeStatus::Problem::SignInNeeded);
    }
    if (status == 404)
        return fail(std::move(state),
                    QStringLiteral("not served by %1: %2").arg(response.sourceName, described()),
                    ShapeStatus::Problem::NotServed);
    if (status >= 400)
        return fail(std::move(state), described());
    if (status == 204) {
        // Old servers answered a live timeout with 204: up to date, nothing new. A catch-up
        // request must bring data (or at least an offset): a 204 there is an error to back off
        // from (and for a bounded run to give up on), not a sync in progress.
        if (!response.live)
            return retry(std::move(state),
                         QStringLiteral("HTTP 204 (no content) from %1 to a catch-up request at "
                                        "offset %2: nothing to sync from")
                             .arg(response.url, state.position.offset),
                         std::nullopt, limits, random);
        // A server answering 204 at once must not be asked again at once.
        state.errorCount = 0;
        state.phase = Phase::Live;
        ShapeStreamStep step = emptyAnswer(std::move(state), response.waitedMs, limits, random);
        step.action.live = true;
        return step;
    }
    if (status < 200 || status >= 300)
        return fail(std::move(state), described());
    return {std::move(state), {Action::Kind::Accept, 0, {}}};
}

ShapeStreamStep checkSuccess(ShapeStreamState state, const ShapeResponseMeta &response,
                             const ShapeStreamLimits &limits, const Random &random,
                             const QString &cacheBuster)
{
    if (response.proxy && !response.handle && !response.offset && response.body.trimmed() == "[]") {
        // The hive's proxy answers a user without organizations with a bare [] and no Electric
        // headers (docs/hive-schema.md §5): an empty shape, not a broken proxy. Ask again later.
        state.position = ShapeRequestPosition {};
        state.upToDate = false;
        state.errorCount = 0;
        state.lastError.clear();
        state.phase = Phase::Live;
        return {std::move(state), {Action::Kind::EmptyGrant, limits.emptyProxyPollMs, {}}};
    }
    const QByteArray &contentType = response.contentType;
    if (!contentType.isEmpty() && !contentType.contains("json")
        && !response.body.trimmed().startsWith('[')) {
        // A login page or a proxy's error page: retrying it as malformed JSON only hides that.
        return fail(std::move(state),
                    QStringLiteral("%1 answered with %2, not Electric's JSON: a login page or a "
                                   "misconfigured proxy?")
                        .arg(response.url, QString::fromLatin1(contentType)));
    }
    QStringList missing;
    if (!response.handle)
        missing << QStringLiteral("electric-handle");
    if (!response.offset)
        missing << QStringLiteral("electric-offset");
    if (response.live && !response.cursor)
        missing << QStringLiteral("electric-cursor");
    if (!response.live && !response.schema)
        missing << QStringLiteral("electric-schema");
    if (!missing.isEmpty())
        return fail(std::move(state),
                    QStringLiteral(
                        "the response from %1 lacks the %2 header(s); a proxy, CDN or CORS setup "
                        "between Hivewatch and Electric probably stripped them (it must pass "
                        "every electric-* header through)")
                        .arg(response.url, missing.join(QStringLiteral(", "))));

    const QString handle = QString::fromUtf8(*response.handle);
    if (!state.position.expiredHandle.isEmpty() && handle == state.position.expiredHandle) {
        // Served from a cache that still holds the expired shape: ask again past the cache.
        if (++state.staleRetries <= limits.staleCacheRetries) {
            state.position.cacheBuster = cacheBuster;
            state.phase = Phase::StaleRetry;
            return {std::move(state), {Action::Kind::Send, 0, {}}};
        }
        if (state.selfHealed)
            return fail(std::move(state),
                        QStringLiteral("a cache between Hivewatch and %1 keeps serving the expired "
                                       "shape handle %2, even to cache-busted requests and after "
                                       "starting over; check the caching of the proxy or CDN in "
                                       "front of Electric")
                            .arg(response.host, handle));
        // Self-healing, as the official client: forget the expired entry and start over once. A
        // cache-busted URL cannot be a cache hit, so whatever the server answers then is
        // accepted.
        const QString text = QStringLiteral("a cache keeps serving the expired shape handle %1; "
                                            "starting over without it")
                                 .arg(handle);
        state.selfHealed = true;
        ShapeStreamStep step
            = refetch(std::move(state), {}, text, Action::OldHandle::Forgotten, cacheBuster);
        step.action.warn = step.action.resetLoopGuard = true;
        return step;
    }
    if (!isValidOffset(*response.offset)) {
        // Never stored: every later run would send it back and be refused.
        return onMalformed(std::move(state),
                           QStringLiteral("%1 answered with an invalid electric-offset \"%2\"; "
                                          "nothing of that response was kept")
                               .arg(response.url, QString::fromUtf8(response.offset->left(80))),
                           limits, random);
    }
    return {std::move(state), {Action::Kind::Accept, 0, {}}};
}

ShapeStreamStep onTransportEnd(ShapeStreamState state, const ShapeTransportEnd &end,
                               const ShapeStreamLimits &limits, const Random &random)
{
    using End = ShapeTransportEnd::Kind;
    switch (end.kind) {
    case End::RefusedRedirect:
    case End::RedirectLoop:
    case End::InsecureRedirect:
    case End::TlsFailed:
        return fail(std::move(state), end.text);
    case End::LiveWatchdog:
        return {std::move(state), {Action::Kind::Send, 0, {}}};
    case End::Stalled:
    case End::TimedOut:
    case End::ClosedWithoutAnswer:
    case End::Unreachable:
    case End::BodyIncomplete:
        break;
    }
    return retry(std::move(state), end.text, std::nullopt, limits, random);
}

ShapeStreamStep onHeaders(ShapeStreamState state, const ShapeResponseMeta &response,
                          const ShapeStreamLimits &limits)
{
    const auto wait = [&] {
        return ShapeStreamStep {std::move(state), {Action::Kind::Wait, 0, {}}};
    };
    const bool catchingUp = state.phase == Phase::CatchingUp || state.phase == Phase::Refetching
        || state.phase == Phase::StaleRetry || state.phase == Phase::BackingOff;
    if (!catchingUp || state.upToDate || response.live
        || response.received < limits.prefetchAfterBytes || response.status < 200
        || response.status >= 300 || response.status == 204)
        return wait();
    if (!response.handle || !response.offset || !response.schema || response.upToDate
        || !isValidOffset(*response.offset))
        return wait(); // the body decides: checkSuccess names what is missing, or it is the end
    if (!response.contentType.isEmpty() && !response.contentType.contains("json"))
        return wait();
    const QString handle = QString::fromUtf8(*response.handle);
    const QString offset = QString::fromUtf8(*response.offset);
    if (handle == state.position.expiredHandle || offset == state.position.offset)
        return wait(); // a cache's stale answer, or no progress: the fast-loop guard must see it
    // Where acceptChunk will leave the stream if the body is a sound chunk without up-to-date.
    ShapeStreamState accepted = state;
    acceptChunk(accepted, response, false, false);
    ShapeStreamAction action {Action::Kind::Prefetch, 0, {}};
    action.next = nextRequest(accepted);
    return {std::move(state), std::move(action)};
}

bool usesPrefetch(const ShapeStreamState &state, const ShapeRequestPosition &prefetched)
{
    const ShapeRequestPosition now = nextRequest(state);
    return now.offset == prefetched.offset && now.handle == prefetched.handle
        && now.live == prefetched.live && now.cursor == prefetched.cursor
        && now.cacheBuster == prefetched.cacheBuster
        && now.expiredHandle == prefetched.expiredHandle;
}

ShapeStreamStep onMustRefetch(ShapeStreamState state, const ShapeResponseMeta &response,
                              const ShapeStreamLimits &limits, const QString &cacheBuster)
{
    if (auto failed = refetchLimitReached(state, response, limits))
        return *failed;
    return refetch(std::move(state), QString::fromUtf8(response.handle.value_or(QByteArray())),
                   QStringLiteral("the server sent must-refetch"), Action::OldHandle::Expired,
                   cacheBuster);
}

ShapeStreamStep onMalformed(ShapeStreamState state, const QString &text,
                            const ShapeStreamLimits &limits, const Random &random)
{
    if (++state.malformedCount > limits.malformedRetryLimit)
        return fail(std::move(state), text);
    return retry(std::move(state), text, std::nullopt, limits, random);
}

bool acceptChunk(ShapeStreamState &state, const ShapeResponseMeta &response, bool hasChanges,
                 bool upToDate)
{
    state.errorCount = 0;
    state.malformedCount = 0;
    state.outOfBoundsCount = 0;
    if (response.upToDate || state.upToDate)
        state.positionRejected = false;
    state.tokenFresh = false; // the token works; the next 401 means it expired
    state.position.handle = QString::fromUtf8(response.handle.value_or(QByteArray()));
    const QString previousOffset = state.position.offset;
    state.position.offset = QString::fromUtf8(response.offset.value_or(QByteArray()));
    if (response.live)
        state.position.cursor = QString::fromUtf8(response.cursor.value_or(QByteArray()));
    const bool progressed = hasChanges || state.position.offset != previousOffset;
    if (upToDate) {
        state.upToDate = true;
        state.staleRetries = 0;
        state.refetchCount = 0;
        state.selfHealed = false;
        state.lastError.clear();
        state.phase = Phase::Live;
        if (progressed)
            state.emptyCount = 0;
    } else if (state.phase != Phase::Live) {
        state.phase = state.upToDate ? Phase::Live : Phase::CatchingUp;
    }
    return progressed;
}

bool isValidOffset(QByteArrayView offset)
{
    if (offset == "-1")
        return true;
    const qsizetype underscore = offset.indexOf('_');
    if (underscore <= 0 || underscore > 20 || offset.size() - underscore - 1 > 20)
        return false;
    const auto digits = [](QByteArrayView part) {
        return !part.isEmpty()
            && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    const QByteArrayView op = offset.sliced(underscore + 1);
    return digits(offset.first(underscore)) && (op == "inf" || digits(op));
}

QString describe(int status, const QString &url, const QByteArray &body)
{
    QString text = QStringLiteral("HTTP %1 from %2").arg(status).arg(url);
    const QString message = serverMessage(body);
    if (!message.isEmpty())
        text += QStringLiteral(": ") + message;
    if (status == 401 || status == 403)
        text += QStringLiteral(" (check the secret or bearer token)");
    return text;
}

} // namespace ShapeStreamTransitions

} // namespace hivewatch
