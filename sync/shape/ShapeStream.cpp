#include "ShapeStream.h"

#include "ShapeContentEncoding.h"
#include "ShapeValue.h"
#include "SyncLog.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSslCertificate>

#include <algorithm>

namespace {

const QByteArray kHandle = QByteArrayLiteral("electric-handle");
const QByteArray kOffset = QByteArrayLiteral("electric-offset");
const QByteArray kCursor = QByteArrayLiteral("electric-cursor");
const QByteArray kSchema = QByteArrayLiteral("electric-schema");
const QByteArray kUpToDate = QByteArrayLiteral("electric-up-to-date");
constexpr int kMaxRedirects = 10; // a shape URL behind more redirects than this is a loop

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

// scheme://host:port, never the userinfo, path or query (they may hold credentials).
QString origin(const QUrl &url)
{
    return url
        .adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery
                  | QUrl::RemoveFragment)
        .toString();
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    const int defaultPort = a.scheme() == QLatin1String("https") ? 443 : 80;
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
        && a.port(defaultPort) == b.port(defaultPort);
}

// Electric's offsets (docs/electric-protocol.md §4.1): -1, or <tx>_<op> with decimal parts, or
// <tx>_inf.
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

// A 400 whose errors name the offset or the handle: the position we sent is what was refused.
bool rejectsPosition(const QByteArray &body)
{
    const QJsonObject errors
        = QJsonDocument::fromJson(body).object().value(QLatin1String("errors")).toObject();
    return errors.contains(QLatin1String("offset")) || errors.contains(QLatin1String("handle"));
}

} // namespace

ShapeStream::ShapeStream(ShapeDefinition definition, ShapeEndpoint endpoint,
                         QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_definition(std::move(definition))
    , m_endpoint(std::move(endpoint))
    , m_network(network)
{
    m_watchdog.setSingleShot(true);
    connect(&m_watchdog, &QTimer::timeout, this, [this] {
        if (m_reply) {
            qCDebug(lcSync) << m_definition.effectiveName()
                            << "live request watchdog fired; restarting";
            m_watchdogFired = true;
            m_reply->abort();
        }
    });
    m_nextRequest.setSingleShot(true);
    connect(&m_nextRequest, &QTimer::timeout, this, &ShapeStream::sendRequest);
    connect(&m_progress, &QTimer::timeout, this, &ShapeStream::checkProgress);
    m_clock.start();
    m_token = m_endpoint.bearerToken;
    if (!m_endpoint.tokenCommand.isEmpty()) {
        m_tokenCommand = new ShapeTokenCommand(m_endpoint.tokenCommand, this);
        connect(m_tokenCommand, &ShapeTokenCommand::tokenReady, this, [this](const QString &token) {
            m_token = token;
            m_tokenFresh = true;
            scheduleNext(0);
        });
        connect(m_tokenCommand, &ShapeTokenCommand::failed, this, [this](const QString &reason) {
            fail(QStringLiteral("sign-in needed for %1: %2").arg(sourceName(), reason),
                 ShapeStatus::Problem::SignInNeeded);
        });
    }
}

ShapeStream::~ShapeStream()
{
    m_running = false;
    abortReply();
    if (m_tokenCommand)
        m_tokenCommand->cancel();
}

void ShapeStream::resumeFrom(const QString &handle, const QString &offset,
                             const ShapeSchema &schema)
{
    m_position.handle = handle;
    m_position.offset = offset.isEmpty() ? QStringLiteral("-1") : offset;
    m_schema = schema;
    m_pendingReset = m_position.offset == QLatin1String("-1");
    m_upToDate = false;
}

void ShapeStream::start()
{
    QString tlsError;
    if (!prepareTls(&tlsError)) {
        m_running = true;
        fail(tlsError);
        return;
    }
    m_running = true;
    m_paused = false;
    m_problem = ShapeStatus::Problem::None;
    m_resyncNote.clear();
    m_errorText.clear();
    m_errorCount = 0;
    m_malformedCount = 0;
    m_refetchCount = 0;
    m_upToDate = false; // always catch up non-live first
    setState(ShapeStatus::State::Syncing);
    scheduleNext(0);
}

void ShapeStream::stop()
{
    m_running = false;
    m_nextRequest.stop();
    m_watchdog.stop();
    m_progress.stop();
    abortReply();
    if (m_tokenCommand)
        m_tokenCommand->cancel();
    setState(ShapeStatus::State::Idle);
}

void ShapeStream::pause()
{
    if (!m_running || m_paused)
        return;
    m_paused = true;
    m_nextRequest.stop();
    m_watchdog.stop();
    m_progress.stop();
    abortReply();
    if (m_tokenCommand)
        m_tokenCommand->cancel(); // resume() asks again
    m_upToDate = false; // resume with a non-live catch-up (pending changes are kept)
    setState(ShapeStatus::State::Idle);
}

void ShapeStream::resume()
{
    if (!m_running || !m_paused)
        return;
    m_paused = false;
    setState(ShapeStatus::State::Syncing);
    scheduleNext(0);
}

QUrl ShapeStream::nextRequestUrl() const
{
    ShapeRequestPosition position = m_position;
    position.live = m_upToDate;
    return ShapeUrl::requestUrl(m_endpoint, m_definition, position);
}

double ShapeStream::random() const
{
    return m_options.random ? m_options.random() : QRandomGenerator::global()->generateDouble();
}

bool ShapeStream::prepareTls(QString *error)
{
    if (m_sslReady)
        return true;
    m_ssl = QSslConfiguration::defaultConfiguration();
    m_ssl.setPeerVerifyMode(QSslSocket::VerifyPeer); // never relaxed, whatever the endpoint
    if (!m_endpoint.caFile.isEmpty()) {
        const QList<QSslCertificate> certificates = QSslCertificate::fromPath(m_endpoint.caFile);
        if (certificates.isEmpty()) {
            *error = QStringLiteral("the CA file %1 holds no readable PEM certificate")
                         .arg(m_endpoint.caFile);
            return false;
        }
        m_ssl.addCaCertificates(certificates);
    }
    m_sslReady = true;
    return true;
}

void ShapeStream::scheduleNext(qint64 delayMs)
{
    m_lastDelayMs = delayMs;
    if (!m_running || m_paused)
        return;
    m_nextRequest.start(int(std::min<qint64>(delayMs, std::numeric_limits<int>::max())));
}

void ShapeStream::abortReply()
{
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    disconnect(reply, nullptr, this, nullptr);
    reply->abort();
    reply->deleteLater();
}

void ShapeStream::sendRequest()
{
    if (!m_running || m_paused || m_reply || (m_tokenCommand && m_tokenCommand->isRunning()))
        return;
    if (m_tokenCommand && m_token.isEmpty()) {
        renewToken();
        return;
    }
    ShapeRequestPosition position = m_position;
    position.live = m_upToDate;
    if (!position.live) {
        switch (m_loopGuard.record(position.offset, m_clock.elapsed())) {
        case FastLoopGuard::Verdict::Ok:
            break;
        case FastLoopGuard::Verdict::Resync:
            qCWarning(lcSync) << m_definition.effectiveName() << "requests loop on offset"
                              << position.offset << "; resyncing from scratch";
            handleRefetch({},
                          QStringLiteral("the server kept answering offset %1 without progress")
                              .arg(position.offset),
                          OldHandle::Forgotten);
            return;
        case FastLoopGuard::Verdict::BackOff:
            m_loopGuard.record(QString(), m_clock.elapsed()); // the delayed request starts afresh
            m_position.offset = position.offset;
            scheduleNext(m_loopGuard.backoffMs(random()));
            return;
        case FastLoopGuard::Verdict::Fail:
            fail(QStringLiteral("the server keeps answering at offset %1 without progress; "
                                "giving up after repeated resyncs")
                     .arg(position.offset));
            return;
        }
    }
    const QUrl url = ShapeUrl::requestUrl(m_endpoint, m_definition, position);
    m_position.cacheBuster.clear(); // one-shot

    QNetworkRequest request(url);
    // No cache is attached to the manager, so nothing is replayed; AlwaysNetwork would add
    // Cache-Control/Pragma: no-cache and defeat the request collapsing of CDNs in between.
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    // Proxies and CDNs gzip shape responses. Naming the encodings ourselves turns Qt's decoding
    // off (see ShapeContentEncoding); should Qt decode anyway, its decompression-bomb check
    // must not stop a full log chunk (>= 10 MiB of repetitive rows, far above a ratio of 40).
    request.setRawHeader("Accept-Encoding", ShapeContentEncoding::kAccepted);
    request.setDecompressedSafetyCheckThreshold(-1);
    request.setRawHeader("Accept", "application/json");
    // Qt keeps Authorization (and the URL's secret) across redirects: only follow those that
    // stay on this origin (onRedirected).
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::UserVerifiedRedirectPolicy);
    request.setMaximumRedirectsAllowed(kMaxRedirects);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    if (url.scheme() == QLatin1String("https"))
        request.setSslConfiguration(m_ssl);
    // No Qt transfer timeout: it is reset by every byte, so a body trickling a byte a second
    // would never end; checkProgress() also wants a minimum rate and says which limit was hit.

    qCDebug(lcSync) << "GET" << ShapeUrl::redacted(url);
    m_replyLive = position.live;
    m_watchdogFired = false;
    m_refusedRedirect.clear();
    m_redirectedFrom.clear();
    m_redirects = 0;
    m_stalled.clear();
    m_received = 0;
    m_receivedAtWindowStart = 0;
    m_requestStartedMs = m_clock.elapsed();
    QNetworkReply *reply = m_network->get(request);
    m_reply = reply;
    connect(reply, &QNetworkReply::downloadProgress, this, [this, reply](qint64 received, qint64) {
        if (reply == m_reply)
            m_received = received;
    });
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply] {
        // Qt drops a header section it cannot parse (a field over its size limit, e.g. a 600 KB
        // cookie) and keeps only the status: the reply would then wait for a close that a
        // keep-alive server never sends. Every real server sends some header.
        // (Qt's redirect limit ends a reply the same way, with status 100: onFinished says that.)
        if (reply != m_reply
            || reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() < 200
            || !reply->rawHeaderPairs().isEmpty())
            return;
        fail(QStringLiteral("the response from %1 has a header section that cannot be read (a "
                            "header too large, such as a huge cookie, or malformed headers); "
                            "check the proxy or server in front of Electric")
                 .arg(ShapeUrl::redacted(reply->url())));
    });
    if (!position.live)
        m_progress.start(m_options.requestTimeoutMs);
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onFinished(reply); });
    connect(reply, &QNetworkReply::redirected, this,
            [this, reply](const QUrl &target) { onRedirected(reply, target); });
    if (position.live)
        m_watchdog.start(m_options.liveTimeoutMs);
    if (m_errorCount == 0)
        setState(m_upToDate || m_emptyProxy ? ShapeStatus::State::Live
                                            : ShapeStatus::State::Syncing);
}

void ShapeStream::onRedirected(QNetworkReply *reply, const QUrl &target)
{
    // reply->url() already names the target here: the URL that redirected is the request's, or
    // the target of the redirect followed before. The credentials belong to the configured origin.
    const QUrl from = m_redirectedFrom.isEmpty() ? reply->request().url() : m_redirectedFrom;
    const QUrl to = from.resolved(target);
    if (sameOrigin(m_endpoint.url, to)) {
        m_redirectedFrom = to;
        ++m_redirects;
        emit reply->redirectAllowed();
        return;
    }
    m_refusedRedirect
        = QStringLiteral("refused to follow the redirect from %1 to %2: it leads to "
                         "another origin than %3, which would receive the "
                         "credentials")
              .arg(ShapeUrl::redacted(from), ShapeUrl::redacted(to), origin(m_endpoint.url));
    reply->abort();
}

void ShapeStream::checkProgress()
{
    if (!m_reply || m_replyLive) {
        m_progress.stop();
        return;
    }
    const qint64 window = m_options.requestTimeoutMs;
    const QString url = ShapeUrl::redacted(m_reply->url());
    if (!m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid()) {
        // Nothing, or a header section that never ends (trickling, or too large for Qt).
        m_stalled = QStringLiteral("no response from %1 within %2 s (no complete status line "
                                   "and headers)")
                        .arg(url)
                        .arg(window / 1000.0);
    } else if (m_received - m_receivedAtWindowStart
               < qint64(m_options.minBytesPerSecond) * window / 1000) {
        m_stalled = QStringLiteral("no progress: %1 bytes in %2 s from %3 (the body arrives "
                                   "slower than %4 bytes/s)")
                        .arg(m_received)
                        .arg((m_clock.elapsed() - m_requestStartedMs) / 1000.0, 0, 'f', 1)
                        .arg(url)
                        .arg(m_options.minBytesPerSecond);
    } else {
        m_receivedAtWindowStart = m_received;
        return;
    }
    m_progress.stop();
    m_reply->abort(); // onFinished retries with m_stalled
}

qint64 ShapeStream::emptyAnswerDelayMs()
{
    const qint64 waited = m_clock.elapsed() - m_requestStartedMs;
    if (waited >= m_options.backoff.initialMs) {
        // A long poll that timed out: the server paced us. Delaying the next one would only
        // delay the changes of an idle shape.
        m_emptyCount = 0;
        return 0;
    }
    ++m_emptyCount;
    return std::max<qint64>(
        0, m_options.backoff.delayMs(m_emptyCount, random(), std::nullopt) - waited);
}

void ShapeStream::onFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_reply)
        return;
    m_reply = nullptr;
    m_watchdog.stop();
    m_progress.stop();
    if (!m_running)
        return;

    if (!m_refusedRedirect.isEmpty()) {
        fail(m_refusedRedirect);
        return;
    }
    if (!m_stalled.isEmpty()) {
        retryLater(m_stalled, std::nullopt);
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_watchdogFired && m_replyLive) {
        scheduleNext(0); // a stalled live poll (even one stalled mid-body): start a new one
        return;
    }
    if (reply->error() == QNetworkReply::TooManyRedirectsError
        || reply->error() == QNetworkReply::InsecureRedirectError
        || (m_redirects > 0 && (status < 200 || (status >= 300 && status < 400)))) {
        // Qt's redirect limit ends such a reply without a status of its own (it says 100).
        // (Qt does not report every redirect it follows: no count.)
        const QString route
            = QStringLiteral("from %1, only redirects, the last from %2")
                  .arg(ShapeUrl::redacted(reply->request().url()),
                       ShapeUrl::redacted(m_redirectedFrom.isEmpty() ? reply->url()
                                                                     : m_redirectedFrom));
        fail(reply->error() == QNetworkReply::InsecureRedirectError
                 ? QStringLiteral("refused a redirect from https to http %1").arg(route)
                 : QStringLiteral("no answer %1: a redirect loop?").arg(route));
        return;
    }
    if (!m_replyLive
        && (reply->error() == QNetworkReply::OperationCanceledError
            || reply->error() == QNetworkReply::TimeoutError)) {
        // Only the transfer timeout cancels a request we still own; "Operation canceled" would
        // hide that the server went silent.
        retryLater(QStringLiteral("no data from %1 for %2 s")
                       .arg(ShapeUrl::redacted(reply->url()))
                       .arg(m_options.requestTimeoutMs / 1000.0),
                   std::nullopt);
        return;
    }
    if (status == 0) {
        if (reply->error() == QNetworkReply::SslHandshakeFailedError) {
            fail(QStringLiteral(
                     "TLS verification of %1 failed: %2 (add the server's CA with a CA file)")
                     .arg(m_endpoint.url.host(), reply->errorString()));
            return;
        }
        if (reply->error() == QNetworkReply::RemoteHostClosedError) {
            retryLater(QStringLiteral("%1 closed the connection without answering")
                           .arg(ShapeUrl::redacted(reply->url())),
                       std::nullopt);
            return;
        }
        // Host and port only: the URL's user:password@ must not reach a message.
        retryLater(QStringLiteral("cannot reach %1: %2")
                       .arg(m_endpoint.url.adjusted(QUrl::RemoveUserInfo).authority(),
                            reply->errorString()),
                   std::nullopt);
        return;
    }
    QByteArray body = reply->readAll();
    body.reserve(body.size() + kShapeBodyPadding); // parsed in place (parseShapeBody)
    const bool success = status >= 200 && status < 300;
    if (success) {
        // The status line arrived, but a body that did not arrive whole (cut off, undecodable)
        // is not the server's answer: retry, never parse it.
        const QString problem = bodyProblem(reply, body);
        if (!problem.isEmpty()) {
            retryLater(QStringLiteral("the HTTP %1 response from %2 %3")
                           .arg(status)
                           .arg(ShapeUrl::redacted(reply->url()), problem),
                       std::nullopt);
            return;
        }
    } else {
        // Error bodies are only read for their message; a broken one just says less.
        QByteArray decoded = body;
        if (ShapeContentEncoding::decode(decoded, reply->rawHeader("content-encoding")).isEmpty())
            body = std::move(decoded);
    }
    if (status == 409) {
        if (refetchLimitReached(reply->url()))
            return;
        handleRefetch(QString::fromUtf8(reply->rawHeader(kHandle)),
                      QStringLiteral("the server reported the shape handle as gone (409)"));
        return;
    }
    if (status >= 500 || status == 429) {
        const auto retryAfter = ShapeBackoff::parseRetryAfter(reply->rawHeader("retry-after"),
                                                              QDateTime::currentDateTimeUtc());
        retryLater(describe(reply, body), retryAfter);
        return;
    }
    if (status == 400 && body.contains("out of bounds")) {
        // Often one lagging instance behind a load balancer: the next one has the offset. Only
        // when it persists are we ahead of the server's log (a restore), and our data is suspect.
        const QString offset = m_position.offset;
        if (++m_outOfBoundsCount <= m_options.outOfBoundsRetries) {
            retryLater(QStringLiteral("the server does not have offset %1 of this shape yet "
                                      "(HTTP 400 out of bounds)")
                           .arg(offset),
                       std::nullopt);
            return;
        }
        m_outOfBoundsCount = 0;
        const QString text = QStringLiteral("resyncing from scratch: the server kept answering "
                                            "that offset %1 is out of bounds for this shape")
                                 .arg(offset);
        emit warning(text);
        handleRefetch({}, text, OldHandle::Kept);
        m_resyncNote = text;
        m_errorText = text;
        emit stateChanged();
        return;
    }
    if (status == 400 && m_position.offset != QLatin1String("-1") && !m_positionRejected
        && rejectsPosition(body)) {
        // A saved position the server cannot read (a store written by a broken server or an old
        // client): starting over once repairs it; a shape must not stay dead on it.
        m_positionRejected = true;
        const QString text = QStringLiteral("resyncing from scratch: the server rejected the saved "
                                            "position (offset %1): %2")
                                 .arg(m_position.offset, describe(reply, body));
        emit warning(text);
        handleRefetch({}, text, OldHandle::Forgotten);
        m_resyncNote = text;
        m_errorText = text;
        emit stateChanged();
        return;
    }
    if (status == 401 || status == 403) {
        handleAuthFailure(reply, body);
        return;
    }
    if (status == 404) {
        fail(QStringLiteral("not served by %1: %2").arg(sourceName(), describe(reply, body)),
             ShapeStatus::Problem::NotServed);
        return;
    }
    if (status >= 400) {
        fail(describe(reply, body));
        return;
    }
    if (status == 204) {
        // Old servers answered a live timeout with 204: up to date, nothing new. A catch-up
        // request must bring data (or at least an offset): a 204 there is an error to back off
        // from (and for a bounded run to give up on), not a sync in progress.
        if (!m_replyLive) {
            retryLater(QStringLiteral("HTTP 204 (no content) from %1 to a catch-up request at "
                                      "offset %2: nothing to sync from")
                           .arg(ShapeUrl::redacted(reply->url()), m_position.offset),
                       std::nullopt);
            return;
        }
        // A server answering 204 at once must not be asked again at once.
        m_errorCount = 0;
        const qint64 delay = emptyAnswerDelayMs();
        setState(ShapeStatus::State::Live);
        scheduleNext(delay);
        return;
    }
    if (status < 200 || status >= 300) {
        fail(describe(reply, body));
        return;
    }
    handleSuccess(reply, body);
}

void ShapeStream::handleSuccess(QNetworkReply *reply, const QByteArray &body)
{
    const bool live = m_replyLive;
    if (m_endpoint.style == ShapeEndpoint::Style::Proxy && !reply->hasRawHeader(kHandle)
        && !reply->hasRawHeader(kOffset) && body.trimmed() == "[]") {
        // The hive's proxy answers a user without organizations with a bare [] and no Electric
        // headers (docs/hive-schema.md §5): an empty shape, not a broken proxy. Ask again later.
        m_position = ShapeRequestPosition {};
        m_position.expiredHandle.clear();
        m_schema = ShapeSchema();
        m_pending.clear();
        m_pendingReset = true;
        m_upToDate = false;
        m_errorCount = 0;
        m_errorText.clear();
        m_emptyProxy = true;
        ShapeUpdate update;
        update.reset = true;
        update.offset = m_position.offset;
        update.receivedAt = QDateTime::currentDateTimeUtc();
        setState(ShapeStatus::State::Live);
        emit updateReady(update);
        scheduleNext(m_options.emptyProxyPollMs);
        return;
    }
    const QByteArray contentType
        = reply->rawHeader("content-type").split(';').first().trimmed().toLower();
    if (!contentType.isEmpty() && !contentType.contains("json")
        && !body.trimmed().startsWith('[')) {
        // A login page or a proxy's error page: retrying it as malformed JSON only hides that.
        fail(QStringLiteral("%1 answered with %2, not Electric's JSON: a login page or a "
                            "misconfigured proxy?")
                 .arg(ShapeUrl::redacted(reply->url()), QString::fromLatin1(contentType)));
        return;
    }
    QStringList missing;
    for (const QByteArray &header : {kHandle, kOffset}) {
        if (!reply->hasRawHeader(header))
            missing << QString::fromLatin1(header);
    }
    if (live && !reply->hasRawHeader(kCursor))
        missing << QString::fromLatin1(kCursor);
    if (!live && !reply->hasRawHeader(kSchema))
        missing << QString::fromLatin1(kSchema);
    if (!missing.isEmpty()) {
        fail(QStringLiteral(
                 "the response from %1 lacks the %2 header(s); a proxy, CDN or CORS setup "
                 "between Hivewatch and Electric probably stripped them (it must pass "
                 "every electric-* header through)")
                 .arg(ShapeUrl::redacted(reply->url()), missing.join(QStringLiteral(", "))));
        return;
    }
    m_emptyProxy = false;
    const QString handle = QString::fromUtf8(reply->rawHeader(kHandle));
    if (handleStaleResponse(handle))
        return;

    if (const QByteArray offset = reply->rawHeader(kOffset); !isValidOffset(offset)) {
        // Never stored: every later run would send it back and be refused.
        const QString text
            = QStringLiteral("%1 answered with an invalid electric-offset \"%2\"; "
                             "nothing of that response was kept")
                  .arg(ShapeUrl::redacted(reply->url()), QString::fromUtf8(offset.left(80)));
        if (++m_malformedCount > m_options.malformedRetryLimit)
            fail(text);
        else
            retryLater(text, std::nullopt);
        return;
    }
    auto parsed = parseShapeBody(body);
    if (!parsed) {
        if (++m_malformedCount > m_options.malformedRetryLimit) {
            fail(QStringLiteral("%1 from %2")
                     .arg(parsed.error().toString(), ShapeUrl::redacted(reply->url())));
            return;
        }
        retryLater(QStringLiteral("%1 from %2")
                       .arg(parsed.error().toString(), ShapeUrl::redacted(reply->url())),
                   std::nullopt);
        return;
    }
    if (parsed->mustRefetch) {
        if (refetchLimitReached(reply->url()))
            return;
        handleRefetch(handle, QStringLiteral("the server sent must-refetch"));
        return;
    }
    if (!live && m_schema.isEmpty()) {
        auto schema = ShapeSchema::parse(reply->rawHeader(kSchema));
        if (!schema) {
            fail(schema.error().toString());
            return;
        }
        m_schema = std::move(schema).value(); // first schema per handle wins, as in the TS client
    }
    if (parsed->skipped > 0)
        qCDebug(lcSync) << m_definition.effectiveName() << "skipped" << parsed->skipped
                        << "unknown messages";
    for (const ShapeMessage &change : std::as_const(parsed->changes)) {
        if (change.operation == RowChange::Operation::Delete)
            continue;
        for (const QString &problem :
             ShapeValue::notNullViolations(m_schema, change.key, change.value))
            emit warning(problem);
    }

    m_errorCount = 0;
    m_malformedCount = 0;
    m_outOfBoundsCount = 0;
    if (reply->hasRawHeader(kUpToDate) || m_upToDate)
        m_positionRejected = false;
    m_tokenFresh = false; // the token works; the next 401 means it expired
    m_errorText = m_resyncNote; // kept in view until the resync is complete
    m_retryAt = {};
    m_position.handle = handle;
    const QString previousOffset = m_position.offset;
    m_position.offset = QString::fromUtf8(reply->rawHeader(kOffset));
    const bool progressed = !parsed->changes.isEmpty() || m_position.offset != previousOffset;
    if (live)
        m_position.cursor = QString::fromUtf8(reply->rawHeader(kCursor));
    m_pending.append(std::move(parsed->changes));

    if (parsed->upToDate || reply->hasRawHeader(kUpToDate)) {
        const ShapeUpdate update = takePending();
        m_upToDate = true;
        m_staleRetries = 0;
        m_refetchCount = 0;
        m_selfHealed = false;
        m_loopGuard.reset();
        m_resyncNote.clear();
        m_errorText.clear();
        setState(ShapeStatus::State::Live);
        emit updateReady(update);
        if (!progressed) {
            // An up-to-date without progress, answered at once, must not become a tight loop.
            scheduleNext(emptyAnswerDelayMs());
            return;
        }
        m_emptyCount = 0;
    } else {
        if (m_state != ShapeStatus::State::Live)
            setState(m_upToDate ? ShapeStatus::State::Live : ShapeStatus::State::Syncing);
        if (m_pending.size() >= m_options.flushThreshold) {
            // Ask for the next chunk first: Qt downloads it on its own thread while the
            // receiver stores this part.
            sendRequest();
            emit changesPending(takePending());
            return;
        }
    }
    scheduleNext(0);
}

bool ShapeStream::refetchLimitReached(const QUrl &url)
{
    if (++m_refetchCount <= m_options.refetchLimit)
        return false;
    // A shape that is always gone again before it gets up to date never will be.
    fail(QStringLiteral("%1 answered 409 must-refetch %2 times in a row without the shape "
                        "getting up to date")
             .arg(ShapeUrl::redacted(url))
             .arg(m_refetchCount));
    return true;
}

bool ShapeStream::handleStaleResponse(const QString &handle)
{
    if (m_position.expiredHandle.isEmpty() || handle != m_position.expiredHandle)
        return false;
    // Served from a cache that still holds the expired shape: ask again past the cache.
    if (++m_staleRetries <= m_options.staleCacheRetries) {
        m_position.cacheBuster = ShapeUrl::newCacheBuster();
        scheduleNext(0);
        return true;
    }
    if (m_selfHealed) {
        fail(QStringLiteral("a cache between Hivewatch and %1 keeps serving the expired shape "
                            "handle %2, even to cache-busted requests and after starting over; "
                            "check the caching of the proxy or CDN in front of Electric")
                 .arg(m_endpoint.url.host(), handle));
        return true;
    }
    // Self-healing, as the official client: forget the expired entry and start over once. A
    // cache-busted URL cannot be a cache hit, so whatever the server answers then is accepted.
    const QString text = QStringLiteral("a cache keeps serving the expired shape handle %1; "
                                        "starting over without it")
                             .arg(handle);
    emit warning(text);
    m_resyncNote = text;
    m_selfHealed = true;
    m_loopGuard.reset(); // the busted retries were not a loop, and this start is no repeat
    handleRefetch({}, text, OldHandle::Forgotten);
    return true;
}

void ShapeStream::handleAuthFailure(QNetworkReply *reply, const QByteArray &body)
{
    if (m_tokenCommand && !m_tokenFresh) {
        // An access token that expired: ask the command for a new one, then retry this request.
        qCInfo(lcSync) << m_definition.effectiveName()
                       << "the token was refused; asking the token command for a new one";
        m_token.clear();
        renewToken();
        return;
    }
    fail(QStringLiteral("sign-in needed for %1: %2").arg(sourceName(), describe(reply, body)),
         ShapeStatus::Problem::SignInNeeded);
}

void ShapeStream::renewToken()
{
    if (!m_running || m_paused || !m_tokenCommand)
        return;
    m_tokenCommand->start(m_options.tokenCommandTimeoutMs);
}

QString ShapeStream::sourceName() const
{
    return m_endpoint.sourceName.isEmpty() ? m_endpoint.url.host() : m_endpoint.sourceName;
}

void ShapeStream::handleRefetch(const QString &newHandle, const QString &reason, OldHandle old)
{
    qCInfo(lcSync) << m_definition.effectiveName() << "resyncing from scratch:" << reason;
    switch (old) {
    case OldHandle::Expired:
        if (!m_position.handle.isEmpty() && m_position.handle != newHandle)
            m_position.expiredHandle = m_position.handle;
        m_position.handle = newHandle;
        break;
    case OldHandle::Kept:
        break; // at -1 the handle is only a cache key
    case OldHandle::Forgotten:
        m_position.expiredHandle.clear();
        m_position.handle.clear();
        break;
    }
    m_position.offset = QStringLiteral("-1");
    m_position.cursor.clear();
    m_position.cacheBuster = ShapeUrl::newCacheBuster();
    m_schema = ShapeSchema();
    m_pending.clear();
    m_pendingReset = true;
    m_upToDate = false;
    m_staleRetries = 0;
    emit mustRefetch();
    if (!m_running)
        return;
    setState(ShapeStatus::State::Syncing);
    scheduleNext(0);
}

void ShapeStream::retryLater(const QString &reason, std::optional<qint64> retryAfterMs)
{
    ++m_errorCount;
    if (m_options.maxConsecutiveErrors > 0 && m_errorCount > m_options.maxConsecutiveErrors) {
        fail(QStringLiteral("%1 (gave up after %2 attempts)").arg(reason).arg(m_errorCount));
        return;
    }
    const qint64 delay = m_options.backoff.delayMs(m_errorCount, random(), retryAfterMs);
    qCInfo(lcSync) << m_definition.effectiveName() << reason << "- retrying in" << delay << "ms";
    m_errorText = reason;
    if (delay >= 60000) // a long wait must not look like a hang: say when
        m_errorText += QStringLiteral(" (retrying in %1 min)").arg((delay + 59999) / 60000);
    m_retryAt = QDateTime::currentDateTimeUtc().addMSecs(delay);
    setState(ShapeStatus::State::BackingOff);
    emit stateChanged(); // the error text changes even when the state does not
    scheduleNext(delay);
}

void ShapeStream::fail(const QString &reason, ShapeStatus::Problem problem)
{
    qCWarning(lcSync) << m_definition.effectiveName() << "stopped:" << reason;
    m_running = false;
    m_nextRequest.stop();
    m_watchdog.stop();
    m_progress.stop();
    abortReply();
    if (m_tokenCommand)
        m_tokenCommand->cancel();
    m_problem = problem;
    m_errorText = reason;
    m_retryAt = {};
    setState(ShapeStatus::State::Failed);
    emit stateChanged();
}

void ShapeStream::setState(ShapeStatus::State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged();
}

QString ShapeStream::bodyProblem(QNetworkReply *reply, QByteArray &body) const
{
    if (reply->error() != QNetworkReply::NoError)
        return QStringLiteral("could not be read whole: %1 (network error %2)")
            .arg(reply->errorString())
            .arg(int(reply->error()));
    bool hasLength = false;
    const qint64 length = reply->rawHeader("content-length").trimmed().toLongLong(&hasLength);
    if (hasLength && body.size() < length)
        return QStringLiteral("was cut off: the connection closed after %1 of its %2 bytes")
            .arg(body.size())
            .arg(length);
    const QString problem
        = ShapeContentEncoding::decode(body, reply->rawHeader("content-encoding"));
    if (problem.isEmpty())
        return {};
    return (ShapeContentEncoding::isCutOff(problem) ? QStringLiteral("was cut off: ")
                                                    : QStringLiteral("could not be decoded: "))
        + problem;
}

QString ShapeStream::describe(QNetworkReply *reply, const QByteArray &body) const
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    QString text
        = QStringLiteral("HTTP %1 from %2").arg(status).arg(ShapeUrl::redacted(reply->url()));
    const QString message = serverMessage(body);
    if (!message.isEmpty())
        text += QStringLiteral(": ") + message;
    if (status == 401 || status == 403)
        text += QStringLiteral(" (check the secret or bearer token)");
    return text;
}

ShapeUpdate ShapeStream::takePending()
{
    ShapeUpdate update;
    update.reset = m_pendingReset;
    update.changes = std::move(m_pending);
    update.handle = m_position.handle;
    update.offset = m_position.offset;
    update.schema = m_schema;
    update.receivedAt = QDateTime::currentDateTimeUtc();
    m_pending.clear();
    m_pendingReset = false;
    return update;
}
