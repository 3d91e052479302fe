// The shape consumer against the real test shape server over a real PostgreSQL (issue 4, "Done
// when": every change kind, both replica modes, proxy mode, rotation and TRUNCATE, and a hivectl
// killed with SIGKILL that resumes from its saved offset).
#include "sync/hive/HiveShapeRowSinks.h"
#include "sync/pg/PgConnection.h"
#include "sync/shape/ShapeClient.h"
#include "sync/shape/ShapeStore.h"
#include "sync/shape/ShapeUrl.h"
#include "sync/shape/ShapeValue.h"
#include "sync/shape/ShapeWorker.h"
#include "sync/store/LogStore.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QSet>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace hivewatch;

namespace {

QString readSql(const char *name)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
               + QLatin1String(name));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Rows of one shape in the store as "key -> column=value" text, for comparisons.
// The hive's sink for a shape named after its table (none but the log table's).
std::unique_ptr<ShapeRowSink> logSinkFor(const QString &table)
{
    ShapeDefinition definition;
    definition.table = table;
    return hiveShapeRowSinks()(definition);
}

QMap<QString, QVariantHash> storedRows(const QString &storePath, const QString &name)
{
    QMap<QString, QVariantHash> rows;
    auto logStore = LogStore::open(storePath, LogStore::Access::ReadWrite);
    if (!logStore)
        return rows;
    ShapeStore store(*logStore.value());
    (void)store.attach(name, logSinkFor(name));
    (void)store.forEachRow(name, [&](const QString &key, const RawRow &row) {
        rows.insert(key, ShapeValue::typedRow(ShapeSchema(), row));
    });
    return rows;
}

// The keys of the rows of one shape as a reader of the store file sees them: a connection of
// its own, read-only, next to the worker's writer.
QStringList readerKeys(LogStore &reader, const QString &name)
{
    QStringList keys;
    ShapeStore store(reader);
    (void)store.attach(name, logSinkFor(name));
    const auto visited
        = store.forEachRow(name, [&](const QString &key, const RawRow &) { keys.append(key); });
    if (!visited)
        keys.append(QStringLiteral("<error: %1>").arg(visited.error().toString()));
    return keys;
}

QString readerValue(LogStore &reader, const QString &sql)
{
    QSqlQuery query(reader.database());
    if (!query.exec(sql) || !query.next())
        return QString();
    return query.value(0).toString();
}

QString taskKey(const QString &id)
{
    return QStringLiteral("\"public\".\"shared_tasks\"/\"%1\"").arg(id);
}

} // namespace

class TestShapeIntegration : public QObject
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
    QStringList column(const QString &sql)
    {
        QStringList values;
        auto result = m_pg->exec(sql);
        if (result) {
            for (int r = 0; r < result->rows(); ++r)
                values << result->text(r, 0);
        }
        return values;
    }
    QString one(const QString &sql) { return column(sql).value(0); }

    bool setUpHive(const QStringList &serverArgs = {})
    {
        m_db = std::make_unique<TestDatabase>(QStringLiteral("shape"));
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
                            QStringList {QStringLiteral("--long-poll-ms"), QStringLiteral("1000")}
                                + serverArgs,
                            &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        return true;
    }

private slots:
    void cleanup()
    {
        m_server.stop();
        m_pg.reset();
        m_db.reset();
    }

    void appliesEveryChangeKind_data()
    {
        QTest::addColumn<bool>("full");
        QTest::newRow("replica=default") << false;
        QTest::newRow("replica=full") << true;
    }
    void appliesEveryChangeKind()
    {
        QFETCH(bool, full);
        QVERIFY(setUpHive());
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        QList<ShapeBatch> batches;
        ShapeStatus last;
        {
            ShapeClient client(storePath, hiveShapeRowSinks());
            connect(&client, &ShapeClient::batchReady, this,
                    [&](const ShapeBatch &b) { batches.append(b); });
            connect(&client, &ShapeClient::statusChanged, this,
                    [&](const ShapeStatus &s) { last = s; });
            ShapeDefinition definition;
            definition.table = QStringLiteral("shared_tasks");
            definition.replica
                = full ? ShapeDefinition::Replica::Full : ShapeDefinition::Replica::Default;
            client.addShape(definition, ShapeEndpoint::electric(m_server.shapeUrl()));

            QTRY_COMPARE_WITH_TIMEOUT(batches.size(), 1, 15000);
            QVERIFY(batches[0].reset);
            QCOMPARE(batches[0].changes.size(),
                     one(QStringLiteral("SELECT count(*) FROM shared_tasks")).toInt());
            QTRY_COMPARE(last.state, ShapeStatus::State::Live);

            const QString newId = one(QStringLiteral("SELECT md5('integration-new')::uuid::text"));
            QVERIFY(exec(QStringLiteral("INSERT INTO shared_tasks (id, organization_id, "
                                        "project_id, title, description, status, version) "
                                        "SELECT '%1', organization_id, project_id, 'Fresh task', "
                                        "NULL, status, 7 FROM shared_tasks ORDER BY id LIMIT 1")
                             .arg(newId)));
            QTRY_COMPARE_WITH_TIMEOUT(batches.size(), 2, 15000);
            QCOMPARE(batches[1].changes.size(), 1);
            QCOMPARE(batches[1].changes[0].operation, RowChange::Operation::Insert);
            QCOMPARE(batches[1].changes[0].value.value(QStringLiteral("version")),
                     QVariant(qlonglong(7)));
            QVERIFY(batches[1].changes[0].value.value(QStringLiteral("description")).isNull());

            // A partial update (replica=default) still reaches the models as the complete row.
            QVERIFY(exec(QStringLiteral("UPDATE shared_tasks SET title = 'Renamed' WHERE id = '%1'")
                             .arg(newId)));
            QTRY_COMPARE_WITH_TIMEOUT(batches.size(), 3, 15000);
            const RowChange &update = batches[2].changes.value(0);
            QCOMPARE(update.operation, RowChange::Operation::Update);
            QCOMPARE(update.value.value(QStringLiteral("title")).toString(),
                     QStringLiteral("Renamed"));
            QCOMPARE(update.value.value(QStringLiteral("version")), QVariant(qlonglong(7)));
            QVERIFY(update.value.contains(QStringLiteral("organization_id")));

            // A primary-key change arrives as delete + insert in one batch.
            const QString movedId
                = one(QStringLiteral("SELECT md5('integration-moved')::uuid::text"));
            QVERIFY(exec(QStringLiteral("UPDATE shared_tasks SET id = '%1' WHERE id = '%2'")
                             .arg(movedId, newId)));
            QTRY_COMPARE_WITH_TIMEOUT(batches.size(), 4, 15000);
            QCOMPARE(batches[3].changes.size(), 2);
            QCOMPARE(batches[3].changes[0].operation, RowChange::Operation::Delete);
            QCOMPARE(batches[3].changes[0].key, taskKey(newId));
            QCOMPARE(batches[3].changes[1].operation, RowChange::Operation::Insert);
            QCOMPARE(batches[3].changes[1].value.value(QStringLiteral("title")).toString(),
                     QStringLiteral("Renamed"));

            QVERIFY(exec(QStringLiteral("DELETE FROM shared_tasks WHERE id = '%1'").arg(movedId)));
            const QString victim
                = one(QStringLiteral("SELECT id::text FROM shared_tasks ORDER BY id LIMIT 1"));
            QVERIFY(exec(QStringLiteral("DELETE FROM shared_tasks WHERE id = '%1'").arg(victim)));
            QTRY_VERIFY_WITH_TIMEOUT(
                !storedRows(storePath, QStringLiteral("shared_tasks")).contains(taskKey(victim)),
                15000);
        }
        // Exactly the rows Postgres has, with the same values.
        const QMap<QString, QVariantHash> stored
            = storedRows(storePath, QStringLiteral("shared_tasks"));
        const QStringList ids
            = column(QStringLiteral("SELECT id::text FROM shared_tasks ORDER BY id"));
        QCOMPARE(stored.size(), ids.size());
        for (const QString &id : ids) {
            QVERIFY2(stored.contains(taskKey(id)), qPrintable(id));
            QCOMPARE(stored.value(taskKey(id)).value(QStringLiteral("title")).toString(),
                     one(QStringLiteral("SELECT title FROM shared_tasks WHERE id = '%1'").arg(id)));
        }
    }

    void syncsThroughTheProxyWithABearerToken()
    {
        QTemporaryDir dir;
        m_db = std::make_unique<TestDatabase>(QStringLiteral("shapeproxy"));
        QVERIFY(m_db->isValid());
        {
            auto pg = PgConnection::connect(m_db->conninfo());
            QVERIFY(pg.ok());
            m_pg = std::move(pg).value();
        }
        QVERIFY(exec(readSql("hive_schema.sql")) && exec(readSql("electric_setup.sql"))
                && exec(readSql("hive_seed.sql")));
        QVERIFY(exec(QStringLiteral("SELECT hive_seed(2, 2, 12, 3, 6, 40, 10)")));
        const QString org
            = one(QStringLiteral("SELECT id::text FROM organizations ORDER BY id LIMIT 1"));
        // A user of that organization only; the proxy looks the organizations up itself.
        const QString user
            = one(QStringLiteral(
                      "SELECT user_id::text FROM organization_member_metadata GROUP BY user_id "
                      "HAVING count(*) = 1 AND min(organization_id::text) = '%1' LIMIT 1")
                      .arg(org));
        QVERIFY(!user.isEmpty());
        const QString key = QStringLiteral("integration-jwt-key");
        const QString goodToken = ShapeServerProcess::mintToken(key, user);
        const QString wrongToken = ShapeServerProcess::mintToken(QStringLiteral("other-key"), user);
        QVERIFY(!goodToken.isEmpty() && !wrongToken.isEmpty());
        QString error;
        QVERIFY2(m_server.start(m_db->conninfo(), {QStringLiteral("--proxy-jwt-key"), key}, &error),
                 qPrintable(error));

        QUrl proxyUrl = m_server.baseUrl();
        proxyUrl.setPath(QStringLiteral("/v1/shape/shared_tasks"));
        QList<ShapeBatch> batches;
        QHash<QString, ShapeStatus> statuses;
        ShapeClient client(dir.filePath(QStringLiteral("store.sqlite")), hiveShapeRowSinks());
        connect(&client, &ShapeClient::batchReady, this,
                [&](const ShapeBatch &b) { batches.append(b); });
        connect(&client, &ShapeClient::statusChanged, this,
                [&](const ShapeStatus &s) { statuses[s.shapeName] = s; });
        ShapeDefinition good;
        good.name = QStringLiteral("tasks");
        good.table = QStringLiteral("shared_tasks");
        client.addShape(good, ShapeEndpoint::proxy(proxyUrl, goodToken));
        ShapeDefinition bad = good;
        bad.name = QStringLiteral("tasks-bad-token");
        client.addShape(bad, ShapeEndpoint::proxy(proxyUrl, wrongToken));

        QTRY_COMPARE_WITH_TIMEOUT(batches.size(), 1, 15000);
        QCOMPARE(
            batches[0].changes.size(),
            one(QStringLiteral("SELECT count(*) FROM shared_tasks WHERE organization_id = '%1'")
                    .arg(org))
                .toInt());
        for (const RowChange &change : batches[0].changes)
            QCOMPARE(change.value.value(QStringLiteral("organization_id")).toString(), org);
        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(bad.name).state, ShapeStatus::State::Failed,
                                  15000);
        QVERIFY2(statuses.value(bad.name).errorText.contains(QLatin1String("401")),
                 qPrintable(statuses.value(bad.name).errorText));
        QVERIFY(!statuses.value(bad.name).errorText.contains(wrongToken));
    }

    void replacesRowsAtomicallyAfterTruncate()
    {
        QVERIFY(setUpHive());
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        QList<ShapeBatch> batches;
        ShapeClient client(storePath, hiveShapeRowSinks());
        connect(&client, &ShapeClient::batchReady, this,
                [&](const ShapeBatch &b) { batches.append(b); });
        ShapeDefinition logs;
        logs.table = QStringLiteral("node_task_output_logs");
        client.addShape(logs, ShapeEndpoint::electric(m_server.shapeUrl()));
        QTRY_COMPARE_WITH_TIMEOUT(batches.size(), 1, 15000);
        // The log shape's rows stay in the store: its batches only say how many changed.
        QVERIFY(batches[0].changes.isEmpty());
        QCOMPARE(batches[0].storedChangeCount, 40);

        QVERIFY(exec(QStringLiteral("TRUNCATE node_task_output_logs")));
        QVERIFY(exec(QStringLiteral(
            "INSERT INTO node_task_output_logs (assignment_id, output_type, content) "
            "SELECT a.id, 'stdout', 'after truncate ' || g FROM (SELECT id FROM "
            "node_task_assignments ORDER BY id LIMIT 1) a, "
            "generate_series(1, 3) g")));
        // The rotation (409) drops the old rows: the consumer gets a reset batch, and from then on
        // the shape holds exactly the new rows. The refetch may snapshot between the TRUNCATE and
        // the INSERT (two transactions), so the new rows arrive with the reset or after it.
        auto resetSeen = [&] {
            return std::any_of(batches.cbegin() + 1, batches.cend(),
                               [](const ShapeBatch &b) { return b.reset; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(resetSeen(), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(
            storedRows(storePath, QStringLiteral("node_task_output_logs")).size(), 3, 5000);
        client.stop();
        // The truncated lines leave the shape but stay in the local log history.
        auto store = LogStore::open(storePath, LogStore::Access::ReadOnly);
        QVERIFY(store.ok());
        auto stats = store.value()->stats();
        QVERIFY(stats.ok());
        QCOMPARE(stats->totalRows, 43);
    }

    void logLineWithAnUnknownOutputTypeIsKeptAsSystem()
    {
        // The hive's output_type has no CHECK; the local log_entries has the node's. An odd value
        // must neither stall the log shape nor be dropped.
        QVERIFY(setUpHive());
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        QList<ShapeBatch> batches;
        QList<ShapeStatus> statuses;
        ShapeClient client(storePath, hiveShapeRowSinks());
        connect(&client, &ShapeClient::batchReady, this,
                [&](const ShapeBatch &b) { batches.append(b); });
        connect(&client, &ShapeClient::statusChanged, this,
                [&](const ShapeStatus &s) { statuses.append(s); });
        ShapeDefinition logs;
        logs.table = QStringLiteral("node_task_output_logs");
        client.addShape(logs, ShapeEndpoint::electric(m_server.shapeUrl()));
        QTRY_COMPARE_WITH_TIMEOUT(batches.size(), 1, 15000);
        QVERIFY(exec(QStringLiteral(
            "INSERT INTO node_task_output_logs (assignment_id, output_type, content) "
            "SELECT id, 'telemetry', 'a line of an unknown type' FROM node_task_assignments "
            "ORDER BY id LIMIT 1")));
        QTRY_VERIFY_WITH_TIMEOUT(batches.size() > 1, 15000);
        QCOMPARE(batches.last().storedChangeCount, 1);
        for (const ShapeStatus &status : statuses)
            QVERIFY2(status.state != ShapeStatus::State::Failed, qPrintable(status.errorText));
        client.stop();
        // The shape's own row keeps the hive's value; the log line has the node's `system`.
        int telemetry = 0;
        for (const QVariantHash &row :
             storedRows(storePath, QStringLiteral("node_task_output_logs")))
            telemetry += row.value(QStringLiteral("output_type")) == QStringLiteral("telemetry");
        QCOMPARE(telemetry, 1);

        auto store = LogStore::open(storePath, LogStore::Access::ReadOnly);
        QVERIFY(store.ok());
        auto stats = store.value()->stats();
        QVERIFY(stats.ok());
        bool found = false;
        for (const ExecutionSummary &execution : stats->executions) {
            auto lines = store.value()->listByExecution(execution.executionId);
            QVERIFY(lines.ok());
            for (const LogEntry &line : lines.value()) {
                if (line.content == QLatin1String("a line of an unknown type")) {
                    QCOMPARE(line.outputType, QStringLiteral("system"));
                    found = true;
                }
            }
        }
        QVERIFY(found);
    }

    void shapeFailingMidSnapshotLeavesTheOthersCommitting()
    {
        // Issue 13: the log shape's snapshot takes several small chunks, each handed to the store
        // as a part of its own, and the third chunk is refused with a 401.
        QVERIFY(setUpHive({QStringLiteral("--chunk-bytes"), QStringLiteral("2000"),
                           QStringLiteral("--fault"),
                           QStringLiteral("status:code=401:table=node_task_output_logs:skip=2")}));
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        const ShapeEndpoint endpoint = ShapeEndpoint::electric(m_server.shapeUrl());
        const QString logs = QStringLiteral("node_task_output_logs");
        const QString tasks = QStringLiteral("shared_tasks");
        const QString nodes = QStringLiteral("nodes");
        ShapeDefinition definitions[3];
        definitions[0].table = logs;
        definitions[1].table = tasks;
        definitions[2].table = nodes;

        QHash<QString, ShapeStatus> statuses;
        auto worker = std::make_unique<ShapeWorker>(storePath);
        worker->setRowSinks(hiveShapeRowSinks());
        worker->setFlushThreshold(1);
        connect(worker.get(), &ShapeWorker::statusChanged, this,
                [&](const ShapeStatus &s) { statuses[s.shapeName] = s; });
        for (const ShapeDefinition &definition : definitions)
            worker->addShape(definition, endpoint);
        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(logs).state, ShapeStatus::State::Failed, 15000);
        QVERIFY2(statuses.value(logs).errorText.contains(QLatin1String("401")),
                 qPrintable(statuses.value(logs).errorText));
        QVERIFY2(statuses.value(logs).errorText.contains(QLatin1String("dropped")),
                 qPrintable(statuses.value(logs).errorText));
        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(tasks).state, ShapeStatus::State::Live, 15000);
        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(nodes).state, ShapeStatus::State::Live, 15000);

        auto opened = LogStore::open(storePath, LogStore::Access::ReadOnly);
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().toString()));
        LogStore &reader = *opened.value();
        // The failed shape's partial snapshot is not kept as its data, and it resyncs.
        QCOMPARE(readerKeys(reader, logs), QStringList());
        QCOMPARE(readerValue(reader,
                             QStringLiteral("SELECT count(*) FROM log_entries "
                                            "WHERE shape_derived IS NOT NULL")),
                 QStringLiteral("0"));
        const QString savedOffset = readerValue(
            reader,
            QStringLiteral("SELECT \"offset\" FROM shape_state WHERE name = '%1'").arg(logs));
        QVERIFY2(savedOffset.isEmpty() || savedOffset == QLatin1String("-1"),
                 qPrintable(savedOffset));

        // The other shapes keep committing: rows inserted now reach the file while it runs.
        QStringList newIds;
        for (int i = 0; i < 2; ++i) {
            newIds << one(QStringLiteral("SELECT md5('isolation-%1')::uuid::text").arg(i));
            QVERIFY(exec(QStringLiteral("INSERT INTO shared_tasks (id, organization_id, "
                                        "project_id, title, status) SELECT '%1', "
                                        "organization_id, project_id, 'After the 401', status "
                                        "FROM shared_tasks ORDER BY id LIMIT 1")
                             .arg(newIds.last())));
            QTRY_VERIFY_WITH_TIMEOUT(readerKeys(reader, tasks).contains(taskKey(newIds.last())),
                                     15000);
        }
        QCOMPARE(statuses.value(tasks).state, ShapeStatus::State::Live);

        // Shutting down keeps what was committed.
        worker.reset();
        const QStringList storedTasks = readerKeys(reader, tasks);
        for (const QString &id : std::as_const(newIds))
            QVERIFY(storedTasks.contains(taskKey(id)));
        QCOMPARE(storedTasks.size(),
                 one(QStringLiteral("SELECT count(*) FROM shared_tasks")).toInt());

        // Started again (the server's fault is used up), the log shape syncs from the start:
        // exactly Postgres' lines, none twice.
        QList<ShapeBatch> batches;
        statuses.clear();
        worker = std::make_unique<ShapeWorker>(storePath);
        worker->setRowSinks(hiveShapeRowSinks());
        worker->setEmitRows(true);
        connect(worker.get(), &ShapeWorker::statusChanged, this,
                [&](const ShapeStatus &s) { statuses[s.shapeName] = s; });
        connect(worker.get(), &ShapeWorker::batchReady, this, [&](const ShapeBatch &b) {
            if (b.shapeName == logs)
                batches.append(b);
        });
        worker->addShape(definitions[0], endpoint);
        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(logs).state, ShapeStatus::State::Live, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!batches.isEmpty(), 5000);
        QVERIFY(batches[0].reset);
        const int pgLines
            = one(QStringLiteral("SELECT count(*) FROM node_task_output_logs")).toInt();
        QCOMPARE(batches[0].storedChangeCount, pgLines);
        QCOMPARE(readerKeys(reader, logs).size(), pgLines);
        QCOMPARE(readerValue(reader,
                             QStringLiteral("SELECT count(DISTINCT source_id) FROM "
                                            "log_entries WHERE shape_derived IS NOT NULL")),
                 QString::number(pgLines));
        QCOMPARE(readerValue(reader,
                             QStringLiteral("SELECT count(*) - count(DISTINCT source_id) "
                                            "FROM log_entries")),
                 QStringLiteral("0"));
        worker.reset();
    }

    void shapePausedMidSnapshotDropsItsPartAndStartsOverOnResume()
    {
        // The log shape's third chunk is held back long enough to pause it half-way through.
        QVERIFY(setUpHive({QStringLiteral("--chunk-bytes"), QStringLiteral("2000"),
                           QStringLiteral("--fault"),
                           QStringLiteral("latency:ms=45000:table=node_task_output_logs:skip=2:"
                                          "count=1")}));
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        const ShapeEndpoint endpoint = ShapeEndpoint::electric(m_server.shapeUrl());
        const QString logs = QStringLiteral("node_task_output_logs");
        const QString tasks = QStringLiteral("shared_tasks");
        ShapeDefinition logDefinition;
        logDefinition.table = logs;
        ShapeDefinition taskDefinition;
        taskDefinition.table = tasks;
        QHash<QString, ShapeStatus> statuses;
        ShapeWorker worker(storePath);
        worker.setRowSinks(hiveShapeRowSinks());
        worker.setFlushThreshold(1);
        connect(&worker, &ShapeWorker::statusChanged, this,
                [&](const ShapeStatus &s) { statuses[s.shapeName] = s; });
        worker.addShape(taskDefinition, endpoint);
        worker.addShape(logDefinition, endpoint);
        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(tasks).state, ShapeStatus::State::Live, 15000);

        auto opened = LogStore::open(storePath, LogStore::Access::ReadOnly);
        QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().toString()));
        LogStore &reader = *opened.value();
        const QString attached
            = QStringLiteral("SELECT count(*) FROM log_entries WHERE shape_derived IS NOT NULL");
        // Every task committed carries what the log shape has stored so far: wait for its parts.
        for (int i = 0; i < 20 && readerValue(reader, attached).toInt() == 0; ++i) {
            const QString id = one(QStringLiteral("SELECT md5('pause-%1')::uuid::text").arg(i));
            QVERIFY(exec(QStringLiteral("INSERT INTO shared_tasks (id, organization_id, "
                                        "project_id, title, status) SELECT '%1', "
                                        "organization_id, project_id, 'While paused', status "
                                        "FROM shared_tasks ORDER BY id LIMIT 1")
                             .arg(id)));
            QTRY_VERIFY_WITH_TIMEOUT(readerKeys(reader, tasks).contains(taskKey(id)), 15000);
        }
        QVERIFY(readerValue(reader, attached).toInt() > 0);
        QCOMPARE(statuses.value(logs).state, ShapeStatus::State::Syncing);
        // A partial snapshot is never the shape's data, not even while it is being written.
        QCOMPARE(readerKeys(reader, logs), QStringList());

        const QString allLines = QStringLiteral("SELECT count(*) FROM log_entries");
        const QString linesBeforePause = readerValue(reader, allLines);
        worker.pauseAll();
        // Its lines leave the shape but stay in the local log history, as after a rotation.
        QCOMPARE(readerValue(reader, attached), QStringLiteral("0"));
        QCOMPARE(readerValue(reader, allLines), linesBeforePause);
        worker.resumeAll();
        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(logs).state, ShapeStatus::State::Live, 15000);
        const int pgLines
            = one(QStringLiteral("SELECT count(*) FROM node_task_output_logs")).toInt();
        QCOMPARE(readerKeys(reader, logs).size(), pgLines);
        QCOMPARE(readerValue(reader, attached), QString::number(pgLines));
        QCOMPARE(readerValue(reader,
                             QStringLiteral("SELECT count(*) - count(DISTINCT source_id) "
                                            "FROM log_entries")),
                 QStringLiteral("0"));
        QCOMPARE(readerKeys(reader, tasks).size(),
                 one(QStringLiteral("SELECT count(*) FROM shared_tasks")).toInt());
    }

    void hivectlResumesFromTheSavedOffsetAfterSigkill()
    {
        QVERIFY(setUpHive());
        QTemporaryDir dir;
        const QString storePath = dir.filePath(QStringLiteral("store.sqlite"));
        const QString hivectl
            = qEnvironmentVariable("HIVEWATCH_BINARY_DIR") + QStringLiteral("/app/hivectl/hivectl");
        const QStringList base {QStringLiteral("shape"),   QStringLiteral("sync"),
                                QStringLiteral("--url"),   m_server.shapeUrl().toString(),
                                QStringLiteral("--table"), QStringLiteral("node_task_output_logs"),
                                QStringLiteral("--db"),    storePath};
        ShapeDefinition logsDefinition;
        logsDefinition.table = QStringLiteral("node_task_output_logs");
        auto savedOffset = [&] {
            auto logStore = LogStore::open(storePath, LogStore::Access::ReadWrite);
            if (!logStore)
                return QString();
            auto stored = ShapeStore(*logStore.value())
                              .load(QStringLiteral("node_task_output_logs"),
                                    ShapeUrl::shapeKey(ShapeEndpoint::electric(m_server.shapeUrl()),
                                                       logsDefinition),
                                    hiveShapeRowSinks()(logsDefinition));
            return stored && stored.value() ? stored.value()->offset : QString();
        };

        QProcess follower;
        follower.start(hivectl,
                       base + QStringList {QStringLiteral("--verbose")}); // follows until killed
        QVERIFY(follower.waitForStarted());
        // Read the store only once hivectl has created it (its first request follows that):
        // LogStore's first-time migration is not safe against a second process doing it too.
        QByteArray followerLog;
        QTRY_VERIFY_WITH_TIMEOUT((followerLog += follower.readAllStandardError()).contains("GET "),
                                 15000);
        auto waitForRows = [&](qsizetype count) {
            QDeadlineTimer deadline(15000);
            while (storedRows(storePath, QStringLiteral("node_task_output_logs")).size() != count
                   && !deadline.hasExpired())
                QTest::qWait(100);
            return storedRows(storePath, QStringLiteral("node_task_output_logs")).size() == count;
        };
        QVERIFY2(waitForRows(40),
                 QByteArray(followerLog + follower.readAllStandardError()).constData());
        const QString insertMore = QStringLiteral(
            "INSERT INTO node_task_output_logs (assignment_id, output_type, content) "
            "SELECT a.id, 'stderr', '%1 ' || g FROM (SELECT id FROM node_task_assignments ORDER BY "
            "id LIMIT 1) a, "
            "generate_series(1, %2) g");
        QVERIFY(exec(insertMore.arg(QStringLiteral("while following")).arg(5)));
        QVERIFY2(waitForRows(45), follower.readAllStandardError().right(2000).constData());
        ::kill(pid_t(follower.processId()), SIGKILL);
        QVERIFY(follower.waitForFinished());
        const QString offsetAtKill = savedOffset();
        QVERIFY(!offsetAtKill.isEmpty() && offsetAtKill != QLatin1String("-1"));

        QVERIFY(exec(insertMore.arg(QStringLiteral("while down")).arg(7)));
        QVERIFY(exec(QStringLiteral("DELETE FROM node_task_output_logs WHERE id = (SELECT min(id) "
                                    "FROM node_task_output_logs)")));

        QProcess resumed;
        resumed.start(hivectl,
                      base
                          + QStringList {QStringLiteral("--follow-ms"), QStringLiteral("0"),
                                         QStringLiteral("--dump"), QStringLiteral("--verbose")});
        QVERIFY(resumed.waitForFinished(30000));
        const QByteArray err = resumed.readAllStandardError();
        QCOMPARE(resumed.exitCode(), 0);
        // The first request continues from the saved offset: no refetch from -1.
        const qsizetype firstGet = err.indexOf("GET ");
        QVERIFY2(firstGet >= 0, err.constData());
        const QByteArray firstLine = err.mid(firstGet, err.indexOf('\n', firstGet) - firstGet);
        QVERIFY2(firstLine.contains(QByteArray(QByteArray("offset=") + offsetAtKill.toUtf8())),
                 firstLine.constData());
        QVERIFY2(!err.contains("offset=-1"), err.constData());

        // The dump holds exactly the rows Postgres has: no loss, no duplicates.
        QStringList dumpedIds;
        for (const QByteArray &line : resumed.readAllStandardOutput().split('\n')) {
            if (line.isEmpty())
                continue;
            const qsizetype at = line.indexOf("\"id\": ");
            dumpedIds << QString::fromUtf8(line.mid(at + 6, line.indexOf(',', at) - at - 6));
        }
        dumpedIds.sort();
        QStringList pgIds = column(QStringLiteral("SELECT id::text FROM node_task_output_logs"));
        pgIds.sort();
        QCOMPARE(dumpedIds, pgIds);
        QCOMPARE(pgIds.size(), 51);
    }
};

QTEST_GUILESS_MAIN(TestShapeIntegration)
#include "tst_shapeintegration.moc"
