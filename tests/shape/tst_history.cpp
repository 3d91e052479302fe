// Issue 17's history, against the real test shape server over a real PostgreSQL: what the sync
// records (each change, the columns that changed, a resync's differences only), what the reader
// answers from it (a row as of a time, chart series equal to direct SQL on the history), bounded
// retention while a sync runs, and hivectl history / report on the same store.
#include "domain/HiveTables.h"
#include "sync/hive/HistoryPruner.h"
#include "sync/hive/HistoryReader.h"
#include "sync/hive/HiveHistoryRecorder.h"
#include "sync/hive/HiveShapeRowSinks.h"
#include "sync/pg/PgConnection.h"
#include "sync/shape/ShapeClient.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/sqlite/SqliteStatement.h"
#include "sync/store/LogStore.h"
#include "tests/support/HistoryOracle.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <algorithm>
#include <atomic>

using namespace hivewatch;

namespace {

QString readSql(const char *name)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
               + QLatin1String(name));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

const QString kTask = QStringLiteral("00000000-0000-4000-8000-0000000000a1");
const QString kAssignment = QStringLiteral("00000000-0000-4000-8000-0000000000b1");

// One integer from the store, by a query of the test's own (not the reader's).
qint64 scalar(const QString &storePath, const QString &sql, const QList<QVariant> &binds = {})
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
    return select->columnInt(0);
}

// One text column of every row from the store (a query of the test's own).
QStringList column(const QString &storePath, const QString &sql, const QStringList &binds)
{
    QStringList values;
    auto db = SqliteConnection::open(storePath, SqliteConnection::Mode::ReadOnly);
    if (!db)
        return {QStringLiteral("(no store)")};
    auto select = db->prepare(sql.toStdString());
    if (!select)
        return {QStringLiteral("(bad query)")};
    for (qsizetype i = 0; i < binds.size(); ++i)
        select->bindText(int(i + 1), binds[i]);
    for (;;) {
        auto row = select->step();
        if (!row || !row.value())
            break;
        values << select->columnText(0);
    }
    return values;
}

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run hivectl(const QStringList &args)
{
    QProcess process;
    process.start(qEnvironmentVariable("HIVEWATCH_BINARY_DIR")
                      + QStringLiteral("/app/hivectl/hivectl"),
                  args);
    Run run;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitCode();
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

} // namespace

class TestHistory : public QObject
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

    bool setUpHive()
    {
        m_db = std::make_unique<TestDatabase>(QStringLiteral("history"));
        if (!m_db->isValid()) {
            qWarning("%s", qPrintable(m_db->error()));
            return false;
        }
        auto pg = PgConnection::connect(m_db->conninfo());
        if (!pg)
            return false;
        m_pg = std::move(pg).value();
        if (!exec(readSql("hive_schema.sql")) || !exec(readSql("electric_setup.sql"))
            || !exec(readSql("hive_seed.sql"))
            || !exec(QStringLiteral("SELECT hive_seed(2, 2, 12, 3, 6, 40, 10)")))
            return false;
        QString error;
        if (!m_server.start(m_db->conninfo(),
                            {QStringLiteral("--long-poll-ms"), QStringLiteral("1000")}, &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        return true;
    }

    void addShapes(ShapeClient &client, const QStringList &tables)
    {
        for (const QString &table : tables) {
            ShapeDefinition definition;
            definition.table = table;
            client.addShape(definition, ShapeEndpoint::electric(m_server.shapeUrl()));
        }
    }

    static bool allLive(const ShapeClient &client, const QStringList &tables)
    {
        return std::all_of(tables.begin(), tables.end(), [&](const QString &table) {
            return client.status(table).state == ShapeStatus::State::Live;
        });
    }

    // The changes recorded for one row so far (-1: no history yet).
    static qint64 recorded(const QString &storePath, const QString &table, const QString &key)
    {
        return scalar(storePath,
                      QStringLiteral("SELECT count(*) FROM history WHERE tbl = ? AND key = ?"),
                      {table, key});
    }

    void checkSeriesEqualSql(const QString &storePath, HistoryReader &reader, qint64 from,
                             qint64 to, const QString &node)
    {
        const qint64 bucket = std::max<qint64>(1, (to - from) / 5);
        auto flow = reader.taskFlow(from, to, bucket);
        QVERIFY(flow.ok());
        auto running = reader.runningAssignments(from, to, bucket);
        QVERIFY(running.ok());
        auto lag = reader.heartbeatLag(from, to, bucket);
        QVERIFY(lag.ok());
        QVERIFY(lag->contains(node));
        const QString tasks = HiveTables::SharedTasks;
        qint64 started = 0;
        for (qsizetype i = 0; i < flow->created.size(); ++i) {
            const qint64 b0 = from + i * bucket;
            const qint64 b1 = std::min(to, b0 + bucket);
            QCOMPARE(flow->created[i],
                     scalar(storePath,
                            QStringLiteral("SELECT count(*) FROM history WHERE tbl = ? "
                                           "AND op = 1 AND origin = 0 AND at_ms >= ? "
                                           "AND at_ms < ?"),
                            {tasks, b0, b1}));
            for (const auto &[series, status] :
                 {std::pair {&flow->started, QStringLiteral("in-progress")},
                  std::pair {&flow->done, QStringLiteral("done")}})
                QCOMPARE(series->at(i),
                         scalar(storePath,
                                QStringLiteral("SELECT count(*) FROM history WHERE tbl = ? AND "
                                               "op = 2 AND json_extract(new, '$.status') = ? AND "
                                               "at_ms >= ? AND at_ms < ?"),
                                {tasks, status, b0, b1}));
            started += flow->started[i];
            QCOMPARE(running->values[i],
                     scalar(storePath,
                            QStringLiteral(
                                "SELECT count(*) FROM (SELECT key, coalesce(json_extract(new, "
                                "'$.execution_status'), CASE WHEN op = 3 THEN 'gone' END) AS s, "
                                "max(id) FROM history WHERE tbl = ? AND at_ms < ? AND "
                                "(json_extract(new, '$.execution_status') IS NOT NULL OR op = 3) "
                                "GROUP BY key) WHERE s = 'running'"),
                            {QString(HiveTables::NodeTaskAssignments), b1})
                         // The first snapshot's rows, not recorded, with no status recorded by
                         // then: their status then is the old one of their first recorded
                         // change, else the stored one.
                         + scalar(storePath, HistoryOracle::snapshotRunningSql(),
                                  {QString(HiveTables::NodeTaskAssignments), b1}));
            const qint64 beat = scalar(
                storePath,
                // The last recorded before b1, else (a node of the first snapshot, received
                // before b1) the old value of its first recorded, else the stored one.
                HistoryOracle::heartbeatBeforeSql(), {QString(HiveTables::Nodes), node, b1});
            QCOMPARE(lag->value(node).values[i], beat < 0 ? -1 : b1 - beat);
        }
        QCOMPARE(started, 1);
        // Log lines by their own timestamps (the seed's, on 2025-12-01 from 08:00 UTC).
        const qint64 logFrom
            = QDateTime(QDate(2025, 12, 1), QTime(7, 0), QTimeZone::utc()).toMSecsSinceEpoch();
        const qint64 hour = 3600 * 1000;
        auto logs = reader.logLines(logFrom, logFrom + 48 * hour, hour);
        QVERIFY(logs.ok());
        qint64 lines = 0;
        for (qsizetype i = 0; i < logs->lines.size(); ++i) {
            const auto text = [](qint64 ms) {
                return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
                    .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
            };
            const QString b0 = text(logFrom + i * hour);
            const QString b1 = text(logFrom + (i + 1) * hour);
            QCOMPARE(logs->lines[i],
                     scalar(storePath,
                            QStringLiteral("SELECT count(*) FROM log_entries WHERE "
                                           "timestamp >= ? AND timestamp < ?"),
                            {b0, b1}));
            QCOMPARE(logs->stderrLines[i],
                     scalar(storePath,
                            QStringLiteral("SELECT count(*) FROM log_entries WHERE "
                                           "output_type = 'stderr' AND timestamp >= ? "
                                           "AND timestamp < ?"),
                            {b0, b1}));
            lines += logs->lines[i];
        }
        QCOMPARE(lines, 40);
    }

    void checkHivectl(const QString &storePath, const QList<qint64> &times)
    {
        const QString since = QString::number(times.first() - 1000);
        Run history
            = hivectl({QStringLiteral("history"), QStringLiteral("--db"), storePath,
                       QStringLiteral("--table"), HiveTables::SharedTasks, QStringLiteral("--key"),
                       kTask, QStringLiteral("--since"), since, QStringLiteral("--json")});
        QVERIFY2(history.exitCode == 0, history.err.constData());
        const QJsonArray array = QJsonDocument::fromJson(history.out).array();
        QCOMPARE(array.size(), 4);
        QStringList statuses;
        for (const QJsonValue &change : array)
            statuses << change[QLatin1String("new")][QLatin1String("status")].toString();
        QCOMPARE(statuses,
                 (QStringList {QStringLiteral("todo"), QStringLiteral("in-progress"),
                               QStringLiteral("in-review"), QStringLiteral("done")}));
        QCOMPARE(array[0][QLatin1String("op")].toString(), QStringLiteral("insert"));
        QCOMPARE(array[3][QLatin1String("at_ms")].toInteger(), times[3]);

        Run text = hivectl({QStringLiteral("history"), QStringLiteral("--db"), storePath,
                            QStringLiteral("--table"), HiveTables::SharedTasks,
                            QStringLiteral("--key"), kTask, QStringLiteral("--since"), since});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("status: in-review -> done"), text.out.constData());

        Run report = hivectl({QStringLiteral("report"), QStringLiteral("--db"), storePath,
                              QStringLiteral("--since"), since, QStringLiteral("--json")});
        QVERIFY2(report.exitCode == 0, report.err.constData());
        const QJsonObject r = QJsonDocument::fromJson(report.out).object();
        QCOMPARE(r[QLatin1String("tasks")][QLatin1String("created")].toInt(), 1);
        QCOMPARE(r[QLatin1String("tasks")][QLatin1String("started")].toInt(), 1);
        QCOMPARE(r[QLatin1String("tasks")][QLatin1String("done")].toInt(), 1);
        QCOMPARE(r[QLatin1String("assignments")][QLatin1String("completed")].toInt(), 1);
        QCOMPARE(r[QLatin1String("node_availability")].toArray().size(), 3);

        // Clear errors: an unknown table, a bad time, a store without history.
        Run noTable = hivectl({QStringLiteral("history"), QStringLiteral("--db"), storePath,
                               QStringLiteral("--table"), QStringLiteral("no_such_table")});
        QCOMPARE(noTable.exitCode, 1);
        QVERIFY2(noTable.err.contains("no history of table 'no_such_table'"),
                 noTable.err.constData());
        QVERIFY2(noTable.err.contains("recorded tables:"), noTable.err.constData());
        Run badTime = hivectl({QStringLiteral("report"), QStringLiteral("--db"), storePath,
                               QStringLiteral("--since"), QStringLiteral("yesterday-ish")});
        QCOMPARE(badTime.exitCode, 2);
        QVERIFY2(badTime.err.contains("--since must be a time"), badTime.err.constData());
        QTemporaryDir other;
        const QString bare = other.filePath(QStringLiteral("bare.sqlite"));
        QVERIFY(LogStore::open(bare, LogStore::Access::ReadWrite).ok());
        Run noHistory = hivectl({QStringLiteral("report"), QStringLiteral("--db"), bare});
        QCOMPARE(noHistory.exitCode, 1);
        QVERIFY2(noHistory.err.contains("holds no history"), noHistory.err.constData());
    }

private slots:
    void cleanup()
    {
        m_server.stop();
        m_pg.reset();
        m_db.reset();
    }

    // A scripted sequence: a task through four statuses, an assignment running then completed,
    // heartbeats. The reader's "as of" and series, and hivectl, are checked on it.
    void scriptedSequence()
    {
        QVERIFY(setUpHive());
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        const QStringList tables {HiveTables::SharedTasks, HiveTables::Nodes,
                                  HiveTables::NodeTaskAssignments, HiveTables::NodeTaskOutputLogs};
        ShapeClient client(storePath, hiveShapeRowSinks(), hiveChangeRecorders());
        addShapes(client, tables);
        QTRY_VERIFY_WITH_TIMEOUT(allLive(client, tables), 30000);
        // The first snapshot is not copied row by row: one baseline mark per table stands for it.
        QCOMPARE(scalar(storePath, QStringLiteral("SELECT count(*) FROM history WHERE tbl = ?"),
                        {QString(HiveTables::SharedTasks)}),
                 0);
        QCOMPARE(scalar(storePath,
                        QStringLiteral("SELECT count(*) FROM history_baseline WHERE tbl = ?"),
                        {QString(HiveTables::SharedTasks)}),
                 1);
        QCOMPARE(scalar(storePath, QStringLiteral("SELECT count(*) FROM history WHERE tbl = ?"),
                        {QString(HiveTables::NodeTaskOutputLogs)}),
                 0);

        const QString node = QString::fromUtf8(
            m_pg->exec(
                    QStringLiteral("SELECT node_id FROM node_task_assignments ORDER BY id LIMIT 1"))
                ->text(0, 0)
                .toUtf8());
        QVERIFY(!node.isEmpty());
        // Each step waits until the previous one is recorded, so each has a time of its own.
        QList<std::pair<QString, QString>> steps {
            {QStringLiteral(
                 "INSERT INTO shared_tasks (id, organization_id, project_id, title, status) "
                 "SELECT '%1', organization_id, project_id, 'history task', 'todo' "
                 "FROM shared_tasks ORDER BY id LIMIT 1")
                 .arg(kTask),
             QStringLiteral("todo")},
            {QStringLiteral("UPDATE shared_tasks SET status = 'in-progress' WHERE id = '%1'")
                 .arg(kTask),
             QStringLiteral("in-progress")},
            {QStringLiteral("UPDATE shared_tasks SET status = 'in-review' WHERE id = '%1'")
                 .arg(kTask),
             QStringLiteral("in-review")},
            {QStringLiteral("UPDATE shared_tasks SET status = 'done' WHERE id = '%1'").arg(kTask),
             QStringLiteral("done")},
        };
        QList<qint64> times;
        for (qsizetype i = 0; i < steps.size(); ++i) {
            QVERIFY(exec(steps[i].first));
            QTRY_COMPARE_WITH_TIMEOUT(recorded(storePath, HiveTables::SharedTasks, kTask), i + 1,
                                      15000);
            times << scalar(
                storePath,
                QStringLiteral("SELECT max(at_ms) FROM history WHERE tbl = ? AND key = ?"),
                {QString(HiveTables::SharedTasks), kTask});
            if (i == 1) {
                // Started: an assignment on a node runs it; the node beats.
                QVERIFY(exec(
                    QStringLiteral("INSERT INTO node_task_assignments (id, task_id, node_id, "
                                   "node_project_id, execution_status) SELECT '%1', '%2', node_id, "
                                   "node_project_id, 'running' FROM node_task_assignments WHERE "
                                   "node_id = '%3' LIMIT 1")
                        .arg(kAssignment, kTask, node)));
                QTRY_COMPARE_WITH_TIMEOUT(
                    recorded(storePath, HiveTables::NodeTaskAssignments, kAssignment), 1, 15000);
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

        auto opened = HistoryReader::open(storePath);
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().toString()));
        HistoryReader &reader = opened.value();
        // As of each step's time the task has that step's status; a millisecond before, the
        // previous one (before the first: it did not exist).
        for (qsizetype i = 0; i < steps.size(); ++i) {
            auto at = reader.rowAsOf(HiveTables::SharedTasks, kTask, times[i]);
            QVERIFY(at.ok() && at.value());
            QCOMPARE(at.value()->values.value(QLatin1String("status")).toString(), steps[i].second);
            auto justBefore = reader.rowAsOf(HiveTables::SharedTasks, kTask, times[i] - 1);
            QVERIFY(justBefore.ok());
            if (i == 0)
                QVERIFY(!justBefore.value());
            else
                QCOMPARE(justBefore.value()->values.value(QLatin1String("status")).toString(),
                         steps[i - 1].second);
        }
        // Updates hold only what changed.
        auto changes = reader.changes(HiveTables::SharedTasks, kTask, times[0], times[3] + 1);
        QVERIFY(changes.ok());
        QCOMPARE(changes->size(), 4);
        QCOMPARE(changes->at(2).before.value(QLatin1String("status")).toString(),
                 QStringLiteral("in-progress"));
        QCOMPARE(changes->at(2).after.value(QLatin1String("status")).toString(),
                 QStringLiteral("in-review"));
        QVERIFY(!changes->at(2).after.contains(QLatin1String("title")));
        // The task in progress ran on the node; once in review its assignment had completed.
        auto running = reader.taskAsOf(kTask, times[1] + (times[2] - times[1]) / 2);
        QVERIFY(running.ok() && running.value());
        QCOMPARE(running.value()->nodeId, node);
        QCOMPARE(running.value()->assignments.size(), 1);
        auto reviewed = reader.taskAsOf(kTask, times[3]);
        QVERIFY(reviewed.ok() && reviewed.value());
        QVERIFY(reviewed.value()->nodeId.isEmpty());
        QCOMPARE(reviewed.value()->assignments.size(), 1);

        checkSeriesEqualSql(storePath, reader, times.first(), times.last() + 1, node);
        checkHivectl(storePath, times);
    }

    // hivectl alerts on a synced store: a task is stuck by the time it entered its status (its
    // last recorded status change), not by an edit since; a first-snapshot task by updated_at;
    // stale nodes holding work as the stored rows say; exit status 3 while any alert is active.
    void hivectlAlertsOnASyncedStore()
    {
        QVERIFY(setUpHive());
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        const QStringList tables {HiveTables::SharedTasks, HiveTables::Nodes,
                                  HiveTables::NodeTaskAssignments};
        ShapeClient client(storePath, hiveShapeRowSinks(), hiveChangeRecorders());
        addShapes(client, tables);
        QTRY_VERIFY_WITH_TIMEOUT(allLive(client, tables), 30000);
        QVERIFY(
            exec(QStringLiteral(
                     "INSERT INTO shared_tasks (id, organization_id, project_id, title, status) "
                     "SELECT '%1', organization_id, project_id, 'alert task', 'in-progress' "
                     "FROM shared_tasks ORDER BY id LIMIT 1")
                     .arg(kTask)));
        QTRY_COMPARE_WITH_TIMEOUT(recorded(storePath, HiveTables::SharedTasks, kTask), 1, 15000);
        const qint64 entered = scalar(
            storePath, QStringLiteral("SELECT at_ms FROM history WHERE tbl = ? AND key = ?"),
            {QString(HiveTables::SharedTasks), kTask});
        // An edit 90 minutes on (the trigger would stamp now()): updated_at moves, the status not.
        QVERIFY(exec(QStringLiteral("ALTER TABLE shared_tasks DISABLE TRIGGER USER; "
                                    "UPDATE shared_tasks SET title = 'alert task edited', "
                                    "updated_at = now() + interval '90 minutes' WHERE id = '%1'; "
                                    "ALTER TABLE shared_tasks ENABLE TRIGGER USER")
                         .arg(kTask)));
        QTRY_COMPARE_WITH_TIMEOUT(recorded(storePath, HiveTables::SharedTasks, kTask), 2, 15000);
        client.stop();

        const QString now = QDateTime::fromMSecsSinceEpoch(entered + 100 * 60000, QTimeZone::utc())
                                .toString(Qt::ISODateWithMs);
        const auto alerts = [&](const QString &stuckAfter) {
            return hivectl({QStringLiteral("alerts"), QStringLiteral("--db"), storePath,
                            QStringLiteral("--json"), QStringLiteral("--now"), now,
                            QStringLiteral("--stuck-after"), stuckAfter});
        };
        const auto subjects = [](const Run &run, const QString &rule) {
            QStringList ids;
            for (const QJsonValue &alert : QJsonDocument::fromJson(run.out).array()) {
                if (alert[QLatin1String("rule")].toString() == rule)
                    ids << alert[QLatin1String("subject")].toString();
            }
            ids.sort();
            return ids;
        };
        const auto textOf = [](const Run &run, const QString &subject) {
            for (const QJsonValue &alert : QJsonDocument::fromJson(run.out).array()) {
                if (alert[QLatin1String("subject")].toString() == subject)
                    return alert[QLatin1String("text")].toString();
            }
            return QString();
        };
        // 100 minutes in progress by the history, 10 by updated_at: stuck after 60, not 200.
        Run hour = alerts(QStringLiteral("60"));
        QVERIFY2(hour.exitCode == 3, hour.err.constData());
        QVERIFY(subjects(hour, QStringLiteral("task-stuck")).contains(kTask));
        QCOMPARE(textOf(hour, kTask),
                 QStringLiteral("alert task edited: In progress for 100 min (since its last "
                                "status change)"));
        Run longer = alerts(QStringLiteral("200"));
        QVERIFY(!subjects(longer, QStringLiteral("task-stuck")).contains(kTask));
        // The seed's tasks (the first snapshot, no recorded change) by updated_at, said so.
        const QString snapshotStuck
            = QStringLiteral("SELECT json_extract(value, '$.id') FROM shape_rows WHERE shape = "
                             "'shared_tasks' AND json_extract(value, '$.status') IN "
                             "('in-progress', 'in-review') AND json_extract(value, '$.id') <> ? "
                             "AND json_extract(value, '$.deleted_at') IS NULL "
                             "AND json_extract(value, '$.archived_at') IS NULL");
        const QStringList seeded = column(storePath, snapshotStuck, {kTask});
        QStringList expected = seeded;
        expected << kTask;
        expected.sort();
        QCOMPARE(subjects(hour, QStringLiteral("task-stuck")), expected);
        for (const QString &id : seeded)
            QVERIFY2(textOf(hour, id).endsWith("(updated_at; no status change recorded)"),
                     qPrintable(textOf(hour, id)));
        // Stale nodes holding work: online or busy (every heartbeat is old by then) with an
        // assignment not completed, as the stored rows have them.
        const QStringList staleWithWork = column(
            storePath,
            QStringLiteral(
                "SELECT DISTINCT json_extract(n.value, '$.id') FROM shape_rows n JOIN shape_rows a "
                "ON a.shape = 'node_task_assignments' AND json_extract(a.value, '$.node_id') = "
                "json_extract(n.value, '$.id') AND json_extract(a.value, '$.completed_at') IS NULL "
                "WHERE n.shape = 'nodes' AND json_extract(n.value, '$.status') IN ('online', "
                "'busy') ORDER BY 1"),
            {});
        QCOMPARE(subjects(hour, QStringLiteral("stale-node-with-work")), staleWithWork);

        // Bad input names what was wrong; a store with nothing to alert about exits 0.
        Run bad = hivectl({QStringLiteral("alerts"), QStringLiteral("--db"), storePath,
                           QStringLiteral("--stale-after"), QStringLiteral("soon")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("--stale-after must be a number of seconds"),
                 bad.err.constData());
        Run missing = hivectl({QStringLiteral("alerts"), QStringLiteral("--db"),
                               dir.filePath(QStringLiteral("none.sqlite"))});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("no store file"), missing.err.constData());
        const QString emptyPath = dir.filePath(QStringLiteral("empty.sqlite"));
        QVERIFY(LogStore::open(emptyPath, LogStore::Access::ReadWrite).ok());
        Run quiet = hivectl({QStringLiteral("alerts"), QStringLiteral("--db"), emptyPath});
        QVERIFY2(quiet.exitCode == 0, quiet.err.constData());
        QCOMPARE(quiet.out.trimmed(), QByteArray("no alerts"));
        Run help = hivectl({QStringLiteral("alerts"), QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("3 one or more are active"));
    }

    // A must-refetch resyncs the shape from scratch; the history gets what changed, not a
    // delete of every row and an insert of every row.
    void resyncRecordsOnlyTheDifferences()
    {
        QVERIFY(setUpHive());
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        const QStringList tables {HiveTables::SharedTasks};
        QList<ShapeBatch> batches;
        ShapeClient client(storePath, hiveShapeRowSinks(), hiveChangeRecorders());
        connect(&client, &ShapeClient::batchReady, this,
                [&](const ShapeBatch &b) { batches.append(b); });
        addShapes(client, tables);
        QTRY_VERIFY_WITH_TIMEOUT(allLive(client, tables), 30000);
        const QString history = QStringLiteral("SELECT count(*) FROM history");
        QCOMPARE(scalar(storePath, history), 0);
        const QStringList ids = [&] {
            QStringList out;
            auto result = m_pg->exec(QStringLiteral("SELECT id FROM shared_tasks ORDER BY id"));
            for (int r = 0; r < result->rows(); ++r)
                out << result->text(r, 0);
            return out;
        }();
        const QString oldStatus
            = m_pg->exec(
                      QStringLiteral("SELECT status FROM shared_tasks WHERE id = '%1'").arg(ids[0]))
                  ->text(0, 0);
        QVERIFY(oldStatus != QStringLiteral("cancelled"));
        // One transaction: the TRUNCATE rotates the shape (409, must-refetch), and the snapshot
        // after it has the same rows but one changed, one gone and one new.
        QVERIFY(exec(QStringLiteral(
                         "BEGIN; CREATE TEMP TABLE saved AS SELECT * FROM shared_tasks; "
                         "TRUNCATE shared_tasks CASCADE; "
                         "UPDATE saved SET status = 'cancelled' WHERE id = '%1'; "
                         "DELETE FROM saved WHERE id = '%2'; "
                         "INSERT INTO shared_tasks SELECT * FROM saved; "
                         "INSERT INTO shared_tasks (id, organization_id, project_id, title) "
                         "SELECT '%3', organization_id, project_id, 'after the resync' FROM saved "
                         "LIMIT 1; COMMIT;")
                         .arg(ids[0], ids[1], kTask)));
        const auto resetSeen = [&] {
            return std::any_of(batches.cbegin() + 1, batches.cend(),
                               [](const ShapeBatch &b) { return b.reset; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(resetSeen(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(scalar(storePath, history), 3, 15000);
        client.stop();
        QCOMPARE(scalar(storePath, QStringLiteral("SELECT count(*) FROM history WHERE origin = 2")),
                 3);
        const auto one = [&](const QString &sql, const QString &key) {
            return scalar(storePath, sql, {key});
        };
        QCOMPARE(one(QStringLiteral("SELECT op FROM history WHERE origin = 2 AND key = ?"), ids[0]),
                 2);
        QCOMPARE(one(QStringLiteral("SELECT op FROM history WHERE origin = 2 AND key = ?"), ids[1]),
                 3);
        QCOMPARE(one(QStringLiteral("SELECT op FROM history WHERE origin = 2 AND key = ?"), kTask),
                 1);
        // The update holds the one column that changed.
        auto reader = HistoryReader::open(storePath);
        QVERIFY(reader.ok());
        auto changes = reader->changes(HiveTables::SharedTasks, ids[0], 0,
                                       std::numeric_limits<qint64>::max());
        QVERIFY(changes.ok());
        QCOMPARE(changes->size(), 1);
        QCOMPARE(changes->at(0).after.keys(), QStringList {QStringLiteral("status")});
        QCOMPARE(changes->at(0).after.value(QLatin1String("status")).toString(),
                 QStringLiteral("cancelled"));
        QCOMPARE(changes->at(0).origin, HistoryChange::Origin::Resync);
        // Before the resync the first snapshot's rows are as they were: worked back from the
        // store, the changed one had its old status, the deleted one existed, the new one not.
        const qint64 resyncAt = changes->at(0).atMs;
        auto wasChanged = reader->rowAsOf(HiveTables::SharedTasks, ids[0], resyncAt - 1);
        QVERIFY(wasChanged.ok() && wasChanged.value());
        QCOMPARE(wasChanged.value()->values.value(QLatin1String("status")).toString(), oldStatus);
        auto wasDeleted = reader->rowAsOf(HiveTables::SharedTasks, ids[1], resyncAt - 1);
        QVERIFY(wasDeleted.ok() && wasDeleted.value());
        auto wasNew = reader->rowAsOf(HiveTables::SharedTasks, kTask, resyncAt - 1);
        QVERIFY(wasNew.ok() && !wasNew.value());
        auto before = reader->rowsAsOf(HiveTables::SharedTasks, resyncAt - 1);
        QVERIFY(before.ok());
        QCOMPARE(before->size(), 12);
    }

    // A row of the first snapshot has no recorded insert: as of before its later update it is
    // worked back from the stored row, as of after it is the stored row.
    void snapshotRowUpdatedLater()
    {
        QVERIFY(setUpHive());
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        const QStringList tables {HiveTables::SharedTasks};
        ShapeClient client(storePath, hiveShapeRowSinks(), hiveChangeRecorders());
        addShapes(client, tables);
        QTRY_VERIFY_WITH_TIMEOUT(allLive(client, tables), 30000);
        auto first = m_pg->exec(
            QStringLiteral("SELECT id, status, title FROM shared_tasks ORDER BY id LIMIT 1"));
        QVERIFY(first.ok());
        const QString id = first->text(0, 0);
        const QString status = first->text(0, 1);
        const QString title = first->text(0, 2);
        QVERIFY(status != QStringLiteral("cancelled"));
        QTest::qWait(5); // the update is received at a later millisecond than the snapshot
        QVERIFY(
            exec(QStringLiteral("UPDATE shared_tasks SET status = 'cancelled', title = 'renamed' "
                                "WHERE id = '%1'")
                     .arg(id)));
        QTRY_COMPARE_WITH_TIMEOUT(recorded(storePath, HiveTables::SharedTasks, id), 1, 15000);
        client.stop();
        const qint64 baseline
            = scalar(storePath, QStringLiteral("SELECT at_ms FROM history_baseline"));
        const qint64 updated
            = scalar(storePath, QStringLiteral("SELECT at_ms FROM history WHERE key = ?"), {id});
        QVERIFY(baseline > 0 && updated > baseline);

        auto reader = HistoryReader::open(storePath);
        QVERIFY(reader.ok());
        // Before the snapshot was received nothing was known of it.
        auto unknown = reader->rowAsOf(HiveTables::SharedTasks, id, baseline - 1);
        QVERIFY(unknown.ok() && !unknown.value());
        for (const qint64 at : {baseline, updated - 1}) {
            auto then = reader->rowAsOf(HiveTables::SharedTasks, id, at);
            QVERIFY(then.ok() && then.value());
            QCOMPARE(then.value()->values.value(QLatin1String("status")).toString(), status);
            QCOMPARE(then.value()->values.value(QLatin1String("title")).toString(), title);
            QCOMPARE(then.value()->sinceMs, baseline);
        }
        auto after = reader->rowAsOf(HiveTables::SharedTasks, id, updated);
        QVERIFY(after.ok() && after.value());
        QCOMPARE(after.value()->values.value(QLatin1String("status")).toString(),
                 QStringLiteral("cancelled"));
        QCOMPARE(after.value()->values.value(QLatin1String("title")).toString(),
                 QStringLiteral("renamed"));
        QCOMPARE(after.value()->sinceMs, updated);
        // The whole table as of before the update holds the old row among the 12.
        auto rows = reader->rowsAsOf(HiveTables::SharedTasks, updated - 1);
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), 12);
        auto row = std::find_if(rows->cbegin(), rows->cend(),
                                [&](const HistoryRow &r) { return r.key == id; });
        QVERIFY(row != rows->cend());
        QCOMPARE(row->values.value(QLatin1String("status")).toString(), status);
        // Before the baseline the table was not known.
        auto none = reader->rowsAsOf(HiveTables::SharedTasks, baseline - 1);
        QVERIFY(none.ok());
        QVERIFY(none->isEmpty());
    }

    // hivectl stores a snapshot in wire form without reading it; its history has the same
    // ids and statuses as Postgres.
    void hivectlRecordsTheSnapshotItStoresAsSent()
    {
        QVERIFY(setUpHive());
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        Run sync
            = hivectl({QStringLiteral("shape"), QStringLiteral("sync"), QStringLiteral("--url"),
                       m_server.shapeUrl().toString(), QStringLiteral("--table"),
                       HiveTables::SharedTasks, QStringLiteral("--follow-ms"), QStringLiteral("0"),
                       QStringLiteral("--db"), storePath});
        QVERIFY2(sync.exitCode == 0, sync.err.constData());
        auto result = m_pg->exec(QStringLiteral("SELECT id, status FROM shared_tasks ORDER BY id"));
        QVERIFY(result.ok());
        QCOMPARE(result->rows(), 12);
        // Not a row of it copied: a baseline mark, and the reader finds the rows from the store.
        QCOMPARE(scalar(storePath, QStringLiteral("SELECT count(*) FROM history")), 0);
        QCOMPARE(scalar(storePath, QStringLiteral("SELECT count(*) FROM history_baseline")), 1);
        auto reader = HistoryReader::open(storePath);
        QVERIFY(reader.ok());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        auto rows = reader->rowsAsOf(HiveTables::SharedTasks, now);
        QVERIFY(rows.ok());
        QCOMPARE(rows->size(), result->rows());
        for (int r = 0; r < result->rows(); ++r) {
            QCOMPARE(rows->at(r).key, result->text(r, 0));
            QCOMPARE(rows->at(r).values.value(QLatin1String("status")).toString(),
                     result->text(r, 1));
            auto one = reader->rowAsOf(HiveTables::SharedTasks, result->text(r, 0), now);
            QVERIFY(one.ok() && one.value());
            QCOMPARE(one.value()->values, rows->at(r).values);
        }
        auto tables = reader->tables();
        QVERIFY(tables.ok());
        QCOMPARE(tables.value(), QStringList {HiveTables::SharedTasks});
        // --no-history records nothing.
        const QString other = dir.filePath(QStringLiteral("other.sqlite"));
        Run none
            = hivectl({QStringLiteral("shape"), QStringLiteral("sync"), QStringLiteral("--url"),
                       m_server.shapeUrl().toString(), QStringLiteral("--table"),
                       HiveTables::SharedTasks, QStringLiteral("--follow-ms"), QStringLiteral("0"),
                       QStringLiteral("--db"), other, QStringLiteral("--no-history")});
        QVERIFY2(none.exitCode == 0, none.err.constData());
        QCOMPARE(scalar(other,
                        QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = "
                                       "'history'")),
                 0);
    }

    // Retention prunes old history in chunks on its own connection while a sync writes; the sync
    // completes and keeps its new history.
    void retentionPrunesWhileSyncing()
    {
        QVERIFY(setUpHive());
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        const qint64 cutoff = HistoryPruner::cutoffForDays(HistoryPruner::DefaultRetentionDays);
        {
            // 40 days of old history, as a long-running store would hold.
            auto store = LogStore::open(storePath, LogStore::Access::ReadWrite);
            QVERIFY(store.ok());
            auto db = SqliteConnection::open(storePath, SqliteConnection::Mode::ReadWrite);
            QVERIFY(db.ok());
            QVERIFY(HiveHistoryRecorder::migrate(db.value()).ok());
            QVERIFY(db->exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                             "WHERE i < 60000) INSERT INTO history (tbl, key, at_ms, op, status, "
                             "new) SELECT 'old_table', 'k' || (i % 100), "
                             + std::to_string(cutoff) + " - (i * 60000), 2, 'x', '{}' FROM n")
                        .ok());
        }
        QCOMPARE(scalar(storePath, QStringLiteral("SELECT count(*) FROM history")), 60000);
        const QStringList tables {HiveTables::SharedTasks, HiveTables::Nodes,
                                  HiveTables::NodeTaskAssignments};
        ShapeClient client(storePath, hiveShapeRowSinks(), hiveChangeRecorders());
        HistoryPruner pruner(storePath);
        std::atomic<qint64> pruned = -1;
        std::atomic<bool> done = false;
        QString pruneError;
        addShapes(client, tables);
        pruner.pruneInBackground(
            cutoff,
            [&](const Result<qint64> &result) {
                if (!result)
                    pruneError = result.error().toString();
                pruned = result ? result.value() : -2;
                done = true;
            },
            500);
        QVERIFY(exec(QStringLiteral("UPDATE shared_tasks SET status = 'in-review'")));
        QTRY_VERIFY_WITH_TIMEOUT(done.load(), 60000);
        QVERIFY2(pruneError.isEmpty(), qPrintable(pruneError));
        QTRY_VERIFY_WITH_TIMEOUT(allLive(client, tables), 30000);
        const auto inReview = [&] {
            auto reader = HistoryReader::open(storePath);
            if (!reader)
                return -1;
            auto rows
                = reader->rowsAsOf(HiveTables::SharedTasks, QDateTime::currentMSecsSinceEpoch());
            if (!rows)
                return -1;
            return int(std::count_if(rows->cbegin(), rows->cend(), [](const HistoryRow &row) {
                return row.values.value(QLatin1String("status")).toString()
                    == QStringLiteral("in-review");
            }));
        };
        QTRY_COMPARE_WITH_TIMEOUT(inReview(), 12, 15000);
        client.stop();
        // Every row older than the cutoff went, in chunks; nothing newer did.
        QCOMPARE(pruned.load(), 60000);
        QCOMPARE(scalar(storePath, QStringLiteral("SELECT count(*) FROM history WHERE at_ms < ?"),
                        {cutoff}),
                 0);
        // The baseline marks are not pruned: "as of" still answers inside the window.
        QCOMPARE(scalar(storePath, QStringLiteral("SELECT count(*) FROM history_baseline")), 3);
        QCOMPARE(inReview(), 12);
        QCOMPARE(scalar(storePath,
                        QStringLiteral("SELECT count(*) FROM shape_rows WHERE shape = ?"),
                        {QString(HiveTables::SharedTasks)}),
                 12);
    }
};

QTEST_GUILESS_MAIN(TestHistory)
#include "tst_history.moc"
