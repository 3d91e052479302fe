// The sync layer's hooks for the GUI's offline views and Test button, against the real test
// shape server: ShapeClient::showStoredShape shows a store's rows without a request, and
// ShapeProbe answers whether a source serves a table, naming the cause when not.
#include "sync/pg/PgConnection.h"
#include "sync/shape/ShapeClient.h"
#include "sync/shape/ShapeProbe.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

namespace {
constexpr int kTimeout = 20000; // ms

QString readSql(const QString &name)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
               + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

ShapeDefinition tasks()
{
    ShapeDefinition definition;
    definition.name = QStringLiteral("shared_tasks");
    definition.table = QStringLiteral("shared_tasks");
    return definition;
}
} // namespace

class TestShapeOffline : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestDatabase> m_db;
    ShapeServerProcess m_server;
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        m_db = std::make_unique<TestDatabase>(QStringLiteral("shape_offline"));
        QVERIFY2(m_db->isValid(), qPrintable(m_db->error()));
        auto pg = PgConnection::connect(m_db->conninfo());
        QVERIFY(pg.ok());
        for (const char *file : {"hive_schema.sql", "electric_setup.sql", "hive_seed.sql"})
            QVERIFY2(pg.value()->execScript(readSql(QLatin1String(file))).ok(), file);
        QVERIFY(pg.value()->execScript("SELECT hive_seed(1, 2, 12, 3, 6, 40, 12)").ok());
        QString error;
        QVERIFY2(m_server.start(m_db->conninfo(), {"--long-poll-ms", "1000"}, &error),
                 qPrintable(error));
    }

    void storedRowsShowWithoutARequest()
    {
        const QString store = m_dir.filePath("store.sqlite");
        const ShapeEndpoint endpoint = ShapeEndpoint::electric(m_server.shapeUrl());
        {
            ShapeClient client(store);
            client.addShape(tasks(), endpoint);
            QTRY_COMPARE_WITH_TIMEOUT(client.status("shared_tasks").state, ShapeStatus::State::Live,
                                      kTimeout);
        }
        m_server.stop(); // from here on, any request would fail

        ShapeClient offline(store);
        QSignalSpy batches(&offline, &ShapeClient::batchReady);
        QSignalSpy statuses(&offline, &ShapeClient::statusChanged);
        offline.showStoredShape(tasks(), endpoint);
        QTRY_COMPARE_WITH_TIMEOUT(statuses.count(), 1, kTimeout);
        QCOMPARE(batches.count(), 1);
        const ShapeBatch batch = batches.at(0).at(0).value<ShapeBatch>();
        QVERIFY(batch.reset);
        QCOMPARE(batch.changes.size(), 12);
        const ShapeStatus status = offline.status("shared_tasks");
        QCOMPARE(status.state, ShapeStatus::State::Idle);
        QCOMPARE(status.rowCount, 12);
        QVERIFY(status.lastSyncedAt.isValid());
        QVERIFY(status.errorText.isEmpty());

        QString error;
        QVERIFY2(m_server.start(m_db->conninfo(), {"--long-poll-ms", "1000"}, &error),
                 qPrintable(error));
    }

    void probeSaysWhetherASourceServesATable()
    {
        ShapeProbe probe;
        QSignalSpy answers(&probe, &ShapeProbe::finished);
        probe.probe("Electric", tasks(), ShapeEndpoint::electric(m_server.shapeUrl()));
        probe.probe("nowhere", tasks(),
                    ShapeEndpoint::electric(QUrl("http://127.0.0.1:9/v1/shape")));
        probe.probe("proxy", tasks(),
                    ShapeEndpoint::proxy(QUrl(m_server.shapeUrl().toString() + "/shared_tasks"),
                                         "a-token"));
        ShapeDefinition unknown;
        unknown.table = "no_such_table";
        probe.probe("unknown table", unknown, ShapeEndpoint::electric(m_server.shapeUrl()));
        QTRY_COMPARE_WITH_TIMEOUT(answers.count(), 4, kTimeout);
        QMap<QString, QPair<bool, QString>> byLabel;
        for (const auto &answer : answers)
            byLabel.insert(answer.at(0).toString(),
                           {answer.at(1).toBool(), answer.at(2).toString()});
        QCOMPARE(byLabel.value("Electric"), qMakePair(true, QStringLiteral("serves shared_tasks")));
        QCOMPARE(byLabel.value("nowhere"), qMakePair(false, QStringLiteral("Connection refused")));
        // This server is not a proxy: the path is not served.
        QCOMPARE(byLabel.value("proxy"),
                 qMakePair(false, QStringLiteral("does not serve shared_tasks (HTTP 404)")));
        QVERIFY(!byLabel.value("unknown table").first);
        QVERIFY2(byLabel.value("unknown table").second.contains("HTTP 400"),
                 qPrintable(byLabel.value("unknown table").second));
    }

    // A source with a token command: the probe runs it first, and says when it fails.
    void probeRunsTheTokenCommand()
    {
        ShapeProbe probe;
        QSignalSpy answers(&probe, &ShapeProbe::finished);
        ShapeEndpoint good = ShapeEndpoint::electric(m_server.shapeUrl());
        good.tokenCommand = "echo a-token";
        probe.probe("good", tasks(), good);
        ShapeEndpoint broken = good;
        broken.tokenCommand = "echo 'no session' >&2; exit 3";
        probe.probe("broken", tasks(), broken);
        QTRY_COMPARE_WITH_TIMEOUT(answers.count(), 2, kTimeout);
        QMap<QString, QPair<bool, QString>> byLabel;
        for (const auto &answer : answers)
            byLabel.insert(answer.at(0).toString(),
                           {answer.at(1).toBool(), answer.at(2).toString()});
        QCOMPARE(byLabel.value("good"), qMakePair(true, QStringLiteral("serves shared_tasks")));
        QVERIFY(!byLabel.value("broken").first);
        QVERIFY2(byLabel.value("broken").second.contains("no session"),
                 qPrintable(byLabel.value("broken").second));
    }
};

QTEST_GUILESS_MAIN(TestShapeOffline)
#include "tst_shapeoffline.moc"
