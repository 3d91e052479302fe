// The dashboard end to end: real Postgres, the real test shape server, the app's own wiring
// (Dashboard) and main window, offscreen. Rows are changed with SQL and must show up in the
// models and the panels; nothing is injected into the models directly.
#include "app/hivewatch/Dashboard.h"
#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveModels.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/NodeModel.h"
#include "models/hive/ProgressEventModel.h"
#include "models/hive/ShapeStatusModel.h"
#include "models/hive/TaskModel.h"
#include "models/logs/LogModel.h"
#include "sync/pg/PgConnection.h"
#include "sync/shape/ShapeClient.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"
#include "ui/MainWindow.h"
#include "ui/hive/KanbanBoard.h"
#include "ui/hive/NodesPanel.h"
#include "ui/hive/SyncStatusPanel.h"
#include "ui/hive/TasksPanel.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace hivewatch;

namespace {
const QString kTask = QStringLiteral("00000000-0000-4000-8000-00000000a001");
const QString kNode = QStringLiteral("00000000-0000-4000-8000-00000000b001");
const QString kAssignment = QStringLiteral("00000000-0000-4000-8000-00000000c001");
constexpr int kTimeout = 20000; // ms

QString readSql(const QString &name)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
               + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

QStringList column(const QAbstractItemModel *model, int column)
{
    QStringList values;
    for (int row = 0; row < model->rowCount(); ++row)
        values.append(model->index(row, column).data().toString());
    return values;
}

} // namespace

class TestDashboardE2E : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<PgConnection> m_pg;
    ShapeServerProcess m_server;
    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<Dashboard> m_dashboard;
    LogModel *m_logs = nullptr; // the Dashboard's own
    qint64 m_clockOffset = 0;

    void sql(const QString &statement)
    {
        auto result = m_pg->execScript(statement);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
    }
    HiveModels *models() const { return m_dashboard->models(); }
    qint64 statusRows(const QString &shape) const
    {
        return models()->shapeStatuses()->status(shape).rowCount;
    }

private slots:
    void initTestCase()
    {
        qputenv("TZ", "UTC");
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
        m_db = std::make_unique<TestDatabase>(QStringLiteral("dashboard_e2e"));
        QVERIFY2(m_db->isValid(), qPrintable(m_db->error()));
        auto pg = PgConnection::connect(m_db->conninfo());
        QVERIFY2(pg.ok(), qPrintable(pg.ok() ? QString() : pg.error().toString()));
        m_pg = std::move(pg.value());
        for (const char *file : {"hive_schema.sql", "electric_setup.sql", "hive_seed.sql"}) {
            const QString script = readSql(QLatin1String(file));
            QVERIFY2(!script.isEmpty(), file);
            sql(script);
        }
        sql(QStringLiteral("SELECT hive_seed(1, 2, 12, 3, 6, 40, 12)"));

        QString error;
        QVERIFY2(m_server.start(m_db->conninfo(),
                                {QStringLiteral("--long-poll-ms"), QStringLiteral("2000")}, &error),
                 qPrintable(error));

        m_window = std::make_unique<MainWindow>();
        m_dashboard = std::make_unique<Dashboard>(m_window.get(), m_dir.filePath("store.sqlite"));
        m_logs = m_dashboard->logModel(); // what the Logs panel shows, wired by the Dashboard
        for (QAbstractItemModel *model : std::initializer_list<QAbstractItemModel *> {
                 models()->tasks(), models()->nodes(), models()->assignments(),
                 models()->progressEvents(), models()->shapeStatuses()})
            new QAbstractItemModelTester(
                model, QAbstractItemModelTester::FailureReportingMode::QtTest, model);
        models()->nodes()->setClock(
            [this] { return QDateTime::currentDateTimeUtc().addSecs(m_clockOffset); });
        m_window->resize(1280, 800);
        m_window->show();

        ConnectionSettings connection;
        connection.mode = ConnectionSettings::Mode::Electric;
        connection.url = m_server.shapeUrl();
        connection.shapes = ConnectionSettings::availableShapes();
        m_dashboard->connectTo(connection);
    }

    void initialSyncFillsEveryModelAndGoesLive()
    {
        QTRY_COMPARE_WITH_TIMEOUT(models()->tasks()->rowCount(), 12, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(models()->nodes()->rowCount(), 3, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(models()->assignments()->rowCount(), 6, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(models()->progressEvents()->rowCount(), 12, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(statusRows("node_task_output_logs"), 40, kTimeout);
        ShapeStatusModel *statuses = models()->shapeStatuses();
        QCOMPARE(statuses->rowCount(), 7);
        QTRY_COMPARE_WITH_TIMEOUT(statuses->summary(), QStringLiteral("7 of 7 shapes live"),
                                  kTimeout);
        QCOMPARE(statuses->index(0, ShapeStatusModel::State).data().toString(),
                 QStringLiteral("Live, up to date"));
        // The seed soft-deletes every 17th task; none of 12 is, so the table shows them all.
        QCOMPARE(m_dashboard->tasksPanel()->table()->model()->rowCount(), 12);
        // Assignment rows resolve task titles and node names from the other shapes.
        QVERIFY(column(models()->assignments(), AssignmentModel::Node).first().startsWith("node-"));
        QVERIFY(column(models()->assignments(), AssignmentModel::Task).first().startsWith("Task "));
    }

    void taskInsertUpdateDeleteReachTableAndBoard()
    {
        TasksPanel *panel = m_dashboard->tasksPanel();
        sql(QStringLiteral(
                "INSERT INTO shared_tasks (id, organization_id, project_id, title, status) "
                "SELECT '%1', organization_id, id, 'E2E task', 'todo' FROM projects LIMIT 1")
                .arg(kTask));
        QTRY_VERIFY_WITH_TIMEOUT(
            column(panel->table()->model(), TaskModel::Title).contains("E2E task"), kTimeout);
        QVERIFY(panel->board()->columnTitles("todo").contains("E2E task"));

        sql(QStringLiteral(
                "UPDATE shared_tasks SET title = 'E2E task (renamed)', status = 'in-progress', "
                "version = version + 1 WHERE id = '%1'")
                .arg(kTask));
        QTRY_VERIFY_WITH_TIMEOUT(
            panel->board()->columnTitles("in-progress").contains("E2E task (renamed)"), kTimeout);
        QVERIFY(!panel->board()->columnTitles("todo").contains("E2E task"));
        const int row = models()->tasks()->rowForId(kTask);
        QCOMPARE(models()->tasks()->index(row, TaskModel::Version).data().toLongLong(), 2);
        QCOMPARE(models()->tasks()->statusCounts().value("in-progress"),
                 panel->board()->columnTitles("in-progress").size());

        // Soft delete: still synced, hidden from the views.
        sql(QStringLiteral("UPDATE shared_tasks SET deleted_at = now() WHERE id = '%1'")
                .arg(kTask));
        QTRY_VERIFY_WITH_TIMEOUT(
            !column(panel->table()->model(), TaskModel::Title).contains("E2E task (renamed)"),
            kTimeout);
        QVERIFY(models()->tasks()->rowForId(kTask) >= 0);
        sql(QStringLiteral("UPDATE shared_tasks SET deleted_at = NULL WHERE id = '%1'").arg(kTask));
        QTRY_VERIFY_WITH_TIMEOUT(
            column(panel->table()->model(), TaskModel::Title).contains("E2E task (renamed)"),
            kTimeout);
    }

    void nodeAssignmentAndEventsReachTheNodesPanel()
    {
        m_window->showPanel(QStringLiteral("Nodes"));
        NodesPanel *panel = m_dashboard->nodesPanel();
        sql(QStringLiteral(
                "INSERT INTO nodes (id, organization_id, name, machine_id, status, capabilities, "
                "public_url, last_heartbeat_at) SELECT '%1', id, 'e2e-node', 'm-e2e', 'online', "
                "'{\"executors\":[\"CLAUDE_CODE\"],\"max_concurrent_tasks\":2,\"os\":\"linux\"}', "
                "'http://127.0.0.1:3999', now() - interval '45 seconds' FROM organizations LIMIT 1")
                .arg(kNode));
        QTRY_VERIFY_WITH_TIMEOUT(models()->nodes()->rowForId(kNode) >= 0, kTimeout);
        panel->selectNode(kNode);
        QCOMPARE(panel->selectedNodeId(), kNode);
        QVERIFY(panel->detailText().contains("e2e-node"));
        QVERIFY(panel->detailText().contains("executors: CLAUDE_CODE; max tasks: 2; os: linux"));
        QVERIFY(!panel->nodeTable()->currentIndex().data(HiveRoles::StaleRole).toBool());

        sql(QStringLiteral(
                "INSERT INTO node_task_assignments (id, task_id, node_id, node_project_id, "
                "execution_status) SELECT '%1', '%2', '%3', id, 'running' FROM node_projects LIMIT "
                "1")
                .arg(kAssignment, kTask, kNode));
        QTRY_COMPARE_WITH_TIMEOUT(panel->assignmentTable()->model()->rowCount(), 1, kTimeout);
        QCOMPARE(
            panel->assignmentTable()->model()->index(0, AssignmentModel::Task).data().toString(),
            QStringLiteral("E2E task (renamed)"));
        QTRY_VERIFY_WITH_TIMEOUT(panel->detailText().contains("1 active assignment"), kTimeout);

        sql(QStringLiteral(
                "INSERT INTO node_task_progress_events (assignment_id, event_type, message) "
                "VALUES ('%1', 'agentstarted', 'e2e: agent started'), "
                "('%1', 'mystery_event', 'e2e: unknown type')")
                .arg(kAssignment));
        QTRY_COMPARE_WITH_TIMEOUT(panel->eventTable()->model()->rowCount(), 2, kTimeout);
        QVERIFY(column(panel->eventTable()->model(), ProgressEventModel::Type)
                    .contains("unknown: mystery_event"));
        sql(QStringLiteral("UPDATE node_task_progress_events SET message = 'e2e: edited' "
                           "WHERE assignment_id = '%1' AND event_type = 'agentstarted'")
                .arg(kAssignment));
        QTRY_VERIFY_WITH_TIMEOUT(column(panel->eventTable()->model(), ProgressEventModel::Message)
                                     .contains("e2e: edited"),
                                 kTimeout);
        sql(QStringLiteral(
            "DELETE FROM node_task_progress_events WHERE event_type = 'mystery_event'"));
        QTRY_COMPARE_WITH_TIMEOUT(panel->eventTable()->model()->rowCount(), 1, kTimeout);

        // Log lines: appended to the log shape (and its store) as they are inserted.
        const qint64 before = statusRows("node_task_output_logs");
        sql(QStringLiteral(
                "INSERT INTO node_task_output_logs (assignment_id, output_type, content) "
                "SELECT '%1', 'stdout', 'e2e line ' || n FROM generate_series(1, 25) n")
                .arg(kAssignment));
        QTRY_COMPARE_WITH_TIMEOUT(statusRows("node_task_output_logs"), before + 25, kTimeout);
        // …and readable through the log model, by the assignment they belong to.
        m_logs->setExecution(QUuid(kAssignment));
        QTRY_COMPARE_WITH_TIMEOUT(m_logs->totalCount(), 25, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(m_logs->rowCount(), 25, kTimeout);
        QCOMPARE(m_logs->index(24, LogModel::ContentColumn).data(LogModel::ContentRole).toString(),
                 QStringLiteral("e2e line 25"));
        sql(QStringLiteral(
                "INSERT INTO node_task_output_logs (assignment_id, output_type, content) "
                "VALUES ('%1', 'stderr', 'e2e late line')")
                .arg(kAssignment));
        QTRY_COMPARE_WITH_TIMEOUT(m_logs->totalCount(), 26, kTimeout);
        sql(QStringLiteral("DELETE FROM node_task_output_logs WHERE content = 'e2e line 1'"));
        QTRY_COMPARE_WITH_TIMEOUT(statusRows("node_task_output_logs"), before + 25, kTimeout);

        sql(QStringLiteral("UPDATE node_task_assignments SET execution_status = 'completed', "
                           "completed_at = now() WHERE id = '%1'")
                .arg(kAssignment));
        QTRY_VERIFY_WITH_TIMEOUT(panel->detailText().contains("0 active assignment"), kTimeout);
        QCOMPARE(
            panel->assignmentTable()->model()->index(0, AssignmentModel::Status).data().toString(),
            QStringLiteral("Completed"));
    }

    void staleHeartbeatIsFlaggedByTheTimer()
    {
        NodesPanel *panel = m_dashboard->nodesPanel();
        panel->selectNode(kNode);
        const QModelIndex node = models()->nodes()->index(models()->nodes()->rowForId(kNode), 0);
        QVERIFY(!node.data(HiveRoles::StaleRole).toBool());
        // The node's heartbeat was 45 s old when inserted; 20 s later it is past 60 s. Moving the
        // model's clock stands in for waiting; the model's own timer must notice.
        m_clockOffset = 20;
        QTRY_VERIFY_WITH_TIMEOUT(node.data(HiveRoles::StaleRole).toBool(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(panel->detailText().contains("Online (stale)"), 5000);
        // A heartbeat arrives: the flag clears.
        sql(QStringLiteral("UPDATE nodes SET last_heartbeat_at = now() WHERE id = '%1'")
                .arg(kNode));
        QTRY_VERIFY_WITH_TIMEOUT(!models()
                                      ->nodes()
                                      ->index(models()->nodes()->rowForId(kNode), 0)
                                      .data(HiveRoles::StaleRole)
                                      .toBool(),
                                 kTimeout);
        m_clockOffset = 0;
    }

    void deletesRemoveRowsEverywhere()
    {
        sql(QStringLiteral("DELETE FROM node_task_assignments WHERE id = '%1'").arg(kAssignment));
        QTRY_VERIFY_WITH_TIMEOUT(models()->assignments()->rowForId(kAssignment) < 0, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(m_dashboard->nodesPanel()->assignmentTable()->model()->rowCount(),
                                  0, kTimeout);
        sql(QStringLiteral("DELETE FROM nodes WHERE id = '%1'").arg(kNode));
        QTRY_VERIFY_WITH_TIMEOUT(models()->nodes()->rowForId(kNode) < 0, kTimeout);
        sql(QStringLiteral("DELETE FROM shared_tasks WHERE id = '%1'").arg(kTask));
        QTRY_VERIFY_WITH_TIMEOUT(models()->tasks()->rowForId(kTask) < 0, kTimeout);
        QCOMPARE(models()->tasks()->rowCount(), 12);
        QCOMPARE(m_dashboard->tasksPanel()->table()->model()->rowCount(), 12);
    }

    void truncateEmptiesAndRefillsTheViews()
    {
        // TRUNCATE makes the server rotate the shape (409 must-refetch): the client starts over
        // and the models must end up holding exactly the new rows, not the old plus the new.
        sql(QStringLiteral("TRUNCATE shared_tasks CASCADE"));
        QTRY_COMPARE_WITH_TIMEOUT(models()->tasks()->rowCount(), 0, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(models()->assignments()->rowCount(), 0, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(models()->progressEvents()->rowCount(), 0, kTimeout);
        QCOMPARE(m_dashboard->tasksPanel()->table()->model()->rowCount(), 0);
        sql(QStringLiteral("INSERT INTO shared_tasks (organization_id, project_id, title, status) "
                           "SELECT organization_id, id, 'after truncate ' || n, 'done' "
                           "FROM projects, generate_series(1, 3) n WHERE name = 'project-1'"));
        QTRY_COMPARE_WITH_TIMEOUT(models()->tasks()->rowCount(), 3, kTimeout);
        QStringList titles = column(m_dashboard->tasksPanel()->table()->model(), TaskModel::Title);
        titles.sort();
        QCOMPARE(titles, QStringList({"after truncate 1", "after truncate 2", "after truncate 3"}));
        QCOMPARE(m_dashboard->tasksPanel()->board()->columnTitles("done").size(), 3);
        QCOMPARE(models()->tasks()->statusCounts(), (QHash<QString, int> {{"done", 3}}));
        QTRY_COMPARE_WITH_TIMEOUT(models()->shapeStatuses()->status("shared_tasks").state,
                                  ShapeStatus::State::Live, kTimeout);
    }

    void cleanupTestCase()
    {
        m_logs = nullptr;
        m_dashboard.reset();
        m_window.reset();
        m_server.stop();
        m_pg.reset();
        m_db.reset();
    }
};

QTEST_MAIN(TestDashboardE2E)
#include "tst_dashboard_e2e.moc"
