// Issue 17's views over a history the real sync recorded (real PostgreSQL, the test shape
// server, the hive's recorders): each trend chart shows exactly what a direct query on the
// store's history gives for the same buckets, the node's heartbeat chart likewise, and the
// scrubber shows a task moved through four statuses in each status at the right times.
#include "domain/HiveTables.h"
#include "models/hive/HistorySource.h"
#include "models/hive/StoreHistoryQueries.h"
#include "sync/hive/HiveHistoryRecorder.h"
#include "sync/hive/HiveShapeRowSinks.h"
#include "sync/pg/PgConnection.h"
#include "sync/shape/ShapeClient.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/sqlite/SqliteStatement.h"
#include "tests/support/HistoryOracle.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"
#include "ui/hive/HistoryScrubber.h"
#include "ui/hive/TrendCharts.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

namespace {

QString readSql(const char *name)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
               + QLatin1String(name));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

const QString kTask = QStringLiteral("00000000-0000-4000-8000-0000000000c1");
const QString kAssignment = QStringLiteral("00000000-0000-4000-8000-0000000000d1");

// One number from the store by the test's own SQL (not the reader's).
double scalar(const QString &storePath, const QString &sql, const QList<QVariant> &binds = {})
{
    auto db = SqliteConnection::open(storePath, SqliteConnection::Mode::ReadOnly);
    if (!db)
        return -999;
    auto select = db->prepare(sql.toStdString());
    if (!select)
        return -998;
    for (qsizetype i = 0; i < binds.size(); ++i) {
        if (binds[i].typeId() == QMetaType::QString)
            select->bindText(int(i + 1), binds[i].toString());
        else
            select->bindInt(int(i + 1), binds[i].toLongLong());
    }
    auto row = select->step();
    if (!row || !row.value() || select->columnIsNull(0))
        return -1;
    return double(select->columnInt(0));
}

} // namespace

class TestHiveHistoryViews : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<PgConnection> m_pg;
    ShapeServerProcess m_server;

    bool exec(const QString &sql)
    {
        auto result = m_pg->execScript(sql);
        if (!result)
            qWarning("%s: %s", qPrintable(sql.left(80)), qPrintable(result.error().toString()));
        return result.ok();
    }

    static qint64 recorded(const QString &storePath, const QString &table, const QString &key)
    {
        return qint64(scalar(
            storePath, QStringLiteral("SELECT count(*) FROM history WHERE tbl = ? AND key = ?"),
            {table, key}));
    }

private slots:
    void initTestCase() { qputenv("TZ", "UTC"); }

    void viewsShowTheRecordedHistory()
    {
        m_db = std::make_unique<TestDatabase>(QStringLiteral("historyviews"));
        QVERIFY2(m_db->isValid(), qPrintable(m_db->error()));
        auto pg = PgConnection::connect(m_db->conninfo());
        QVERIFY(pg.ok());
        m_pg = std::move(pg).value();
        QVERIFY(exec(readSql("hive_schema.sql")) && exec(readSql("electric_setup.sql"))
                && exec(readSql("hive_seed.sql"))
                && exec(QStringLiteral("SELECT hive_seed(2, 2, 12, 3, 6, 40, 10)")));
        QString error;
        QVERIFY2(m_server.start(m_db->conninfo(),
                                {QStringLiteral("--long-poll-ms"), QStringLiteral("1000")}, &error),
                 qPrintable(error));

        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        const QStringList tables {HiveTables::SharedTasks, HiveTables::Nodes,
                                  HiveTables::NodeTaskAssignments, HiveTables::NodeTaskOutputLogs};
        ShapeClient client(storePath, hiveShapeRowSinks(), hiveChangeRecorders());
        for (const QString &table : tables) {
            ShapeDefinition definition;
            definition.table = table;
            client.addShape(definition, ShapeEndpoint::electric(m_server.shapeUrl()));
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(tables.begin(), tables.end(),
                                             [&](const QString &table) {
                                                 return client.status(table).state
                                                     == ShapeStatus::State::Live;
                                             }),
                                 30000);

        const QString node = m_pg->exec(QStringLiteral("SELECT node_id FROM node_task_assignments "
                                                       "ORDER BY id LIMIT 1"))
                                 ->text(0, 0);
        QVERIFY(!node.isEmpty());
        // A task through four statuses; an assignment runs it on the node, which beats.
        const QStringList statuses = {"todo", "in-progress", "in-review", "done"};
        QList<qint64> times;
        qint64 assignedAt = 0;
        for (qsizetype i = 0; i < statuses.size(); ++i) {
            QVERIFY(exec(
                i == 0 ? QStringLiteral(
                             "INSERT INTO shared_tasks (id, organization_id, project_id, title, "
                             "status) SELECT '%1', organization_id, project_id, 'scrubbed task', "
                             "'todo' FROM shared_tasks ORDER BY id LIMIT 1")
                             .arg(kTask)
                       : QStringLiteral("UPDATE shared_tasks SET status = '%2' WHERE id = '%1'")
                             .arg(kTask, statuses[i])));
            QTRY_COMPARE_WITH_TIMEOUT(recorded(storePath, HiveTables::SharedTasks, kTask), i + 1,
                                      15000);
            times << qint64(
                scalar(storePath,
                       QStringLiteral("SELECT max(at_ms) FROM history WHERE tbl = ? AND key = ?"),
                       {QString(HiveTables::SharedTasks), kTask}));
            if (i == 1) {
                QVERIFY(exec(
                    QStringLiteral("INSERT INTO node_task_assignments (id, task_id, node_id, "
                                   "node_project_id, execution_status) SELECT '%1', '%2', node_id, "
                                   "node_project_id, 'running' FROM node_task_assignments WHERE "
                                   "node_id = '%3' LIMIT 1")
                        .arg(kAssignment, kTask, node)));
                QTRY_COMPARE_WITH_TIMEOUT(
                    recorded(storePath, HiveTables::NodeTaskAssignments, kAssignment), 1, 15000);
                assignedAt
                    = qint64(scalar(storePath,
                                    QStringLiteral("SELECT max(at_ms) FROM history WHERE "
                                                   "tbl = ? AND key = ?"),
                                    {QString(HiveTables::NodeTaskAssignments), kAssignment}));
            }
            if (i == 2) {
                QVERIFY(exec(QStringLiteral("UPDATE node_task_assignments SET execution_status = "
                                            "'completed', completed_at = now() WHERE id = '%1'")
                                 .arg(kAssignment)));
                QTRY_COMPARE_WITH_TIMEOUT(
                    recorded(storePath, HiveTables::NodeTaskAssignments, kAssignment), 2, 15000);
            }
            const qint64 before = recorded(storePath, HiveTables::Nodes, node);
            QVERIFY(exec(QStringLiteral("UPDATE nodes SET last_heartbeat_at = "
                                        "date_trunc('milliseconds', now()) WHERE id = '%1'")
                             .arg(node)));
            QTRY_COMPARE_WITH_TIMEOUT(recorded(storePath, HiveTables::Nodes, node), before + 1,
                                      15000);
            QTest::qWait(5); // the next change is received at a later millisecond
        }
        client.stop();

        // The charts, through the app's own source and queries.
        HistorySource source(StoreHistoryQueries::factory());
        TrendCharts charts(&source);
        charts.resize(1200, 320);
        charts.show();
        QSignalSpy ready(&source, &HistorySource::trendsReady);
        source.setStorePath(storePath);
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty(), 15000);
        const TrendSet set = source.trends();
        QVERIFY2(set.error.isEmpty(), qPrintable(set.error));
        QCOMPARE(set.bucketMs, qint64(5 * 60 * 1000));
        const qint64 from = set.from.toMSecsSinceEpoch();
        const qint64 to = set.to.toMSecsSinceEpoch();
        QVERIFY(from <= times.first() && times.last() < to);
        QCOMPARE(charts.seriesPoints("created").size(), 12);
        const QString tasks = HiveTables::SharedTasks;
        double startedTotal = 0;
        for (int i = 0; i < 12; ++i) {
            const qint64 b0 = from + i * set.bucketMs;
            const qint64 b1 = std::min(to, b0 + set.bucketMs);
            QCOMPARE(charts.seriesPoints("created").at(i),
                     QPointF(b0,
                             scalar(storePath,
                                    QStringLiteral("SELECT count(*) FROM history WHERE tbl = ? "
                                                   "AND op = 1 AND origin = 0 AND at_ms >= ? "
                                                   "AND at_ms < ?"),
                                    {tasks, b0, b1})));
            for (const auto &[name, status] : {std::pair {"started", QStringLiteral("in-progress")},
                                               std::pair {"done", QStringLiteral("done")}})
                QCOMPARE(charts.seriesPoints(name).at(i),
                         QPointF(b0,
                                 scalar(storePath,
                                        QStringLiteral("SELECT count(*) FROM history WHERE "
                                                       "tbl = ? AND op = 2 AND json_extract(new, "
                                                       "'$.status') = ? AND at_ms >= ? AND "
                                                       "at_ms < ?"),
                                        {tasks, status, b0, b1})));
            startedTotal += charts.seriesPoints("started").at(i).y();
            // Running assignments at the bucket's end: each assignment's last recorded status.
            QCOMPARE(charts.seriesPoints("running").at(i),
                     QPointF(b1,
                             scalar(storePath,
                                    QStringLiteral(
                                        "SELECT count(*) FROM (SELECT key, "
                                        "coalesce(json_extract(new, '$.execution_status'), "
                                        "CASE WHEN op = 3 THEN 'gone' END) AS s, max(id) FROM "
                                        "history WHERE tbl = ? AND at_ms < ? AND "
                                        "(json_extract(new, '$.execution_status') IS NOT NULL "
                                        "OR op = 3) GROUP BY key) WHERE s = 'running'"),
                                    {QString(HiveTables::NodeTaskAssignments), b1})
                                 // The first snapshot's rows are a baseline mark, not recorded:
                                 // with no status recorded by b1, their status then is the old
                                 // one of their first recorded change, else the stored one.
                                 + scalar(storePath, HistoryOracle::snapshotRunningSql(),
                                          {QString(HiveTables::NodeTaskAssignments), b1})));
            // Log lines per second over the bucket, by the lines' own timestamps.
            const auto text = [](qint64 ms) {
                return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
                    .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
            };
            const double lines = scalar(storePath,
                                        QStringLiteral("SELECT count(*) FROM log_entries WHERE "
                                                       "timestamp >= ? AND timestamp < ?"),
                                        {text(b0), text(b1)});
            QCOMPARE(charts.seriesPoints("log lines/s").at(i),
                     QPointF(b0, lines / ((b1 - b0) / 1000.0)));
        }
        QCOMPARE(startedTotal, 1.0);
        QCOMPARE(charts.seriesPoints("done").size(), 12);

        // The node's heartbeat lag at each bucket's end, in seconds, from its last recorded beat.
        const TrendPoints lag = set.heartbeatLag.value(node);
        QVERIFY(!lag.isEmpty());
        for (const TrendPoint &point : lag) {
            const qint64 end = point.at.toMSecsSinceEpoch();
            const double beat = scalar(
                storePath,
                // The last recorded before the end, else (a node of the first snapshot) the
                // old value of its first recorded beat, else the stored one.
                HistoryOracle::heartbeatBeforeSql(), {QString(HiveTables::Nodes), node, end});
            QVERIFY(beat > 0);
            QCOMPARE(point.value, (end - beat) / 1000.0);
        }

        // The scrubber: the task in each status at its time, and the one before just before.
        HistoryScrubber scrubber(&source);
        scrubber.resize(900, 400);
        scrubber.show();
        scrubber.setSubject(HiveTables::SharedTasks, kTask);
        QTRY_VERIFY2_WITH_TIMEOUT(scrubber.stateText().contains("scrubbed task"),
                                  qPrintable(scrubber.stateText()), 15000);
        for (qsizetype i = 0; i < statuses.size(); ++i) {
            QSignalSpy shown(&scrubber, &HistoryScrubber::stateShown);
            scrubber.setAsOf(QDateTime::fromMSecsSinceEpoch(times[i], Qt::UTC));
            QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 15000);
            const RowState state = shown.last().first().value<RowState>();
            QVERIFY2(state.existed, qPrintable(scrubber.stateText()));
            QCOMPARE(state.status, statuses[i]);
            QVERIFY2(scrubber.stateText().contains(" — " + statuses[i]),
                     qPrintable(scrubber.stateText()));
            if (i == 3)
                QVERIFY(state.nodeId.isEmpty());
            // A millisecond earlier: the status before (before the first: not there).
            QSignalSpy before(&scrubber, &HistoryScrubber::stateShown);
            scrubber.setAsOf(QDateTime::fromMSecsSinceEpoch(times[i] - 1, Qt::UTC));
            QTRY_VERIFY_WITH_TIMEOUT(!before.isEmpty(), 15000);
            const RowState earlier = before.last().first().value<RowState>();
            if (i == 0)
                QVERIFY(!earlier.existed);
            else
                QCOMPARE(earlier.status, statuses[i - 1]);
        }
        // Between the assignment's arrival and in-review it ran on the node. (Half way from
        // in-progress would be before the assignment arrived when that took the longer half.)
        QVERIFY(times[1] <= assignedAt && assignedAt < times[2]);
        QSignalSpy shown(&scrubber, &HistoryScrubber::stateShown);
        scrubber.setAsOf(QDateTime::fromMSecsSinceEpoch((assignedAt + times[2]) / 2, Qt::UTC));
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 15000);
        const RowState running = shown.last().first().value<RowState>();
        QCOMPARE(running.status, statuses[1]);
        QCOMPARE(running.nodeId, node);
        QCOMPARE(running.assignments.size(), 1);
        QVERIFY(running.assignments.first().active);
        QVERIFY2(scrubber.stateText().contains("(active)"), qPrintable(scrubber.stateText()));
        // What changed between the first and the last status: the three updates.
        QSignalSpy listed(&scrubber, &HistoryScrubber::changesShown);
        scrubber.setChangesRange(QDateTime::fromMSecsSinceEpoch(times[1], Qt::UTC).addMSecs(-1),
                                 QDateTime::fromMSecsSinceEpoch(times[3] + 1, Qt::UTC));
        QTRY_VERIFY_WITH_TIMEOUT(!listed.isEmpty(), 15000);
        const HistoryEvents events = listed.last().first().value<HistoryEvents>();
        QCOMPARE(events.events.size(), 3);
        QVERIFY2(events.events.last().summary.contains("status in-review → done"),
                 qPrintable(events.events.last().summary));
        QVERIFY(scrubber.changeLines().last().contains("in-review → done"));
        // Each change names its row: the task's title next to its id (an update of the status
        // alone carries no title; it comes from the row as of the span's end).
        QCOMPARE(events.events.last().label, QStringLiteral("scrubbed task"));
        QVERIFY2(scrubber.changeLines().last().contains(kTask
                                                        + QStringLiteral(" \u201cscrubbed "
                                                                         "task\u201d")),
                 qPrintable(scrubber.changeLines().last()));
    }
};

QTEST_MAIN(TestHiveHistoryViews)
#include "tst_hivehistoryviews.moc"
