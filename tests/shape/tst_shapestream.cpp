// The ShapeStream state machine (issue 4 item 3) against scripted HTTP responses over loopback.
#include "sync/shape/ShapeBackoff.h"
#include "sync/shape/ShapeStream.h"
#include "sync/shape/ShapeWorker.h"
#include "tests/support/ScriptedHttpServer.h"

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace hivewatch;

using Server = ScriptedHttpServer;

namespace {

QByteArray insert(int id, const char *title = "t")
{
    return "{\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"]},\"key\":"
           "\"\\\"public\\\".\\\"items\\\"/\\\""
        + QByteArray::number(id) + "\\\"\",\"value\":{\"id\":\"" + QByteArray::number(id)
        + "\",\"title\":\"" + title + "\",\"done\":\"f\"}}";
}
const QByteArray kSnapshotEnd
    = "{\"headers\":{\"control\":\"snapshot-end\",\"xmin\":\"1\",\"xmax\":\"1\",\"xip_list\":[]}}";
const QByteArray kUpToDate
    = "{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"1\"}}";
const QByteArray kMustRefetch = "[{\"headers\":{\"control\":\"must-refetch\"}}]";

QByteArray array(std::initializer_list<QByteArray> messages)
{
    QByteArrayList list(messages);
    return '[' + list.join(',') + ']';
}

} // namespace

class TestShapeStream : public QObject
{
    Q_OBJECT

    std::unique_ptr<Server> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<ShapeStream> m_stream;
    QList<ShapeUpdate> m_updates;
    int m_refetches = 0;

    ShapeStream &makeStream(ShapeEndpoint endpoint = {})
    {
        ShapeDefinition definition;
        definition.table = QStringLiteral("items");
        if (endpoint.url.isEmpty())
            endpoint = ShapeEndpoint::electric(m_server->url());
        m_stream = std::make_unique<ShapeStream>(definition, endpoint, m_network.get());
        ShapeStream::Options options;
        options.backoff.initialMs = 10;
        options.backoff.maxMs = 40;
        options.random = [] {
            return 0.5;
        };
        m_stream->setOptions(options);
        connect(m_stream.get(), &ShapeStream::updateReady, this,
                [this](const ShapeUpdate &u) { m_updates.append(u); });
        connect(m_stream.get(), &ShapeStream::mustRefetch, this, [this] { ++m_refetches; });
        return *m_stream;
    }

    void goLive(const QByteArray &handle = "H1")
    {
        m_server->enqueue(Server::shape(array({insert(1), kSnapshotEnd}), handle, "0_0"));
        m_server->enqueue(Server::shape(array({kUpToDate}), handle, "0_inf"));
    }

    QString requestQuery(int index, const char *name) const
    {
        return m_server->requests().value(index).query(QString::fromLatin1(name));
    }

private slots:
    void init()
    {
        m_server = std::make_unique<Server>();
        QVERIFY(m_server->listen());
        m_network = std::make_unique<QNetworkAccessManager>();
        m_updates.clear();
        m_refetches = 0;
    }
    void cleanup()
    {
        m_stream.reset();
        m_network.reset();
        m_server.reset();
    }

    void catchesUpNonLiveThenGoesLiveWithCursor()
    {
        goLive();
        m_server->enqueue(Server::live(array({insert(2), kUpToDate}), "H1", "100_0", "777"));
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE(m_updates.size(), 2);
        QTRY_COMPARE(m_server->requests().size(), 4);

        QCOMPARE(requestQuery(0, "offset"), QStringLiteral("-1"));
        QVERIFY(!m_server->requests()[0].hasQuery(QStringLiteral("live")));
        QVERIFY(!m_server->requests()[0].hasQuery(QStringLiteral("handle")));
        QCOMPARE(requestQuery(1, "offset"), QStringLiteral("0_0"));
        QCOMPARE(requestQuery(1, "handle"), QStringLiteral("H1"));
        QVERIFY(!m_server->requests()[1].hasQuery(QStringLiteral("live")));
        QCOMPARE(requestQuery(2, "offset"), QStringLiteral("0_inf"));
        QCOMPARE(requestQuery(2, "live"), QStringLiteral("true"));
        QCOMPARE(requestQuery(2, "cursor"), QStringLiteral(""));
        QCOMPARE(requestQuery(3, "cursor"), QStringLiteral("777"));
        QCOMPARE(requestQuery(3, "offset"), QStringLiteral("100_0"));

        QVERIFY(m_updates[0].reset);
        QCOMPARE(m_updates[0].changes.size(), 1);
        QCOMPARE(m_updates[0].offset, QStringLiteral("0_inf"));
        QCOMPARE(m_updates[0].schema.column(QStringLiteral("id"))->type, QStringLiteral("int8"));
        QVERIFY(!m_updates[1].reset);
        QCOMPARE(m_updates[1].changes.size(), 1);
        QCOMPARE(m_updates[1].offset, QStringLiteral("100_0"));
        QCOMPARE(stream.state(), ShapeStatus::State::Live);
        QVERIFY(m_server->requests()[0].header("Cache-Control").isEmpty()
                || !m_server->requests()[0].header("Cache-Control").contains("max-age"));
    }

    void requestsTheNextSnapshotChunkWhileThisOneArrives()
    {
        // A chunk of over 1 MiB (and under the flush threshold), trickled: the next chunk's
        // request goes out while it arrives, so on a connection of its own (sent after it, the
        // request would reuse the idle one); its answer is used, nothing is asked twice.
        QByteArrayList rows;
        for (int id = 1; rows.size() < 15000; ++id)
            rows << insert(id);
        Server::Response big = Server::shape('[' + rows.join(',') + ']', "H1", "0_0");
        QVERIFY(big.body.size() > (1 << 20));
        big.trickleBytesPerSecond = 1 << 20; // ~2 s, 1 of them after the first MiB
        m_server->enqueue(big);
        m_server->enqueue(Server::shape(array({insert(30000), kUpToDate}), "H1", "0_inf"));
        makeStream().start();
        QTRY_COMPARE_WITH_TIMEOUT(m_updates.size(), 1, 20000);
        QCOMPARE(m_updates[0].changes.size(), 15001);
        QCOMPARE(m_updates[0].offset, QStringLiteral("0_inf"));
        QTRY_COMPARE(m_server->requests().size(), 3); // then the live request
        QCOMPARE(requestQuery(1, "offset"), QStringLiteral("0_0"));
        QVERIFY(!m_server->requests()[1].hasQuery(QStringLiteral("live")));
        QVERIFY(m_server->requests()[1].peerPort != m_server->requests()[0].peerPort);
        QCOMPARE(requestQuery(2, "offset"), QStringLiteral("0_inf"));
        QCOMPARE(requestQuery(2, "live"), QStringLiteral("true"));
    }

    void buffersATransactionSplitAcrossResponses()
    {
        goLive();
        m_server->enqueue(Server::live(array({insert(2), insert(3)}), "H1", "100_2", "1"));
        m_server->enqueue(Server::live(array({insert(4), kUpToDate}), "H1", "100_4", "2"));
        makeStream().start();
        QTRY_COMPARE(m_updates.size(), 2);
        QCOMPARE(m_updates[1].changes.size(), 3);
        QCOMPARE(m_updates[1].changes[2].key, QStringLiteral("\"public\".\"items\"/\"4\""));
        QCOMPARE(m_updates[1].offset, QStringLiteral("100_4"));
    }

    void handlesEmptyArraysAndChunkedBodies()
    {
        Server::Response first = Server::shape("[]", "H1", "0_0");
        first.chunked = true;
        m_server->enqueue(first);
        Server::Response second
            = Server::shape(array({insert(1), insert(2), kSnapshotEnd}), "H1", "0_1");
        second.chunked = true;
        m_server->enqueue(second);
        m_server->enqueue(Server::shape("[]", "H1", "0_2"));
        m_server->enqueue(Server::shape(array({kUpToDate}), "H1", "0_inf"));
        makeStream().start();
        QTRY_COMPARE(m_updates.size(), 1);
        QVERIFY(m_updates[0].reset);
        QCOMPARE(m_updates[0].changes.size(), 2);
        QCOMPARE(m_server->requests().size() >= 4, true);
        QCOMPARE(requestQuery(2, "offset"), QStringLiteral("0_1"));
    }

    void refetchesAfter409InTheMiddleOfAChunkedSnapshot()
    {
        m_server->enqueue(Server::shape(array({insert(1), insert(2)}), "H1", "0_0"));
        Server::Response gone;
        gone.status = 409;
        gone.body = kMustRefetch;
        gone.header("electric-handle", "H2");
        m_server->enqueue(gone);
        m_server->enqueue(Server::shape(array({insert(7), kSnapshotEnd}), "H2", "0_0"));
        m_server->enqueue(Server::shape(array({kUpToDate}), "H2", "0_inf"));
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE(m_updates.size(), 1);
        QCOMPARE(m_refetches, 1);
        // Rows of the dead handle never reach the consumer; the new snapshot is a reset.
        QVERIFY(m_updates[0].reset);
        QCOMPARE(m_updates[0].changes.size(), 1);
        QCOMPARE(m_updates[0].changes[0].key, QStringLiteral("\"public\".\"items\"/\"7\""));
        QCOMPARE(m_updates[0].handle, QStringLiteral("H2"));
        const auto &retry = m_server->requests()[2];
        QCOMPARE(retry.query(QStringLiteral("offset")), QStringLiteral("-1"));
        QCOMPARE(retry.query(QStringLiteral("handle")), QStringLiteral("H2"));
        QCOMPARE(retry.query(QStringLiteral("expired_handle")), QStringLiteral("H1"));
        QVERIFY(!retry.query(QStringLiteral("cache-buster")).isEmpty());
        // The buster is one-shot; expired_handle stays on every later request.
        QVERIFY(!m_server->requests()[3].hasQuery(QStringLiteral("cache-buster")));
        QCOMPARE(m_server->requests()[3].query(QStringLiteral("expired_handle")),
                 QStringLiteral("H1"));
    }

    void refetchesAfter409WhileLive()
    {
        goLive();
        Server::Response gone;
        gone.status = 409;
        gone.body = kMustRefetch; // no new handle: continue without one
        m_server->enqueue(gone);
        m_server->enqueue(Server::shape(array({insert(9), kSnapshotEnd}), "H3", "0_0"));
        m_server->enqueue(Server::shape(array({kUpToDate}), "H3", "0_inf"));
        makeStream().start();
        QTRY_COMPARE(m_updates.size(), 2);
        QVERIFY(m_updates[1].reset);
        QCOMPARE(m_updates[1].changes.size(), 1);
        const auto &retry = m_server->requests()[3];
        QCOMPARE(retry.query(QStringLiteral("offset")), QStringLiteral("-1"));
        QVERIFY(!retry.hasQuery(QStringLiteral("handle")));
        QVERIFY(!retry.hasQuery(QStringLiteral("live")));
        QCOMPARE(retry.query(QStringLiteral("expired_handle")), QStringLiteral("H1"));
    }

    void handsOutLargeCatchUpsInPartsBeforeUpToDate()
    {
        m_server->enqueue(Server::shape(array({insert(1), insert(2)}), "H1", "0_0"));
        Server::Response gone;
        gone.status = 409;
        gone.body = kMustRefetch;
        gone.header("electric-handle", "H2");
        m_server->enqueue(gone);
        m_server->enqueue(Server::shape(array({insert(3), insert(4)}), "H2", "0_0"));
        m_server->enqueue(Server::shape(array({insert(5), insert(6), kSnapshotEnd}), "H2", "0_1"));
        m_server->enqueue(Server::shape(array({insert(7), kUpToDate}), "H2", "0_inf"));
        ShapeStream &stream = makeStream();
        ShapeStream::Options options;
        options.flushThreshold = 2;
        stream.setOptions(options);
        QList<ShapeUpdate> parts;
        QList<QString> events;
        connect(&stream, &ShapeStream::changesPending, this, [&](const ShapeUpdate &part) {
            parts.append(part);
            events << QStringLiteral("part");
        });
        connect(&stream, &ShapeStream::mustRefetch, this,
                [&] { events << QStringLiteral("refetch"); });
        connect(&stream, &ShapeStream::updateReady, this,
                [&] { events << QStringLiteral("update"); });
        stream.start();
        QTRY_COMPARE(m_updates.size(), 1);
        QCOMPARE(
            events,
            (QStringList {QStringLiteral("part"), QStringLiteral("refetch"), QStringLiteral("part"),
                          QStringLiteral("part"), QStringLiteral("update")}));
        QVERIFY(parts[0].reset);
        QVERIFY(parts[1].reset); // the first part after the refetch starts a new snapshot
        QVERIFY(!parts[2].reset);
        QCOMPARE(parts[2].changes.size(), 2);
        QCOMPARE(parts[2].offset, QStringLiteral("0_1"));
        QVERIFY(!m_updates[0].reset);
        QCOMPARE(m_updates[0].changes.size(), 1);
        QCOMPARE(m_updates[0].offset, QStringLiteral("0_inf"));
    }

    void handsOutALargeCatchUpBodyInSlicesWhileParsingIt()
    {
        // 5 inserts in one chunk, slices of 2: two parts leave during the parse (the first one
        // starting the snapshot), the fifth row right after it, so that the receiver stores it
        // while the next chunk is parsed; the next chunk's row comes with its up-to-date.
        m_server->enqueue(Server::shape(
            array({insert(1), insert(2), insert(3), insert(4), insert(5), kSnapshotEnd}), "H1",
            "0_0"));
        m_server->enqueue(Server::shape(array({insert(6), kUpToDate}), "H1", "0_inf"));
        ShapeStream &stream = makeStream();
        ShapeStream::Options options;
        options.sliceRows = 2;
        options.insertsAsJson = true;
        stream.setOptions(options);
        QList<ShapeUpdate> parts;
        connect(&stream, &ShapeStream::changesPending, this,
                [&](const ShapeUpdate &part) { parts.append(part); });
        stream.start();
        QTRY_COMPARE(m_updates.size(), 1);
        QCOMPARE(parts.size(), 3);
        QVERIFY(parts[0].reset);
        QVERIFY(!parts[1].reset);
        QVERIFY(!parts[2].reset);
        QCOMPARE(parts[2].changes.size(), 1);
        QCOMPARE(parts[2].offset, QStringLiteral("0_0"));
        // Each part says where its body leads, as if handed out after it.
        QCOMPARE(parts[0].handle, QStringLiteral("H1"));
        QCOMPARE(parts[0].offset, QStringLiteral("0_0"));
        QCOMPARE(parts[0].schema.column(QStringLiteral("id"))->type, QStringLiteral("int8"));
        QStringList keys;
        for (const ShapeUpdate &update : {parts[0], parts[1], parts[2], m_updates[0]}) {
            for (const ShapeMessage &change : update.changes)
                keys << change.keyText();
        }
        QStringList expected;
        for (int id = 1; id <= 6; ++id)
            expected << QStringLiteral("\"public\".\"items\"/\"%1\"").arg(id);
        QCOMPARE(keys, expected);
        QVERIFY(!m_updates[0].reset);
        QCOMPARE(m_updates[0].offset, QStringLiteral("0_inf"));
        QCOMPARE(stream.state(), ShapeStatus::State::Live);
    }

    void failsWhenRequiredHeadersAreMissing()
    {
        Server::Response stripped;
        stripped.body = array({insert(1)});
        stripped.header("electric-handle", "H1").header("electric-offset", "0_0");
        m_server->enqueue(stripped);
        ShapeStream &stream = makeStream();
        QSignalSpy stateChanges(&stream, &ShapeStream::stateChanged);
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        QVERIFY2(stream.errorText().contains(QLatin1String("electric-schema")),
                 qPrintable(stream.errorText()));
        QVERIFY(stream.errorText().contains(QLatin1String("proxy")));
        QTest::qWait(50);
        QCOMPARE(m_server->requests().size(), 1);
        QVERIFY(m_updates.isEmpty());
    }

    void failsWhenALiveResponseLacksTheCursor()
    {
        goLive();
        m_server->enqueue(Server::shape(array({kUpToDate}), "H1", "0_inf", false));
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        QVERIFY(stream.errorText().contains(QLatin1String("electric-cursor")));
    }

    void honoursRetryAfterOn503()
    {
        Server::Response busy;
        busy.status = 503;
        busy.body = "{\"code\":\"concurrent_request_limit_exceeded\",\"message\":\"please retry\"}";
        busy.header("retry-after", "0.2");
        m_server->enqueue(busy);
        goLive();
        ShapeStream &stream = makeStream();
        QList<ShapeStatus::State> states;
        connect(&stream, &ShapeStream::stateChanged, this, [&] { states.append(stream.state()); });
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::BackingOff);
        // Jitter (0.5 * 10 ms) is below Retry-After, so Retry-After wins.
        QCOMPARE(stream.lastDelayMs(), 200);
        QVERIFY(stream.errorText().contains(QLatin1String("503")));
        QVERIFY(stream.errorText().contains(QLatin1String("please retry")));
        QTRY_COMPARE(m_updates.size(), 1);
        QCOMPARE(stream.state(), ShapeStatus::State::Live);
        QVERIFY(stream.errorText().isEmpty());
        QVERIFY(states.contains(ShapeStatus::State::BackingOff));
    }

    void capsAHugeRetryAfterAndSaysWhen()
    {
        Server::Response busy;
        busy.status = 503;
        busy.header("retry-after", "999999999");
        m_server->enqueue(busy);
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::BackingOff);
        QCOMPARE(stream.lastDelayMs(), 5 * 60 * 1000);
        QVERIFY2(stream.errorText().endsWith(QLatin1String("(retrying in 5 min)")),
                 qPrintable(stream.errorText()));
        QVERIFY(stream.retryAt() <= QDateTime::currentDateTimeUtc().addSecs(5 * 60));
    }

    void namesAStalledCatchUpRequest()
    {
        Server::Response silent;
        silent.hang = true;
        m_server->setFallback(silent);
        ShapeStream &stream = makeStream(ShapeEndpoint::electric(m_server->url(), "s3cr3t"));
        ShapeStream::Options options;
        options.requestTimeoutMs = 200;
        options.backoff.initialMs = 10;
        stream.setOptions(options);
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::BackingOff);
        QVERIFY2(stream.errorText().startsWith(QLatin1String("no response from http://127.0.0.1:")),
                 qPrintable(stream.errorText()));
        QVERIFY2(stream.errorText().contains(QLatin1String(" within 0.2 s")),
                 qPrintable(stream.errorText()));
        QVERIFY(stream.errorText().contains(QLatin1String("secret=***")));
        QVERIFY(!stream.errorText().contains(QLatin1String("s3cr3t")));
        QVERIFY(!stream.errorText().contains(QLatin1String("canceled")));
    }

    void retriesAMalformedBodyWithBackoff()
    {
        m_server->enqueue(Server::shape("[{\"headers\":", "H1", "0_0"));
        goLive();
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE(m_updates.size(), 1);
        QCOMPARE(m_server->requests()[1].query(QStringLiteral("offset")), QStringLiteral("-1"));
        QCOMPARE(m_updates[0].changes.size(), 1);
    }

    void givesUpOnPersistentlyMalformedBodies()
    {
        m_server->setFallback(Server::shape("not json", "H1", "0_0"));
        ShapeStream &stream = makeStream();
        ShapeStream::Options options;
        options.backoff.initialMs = 1;
        options.backoff.maxMs = 1;
        options.malformedRetryLimit = 3;
        stream.setOptions(options);
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        QVERIFY(stream.errorText().contains(QLatin1String("not valid JSON")));
        QCOMPARE(m_server->requests().size(), 4);
    }

    void failsAtOnceOnANonJsonBody_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("login page") << QByteArray("text/html; charset=utf-8")
                                    << QByteArray("<!DOCTYPE html><form>Sign in</form>");
        QTest::newRow("plain text") << QByteArray("text/plain") << QByteArray("upstream busy");
    }
    void failsAtOnceOnANonJsonBody()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        // With Electric's headers, as a proxy that passes them through would send them.
        Server::Response page = Server::shape(body, "H1", "0_0");
        page.header("Content-Type", contentType);
        m_server->setFallback(page);
        ShapeStream &stream = makeStream(ShapeEndpoint::electric(m_server->url(), "s3cr3t"));
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        const QString type = QString::fromLatin1(contentType.split(';').first());
        QVERIFY2(
            stream.errorText().contains(
                QStringLiteral("answered with %1, not Electric's JSON: a login page").arg(type)),
            qPrintable(stream.errorText()));
        QVERIFY(!stream.errorText().contains(QLatin1String("s3cr3t")));
        QTest::qWait(50);
        QCOMPARE(m_server->requests().size(), 1);
    }

    void surfaces400WithElectricsErrorBodyAndStops()
    {
        Server::Response bad;
        bad.status = 400;
        bad.body = "{\"message\":\"Invalid request\",\"errors\":{\"where\":[\"At location 17: "
                   "syntax error at or near \\\"x\\\"\"]}}";
        m_server->enqueue(bad);
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        QVERIFY2(stream.errorText().contains(QLatin1String("HTTP 400")),
                 qPrintable(stream.errorText()));
        QVERIFY(stream.errorText().contains(QLatin1String("where: At location 17: syntax error")));
        QTest::qWait(50);
        QCOMPARE(m_server->requests().size(), 1);
    }

    void reports401AsAnAuthProblem()
    {
        Server::Response denied;
        denied.status = 401;
        denied.body = "{\"message\":\"Unauthorized - Invalid API secret\"}";
        m_server->enqueue(denied);
        ShapeStream &stream
            = makeStream(ShapeEndpoint::electric(m_server->url(), QStringLiteral("wrong-secret")));
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        QVERIFY(stream.errorText().contains(QLatin1String("Invalid API secret")));
        QVERIFY2(stream.errorText().startsWith(QLatin1String("sign-in needed for 127.0.0.1: ")),
                 qPrintable(stream.errorText()));
        QVERIFY(!stream.errorText().contains(QLatin1String("wrong-secret")));
        QCOMPARE(stream.problem(), ShapeStatus::Problem::SignInNeeded);
        QTest::qWait(50);
        QCOMPARE(m_server->requests().size(), 1); // no token command: nothing to retry with
    }

    void restartsAStalledLivePollAfterTheWatchdog()
    {
        goLive();
        // The script then runs dry: every live poll hangs.
        ShapeStream &stream = makeStream();
        ShapeStream::Options options;
        options.liveTimeoutMs = 150;
        stream.setOptions(options);
        stream.start();
        QTRY_VERIFY(m_server->requests().size() >= 4);
        QCOMPARE(stream.state(), ShapeStatus::State::Live);
        QVERIFY(stream.errorText().isEmpty());
        QCOMPARE(m_server->requests()[3].query(QStringLiteral("live")), QStringLiteral("true"));
        QCOMPARE(m_server->requests()[3].query(QStringLiteral("offset")), QStringLiteral("0_inf"));
    }

    void treatsALongPollTimeoutAsNothingNew()
    {
        goLive();
        Server::Response timeout = Server::live(array({kUpToDate}), "H1", "0_inf", "555");
        timeout.header("electric-has-data", "false");
        m_server->enqueue(timeout);
        makeStream().start();
        QTRY_COMPARE(m_updates.size(), 2);
        QVERIFY(m_updates[1].changes.isEmpty());
        QTRY_COMPARE(m_server->requests().size(), 4);
        QCOMPARE(requestQuery(3, "cursor"), QStringLiteral("555"));
        QCOMPARE(requestQuery(3, "offset"), QStringLiteral("0_inf"));
    }

    void retriesAnOutOfBoundsOffsetBeforeResyncing()
    {
        Server::Response ahead;
        ahead.status = 400;
        ahead.body = "{\"message\":\"Invalid request\",\"errors\":{\"offset\":[\"out of bounds for "
                     "this shape\"]}}";
        for (int i = 0; i < 4; ++i)
            m_server->enqueue(ahead);
        goLive("H1");
        ShapeStream &stream = makeStream();
        QStringList warnings;
        QStringList texts;
        connect(&stream, &ShapeStream::warning, this,
                [&warnings](const QString &text) { warnings << text; });
        connect(&stream, &ShapeStream::stateChanged, this,
                [&texts, &stream] { texts << stream.errorText(); });
        stream.resumeFrom(QStringLiteral("H1"), QStringLiteral("500_0"),
                          ShapeSchema::parse(Server::schemaJson()).value());
        stream.start();
        QTRY_COMPARE(m_updates.size(), 1);
        // A lagging instance behind a load balancer: the same offset is asked again, with backoff.
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(requestQuery(i, "offset"), QStringLiteral("500_0"));
            QCOMPARE(requestQuery(i, "handle"), QStringLiteral("H1"));
        }
        QVERIFY(texts.contains(QStringLiteral(
            "the server does not have offset 500_0 of this shape yet (HTTP 400 out of bounds)")));
        // Then a resync from scratch, reported; the shape itself is alive, so its handle is no
        // expired one.
        QCOMPARE(requestQuery(4, "offset"), QStringLiteral("-1"));
        QVERIFY(!m_server->requests()[4].hasQuery(QStringLiteral("expired_handle")));
        QCOMPARE(m_refetches, 1);
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings[0].contains(QLatin1String("resyncing from scratch")),
                 qPrintable(warnings[0]));
        QVERIFY(texts.contains(warnings[0]));
        QCOMPARE(texts.last(), QString()); // shown until the resync reached up-to-date
        QCOMPARE(texts[texts.size() - 2], warnings[0]);
        QVERIFY(m_updates[0].reset);
        QCOMPARE(m_updates[0].changes.size(), 1);
        QCOMPARE(stream.state(), ShapeStatus::State::Live);
        QVERIFY(stream.errorText().isEmpty());
    }

    // A garbage electric-offset is never taken as the position (it would be saved and sent back
    // by every later run): the response is retried, and the next good one is used.
    void neverTakesAnInvalidOffset()
    {
        m_server->enqueue(Server::shape(array({insert(1), kSnapshotEnd}), "H1", "0_0"));
        m_server->enqueue(Server::shape(array({kUpToDate}), "H1", "garbage;offset"));
        m_server->enqueue(Server::shape(array({kUpToDate}), "H1", "0_inf"));
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE(m_updates.size(), 1);
        QCOMPARE(m_updates[0].offset, QStringLiteral("0_inf"));
        QCOMPARE(m_updates[0].changes.size(), 1);
        for (const auto &request : m_server->requests())
            QVERIFY(!request.target.contains("garbage"));
        QVERIFY(stream.offset() != QLatin1String("garbage;offset"));
    }

    // A saved position the server refuses ("has invalid format") is repaired by one reported
    // resync, not a dead shape.
    void aRejectedSavedPositionResyncsOnce()
    {
        Server::Response refused;
        refused.status = 400;
        refused.body = "{\"message\":\"Invalid request\",\"errors\":{\"offset\":[\"has invalid "
                       "format\"]}}";
        m_server->enqueue(refused);
        goLive("H2");
        ShapeStream &stream = makeStream();
        QStringList warnings;
        connect(&stream, &ShapeStream::warning, this,
                [&](const QString &text) { warnings << text; });
        stream.resumeFrom(QStringLiteral("H1"), QStringLiteral("12_3"),
                          ShapeSchema::parse(Server::schemaJson()).value());
        stream.start();
        QTRY_COMPARE(m_updates.size(), 1);
        QVERIFY(m_updates[0].reset);
        QCOMPARE(m_updates[0].offset, QStringLiteral("0_inf"));
        QCOMPARE(requestQuery(1, "offset"), QStringLiteral("-1"));
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(warnings[0].contains("rejected the saved position"), qPrintable(warnings[0]));
        QVERIFY(stream.state() != ShapeStatus::State::Failed);
    }

    void resumesFromAStoredOffsetWithoutReset()
    {
        m_server->enqueue(Server::shape(array({insert(5), kUpToDate}), "H1", "300_0"));
        ShapeStream &stream = makeStream();
        stream.resumeFrom(QStringLiteral("H1"), QStringLiteral("200_0"),
                          ShapeSchema::parse(Server::schemaJson()).value());
        stream.start();
        QTRY_COMPARE(m_updates.size(), 1);
        QVERIFY(!m_updates[0].reset);
        QCOMPARE(requestQuery(0, "offset"), QStringLiteral("200_0"));
        QVERIFY(!m_server->requests()[0].hasQuery(QStringLiteral("live")));
    }

    void breaksATightLoopOnOneOffsetAndEventuallyFails()
    {
        // A broken server that never advances and never says up-to-date.
        m_server->setFallback(Server::shape("[]", "H1", "0_0"));
        ShapeStream &stream = makeStream();
        ShapeStream::Options options;
        options.random = [] {
            return 0.0;
        };
        stream.setOptions(options);
        stream.start();
        QTRY_COMPARE_WITH_TIMEOUT(stream.state(), ShapeStatus::State::Failed, 10000);
        QVERIFY(m_refetches >= 1); // the first detection resyncs from -1
        QVERIFY2(stream.errorText().contains(QLatin1String("without progress")),
                 qPrintable(stream.errorText()));
        int resets = 0;
        for (const auto &request : m_server->requests())
            resets += request.query(QStringLiteral("offset")) == QLatin1String("-1") ? 1 : 0;
        QVERIFY(resets >= 2);
    }

    void sendsTheBearerTokenToAProxy()
    {
        goLive();
        const QUrl proxyUrl = m_server->url("/v1/shape/items");
        makeStream(ShapeEndpoint::proxy(proxyUrl, QStringLiteral("tok-123"))).start();
        QTRY_COMPARE(m_updates.size(), 1);
        QCOMPARE(m_server->requests()[0].header("Authorization"), QByteArray("Bearer tok-123"));
        QVERIFY(m_server->requests()[0].target.startsWith("/v1/shape/items?"));
        QVERIFY(!m_server->requests()[0].hasQuery(QStringLiteral("table")));
    }

    void refusesARedirectToAnotherOriginWithTheCredentials()
    {
        Server other;
        QVERIFY(other.listen());
        other.setFallback(Server::shape(array({kUpToDate}), "H1", "0_inf"));
        Server::Response redirect;
        redirect.status = 302;
        redirect.header("Location", other.url().toEncoded() + "?table=items&offset=-1");
        m_server->setFallback(redirect);
        ShapeEndpoint endpoint = ShapeEndpoint::electric(m_server->url(), QStringLiteral("s3cr3t"));
        endpoint.bearerToken = QStringLiteral("tok-123");
        ShapeStream &stream = makeStream(endpoint);
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        QVERIFY(m_server->requests()[0].hasQuery(QStringLiteral("secret")));
        QVERIFY(other.requests().isEmpty());
        // Both whole URLs (the secret hidden), and the origin the credentials belong to.
        const QString expected
            = QStringLiteral("refused to follow the redirect from %1 to %2: it leads to another "
                             "origin than %3, which would receive the credentials")
                  .arg(ShapeUrl::redacted(stream.nextRequestUrl()),
                       other.url().toString() + QStringLiteral("?table=items&offset=-1"),
                       m_server->url().adjusted(QUrl::RemovePath).toString());
        QCOMPARE(stream.errorText(), expected);
        QVERIFY(!stream.errorText().contains(QLatin1String("s3cr3t")));
    }

    void followsARedirectOnTheSameOrigin()
    {
        Server::Response redirect;
        redirect.status = 307;
        redirect.header("Location", "/v2/shape?table=items&offset=-1");
        m_server->enqueue(redirect);
        goLive();
        ShapeEndpoint endpoint = ShapeEndpoint::electric(m_server->url());
        endpoint.bearerToken = QStringLiteral("tok-123");
        makeStream(endpoint).start();
        QTRY_COMPARE(m_updates.size(), 1);
        QVERIFY(m_server->requests()[1].target.startsWith("/v2/shape?"));
        QCOMPARE(m_server->requests()[1].header("Authorization"), QByteArray("Bearer tok-123"));
    }

    void pacesAServerAnswering204AndNeverGoesLiveAtMinusOne()
    {
        Server::Response empty;
        empty.status = 204;
        m_server->setFallback(empty);
        ShapeStream &stream = makeStream();
        ShapeStream::Options options;
        options.backoff.initialMs = 300; // slower than the fast-loop guard's 5 in 500 ms
        options.backoff.maxMs = 600;
        options.random = [] {
            return 0.5;
        };
        stream.setOptions(options);
        stream.start();
        QTRY_VERIFY(m_server->requests().size() >= 3);
        QTest::qWait(1500);
        // Paced at 150, 300, 300 ms … about 6 requests; unpaced it was thousands.
        QVERIFY2(m_server->requests().size() <= 40,
                 QByteArray::number(m_server->requests().size()).constData());
        for (const Server::Request &request : m_server->requests()) {
            QVERIFY(!request.hasQuery(QStringLiteral("live")));
            QCOMPARE(request.query(QStringLiteral("offset")), QStringLiteral("-1"));
        }
        // Not a sync in progress: an error backed off from, which says what the server did.
        QCOMPARE(stream.state(), ShapeStatus::State::BackingOff);
        QVERIFY2(stream.errorText().startsWith(QLatin1String("HTTP 204 (no content) from ")),
                 qPrintable(stream.errorText()));
    }

    void treatsTheProxysBareEmptyAnswerAsAnEmptyShape()
    {
        Server::Response nothing;
        nothing.body = "[]"; // the hive proxy's answer for a user without organizations
        m_server->enqueue(nothing);
        m_server->enqueue(nothing);
        ShapeStream &stream = makeStream(
            ShapeEndpoint::proxy(m_server->url("/v1/shape/items"), QStringLiteral("t")));
        ShapeStream::Options options;
        options.emptyProxyPollMs = 50;
        stream.setOptions(options);
        stream.start();
        QTRY_COMPARE(m_updates.size(), 2);
        QVERIFY(m_updates[0].reset);
        QVERIFY(m_updates[0].changes.isEmpty());
        QCOMPARE(stream.state(), ShapeStatus::State::Live);
        QVERIFY(stream.errorText().isEmpty());
        QCOMPARE(stream.lastDelayMs(), 50);
        QCOMPARE(m_server->requests()[1].query(QStringLiteral("offset")), QStringLiteral("-1"));
    }

    void stopAbortsTheRequestAndEmitsNothingMore()
    {
        goLive();
        m_server->enqueue([] {
            Server::Response r;
            r.hang = true;
            return r;
        }());
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE(m_server->requests().size(), 3);
        QSignalSpy updates(&stream, &ShapeStream::updateReady);
        stream.stop();
        QCOMPARE(stream.state(), ShapeStatus::State::Idle);
        QTest::qWait(100);
        QCOMPARE(updates.size(), 0);
        QCOMPARE(m_server->requests().size(), 3);
    }

    void pauseAbortsAndResumeCatchesUpNonLive()
    {
        goLive();
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE(m_server->requests().size(), 3); // hanging live poll
        stream.pause();
        m_server->enqueue(Server::shape(array({insert(3), kUpToDate}), "H1", "400_0"));
        stream.resume();
        QTRY_COMPARE(m_updates.size(), 2);
        QVERIFY(!m_server->requests()[3].hasQuery(QStringLiteral("live")));
        QCOMPARE(requestQuery(3, "offset"), QStringLiteral("0_inf"));
    }

    void keepsTheBaseQueryOnEveryRequest()
    {
        goLive();
        Server::Response gone; // a rotation during a live hold: 409 without a new handle
        gone.status = 409;
        gone.body = kMustRefetch;
        m_server->enqueue(gone);
        m_server->enqueue(Server::shape(array({insert(9), kUpToDate}), "H2", "0_inf"));
        m_server->enqueue(Server::live(array({insert(10), kUpToDate}), "H2", "5_0", "9"));
        QUrl url = m_server->url();
        url.setQuery(QStringLiteral("source_id=src-1&secret=s3%2Bcr%26t&zone=eu+west&offset=9"),
                     QUrl::StrictMode);
        ShapeStream &stream = makeStream(ShapeEndpoint::electric(url));
        stream.start();
        QTRY_COMPARE(m_updates.size(), 3);
        QTRY_COMPARE(m_server->requests().size(), 6);
        const QStringList expected
            = {QStringLiteral("-1"), QStringLiteral("0_0"),   QStringLiteral("0_inf"),
               QStringLiteral("-1"), QStringLiteral("0_inf"), QStringLiteral("5_0")};
        for (int i = 0; i < 6; ++i) {
            const Server::Request &request = m_server->requests()[i];
            QCOMPARE(request.query(QStringLiteral("source_id")), QStringLiteral("src-1"));
            QCOMPARE(request.query(QStringLiteral("secret")), QStringLiteral("s3+cr&t"));
            QVERIFY(request.target.contains("&zone=eu+west")); // form encoding, as sent
            QCOMPARE(request.query(QStringLiteral("table")), QStringLiteral("items"));
            // Protocol parameters replace same-named base ones, and everything stays sorted.
            QCOMPARE(request.query(QStringLiteral("offset")), expected[i]);
            QCOMPARE(QUrlQuery(request.url()).allQueryItemValues(QStringLiteral("offset")).size(),
                     1);
            QStringList names;
            for (const auto &item : QUrlQuery(request.url()).queryItems())
                names << item.first;
            QStringList sorted = names;
            std::sort(sorted.begin(), sorted.end());
            QCOMPARE(names, sorted);
            // No cache directives: CDNs may collapse identical requests.
            QVERIFY(request.header("Cache-Control").isNull());
            QVERIFY(request.header("Pragma").isNull());
        }
        QCOMPARE(requestQuery(2, "live"), QStringLiteral("true"));
        QCOMPARE(requestQuery(3, "expired_handle"), QStringLiteral("H1"));
        QVERIFY(!requestQuery(3, "cache-buster").isEmpty());
        QCOMPARE(m_updates[2].changes.size(), 1);
    }

    void syncsAGzipBodyAboveQtsDecompressionLimit()
    {
        // A full Electric log chunk is >= 10 MiB, and rows of one table compress far better
        // than 40x: Qt's default decompression-bomb check would abort exactly this body.
        const QByteArray title(600, 'x');
        QByteArrayList messages;
        const int rows = 15000;
        for (int id = 1; id <= rows; ++id)
            messages << insert(id, title.constData());
        messages << kSnapshotEnd << kUpToDate;
        Server::Response big = Server::shape('[' + messages.join(',') + ']', "H1", "0_inf");
        big.gzip = true;
        const QByteArray compressed = Server::gzipped(big.body);
        QVERIFY(big.body.size() > 10 * 1024 * 1024);
        QVERIFY2(big.body.size() > 40 * compressed.size(),
                 qPrintable(QStringLiteral("ratio %1")
                                .arg(double(big.body.size()) / double(compressed.size()))));
        m_server->enqueue(big);
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE_WITH_TIMEOUT(m_updates.size(), 1, 60000);
        QCOMPARE(m_updates[0].changes.size(), rows);
        QCOMPARE(m_updates[0].changes.last().key,
                 QStringLiteral("\"public\".\"items\"/\"%1\"").arg(rows));
        const RawField *lastTitle = findField(m_updates[0].changes.last().value, "title");
        QVERIFY(lastTitle);
        QCOMPARE(lastTitle->text, title);
        QCOMPARE(stream.retryAttempt(), 0);
        QVERIFY(m_server->requests()[0].header("Accept-Encoding").contains("gzip"));
    }

    void reportsACutOffGzipBodyAsATransportError_data()
    {
        QTest::addColumn<bool>("closeEarly");
        QTest::newRow("connection closed early") << true;
        QTest::newRow("gzip stream cut short") << false;
    }

    void reportsACutOffGzipBodyAsATransportError()
    {
        QFETCH(bool, closeEarly);
        QByteArrayList messages;
        for (int id = 1; id <= 2000; ++id)
            messages << insert(id, "a title long enough to need several deflate blocks");
        messages << kSnapshotEnd << kUpToDate;
        Server::Response cut = Server::shape('[' + messages.join(',') + ']', "H1", "0_inf");
        cut.gzip = true;
        cut.cutAt = Server::gzipped(cut.body).size() / 2;
        cut.closeEarly = closeEarly;
        m_server->enqueue(cut);
        Server::Response whole = cut;
        whole.cutAt = -1;
        m_server->enqueue(whole);
        ShapeStream &stream = makeStream();
        QStringList texts;
        connect(&stream, &ShapeStream::stateChanged, this, [&texts, &stream] {
            if (stream.state() == ShapeStatus::State::BackingOff)
                texts << stream.errorText();
        });
        stream.start();
        QTRY_COMPARE(m_updates.size(), 1);
        QCOMPARE(m_updates[0].changes.size(), 2000); // the retry got everything, once
        QVERIFY(!texts.isEmpty());
        QVERIFY2(texts[0].contains(QLatin1String("response from http://127.0.0.1")),
                 qPrintable(texts[0]));
        // Qt notices the early close itself; the gzip stream's early end only zlib sees.
        QVERIFY2(texts[0].contains(QLatin1String(
                     closeEarly ? "could not be read whole: Connection closed (network error 2)"
                                : "was cut off: its gzip stream ends before its end")),
                 qPrintable(texts[0]));
        QVERIFY2(!texts[0].contains(QLatin1String("JSON")), qPrintable(texts[0]));
        QCOMPARE(requestQuery(1, "offset"), QStringLiteral("-1"));
    }

    void retriesPastAStaleCacheThenSelfHeals()
    {
        goLive("H1");
        Server::Response gone;
        gone.status = 409;
        gone.body = kMustRefetch;
        gone.header("electric-handle", "H2");
        m_server->enqueue(gone);
        // A misconfigured cache keeps answering with the expired shape: the first answer and
        // three cache-busted retries.
        for (int i = 0; i < 4; ++i)
            m_server->enqueue(Server::shape(array({insert(1), kUpToDate}), "H1", "0_inf"));
        m_server->enqueue(Server::shape(array({insert(5), kUpToDate}), "H3", "0_inf"));
        ShapeStream &stream = makeStream();
        QStringList warnings;
        connect(&stream, &ShapeStream::warning, this,
                [&warnings](const QString &text) { warnings << text; });
        stream.start();
        QTRY_COMPARE(m_updates.size(), 2);
        QVERIFY(m_server->requests().size() >= 8); // then live
        QSet<QString> busters;
        for (int i = 3; i < 7; ++i) {
            QCOMPARE(requestQuery(i, "offset"), QStringLiteral("-1"));
            QCOMPARE(requestQuery(i, "handle"), QStringLiteral("H2"));
            QCOMPARE(requestQuery(i, "expired_handle"), QStringLiteral("H1"));
            busters << requestQuery(i, "cache-buster");
        }
        QCOMPARE(busters.size(), 4);
        QVERIFY(!busters.contains(QString()));
        // Self-healing: the expired entry is dropped and the shape starts over without it.
        const Server::Request &heal = m_server->requests()[7];
        QCOMPARE(heal.query(QStringLiteral("offset")), QStringLiteral("-1"));
        QVERIFY(!heal.hasQuery(QStringLiteral("expired_handle")));
        QVERIFY(!heal.hasQuery(QStringLiteral("handle")));
        QVERIFY(!heal.query(QStringLiteral("cache-buster")).isEmpty());
        QCOMPARE(warnings.size(), 1);
        // The expired handle's rows were never applied.
        QVERIFY(m_updates[1].reset);
        QCOMPARE(m_updates[1].changes.size(), 1);
        QCOMPARE(m_updates[1].changes[0].key, QStringLiteral("\"public\".\"items\"/\"5\""));
        QCOMPARE(m_updates[1].handle, QStringLiteral("H3"));
    }

    void failsWhenAStaleCacheReturnsAfterSelfHealing()
    {
        goLive("H1");
        Server::Response gone;
        gone.status = 409;
        gone.body = kMustRefetch;
        gone.header("electric-handle", "H2");
        m_server->enqueue(gone);
        for (int i = 0; i < 4; ++i)
            m_server->enqueue(Server::shape(array({insert(1), kUpToDate}), "H1", "0_inf"));
        // Self-healing starts over; before its up-to-date the new handle expires as well, and a
        // cache serves that one too: a second stale run is an error, not another round.
        m_server->enqueue(Server::shape(array({insert(2)}), "H4", "0_0"));
        gone.headers = {{"electric-handle", "H5"}};
        m_server->enqueue(gone);
        m_server->setFallback(Server::shape(array({insert(2), kUpToDate}), "H4", "0_inf"));
        ShapeStream &stream = makeStream();
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        QVERIFY2(stream.errorText().contains(QLatin1String("keeps serving the expired shape "
                                                           "handle H4")),
                 qPrintable(stream.errorText()));
        QCOMPARE(m_updates.size(), 1); // only the first, genuine snapshot
        QCOMPARE(m_server->requests().size(), 3 + 4 + 2 + 4);
        QCOMPARE(requestQuery(9, "expired_handle"), QStringLiteral("H4"));
        QCOMPARE(requestQuery(9, "handle"), QStringLiteral("H5"));
    }

    void renewsAnExpiredTokenWithTheTokenCommand()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString counter = dir.filePath(QStringLiteral("count"));
        ShapeEndpoint endpoint = ShapeEndpoint::proxy(m_server->url("/v1/shape/items"), {});
        endpoint.tokenCommand
            = QStringLiteral("n=$(cat '%1' 2>/dev/null || echo 0); n=$((n+1)); echo $n > '%1'; "
                             "printf '  tok-%s\\n' $n")
                  .arg(counter);
        m_server->enqueue(Server::shape(array({insert(1), insert(2)}), "H1", "0_2"));
        Server::Response expired;
        expired.status = 401;
        expired.body = "{\"message\":\"jwt expired\"}";
        m_server->enqueue(expired);
        m_server->enqueue(
            Server::shape(array({insert(3), kSnapshotEnd, kUpToDate}), "H1", "0_inf"));
        m_server->enqueue(expired); // expires again while live, after a good response
        m_server->enqueue(Server::live(array({insert(4), kUpToDate}), "H1", "7_0", "3"));
        ShapeStream &stream = makeStream(endpoint);
        stream.start();
        QTRY_COMPARE(m_updates.size(), 2);
        const auto &requests = m_server->requests();
        QVERIFY(requests.size() >= 5);
        QCOMPARE(requests[0].header("Authorization"), QByteArray("Bearer tok-1"));
        QCOMPARE(requests[1].header("Authorization"), QByteArray("Bearer tok-1"));
        QCOMPARE(requests[2].header("Authorization"), QByteArray("Bearer tok-2"));
        QCOMPARE(requests[3].header("Authorization"), QByteArray("Bearer tok-2"));
        QCOMPARE(requests[4].header("Authorization"), QByteArray("Bearer tok-3"));
        // The refused request is asked again at the same position: nothing lost, nothing twice.
        QCOMPARE(requests[2].query(QStringLiteral("offset")), QStringLiteral("0_2"));
        QCOMPARE(requests[4].query(QStringLiteral("offset")), QStringLiteral("0_inf"));
        QCOMPARE(requests[4].query(QStringLiteral("live")), QStringLiteral("true"));
        QStringList keys;
        for (const ShapeUpdate &update : std::as_const(m_updates))
            for (const ShapeMessage &change : update.changes)
                keys << change.key.section(QLatin1Char('/'), 1);
        QCOMPARE(keys,
                 QStringList({QStringLiteral("\"1\""), QStringLiteral("\"2\""),
                              QStringLiteral("\"3\""), QStringLiteral("\"4\"")}));
        QCOMPARE(m_refetches, 0);
        QCOMPARE(stream.state(), ShapeStatus::State::Live);
        QCOMPARE(stream.problem(), ShapeStatus::Problem::None);
    }

    void needsSignInWhenAFreshTokenIsRefused()
    {
        ShapeEndpoint endpoint = ShapeEndpoint::proxy(m_server->url("/v1/shape/items"), {});
        endpoint.tokenCommand = QStringLiteral("echo tok-fresh");
        endpoint.sourceName = QStringLiteral("hive proxy");
        Server::Response refused;
        refused.status = 401;
        refused.body = "{\"message\":\"invalid signature\"}";
        m_server->setFallback(refused);
        ShapeStream &stream = makeStream(endpoint);
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        QCOMPARE(stream.problem(), ShapeStatus::Problem::SignInNeeded);
        QVERIFY2(stream.errorText().startsWith(QLatin1String("sign-in needed for hive proxy: ")),
                 qPrintable(stream.errorText()));
        QVERIFY(stream.errorText().contains(QLatin1String("invalid signature")));
        QVERIFY(!stream.errorText().contains(QLatin1String("tok-fresh")));
        QTest::qWait(50);
        QCOMPARE(m_server->requests().size(), 1);
    }

    void namesAFailingTokenCommandWithoutItsOutput()
    {
        ShapeEndpoint endpoint = ShapeEndpoint::proxy(m_server->url("/v1/shape/items"), {});
        endpoint.tokenCommand
            = QStringLiteral("echo half-a-token; echo 'not logged in' >&2; echo more >&2; exit 3");
        goLive();
        ShapeStream &stream = makeStream(endpoint);
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        QCOMPARE(stream.problem(), ShapeStatus::Problem::SignInNeeded);
        QCOMPARE(stream.errorText(),
                 QStringLiteral("sign-in needed for 127.0.0.1: the token command exited with "
                                "status 3: not logged in"));
        QVERIFY(m_server->requests().isEmpty());
    }

    void boundsATokenCommandThatHangs()
    {
        ShapeEndpoint endpoint = ShapeEndpoint::proxy(m_server->url("/v1/shape/items"), {});
        endpoint.tokenCommand = QStringLiteral("sleep 5");
        ShapeStream &stream = makeStream(endpoint);
        ShapeStream::Options options;
        options.tokenCommandTimeoutMs = 200;
        stream.setOptions(options);
        stream.start();
        QTRY_COMPARE_WITH_TIMEOUT(stream.state(), ShapeStatus::State::Failed, 10000);
        QVERIFY2(stream.errorText().contains(QLatin1String("did not finish within 0.2 s")),
                 qPrintable(stream.errorText()));
    }

    void stopsAShapeThatIsNotServed()
    {
        Server::Response missing;
        missing.status = 404;
        missing.body = "{\"message\":\"Not found\"}";
        m_server->enqueue(missing);
        ShapeEndpoint endpoint = ShapeEndpoint::proxy(m_server->url("/v1/shape/items"), {});
        ShapeStream &stream = makeStream(endpoint);
        stream.start();
        QTRY_COMPARE(stream.state(), ShapeStatus::State::Failed);
        QCOMPARE(stream.problem(), ShapeStatus::Problem::NotServed);
        QVERIFY2(stream.errorText().startsWith(QLatin1String("not served by 127.0.0.1: HTTP 404")),
                 qPrintable(stream.errorText()));
        QTest::qWait(50);
        QCOMPARE(m_server->requests().size(), 1);
    }

    void stopsOnlyTheShapeThatNeedsSignInAndTakesANewToken()
    {
        // Through the worker, as the GUI runs it: one shape's refused token concerns that shape.
        Server proxy;
        QVERIFY(proxy.listen());
        Server::Response refused;
        refused.status = 401;
        refused.body = "{\"message\":\"jwt expired\"}";
        proxy.enqueue(refused);
        goLive();
        ShapeWorker worker(QString {});
        QHash<QString, ShapeStatus> statuses;
        connect(&worker, &ShapeWorker::statusChanged, this, [&statuses](const ShapeStatus &status) {
            statuses.insert(status.shapeName, status);
        });
        ShapeDefinition items;
        items.table = QStringLiteral("items");
        ShapeDefinition tasks;
        tasks.table = QStringLiteral("shared_tasks");
        ShapeEndpoint hive
            = ShapeEndpoint::proxy(proxy.url("/v1/shape/shared_tasks"), QStringLiteral("old"));
        hive.sourceName = QStringLiteral("hive proxy");
        worker.addShape(items, ShapeEndpoint::electric(m_server->url()));
        worker.addShape(tasks, hive);
        QTRY_COMPARE(statuses.value(QStringLiteral("shared_tasks")).state,
                     ShapeStatus::State::Failed);
        const ShapeStatus failed = statuses.value(QStringLiteral("shared_tasks"));
        QCOMPARE(failed.problem, ShapeStatus::Problem::SignInNeeded);
        QVERIFY2(failed.errorText.startsWith(QLatin1String("sign-in needed for hive proxy: ")),
                 qPrintable(failed.errorText));
        QTRY_COMPARE(statuses.value(QStringLiteral("items")).state, ShapeStatus::State::Live);
        QCOMPARE(statuses.value(QStringLiteral("items")).problem, ShapeStatus::Problem::None);
        QCOMPARE(statuses.value(QStringLiteral("items")).rowCount, 1);

        // Signing in again gives the shape a new endpoint.
        proxy.enqueue(Server::shape(array({insert(4), kUpToDate}), "T1", "0_inf"));
        hive.bearerToken = QStringLiteral("new");
        worker.addShape(tasks, hive);
        QTRY_COMPARE(statuses.value(QStringLiteral("shared_tasks")).state,
                     ShapeStatus::State::Live);
        QCOMPARE(statuses.value(QStringLiteral("shared_tasks")).problem,
                 ShapeStatus::Problem::None);
        QCOMPARE(statuses.value(QStringLiteral("shared_tasks")).rowCount, 1);
        QCOMPARE(proxy.requests()[1].header("Authorization"), QByteArray("Bearer new"));
        worker.shutdown();
    }

    void computesFullJitterBackoffWithinBounds()
    {
        const ShapeBackoff backoff; // 1 s, x2, capped at 32 s
        QCOMPARE(backoff.capMs(1), 1000);
        QCOMPARE(backoff.capMs(2), 2000);
        QCOMPARE(backoff.capMs(6), 32000);
        QCOMPARE(backoff.capMs(40), 32000);
        QCOMPARE(backoff.delayMs(1, 0.0, std::nullopt), 0);
        QCOMPARE(backoff.delayMs(1, 0.999, std::nullopt), 999);
        QCOMPARE(backoff.delayMs(4, 0.5, std::nullopt), 4000);
        QCOMPARE(backoff.delayMs(10, 1.0, std::nullopt), 32000);
        QCOMPARE(backoff.delayMs(1, 0.5, 5000), 5000); // Retry-After is a minimum
        QCOMPARE(backoff.delayMs(6, 0.9, 1000), 28800); // but never lowers the jitter
        for (int attempt = 1; attempt < 12; ++attempt) {
            for (double r : {0.0, 0.3, 0.999999}) {
                const qint64 d = backoff.delayMs(attempt, r, std::nullopt);
                QVERIFY(d >= 0 && d <= 32000 && d <= backoff.capMs(attempt));
            }
        }
    }

    void parsesRetryAfterInBothForms()
    {
        const QDateTime now(QDate(2026, 11, 25), QTime(12, 0, 0), Qt::UTC);
        QCOMPARE(ShapeBackoff::parseRetryAfter("10", now), 10000);
        QCOMPARE(ShapeBackoff::parseRetryAfter("1.5", now), 1500);
        QCOMPARE(ShapeBackoff::parseRetryAfter("999999", now), 300000);
        QCOMPARE(ShapeBackoff::parseRetryAfter("1e300", now), 300000);
        QCOMPARE(ShapeBackoff::parseRetryAfter("Fri, 25 Dec 2026 12:00:00 GMT", now), 300000);
        QCOMPARE(ShapeBackoff::parseRetryAfter("Wed, 25 Nov 2026 12:00:30 GMT", now), 30000);
        QCOMPARE(ShapeBackoff::parseRetryAfter("Wed, 25 Nov 2026 11:00:00 GMT", now), 0);
        QCOMPARE(ShapeBackoff::parseRetryAfter("soon", now), std::nullopt);
        QCOMPARE(ShapeBackoff::parseRetryAfter("", now), std::nullopt);
        QCOMPARE(ShapeBackoff::parseRetryAfter("-3", now), std::nullopt);
    }

    void detectsFastLoopsOnlyOnTheSameOffset()
    {
        FastLoopGuard guard;
        for (int i = 0; i < 4; ++i)
            QCOMPARE(guard.record(QStringLiteral("0_0"), i * 10), FastLoopGuard::Verdict::Ok);
        QCOMPARE(guard.record(QStringLiteral("0_0"), 40), FastLoopGuard::Verdict::Resync);
        for (int i = 0; i < 10; ++i) // progress: different offsets never trip it
            QCOMPARE(guard.record(QStringLiteral("1_%1").arg(i), 50 + i),
                     FastLoopGuard::Verdict::Ok);
        for (int i = 0; i < 10; ++i) // slow repeats never trip it
            QCOMPARE(guard.record(QStringLiteral("2_0"), 1000 + i * 200),
                     FastLoopGuard::Verdict::Ok);
        for (int i = 0; i < 4; ++i)
            guard.record(QStringLiteral("3_0"), 5000 + i);
        QCOMPARE(guard.record(QStringLiteral("3_0"), 5004), FastLoopGuard::Verdict::BackOff);
        QVERIFY(guard.backoffMs(0.999) <= 400);
    }
};

QTEST_GUILESS_MAIN(TestShapeStream)
#include "tst_shapestream.moc"
