// `hivectl shape sync` as a user runs it, against scripted HTTP responses over loopback: base
// query strings, token commands and --give-up-after (issue 13).
#include "tests/support/ScriptedHttpServer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using Server = ScriptedHttpServer;

class TestHivectlShape : public QObject
{
    Q_OBJECT

    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    std::unique_ptr<Server> m_server;
    QTemporaryDir m_dir;

    // Runs hivectl while this thread's event loop keeps serving the scripted server.
    Run hivectl(const QStringList &args)
    {
        QProcess process;
        process.start(qEnvironmentVariable("HIVEWATCH_BINARY_DIR")
                          + QStringLiteral("/app/hivectl/hivectl"),
                      args);
        Run run;
        if (!process.waitForStarted(10000))
            return run;
        for (int i = 0; i < 600 && process.state() != QProcess::NotRunning; ++i)
            QTest::qWait(50);
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        return run;
    }

private slots:
    void init()
    {
        m_server = std::make_unique<Server>();
        QVERIFY(m_server->listen());
        QVERIFY(m_dir.isValid());
    }
    void cleanup() { m_server.reset(); }

    void keepsTheQueryStringOfAnElectricCloudUrl()
    {
        m_server->enqueue(Server::shape('[' + Server::insertItem(1) + ',' + Server::insertItem(2)
                                            + ',' + Server::upToDate() + ']',
                                        "H1", "0_inf"));
        QUrl url = m_server->url();
        url.setQuery(QStringLiteral("source_id=src-7&secret=cloud-s3cret"));
        const Run r
            = hivectl({QStringLiteral("shape"), QStringLiteral("sync"), QStringLiteral("--url"),
                       url.toString(), QStringLiteral("--table"), QStringLiteral("items"),
                       QStringLiteral("--follow-ms"), QStringLiteral("0"), QStringLiteral("--db"),
                       m_dir.filePath(QStringLiteral("a.sqlite")), QStringLiteral("--dump")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out.count('\n'), 2);
        QVERIFY2(r.out.contains("\"value\": {\"done\": false, \"id\": 2, \"title\": \"t\"}"),
                 r.out.constData());
        // The up-to-date ends the run; the live request after it may or may not have gone out.
        QVERIFY(!m_server->requests().isEmpty());
        for (const Server::Request &request : m_server->requests()) {
            QCOMPARE(request.query(QStringLiteral("source_id")), QStringLiteral("src-7"));
            QCOMPARE(request.query(QStringLiteral("secret")), QStringLiteral("cloud-s3cret"));
            QCOMPARE(request.query(QStringLiteral("table")), QStringLiteral("items"));
            QVERIFY(request.header("Cache-Control").isNull());
        }
    }

    void renewsATokenThroughTheTokenCommand()
    {
        Server::Response expired;
        expired.status = 401;
        expired.body = "{\"message\":\"jwt expired\"}";
        m_server->enqueue(expired);
        m_server->enqueue(Server::shape(
            '[' + Server::insertItem(3) + ',' + Server::upToDate() + ']', "H1", "0_inf"));
        const Run r
            = hivectl({QStringLiteral("shape"), QStringLiteral("sync"), QStringLiteral("--url"),
                       m_server->url("/v1/shape/items").toString(), QStringLiteral("--token"),
                       QStringLiteral("old-token"), QStringLiteral("--token-command"),
                       QStringLiteral("echo new-token"), QStringLiteral("--follow-ms"),
                       QStringLiteral("0"), QStringLiteral("--db"),
                       m_dir.filePath(QStringLiteral("b.sqlite")), QStringLiteral("--dump")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.out.count('\n'), 1);
        QVERIFY(m_server->requests().size() >= 2); // a live request may follow the up-to-date
        QCOMPARE(m_server->requests()[0].header("Authorization"), QByteArray("Bearer old-token"));
        QCOMPARE(m_server->requests()[1].header("Authorization"), QByteArray("Bearer new-token"));
        QVERIFY(!r.err.contains("token\n") && !r.err.contains("new-token"));
    }

    void givesUpOnAnUnreachableServer()
    {
        QTcpServer closed; // a loopback port nobody listens on any more
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        const Run r = hivectl(
            {QStringLiteral("shape"), QStringLiteral("sync"), QStringLiteral("--url"),
             QStringLiteral("http://127.0.0.1:%1/v1/shape?source_id=s&secret=hidden").arg(port),
             QStringLiteral("--table"), QStringLiteral("items"), QStringLiteral("--give-up-after"),
             QStringLiteral("1500ms"), QStringLiteral("--db"),
             m_dir.filePath(QStringLiteral("c.sqlite"))});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("giving up: no successful response for 1500ms; last error: cannot "
                                "reach 127.0.0.1:"),
                 r.err.constData());
        QVERIFY2(!r.err.contains("hidden"), r.err.constData());
    }

    // Stopped before any up-to-date, the store holds nothing this run vouches for: exit 1, no
    // rows printed, and why.
    void sigtermBeforeUpToDateIsNoSuccess()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        const quint16 port = closed.serverPort();
        closed.close();
        QProcess process;
        process.start(qEnvironmentVariable("HIVEWATCH_BINARY_DIR")
                          + QStringLiteral("/app/hivectl/hivectl"),
                      {QStringLiteral("shape"), QStringLiteral("sync"), QStringLiteral("--url"),
                       QStringLiteral("http://127.0.0.1:%1/v1/shape").arg(port),
                       QStringLiteral("--table"), QStringLiteral("items"), QStringLiteral("--db"),
                       m_dir.filePath(QStringLiteral("term.sqlite")), QStringLiteral("--dump")});
        QVERIFY(process.waitForStarted(10000));
        process.setReadChannel(QProcess::StandardError);
        // Until its first failed attempt is reported: the sync is under way.
        QTRY_VERIFY_WITH_TIMEOUT(
            (process.waitForReadyRead(10), process.peek(1 << 16).contains("(retrying)"))
                || process.state() == QProcess::NotRunning,
            20000);
        process.terminate();
        QVERIFY(process.waitForFinished(20000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 1);
        const QByteArray err = process.readAllStandardError();
        QVERIFY2(err.contains("interrupted before the shape was up to date"), err.constData());
        QVERIFY(process.readAllStandardOutput().isEmpty());
    }

    // A failure is told once, however often the shape's status is published afterwards.
    void aFinalErrorIsPrintedOnce()
    {
        Server::Response bad;
        bad.status = 400;
        bad.body = "{\"message\":\"Invalid request\",\"errors\":{\"where\":[\"At location 3: "
                   "syntax error\"]}}";
        m_server->enqueue(bad);
        const Run r = hivectl({QStringLiteral("shape"), QStringLiteral("sync"),
                               QStringLiteral("--url"), m_server->url().toString(),
                               QStringLiteral("--table"), QStringLiteral("items"),
                               QStringLiteral("--db"), m_dir.filePath(QStringLiteral("e.sqlite"))});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.count("syntax error") == 1, r.err.constData());
    }

    // --index: the full-text index follows the writer during the sync (as in the dashboard), and
    // whatever it has not reached at exit is said and is still found by a search (scanned).
    void indexesTheLogShapeBehindTheWriter()
    {
        QByteArray body = "[";
        int needles = 0;
        for (int id = 1; id <= 6000; ++id) {
            const bool needle = id % 7 == 0;
            needles += needle ? 1 : 0;
            const QString n = QString::number(id);
            const QJsonObject value {
                {QStringLiteral("id"), n},
                {QStringLiteral("assignment_id"),
                 QStringLiteral("0b7e5a3c-1f00-4000-8000-00000000000%1").arg(id % 3)},
                {QStringLiteral("output_type"), QStringLiteral("stdout")},
                {QStringLiteral("content"),
                 QStringLiteral("line %1 %2")
                     .arg(n,
                          needle ? QStringLiteral("a NeedleInLine here")
                                 : QStringLiteral("plain text"))},
                {QStringLiteral("timestamp"), QStringLiteral("2026-12-06 10:00:00+00")},
                {QStringLiteral("created_at"), QStringLiteral("2026-12-06 10:00:00+00")}};
            const QJsonObject message {
                {QStringLiteral("headers"),
                 QJsonObject {{QStringLiteral("operation"), QStringLiteral("insert")}}},
                {QStringLiteral("key"),
                 QStringLiteral("\"public\".\"node_task_output_logs\"/\"%1\"").arg(n)},
                {QStringLiteral("value"), value}};
            body += QJsonDocument(message).toJson(QJsonDocument::Compact) + ',';
        }
        body += Server::upToDate() + ']';
        const QJsonObject text {{QStringLiteral("type"), QStringLiteral("text")}};
        const QJsonObject when {{QStringLiteral("type"), QStringLiteral("timestamptz")}};
        const QJsonObject schema {{QStringLiteral("id"),
                                   QJsonObject {{QStringLiteral("type"), QStringLiteral("int8")},
                                                {QStringLiteral("pk_index"), 0},
                                                {QStringLiteral("not_null"), true}}},
                                  {QStringLiteral("assignment_id"),
                                   QJsonObject {{QStringLiteral("type"), QStringLiteral("uuid")}}},
                                  {QStringLiteral("output_type"), text},
                                  {QStringLiteral("content"), text},
                                  {QStringLiteral("timestamp"), when},
                                  {QStringLiteral("created_at"), when}};
        Server::Response response = Server::shape(body, "H1", "0_inf", false);
        response.header("electric-schema", QJsonDocument(schema).toJson(QJsonDocument::Compact));
        m_server->enqueue(response);
        const QString store = m_dir.filePath(QStringLiteral("logs.sqlite"));
        // A few seconds of following after the up-to-date: the writer is idle, so the builder
        // indexes flat out meanwhile (the live request hangs, as Electric's long poll does).
        const Run r = hivectl({QStringLiteral("shape"), QStringLiteral("sync"),
                               QStringLiteral("--url"), m_server->url().toString(),
                               QStringLiteral("--table"), QStringLiteral("node_task_output_logs"),
                               QStringLiteral("--index"), QStringLiteral("--follow-ms"),
                               QStringLiteral("5000"), QStringLiteral("--db"), store});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const Run found
            = hivectl({QStringLiteral("logs"), QStringLiteral("search"), QStringLiteral("--db"),
                       store, QStringLiteral("needleinline"), QStringLiteral("--json")});
        QVERIFY2(found.exitCode == 0, found.err.constData());
        const QJsonObject result = QJsonDocument::fromJson(found.out).object();
        QCOMPARE(result.value(QStringLiteral("total_hits")).toInteger(), needles);
        // The builder ran: the search read its index (and scanned only what it had not reached).
        QVERIFY2(result.value(QStringLiteral("used_index")).toBool(), found.out.constData());
        if (!r.err.contains("full-text index"))
            QVERIFY2(
                !result.value(QStringLiteral("note")).toString().contains(QLatin1String("scanned")),
                found.out.constData());
    }

    void rejectsAMalformedDuration()
    {
        const Run r = hivectl({QStringLiteral("shape"), QStringLiteral("sync"),
                               QStringLiteral("--url"), m_server->url().toString(),
                               QStringLiteral("--table"), QStringLiteral("items"),
                               QStringLiteral("--give-up-after"), QStringLiteral("30")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--give-up-after must be a duration such as 500ms, 30s or 2m, got "
                                "'30'"),
                 r.err.constData());
        for (const char *option : {"--request-timeout", "--live-timeout"}) {
            const Run bad = hivectl({QStringLiteral("shape"), QStringLiteral("sync"),
                                     QStringLiteral("--url"), m_server->url().toString(),
                                     QStringLiteral("--table"), QStringLiteral("items"),
                                     QString::fromLatin1(option), QStringLiteral("0s")});
            QCOMPARE(bad.exitCode, 2);
            const QByteArray expected
                = QByteArray(option) + " must be a duration such as 500ms, 30s or 2m, got '0s'";
            QVERIFY2(bad.err.contains(expected), bad.err.constData());
        }
    }
};

QTEST_GUILESS_MAIN(TestHivectlShape)
#include "tst_hivectl_shape.moc"
