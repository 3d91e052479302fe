// ShapeServer, part two: answering GET /v1/shape for a known shape (docs/electric-protocol.md §2,
// §4).
#include "tools/shape-server/ShapeServer.h"
#include "tools/shape-server/ShapeServerExchange.h"

#include "tools/shape-server/JsonText.h"
#include "tools/shape-server/Shape.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QTimeZone>

namespace {

const QByteArray ExposeHeaders
    = "electric-cursor, electric-handle, electric-has-data, electric-offset, "
      "electric-schema, electric-up-to-date, electric-internal-known-error, retry-after";

// How long a request for a snapshot chunk that is still being written may wait.
constexpr int SnapshotWaitMs = 120000;

qint64 monotonicNs()
{
    static QElapsedTimer clock = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return clock.nsecsElapsed();
}

} // namespace

void ShapeServer::serve(const std::shared_ptr<Exchange> &ex, const ShapeRequest &request,
                        Shape *shape, std::optional<QDeadlineTimer> deadline)
{
    SnapshotStore &snapshot = shape->snapshot();
    if (!snapshot.error().isEmpty()) {
        HttpResponse r = HttpResponse::json(
            503, JsonText::message(QStringLiteral("Snapshot failed, please retry")));
        r.setHeader("retry-after", "10");
        send(ex, r);
        return;
    }
    if (request.offsetNow) {
        respondShape(ex, request, shape, {}, shape->endOffset(), true, false, 0);
        return;
    }
    if (request.offset.beforeAll) {
        // The -1 answer is chunk 0 and never says up-to-date, so it may be cached for long.
        if (snapshot.chunkCount() == 0)
            park(ex, request, shape, Waiter::Snapshot,
                 deadline.value_or(QDeadlineTimer(SnapshotWaitMs)));
        else
            respondShape(ex, request, shape, snapshot.readChunk(0), LogOffset::snapshotChunk(0),
                         false, true, 0);
        return;
    }
    LogOffset from = request.offset;
    if (from.isSnapshot()) {
        const int next = int(qMin<quint64>(from.op + 1, INT_MAX));
        const int count = snapshot.chunkCount();
        if (next < count) {
            respondShape(ex, request, shape, snapshot.readChunk(next),
                         LogOffset::snapshotChunk(next), false, true, 0);
            return;
        }
        if (!snapshot.isFinished()) {
            park(ex, request, shape, Waiter::Snapshot,
                 deadline.value_or(QDeadlineTimer(SnapshotWaitMs)));
            return;
        }
        if (next > count) {
            park(ex, request, shape, Waiter::OutOfBounds,
                 deadline.value_or(QDeadlineTimer(m_options.longPollMs / 2)));
            return;
        }
        from = LogOffset::snapshotEnd(); // past the last chunk: the replicated changes follow
    }
    if (shape->endOffset() < from) {
        park(ex, request, shape, Waiter::OutOfBounds,
             deadline.value_or(QDeadlineTimer(m_options.longPollMs / 2)));
        return;
    }
    const Shape::LogSlice slice = shape->readAfter(from, m_options.chunkBytes);
    if (slice.count > 0)
        respondShape(ex, request, shape, slice.messages, slice.last, slice.reachesEnd, true,
                     slice.lastLsn);
    else if (request.live)
        park(ex, request, shape, Waiter::Live,
             deadline.value_or(QDeadlineTimer(m_options.longPollMs)));
    else
        respondShape(ex, request, shape, {}, from, true, true, 0);
}

void ShapeServer::park(const std::shared_ptr<Exchange> &ex, const ShapeRequest &request,
                       Shape *shape, int kind, QDeadlineTimer deadline)
{
    auto waiter = std::make_shared<Waiter>();
    waiter->exchange = ex;
    waiter->request = request;
    waiter->handle = shape->handle();
    waiter->kind = Waiter::Kind(kind);
    waiter->deadline = deadline;
    waiter->timer = new QTimer(this);
    waiter->timer->setSingleShot(true);
    connect(waiter->timer, &QTimer::timeout, this, [this, w = std::weak_ptr<Waiter>(waiter)] {
        if (auto waiter = w.lock())
            expire(waiter);
    });
    waiter->timer->start(int(qMax<qint64>(0, deadline.remainingTime())));
    m_waiters.insert(waiter->handle, waiter);
}

void ShapeServer::expire(const std::shared_ptr<Waiter> &waiter)
{
    m_waiters.remove(waiter->handle, waiter);
    waiter->timer->deleteLater();
    waiter->timer = nullptr;
    if (!waiter->exchange->connection)
        return; // the client went away during the hold
    Shape *shape = m_byHandle.value(waiter->handle).get();
    if (!shape) {
        respondMustRefetch(waiter->exchange, {});
        return;
    }
    switch (waiter->kind) {
    case Waiter::Live: {
        const ShapeRequest &r = waiter->request;
        const LogOffset at = r.offset.isSnapshot() ? LogOffset::snapshotEnd() : r.offset;
        respondShape(waiter->exchange, r, shape, {}, at, true, false, 0);
        break;
    }
    case Waiter::Snapshot: {
        HttpResponse r = HttpResponse::json(
            503, JsonText::message(QStringLiteral("Snapshot is taking too long, please retry")));
        r.setHeader("retry-after", "5");
        send(waiter->exchange, r);
        break;
    }
    case Waiter::OutOfBounds:
        respondError(waiter->exchange, 400,
                     JsonText::invalidRequest(QStringLiteral("offset"),
                                              QStringLiteral("out of bounds for this shape")));
        break;
    }
}

void ShapeServer::wake(const QString &handle)
{
    const auto waiters = m_waiters.values(handle);
    if (waiters.isEmpty())
        return;
    m_waiters.remove(handle);
    Shape *shape = m_byHandle.value(handle).get();
    for (const auto &w : waiters) {
        delete w->timer;
        w->timer = nullptr;
        if (!w->exchange->connection)
            continue;
        if (!shape)
            respondMustRefetch(w->exchange, {});
        else
            serve(w->exchange, w->request, shape, w->deadline); // may park again, same deadline
    }
}

QByteArray ShapeServer::nextCursor(const QString &clientCursor) const
{
    // Electric's Plug.Utils.get_next_interval_timestamp: requests in the same long-poll window
    // share a URL (CDN collapsing) while a client never repeats a URL it already got an answer to.
    const qint64 interval = m_options.longPollMs / 1000;
    if (interval < 1)
        return "0";
    static const qint64 epoch
        = QDateTime(QDate(2024, 10, 9), QTime(0, 0), Qt::UTC).toSecsSinceEpoch();
    const qint64 elapsed = QDateTime::currentSecsSinceEpoch() - epoch;
    const qint64 next = (elapsed + interval - 1) / interval * interval;
    bool ok = false;
    const qint64 previous = clientCursor.toLongLong(&ok);
    if (!ok || next > previous)
        return QByteArray::number(next);
    return QByteArray::number(previous + QRandomGenerator::global()->bounded(1, 3601));
}

void ShapeServer::respondShape(const std::shared_ptr<Exchange> &ex, const ShapeRequest &request,
                               Shape *shape, const QByteArray &messages, const LogOffset &offset,
                               bool upToDate, bool hasData, quint64 chunkLsn)
{
    QByteArray body;
    body.reserve(messages.size() + 128);
    body += '[';
    body += messages;
    if (upToDate) {
        const quint64 lsn = request.live && chunkLsn ? chunkLsn : qMax(m_globalLsn, chunkLsn);
        if (!messages.isEmpty())
            body += ',';
        body += "{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\""
            + QByteArray::number(lsn) + "\"}}";
    }
    body += ']';
    HttpResponse r = HttpResponse::json(200, body);
    const QByteArray offsetText = offset.toString().toUtf8();
    r.setHeader("electric-handle", shape->handle().toUtf8());
    r.setHeader("electric-offset", offsetText);
    if (request.live)
        r.setHeader("electric-cursor", nextCursor(request.cursor));
    else
        r.setHeader("electric-schema", shape->schemaHeader());
    if (upToDate)
        r.setHeader("electric-up-to-date", "");
    r.setHeader("electric-has-data", hasData ? "true" : "false");
    const QByteArray requested
        = request.offsetNow ? QByteArray("now") : request.offset.toString().toUtf8();
    QByteArray etag = shape->handle().toUtf8() + ':' + requested + ':' + offsetText;
    if (!hasData)
        etag += ':' + QByteArray::number(monotonicNs()); // never revalidate an empty live answer
    r.setHeader("etag", '"' + etag + '"');
    if (request.offset.beforeAll && !request.offsetNow)
        r.setHeader("cache-control",
                    "public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746");
    else if (request.live)
        r.setHeader("cache-control", "public, max-age=5, stale-while-revalidate=5");
    else
        r.setHeader("cache-control", "public, max-age=60, stale-while-revalidate=300");
    for (QByteArray candidate : ex->request.header("if-none-match").split(',')) {
        candidate = candidate.trimmed();
        if (candidate.startsWith("W/"))
            candidate = candidate.mid(2);
        if (!candidate.isEmpty() && candidate.replace('"', "") == etag) {
            r.status = 304;
            r.body.clear();
            break;
        }
    }
    r.chunked = r.status == 200;
    send(ex, r);
}

void ShapeServer::respondMustRefetch(const std::shared_ptr<Exchange> &ex, const QString &newHandle)
{
    HttpResponse r = HttpResponse::json(409, "[{\"headers\":{\"control\":\"must-refetch\"}}]");
    if (!newHandle.isEmpty())
        r.setHeader("electric-handle", newHandle.toUtf8());
    r.setHeader("cache-control",
                newHandle.isEmpty() ? "public, max-age=1, must-revalidate"
                                    : "public, max-age=60, must-revalidate");
    send(ex, r);
}

void ShapeServer::respondError(const std::shared_ptr<Exchange> &ex, int status,
                               const QByteArray &body)
{
    HttpResponse r = HttpResponse::json(status, body);
    r.setHeader("cache-control", "no-store");
    r.setHeader("surrogate-control", "no-store");
    send(ex, r);
}

void ShapeServer::send(const std::shared_ptr<Exchange> &ex, HttpResponse response)
{
    if (!ex->connection)
        return;
    // The hive proxy's own answers (401, [], 503 …) carry none of Electric's headers.
    if (!ex->proxied || ex->forwarded) {
        response.setHeader("electric-server", "ElectricSQL/hive-shape-server-" HIVEWATCH_VERSION);
        response.setHeader("x-request-id", ex->requestId);
    }
    const QByteArray origin = ex->request.header("origin");
    response.setHeader("access-control-allow-origin", origin.isEmpty() ? QByteArray("*") : origin);
    response.setHeader("access-control-expose-headers", ExposeHeaders);
    if (ex->forwarded) {
        // The hive's proxy streams whatever Electric sent, without its length, varying by user.
        response.setHeader("vary", "Authorization");
        response.chunked = true;
    }
    if (response.status == 200 && response.body.startsWith('[')) {
        if (ex->malformedBody)
            response.body = "{\"injected\": \"malformed body, not a JSON array\"";
        if (ex->dropMidBody)
            response.dropAfterBodyBytes = response.body.size() / 2;
    }
    response.headOnly = ex->request.method == "HEAD";
    ex->connection->respond(std::move(response));
}
