// The protocol decisions of ShapeStream as pure transitions (issue 18 item 4): every case is a
// state and a response's metadata in, a state and an action out. No sockets, no timers.

#include "sync/shape/ShapeStreamState.h"

#include <QTest>
#include <QUrlQuery>

using namespace hivewatch;

using Kind = ShapeStreamAction::Kind;
using Phase = ShapeStreamState::Phase;
namespace T = ShapeStreamTransitions;

Q_DECLARE_METATYPE(Kind)
Q_DECLARE_METATYPE(Phase)
Q_DECLARE_METATYPE(ShapeTransportEnd::Kind)
Q_DECLARE_METATYPE(ShapeStatus::Problem)

namespace {

const QString kBuster = QStringLiteral("buster-1");
const QDateTime kNow = QDateTime(QDate(2026, 12, 6), QTime(3, 0), Qt::UTC);

double half()
{
    return 0.5;
}

ShapeStreamLimits limits()
{
    ShapeStreamLimits limits;
    limits.backoff.initialMs = 1000;
    limits.backoff.maxMs = 32000;
    return limits;
}

// A sound catch-up answer: every header the protocol requires for a non-live request.
ShapeResponseMeta okResponse(const QByteArray &handle, const QByteArray &offset, bool live = false)
{
    ShapeResponseMeta meta;
    meta.status = 200;
    meta.live = live;
    meta.url = QStringLiteral("http://127.0.0.1:3000/v1/shape?table=items");
    meta.sourceName = QStringLiteral("hive");
    meta.host = QStringLiteral("127.0.0.1");
    meta.handle = handle;
    meta.offset = offset;
    if (live)
        meta.cursor = QByteArray("c1");
    else
        meta.schema = QByteArray(R"({"id":{"type":"int4","pk_index":0}})");
    meta.contentType = "application/json";
    meta.body = "[]";
    return meta;
}

ShapeResponseMeta errorResponse(int status, const QByteArray &body = {})
{
    ShapeResponseMeta meta = okResponse({}, {});
    meta.status = status;
    meta.handle.reset();
    meta.offset.reset();
    meta.schema.reset();
    meta.body = body;
    return meta;
}

ShapeStreamState liveAt(const QString &handle, const QString &offset)
{
    ShapeStreamState state;
    state.position.handle = handle;
    state.position.offset = offset;
    state.position.cursor = QStringLiteral("c0");
    state.upToDate = true;
    state.phase = Phase::Live;
    return state;
}

QUrlQuery requestQuery(const ShapeStreamState &state)
{
    ShapeEndpoint endpoint = ShapeEndpoint::electric(
        QUrl(QStringLiteral("http://127.0.0.1:3000/v1/shape?tenant=acme")));
    ShapeDefinition definition;
    definition.table = QStringLiteral("items");
    return QUrlQuery(ShapeUrl::requestUrl(endpoint, definition, T::nextRequest(state)));
}

} // namespace

class TestShapeStreamState : public QObject
{
    Q_OBJECT

private slots:
    void initialRequest()
    {
        const QUrlQuery query = requestQuery(ShapeStreamState());
        QCOMPARE(query.queryItemValue(QStringLiteral("offset")), QStringLiteral("-1"));
        QVERIFY(!query.hasQueryItem(QStringLiteral("live")));
        QVERIFY(!query.hasQueryItem(QStringLiteral("handle")));
        QVERIFY(!query.hasQueryItem(QStringLiteral("cursor")));
        QCOMPARE(query.queryItemValue(QStringLiteral("table")), QStringLiteral("items"));
        QCOMPARE(query.queryItemValue(QStringLiteral("tenant")),
                 QStringLiteral("acme")); // the base URL's own query is kept
    }

    void catchUpThenLiveWithCursor()
    {
        ShapeStreamState state;
        ShapeResponseMeta chunk = okResponse("H1", "0_0");
        ShapeStreamStep step = T::onResponse(state, chunk, limits(), half, kNow, kBuster);
        QCOMPARE(step.action.kind, Kind::Accept);
        step = T::checkSuccess(step.state, chunk, limits(), half, kBuster);
        QCOMPARE(step.action.kind, Kind::Accept);
        state = step.state;
        QVERIFY(T::acceptChunk(state, chunk, true, false));
        QCOMPARE(state.phase, Phase::CatchingUp);
        QUrlQuery query = requestQuery(state);
        QCOMPARE(query.queryItemValue(QStringLiteral("offset")), QStringLiteral("0_0"));
        QCOMPARE(query.queryItemValue(QStringLiteral("handle")), QStringLiteral("H1"));
        QVERIFY(!query.hasQueryItem(QStringLiteral("live")));

        ShapeResponseMeta upToDate = okResponse("H1", "0_inf");
        upToDate.upToDate = QByteArray();
        QCOMPARE(T::checkSuccess(state, upToDate, limits(), half, kBuster).action.kind,
                 Kind::Accept);
        QVERIFY(T::acceptChunk(state, upToDate, false, true));
        QCOMPARE(state.phase, Phase::Live);
        QVERIFY(state.upToDate);
        query = requestQuery(state);
        QCOMPARE(query.queryItemValue(QStringLiteral("live")), QStringLiteral("true"));
        QCOMPARE(query.queryItemValue(QStringLiteral("offset")), QStringLiteral("0_inf"));

        ShapeResponseMeta live = okResponse("H1", "5_0", true);
        QCOMPARE(T::checkSuccess(state, live, limits(), half, kBuster).action.kind, Kind::Accept);
        QVERIFY(T::acceptChunk(state, live, true, true));
        query = requestQuery(state);
        QCOMPARE(query.queryItemValue(QStringLiteral("cursor")), QStringLiteral("c1"));
        QCOMPARE(query.queryItemValue(QStringLiteral("offset")), QStringLiteral("5_0"));
    }

    void stripped_data()
    {
        QTest::addColumn<bool>("live");
        QTest::addColumn<QString>("drop");
        QTest::newRow("catch-up without schema") << false << QStringLiteral("electric-schema");
        QTest::newRow("catch-up without handle") << false << QStringLiteral("electric-handle");
        QTest::newRow("live without cursor") << true << QStringLiteral("electric-cursor");
        QTest::newRow("live without offset") << true << QStringLiteral("electric-offset");
    }
    void stripped()
    {
        QFETCH(bool, live);
        QFETCH(QString, drop);
        ShapeResponseMeta meta = okResponse("H1", "1_0", live);
        if (drop == QLatin1String("electric-schema"))
            meta.schema.reset();
        if (drop == QLatin1String("electric-handle"))
            meta.handle.reset();
        if (drop == QLatin1String("electric-cursor"))
            meta.cursor.reset();
        if (drop == QLatin1String("electric-offset"))
            meta.offset.reset();
        const ShapeStreamStep step = T::checkSuccess(
            live ? liveAt("H1", "0_0") : ShapeStreamState(), meta, limits(), half, kBuster);
        QCOMPARE(step.action.kind, Kind::Fail);
        QVERIFY2(step.action.text.contains(QStringLiteral("lacks the %1 header").arg(drop)),
                 qPrintable(step.action.text));
    }

    void gone_data()
    {
        QTest::addColumn<QByteArray>("newHandle");
        QTest::addColumn<QString>("handleAfter");
        QTest::newRow("409 with a new handle") << QByteArray("H2") << QStringLiteral("H2");
        QTest::newRow("409 without a handle") << QByteArray() << QString();
    }
    void gone()
    {
        QFETCH(QByteArray, newHandle);
        QFETCH(QString, handleAfter);
        ShapeResponseMeta meta = errorResponse(409);
        if (!newHandle.isEmpty())
            meta.handle = newHandle;
        const ShapeStreamStep step
            = T::onResponse(liveAt("H1", "7_3"), meta, limits(), half, kNow, kBuster);
        QCOMPARE(step.action.kind, Kind::Refetch);
        QCOMPARE(step.state.phase, Phase::Refetching);
        QCOMPARE(step.state.position.handle, handleAfter);
        QCOMPARE(step.state.position.expiredHandle, QStringLiteral("H1"));
        QVERIFY(!step.state.upToDate);
        const QUrlQuery query = requestQuery(step.state);
        QCOMPARE(query.queryItemValue(QStringLiteral("offset")), QStringLiteral("-1"));
        QVERIFY(!query.hasQueryItem(QStringLiteral("live")));
        QVERIFY(!query.hasQueryItem(QStringLiteral("cursor")));
        QCOMPARE(query.queryItemValue(QStringLiteral("cache-buster")), kBuster);
        QCOMPARE(query.queryItemValue(QStringLiteral("expired_handle")), QStringLiteral("H1"));
        QCOMPARE(query.queryItemValue(QStringLiteral("tenant")), QStringLiteral("acme"));
    }

    void refetchLoopLimit()
    {
        ShapeStreamLimits few = limits();
        few.refetchLimit = 3;
        ShapeStreamState state = liveAt("H1", "1_0");
        for (int i = 1; i <= 3; ++i) {
            ShapeResponseMeta meta = errorResponse(409);
            meta.handle = QByteArray("H") + QByteArray::number(i + 1);
            const ShapeStreamStep step = T::onResponse(state, meta, few, half, kNow, kBuster);
            QCOMPARE(step.action.kind, Kind::Refetch);
            state = step.state;
        }
        // must-refetch in a body counts the same as a 409
        const ShapeStreamStep step = T::onMustRefetch(state, okResponse("H5", "-1"), few, kBuster);
        QCOMPARE(step.action.kind, Kind::Fail);
        QVERIFY2(step.action.text.contains(QStringLiteral("409 must-refetch 4 times")),
                 qPrintable(step.action.text));

        // An up-to-date in between starts the count over.
        ShapeStreamState recovered = state;
        T::acceptChunk(recovered, okResponse("H4", "0_inf"), false, true);
        QCOMPARE(T::onMustRefetch(recovered, okResponse("H5", "-1"), few, kBuster).action.kind,
                 Kind::Refetch);
    }

    void noContent_data()
    {
        QTest::addColumn<bool>("live");
        QTest::addColumn<qint64>("waitedMs");
        QTest::addColumn<Kind>("kind");
        QTest::addColumn<qint64>("delayMs");
        QTest::newRow("catch-up 204 is an error")
            << false << qint64(0) << Kind::Retry << qint64(500);
        QTest::newRow("quick live 204 is paced")
            << true << qint64(100) << Kind::Send << qint64(400);
        QTest::newRow("long-polled live 204") << true << qint64(20000) << Kind::Send << qint64(0);
    }
    void noContent()
    {
        QFETCH(bool, live);
        QFETCH(qint64, waitedMs);
        QFETCH(Kind, kind);
        QFETCH(qint64, delayMs);
        ShapeResponseMeta meta = errorResponse(204);
        meta.live = live;
        meta.waitedMs = waitedMs;
        ShapeStreamState state = live ? liveAt("H1", "3_0") : ShapeStreamState();
        const ShapeStreamStep step = T::onResponse(state, meta, limits(), half, kNow, kBuster);
        QCOMPARE(step.action.kind, kind);
        QCOMPARE(step.action.delayMs, delayMs);
        QCOMPARE(step.action.live, live);
        // A 204 never makes a catch-up live: at -1 the next request is a catch-up again.
        QCOMPARE(T::nextRequest(step.state).live, live);
        if (!live)
            QCOMPARE(T::nextRequest(step.state).offset, QStringLiteral("-1"));
    }

    void offsets_data()
    {
        QTest::addColumn<QByteArray>("offset");
        QTest::addColumn<bool>("valid");
        QTest::newRow("-1") << QByteArray("-1") << true;
        QTest::newRow("tx_op") << QByteArray("26214160_3") << true;
        QTest::newRow("tx_inf") << QByteArray("0_inf") << true;
        QTest::newRow("text") << QByteArray("abc") << false;
        QTest::newRow("no op") << QByteArray("12_") << false;
        QTest::newRow("no tx") << QByteArray("_12") << false;
        QTest::newRow("-2") << QByteArray("-2") << false;
        QTest::newRow("trailing junk") << QByteArray("1_2x") << false;
        QTest::newRow("21 digits") << QByteArray("123456789012345678901_0") << false;
    }
    void offsets()
    {
        QFETCH(QByteArray, offset);
        QFETCH(bool, valid);
        ShapeStreamState state = liveAt("H1", "1_0");
        state.upToDate = false;
        const ShapeStreamStep step
            = T::checkSuccess(state, okResponse("H1", offset), limits(), half, kBuster);
        QCOMPARE(step.action.kind, valid ? Kind::Accept : Kind::Retry);
        // A refused offset is never taken over.
        QCOMPARE(step.state.position.offset, QStringLiteral("1_0"));
        if (!valid)
            QVERIFY(step.action.text.contains(QStringLiteral("invalid electric-offset")));
    }

    void garbageOffsetsGiveUp()
    {
        ShapeStreamLimits few = limits();
        few.malformedRetryLimit = 2;
        ShapeStreamState state;
        Kind last = Kind::Accept;
        for (int i = 0; i < 3; ++i) {
            const ShapeStreamStep step
                = T::checkSuccess(state, okResponse("H1", "garbage"), few, half, kBuster);
            last = step.action.kind;
            state = step.state;
        }
        QCOMPARE(last, Kind::Fail);
        QCOMPARE(state.phase, Phase::Failed);
    }

    void rejectedSavedPosition()
    {
        const QByteArray body = R"({"message":"Invalid request","errors":{"offset":["bad"]}})";
        ShapeStreamState saved = liveAt("H1", "5_3");
        saved.upToDate = false;
        ShapeStreamStep step
            = T::onResponse(saved, errorResponse(400, body), limits(), half, kNow, kBuster);
        QCOMPARE(step.action.kind, Kind::Refetch);
        QVERIFY(step.action.warn);
        QVERIFY(step.action.text.contains(QStringLiteral("rejected the saved position (offset "
                                                         "5_3)")));
        QVERIFY(step.state.position.handle.isEmpty());
        QCOMPARE(step.state.position.offset, QStringLiteral("-1"));

        // Only once: the same refusal again (before an up-to-date) is a failure.
        ShapeStreamState again = step.state;
        again.position.offset = QStringLiteral("5_3");
        step = T::onResponse(again, errorResponse(400, body), limits(), half, kNow, kBuster);
        QCOMPARE(step.action.kind, Kind::Fail);
        QVERIFY(step.action.text.startsWith(QStringLiteral("HTTP 400 from")));
        QVERIFY(step.action.text.contains(QStringLiteral("offset: bad")));
    }

    void outOfBounds()
    {
        ShapeStreamState state = liveAt("H1", "9_0");
        state.upToDate = false;
        const ShapeResponseMeta meta = errorResponse(400, R"({"message":"offset out of bounds"})");
        for (int i = 0; i < 3; ++i) {
            const ShapeStreamStep step = T::onResponse(state, meta, limits(), half, kNow, kBuster);
            QCOMPARE(step.action.kind, Kind::Retry);
            state = step.state;
        }
        const ShapeStreamStep step = T::onResponse(state, meta, limits(), half, kNow, kBuster);
        QCOMPARE(step.action.kind, Kind::Refetch);
        QVERIFY(step.action.warn && step.action.showText);
        QCOMPARE(step.state.position.handle, QStringLiteral("H1")); // the shape lives
        QCOMPARE(step.state.position.offset, QStringLiteral("-1"));
        QCOMPARE(step.state.outOfBoundsCount, 0);
    }

    void serverBusy_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::addColumn<int>("errorsBefore");
        QTest::addColumn<qint64>("delayMs");
        QTest::addColumn<QString>("suffix");
        QTest::newRow("503 first") << 503 << QByteArray() << 0 << qint64(500) << QString();
        QTest::newRow("503 fourth") << 503 << QByteArray() << 3 << qint64(4000) << QString();
        QTest::newRow("429 Retry-After 10")
            << 429 << QByteArray("10") << 0 << qint64(10000) << QString();
        QTest::newRow("429 Retry-After capped")
            << 429 << QByteArray("86400") << 0 << qint64(ShapeBackoff::kMaxRetryAfterMs)
            << QStringLiteral(" (retrying in 5 min)");
        QTest::newRow("502 Retry-After as a date")
            << 502 << QByteArray("Sun, 06 Dec 2026 03:00:30 GMT") << 0 << qint64(30000)
            << QString();
    }
    void serverBusy()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, retryAfter);
        QFETCH(int, errorsBefore);
        QFETCH(qint64, delayMs);
        QFETCH(QString, suffix);
        ShapeResponseMeta meta = errorResponse(status, R"({"message":"busy"})");
        if (!retryAfter.isEmpty())
            meta.retryAfter = retryAfter;
        ShapeStreamState state;
        state.errorCount = errorsBefore;
        const ShapeStreamStep step = T::onResponse(state, meta, limits(), half, kNow, kBuster);
        QCOMPARE(step.action.kind, Kind::Retry);
        QCOMPARE(step.action.delayMs, delayMs);
        QCOMPARE(step.state.phase, Phase::BackingOff);
        QCOMPARE(step.state.errorCount, errorsBefore + 1);
        QCOMPARE(step.action.text,
                 QStringLiteral("HTTP %1 from %2: busy").arg(status).arg(meta.url) + suffix);
    }

    void retriesGiveUp()
    {
        ShapeStreamLimits few = limits();
        few.maxConsecutiveErrors = 2;
        ShapeStreamState state;
        state.errorCount = 2;
        const ShapeStreamStep step
            = T::onResponse(state, errorResponse(500), few, half, kNow, kBuster);
        QCOMPARE(step.action.kind, Kind::Fail);
        QVERIFY2(step.action.text.endsWith(QStringLiteral("(gave up after 3 attempts)")),
                 qPrintable(step.action.text));
    }

    void unauthorized_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("canRenew");
        QTest::addColumn<bool>("tokenFresh");
        QTest::addColumn<Kind>("kind");
        QTest::newRow("401, token command") << 401 << true << false << Kind::RenewToken;
        QTest::newRow("403, token command") << 403 << true << false << Kind::RenewToken;
        QTest::newRow("401, renewed token refused") << 401 << true << true << Kind::Fail;
        QTest::newRow("401, no token command") << 401 << false << false << Kind::Fail;
    }
    void unauthorized()
    {
        QFETCH(int, status);
        QFETCH(bool, canRenew);
        QFETCH(bool, tokenFresh);
        QFETCH(Kind, kind);
        ShapeResponseMeta meta = errorResponse(status, R"({"message":"expired"})");
        meta.canRenewToken = canRenew;
        ShapeStreamState state = liveAt("H1", "1_0");
        state.tokenFresh = tokenFresh;
        const ShapeStreamStep step = T::onResponse(state, meta, limits(), half, kNow, kBuster);
        QCOMPARE(step.action.kind, kind);
        if (kind == Kind::Fail) {
            QCOMPARE(step.action.problem, ShapeStatus::Problem::SignInNeeded);
            QCOMPARE(step.action.text,
                     QStringLiteral("sign-in needed for hive: HTTP %1 from %2: expired (check the "
                                    "secret or bearer token)")
                         .arg(status)
                         .arg(meta.url));
        }
        // The token command's token is fresh until a response accepts it.
        ShapeStreamState accepted = state;
        T::acceptChunk(accepted, okResponse("H1", "2_0", true), true, true);
        QVERIFY(!accepted.tokenFresh);
    }

    void notJson_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<Kind>("kind");
        QTest::newRow("login page")
            << QByteArray("text/html") << QByteArray("<html>") << Kind::Fail;
        QTest::newRow("JSON as text/plain")
            << QByteArray("text/plain") << QByteArray(" []") << Kind::Accept;
        QTest::newRow("no content type") << QByteArray() << QByteArray("<html>") << Kind::Accept;
    }
    void notJson()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(Kind, kind);
        ShapeResponseMeta meta = okResponse("H1", "0_0");
        meta.contentType = contentType;
        meta.body = body;
        const ShapeStreamStep step
            = T::checkSuccess(ShapeStreamState(), meta, limits(), half, kBuster);
        QCOMPARE(step.action.kind, kind);
        if (kind == Kind::Fail)
            QCOMPARE(step.action.text,
                     meta.url
                         + QStringLiteral(" answered with text/html, not Electric's JSON: a login "
                                          "page or a misconfigured proxy?"));
    }

    void emptyProxyGrant_data()
    {
        QTest::addColumn<bool>("proxy");
        QTest::addColumn<bool>("headers");
        QTest::addColumn<Kind>("kind");
        QTest::newRow("proxy, bare []") << true << false << Kind::EmptyGrant;
        QTest::newRow("proxy, Electric headers") << true << true << Kind::Accept;
        QTest::newRow("Electric, bare []") << false << false << Kind::Fail; // stripped headers
    }
    void emptyProxyGrant()
    {
        QFETCH(bool, proxy);
        QFETCH(bool, headers);
        QFETCH(Kind, kind);
        ShapeResponseMeta meta = okResponse("H1", "0_0");
        meta.proxy = proxy;
        if (!headers) {
            meta.handle.reset();
            meta.offset.reset();
            meta.schema.reset();
        }
        ShapeStreamLimits pollEvery = limits();
        pollEvery.emptyProxyPollMs = 1234;
        ShapeStreamState state = liveAt("H0", "3_0");
        state.errorCount = 2;
        const ShapeStreamStep step = T::checkSuccess(state, meta, pollEvery, half, kBuster);
        QCOMPARE(step.action.kind, kind);
        if (kind == Kind::EmptyGrant) {
            QCOMPARE(step.action.delayMs, 1234);
            QCOMPARE(step.state.phase, Phase::Live);
            QCOMPARE(step.state.errorCount, 0);
            // Asked again from scratch, as a catch-up.
            QCOMPARE(T::nextRequest(step.state).offset, QStringLiteral("-1"));
            QVERIFY(!T::nextRequest(step.state).live);
            QVERIFY(step.state.position.handle.isEmpty());
        }
    }

    void staleCache()
    {
        ShapeStreamLimits few = limits();
        few.staleCacheRetries = 2;
        ShapeStreamState state;
        state.position.expiredHandle = QStringLiteral("H1");
        const ShapeResponseMeta stale = okResponse("H1", "0_0");
        for (int i = 0; i < 2; ++i) {
            const ShapeStreamStep step = T::checkSuccess(state, stale, few, half, kBuster);
            QCOMPARE(step.action.kind, Kind::Send);
            QCOMPARE(step.state.position.cacheBuster, kBuster);
            QCOMPARE(step.state.phase, Phase::StaleRetry);
            state = step.state;
        }
        ShapeStreamStep step = T::checkSuccess(state, stale, few, half, kBuster);
        QCOMPARE(step.action.kind, Kind::Refetch); // self-healing: start over without it
        QVERIFY(step.action.warn && step.action.resetLoopGuard);
        QVERIFY(step.state.position.expiredHandle.isEmpty());
        QVERIFY(step.state.selfHealed);

        state = step.state;
        state.position.expiredHandle = QStringLiteral("H1");
        state.staleRetries = 2;
        step = T::checkSuccess(state, stale, few, half, kBuster);
        QCOMPARE(step.action.kind, Kind::Fail);
        QVERIFY(step.action.text.contains(QStringLiteral("keeps serving the expired shape handle "
                                                         "H1")));
    }

    void transportEnds_data()
    {
        using End = ShapeTransportEnd::Kind;
        QTest::addColumn<End>("end");
        QTest::addColumn<Kind>("kind");
        QTest::newRow("redirect to another origin") << End::RefusedRedirect << Kind::Fail;
        QTest::newRow("redirect loop") << End::RedirectLoop << Kind::Fail;
        QTest::newRow("https to http") << End::InsecureRedirect << Kind::Fail;
        QTest::newRow("TLS") << End::TlsFailed << Kind::Fail;
        QTest::newRow("live watchdog") << End::LiveWatchdog << Kind::Send;
        QTest::newRow("stalled catch-up") << End::Stalled << Kind::Retry;
        QTest::newRow("timed out") << End::TimedOut << Kind::Retry;
        QTest::newRow("closed") << End::ClosedWithoutAnswer << Kind::Retry;
        QTest::newRow("unreachable") << End::Unreachable << Kind::Retry;
        QTest::newRow("cut off") << End::BodyIncomplete << Kind::Retry;
    }
    void transportEnds()
    {
        QFETCH(ShapeTransportEnd::Kind, end);
        QFETCH(Kind, kind);
        const ShapeStreamState live = liveAt("H1", "4_0");
        const ShapeStreamStep step
            = T::onTransportEnd(live, {end, QStringLiteral("what happened")}, limits(), half);
        QCOMPARE(step.action.kind, kind);
        // Nothing below HTTP moves the position.
        QCOMPARE(step.state.position.offset, QStringLiteral("4_0"));
        QCOMPARE(step.state.position.handle, QStringLiteral("H1"));
        if (kind == Kind::Send) {
            QCOMPARE(step.action.delayMs, 0);
            QCOMPARE(step.state.errorCount, 0);
        } else {
            QCOMPARE(step.action.text, QStringLiteral("what happened"));
            QCOMPARE(step.state.phase, kind == Kind::Fail ? Phase::Failed : Phase::BackingOff);
        }
    }

    // Pipelining: which headers let the next chunk be requested before the body is parsed.
    void prefetchOnHeaders_data()
    {
        QTest::addColumn<Phase>("phase");
        QTest::addColumn<QString>("change"); // what differs from a sound catch-up chunk
        QTest::addColumn<Kind>("kind");
        const QList<Phase> catchingUp
            = {Phase::CatchingUp, Phase::Refetching, Phase::StaleRetry, Phase::BackingOff};
        for (Phase phase : catchingUp)
            QTest::addRow("sound chunk, phase %d", int(phase))
                << phase << QString() << Kind::Prefetch;
        QTest::newRow("paused") << Phase::Paused << QString() << Kind::Wait;
        QTest::newRow("failed") << Phase::Failed << QString() << Kind::Wait;
        QTest::newRow("not started") << Phase::Initial << QString() << Kind::Wait;
        QTest::newRow("live phase") << Phase::Live << QStringLiteral("upToDateState") << Kind::Wait;
        QTest::newRow("live request") << Phase::CatchingUp << QStringLiteral("live") << Kind::Wait;
        QTest::newRow("small body so far")
            << Phase::CatchingUp << QStringLiteral("small") << Kind::Wait;
        QTest::newRow("up-to-date header")
            << Phase::CatchingUp << QStringLiteral("upToDate") << Kind::Wait;
        QTest::newRow("409") << Phase::CatchingUp << QStringLiteral("409") << Kind::Wait;
        QTest::newRow("500") << Phase::CatchingUp << QStringLiteral("500") << Kind::Wait;
        QTest::newRow("204") << Phase::CatchingUp << QStringLiteral("204") << Kind::Wait;
        QTest::newRow("no handle") << Phase::CatchingUp << QStringLiteral("noHandle") << Kind::Wait;
        QTest::newRow("no offset") << Phase::CatchingUp << QStringLiteral("noOffset") << Kind::Wait;
        QTest::newRow("no schema") << Phase::CatchingUp << QStringLiteral("noSchema") << Kind::Wait;
        QTest::newRow("invalid offset")
            << Phase::CatchingUp << QStringLiteral("badOffset") << Kind::Wait;
        QTest::newRow("same offset")
            << Phase::CatchingUp << QStringLiteral("sameOffset") << Kind::Wait;
        QTest::newRow("expired handle")
            << Phase::CatchingUp << QStringLiteral("expiredHandle") << Kind::Wait;
        QTest::newRow("html") << Phase::CatchingUp << QStringLiteral("html") << Kind::Wait;
    }
    void prefetchOnHeaders()
    {
        QFETCH(Phase, phase);
        QFETCH(QString, change);
        QFETCH(Kind, kind);
        ShapeStreamState state;
        state.phase = phase;
        state.position.handle = QStringLiteral("H1");
        state.position.offset = QStringLiteral("0_0");
        state.position.expiredHandle = QStringLiteral("H0");
        state.errorCount = 2;
        ShapeResponseMeta headers = okResponse("H1", "10_4");
        headers.body.clear(); // only the headers and part of the body are there
        headers.received = limits().prefetchAfterBytes;
        if (change == QLatin1String("upToDateState"))
            state.upToDate = true;
        else if (change == QLatin1String("live"))
            headers.live = true;
        else if (change == QLatin1String("small"))
            headers.received = limits().prefetchAfterBytes - 1;
        else if (change == QLatin1String("upToDate"))
            headers.upToDate = QByteArray();
        else if (change == QLatin1String("409") || change == QLatin1String("500")
                 || change == QLatin1String("204"))
            headers.status = change.toInt();
        else if (change == QLatin1String("noHandle"))
            headers.handle.reset();
        else if (change == QLatin1String("noOffset"))
            headers.offset.reset();
        else if (change == QLatin1String("noSchema"))
            headers.schema.reset();
        else if (change == QLatin1String("badOffset"))
            headers.offset = QByteArray("10_x");
        else if (change == QLatin1String("sameOffset"))
            headers.offset = QByteArray("0_0");
        else if (change == QLatin1String("expiredHandle"))
            headers.handle = QByteArray("H0");
        else if (change == QLatin1String("html"))
            headers.contentType = "text/html";

        const ShapeStreamStep step = T::onHeaders(state, headers, limits());
        QCOMPARE(step.action.kind, kind);
        // Nothing is accepted before the body: position and counters stay.
        QCOMPARE(step.state.position.offset, QStringLiteral("0_0"));
        QCOMPARE(step.state.errorCount, 2);
        QCOMPARE(step.state.phase, phase);
        if (kind != Kind::Prefetch)
            return;
        QCOMPARE(step.action.next.offset, QStringLiteral("10_4"));
        QCOMPARE(step.action.next.handle, QStringLiteral("H1"));
        QVERIFY(!step.action.next.live);
        QCOMPARE(step.action.next.expiredHandle, QStringLiteral("H0"));
    }

    // The request made ahead is used only where the body leaves the stream.
    void prefetchUsedOnlyWhereTheBodyLeadsTo_data()
    {
        QTest::addColumn<QString>("body");
        QTest::addColumn<bool>("used");
        QTest::newRow("chunk accepted") << QStringLiteral("chunk") << true;
        QTest::newRow("body says up-to-date") << QStringLiteral("upToDate") << false;
        QTest::newRow("must-refetch") << QStringLiteral("mustRefetch") << false;
        QTest::newRow("malformed, retried") << QStringLiteral("malformed") << false;
        QTest::newRow("cut off, retried") << QStringLiteral("cutOff") << false;
    }
    void prefetchUsedOnlyWhereTheBodyLeadsTo()
    {
        QFETCH(QString, body);
        QFETCH(bool, used);
        ShapeStreamState state;
        state.phase = Phase::CatchingUp;
        state.position.handle = QStringLiteral("H1");
        state.position.offset = QStringLiteral("0_0");
        ShapeResponseMeta chunk = okResponse("H1", "10_4");
        chunk.received = 10 << 20;
        const ShapeStreamStep ahead = T::onHeaders(state, chunk, limits());
        QCOMPARE(ahead.action.kind, Kind::Prefetch);
        QVERIFY(!T::usesPrefetch(state, ahead.action.next)); // not before the body is accepted

        if (body == QLatin1String("chunk")) {
            T::acceptChunk(state, chunk, true, false);
        } else if (body == QLatin1String("upToDate")) {
            T::acceptChunk(state, chunk, true, true);
        } else if (body == QLatin1String("mustRefetch")) {
            state = T::onMustRefetch(state, chunk, limits(), kBuster).state;
        } else if (body == QLatin1String("malformed")) {
            state = T::onMalformed(state, QStringLiteral("bad JSON"), limits(), half).state;
        } else {
            state = T::onTransportEnd(state, {ShapeTransportEnd::Kind::BodyIncomplete, {}},
                                      limits(), half)
                        .state;
        }
        QCOMPARE(T::usesPrefetch(state, ahead.action.next), used);
    }

    void otherStatuses_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<ShapeStatus::Problem>("problem");
        QTest::newRow("404") << 404 << ShapeStatus::Problem::NotServed;
        QTest::newRow("400") << 400 << ShapeStatus::Problem::Other;
        QTest::newRow("418") << 418 << ShapeStatus::Problem::Other;
        QTest::newRow("304") << 304 << ShapeStatus::Problem::Other;
    }
    void otherStatuses()
    {
        QFETCH(int, status);
        QFETCH(ShapeStatus::Problem, problem);
        const ShapeStreamStep step = T::onResponse(ShapeStreamState(), errorResponse(status),
                                                   limits(), half, kNow, kBuster);
        QCOMPARE(step.action.kind, Kind::Fail);
        QCOMPARE(step.action.problem, problem);
        QCOMPARE(step.state.phase, Phase::Failed);
        QVERIFY(step.action.text.contains(QStringLiteral("HTTP %1 from").arg(status)));
    }
};

QTEST_GUILESS_MAIN(TestShapeStreamState)
#include "tst_shapestreamstate.moc"
