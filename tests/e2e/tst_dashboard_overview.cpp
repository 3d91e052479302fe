// The Overview tab and its alerts end to end: real Postgres, the real test shape server, the
// app's own wiring (Dashboard), offscreen. Heartbeats are real UPDATEs of nodes.last_heartbeat_at
// that travel through logical replication and the shape server; the fleet strip is compared with
// the same figures computed by a query on Postgres.
#include "app/hivewatch/Dashboard.h"
#include "models/hive/AlertModel.h"
#include "models/hive/FleetSummary.h"
#include "models/hive/HiveModels.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/NodeModel.h"
#include "models/hive/ShapeStatusModel.h"
#include "models/hive/StderrShareCounter.h"
#include "models/hive/TaskModel.h"
#include "models/logs/LogModel.h"
#include "sync/pg/PgConnection.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"
#include "ui/MainWindow.h"
#include "ui/hive/CapacityMeter.h"
#include "ui/hive/NodesPanel.h"
#include "ui/hive/OverviewPanel.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace hivewatch;

namespace {
const QString kOnline = QStringLiteral("00000000-0000-4000-8000-0000000ee001");
const QString kBusy = QStringLiteral("00000000-0000-4000-8000-0000000ee002");
const QString kOdd = QStringLiteral("00000000-0000-4000-8000-0000000ee003");
const QString kAssignment = QStringLiteral("00000000-0000-4000-8000-0000000ee101");
constexpr int kTimeout = 20000; // ms
// The test's heartbeat period and stale threshold: short, and the threshold above the period so
// a node that keeps beating never looks stale.
constexpr int kPeriodSeconds = 2;
constexpr int kThresholdSeconds = 4;

QString readSql(const QString &name)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
               + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}
} // namespace

class TestDashboardOverview : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<PgConnection> m_pg;
    ShapeServerProcess m_server;
    QTemporaryDir m_dir;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<Dashboard> m_dashboard;
    QTimer m_heartbeats;
    QStringList m_beating; // nodes whose heartbeat the timer keeps fresh

    void sql(const QString &statement)
    {
        auto result = m_pg->execScript(statement);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
    }
    QString scalar(const QString &query)
    {
        auto result = m_pg->exec(query);
        if (!result.ok())
            return QStringLiteral("error: ") + result.error().toString();
        return result.value().text(0, 0);
    }
    void beat()
    {
        if (m_beating.isEmpty())
            return;
        sql(QStringLiteral("UPDATE nodes SET last_heartbeat_at = now() WHERE id IN ('%1')")
                .arg(m_beating.join(QLatin1String("','"))));
    }
    // Lines of one output type for kAssignment, written into the hive's log table.
    void writeLines(const char *outputType, int count)
    {
        sql(QStringLiteral(
                "INSERT INTO node_task_output_logs (assignment_id, output_type, content) "
                "SELECT '%1', '%2', '%2 line ' || g FROM generate_series(1, %3) g")
                .arg(kAssignment, QLatin1String(outputType))
                .arg(count));
    }
    StderrTally tallyOfAssignment() const
    {
        return m_dashboard->stderrCounter()->tallies().value(kAssignment);
    }
    HiveModels *models() const { return m_dashboard->models(); }
    OverviewPanel *overview() const { return m_dashboard->overviewPanel(); }

    // What the Overview shows, in one line.
    QString shownFleet() const
    {
        QStringList parts;
        for (const char *bucket : {"online", "busy", "draining", "stale", "offline"})
            parts.append(QStringLiteral("%1=%2")
                             .arg(QLatin1String(bucket))
                             .arg(overview()->shownNodeCount(QLatin1String(bucket))));
        parts.append(QStringLiteral("capacity=") + overview()->capacityText());
        parts.append(QStringLiteral("meter=%1/%2")
                         .arg(overview()->capacityMeter()->used())
                         .arg(overview()->capacityMeter()->total()));
        parts.append(QStringLiteral("tasks=") + overview()->tasksText());
        parts.append(QStringLiteral("stranded=") + overview()->staleAssignmentsLink()->text());
        return parts.join(QLatin1Char('|'));
    }

    // The same from Postgres, for a stale threshold of `threshold` seconds. Only nodes have
    // status and last_heartbeat_at, so the conditions need no table prefix in the joins.
    QString queriedFleet(int threshold)
    {
        const QString stale
            = QStringLiteral("(status IN ('online','busy') AND (last_heartbeat_at IS NULL OR "
                             "now() - last_heartbeat_at > make_interval(secs => %1)))")
                  .arg(threshold);
        QStringList parts;
        for (const char *bucket : {"online", "busy", "draining"})
            parts.append(
                QStringLiteral("%1=%2").arg(QLatin1String(bucket),
                                            scalar(QStringLiteral("SELECT count(*) FROM nodes "
                                                                  "WHERE status = '%1' AND NOT %2")
                                                       .arg(QLatin1String(bucket), stale))));
        parts.append(QStringLiteral("stale=")
                     + scalar(QStringLiteral("SELECT count(*) FROM nodes WHERE %1").arg(stale)));
        parts.append(
            QStringLiteral("offline=")
            + scalar(QStringLiteral("SELECT count(*) FROM nodes WHERE status = 'offline'")));
        const QString working
            = QStringLiteral("status IN ('online','busy','draining') AND NOT %1").arg(stale);
        // max_concurrent_tasks: missing counts as the hive's default 1, anything but a positive
        // whole number as nothing.
        const QString total = scalar(
            QStringLiteral(
                "SELECT coalesce(sum(CASE WHEN NOT capabilities ? 'max_concurrent_tasks' OR "
                "jsonb_typeof(capabilities->'max_concurrent_tasks') = 'null' THEN 1 "
                "WHEN jsonb_typeof(capabilities->'max_concurrent_tasks') = 'number' AND "
                "(capabilities->>'max_concurrent_tasks')::numeric >= 1 AND "
                "(capabilities->>'max_concurrent_tasks')::numeric % 1 = 0 "
                "THEN (capabilities->>'max_concurrent_tasks')::int ELSE 0 END), 0) "
                "FROM nodes WHERE %1")
                .arg(working));
        const QString used
            = scalar(QStringLiteral("SELECT count(*) FROM node_task_assignments a JOIN nodes n ON "
                                    "n.id = a.node_id WHERE a.completed_at IS NULL AND %1")
                         .arg(working));
        parts.append(QStringLiteral("capacity=%1 of %2 slots in use").arg(used, total));
        parts.append(QStringLiteral("meter=%1/%2").arg(used, total));
        QStringList tasks;
        for (const auto &[status, label] :
             {std::pair {"todo", "To do"}, std::pair {"in-progress", "In progress"},
              std::pair {"in-review", "In review"}, std::pair {"done", "Done"},
              std::pair {"cancelled", "Cancelled"}})
            tasks.append(QStringLiteral("%1 %2").arg(
                QLatin1String(label),
                scalar(QStringLiteral("SELECT count(*) FROM shared_tasks WHERE status = '%1' AND "
                                      "deleted_at IS NULL")
                           .arg(QLatin1String(status)))));
        parts.append(QStringLiteral("tasks=") + tasks.join(QStringLiteral(" · ")));
        const int stranded
            = scalar(QStringLiteral("SELECT count(*) FROM node_task_assignments a JOIN nodes n ON "
                                    "n.id = a.node_id WHERE a.completed_at IS NULL AND %1")
                         .arg(stale))
                  .toInt();
        parts.append(QStringLiteral("stranded=")
                     + (stranded == 0
                            ? QStringLiteral("No assignments on stale nodes")
                            : QStringLiteral("<a href=\"stale\" style=\"color:#b00020\">%1 "
                                             "assignment(s) on stale nodes</a>")
                                  .arg(stranded)));
        return parts.join(QLatin1Char('|'));
    }

private slots:
    void initTestCase()
    {
        qputenv("TZ", "UTC");
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
        m_db = std::make_unique<TestDatabase>(QStringLiteral("dashboard_overview"));
        QVERIFY2(m_db->isValid(), qPrintable(m_db->error()));
        auto pg = PgConnection::connect(m_db->conninfo());
        QVERIFY2(pg.ok(), qPrintable(pg.ok() ? QString() : pg.error().toString()));
        m_pg = std::move(pg.value());
        for (const char *file : {"hive_schema.sql", "electric_setup.sql", "hive_seed.sql"}) {
            const QString script = readSql(QLatin1String(file));
            QVERIFY2(!script.isEmpty(), file);
            sql(script);
        }
        // Seeded heartbeats are a year old: the seed's online and busy nodes are stale.
        sql(QStringLiteral("SELECT hive_seed(1, 2, 20, 10, 12, 0, 0)"));
        // Three nodes that keep beating: one with two slots, one that reports no
        // max_concurrent_tasks (the hive's default 1), one whose value is not a number.
        sql(QStringLiteral(
                "INSERT INTO nodes (id, organization_id, name, machine_id, status, capabilities, "
                "last_heartbeat_at) SELECT v.id::uuid, o.id, v.name, v.machine, "
                "v.status::node_status, "
                "v.caps::jsonb, now() FROM organizations o, (VALUES "
                "('%1', 'ov-online', 'm-ov-1', 'online', '{\"max_concurrent_tasks\":2}'), "
                "('%2', 'ov-busy', 'm-ov-2', 'busy', '{\"executors\":[\"CODEX\"]}'), "
                "('%3', 'ov-odd', 'm-ov-3', 'online', '{\"max_concurrent_tasks\":\"two\"}')) "
                "AS v(id, name, machine, status, caps) LIMIT 3")
                .arg(kOnline, kBusy, kOdd));
        sql(QStringLiteral(
                "INSERT INTO node_task_assignments (id, task_id, node_id, node_project_id, "
                "execution_status, started_at) SELECT '%1', t.id, '%2', np.id, 'running', now() "
                "FROM shared_tasks t, node_projects np WHERE t.deleted_at IS NULL AND "
                "t.status IN ('todo', 'in-progress', 'in-review') AND NOT EXISTS (SELECT 1 FROM "
                "node_task_assignments a WHERE a.task_id = t.id AND a.completed_at IS NULL) "
                "ORDER BY t.id LIMIT 1")
                .arg(kAssignment, kOnline));
        m_beating = {kOnline, kBusy, kOdd};
        m_heartbeats.setInterval(kPeriodSeconds * 1000);
        connect(&m_heartbeats, &QTimer::timeout, this, &TestDashboardOverview::beat);
        m_heartbeats.start();

        QString error;
        QVERIFY2(m_server.start(m_db->conninfo(),
                                {QStringLiteral("--long-poll-ms"), QStringLiteral("2000")}, &error),
                 qPrintable(error));
        m_window = std::make_unique<MainWindow>();
        m_dashboard = std::make_unique<Dashboard>(m_window.get(), m_dir.filePath("store.sqlite"));
        new QAbstractItemModelTester(m_dashboard->alerts(),
                                     QAbstractItemModelTester::FailureReportingMode::QtTest,
                                     m_dashboard->alerts());
        m_window->resize(1280, 800);
        m_window->show();
        ConnectionSettings connection;
        connection.mode = ConnectionSettings::Mode::Electric;
        connection.url = m_server.shapeUrl();
        connection.shapes = ConnectionSettings::availableShapes();
        m_dashboard->connectTo(connection);
        QTRY_COMPARE_WITH_TIMEOUT(models()->shapeStatuses()->summary(),
                                  QStringLiteral("7 of 7 shapes live"), kTimeout);
    }

    void overviewIsTheFirstTab()
    {
        QCOMPARE(m_window->tabs()->tabText(0), QStringLiteral("Overview"));
        QCOMPARE(m_window->tabs()->widget(0), overview());
    }

    void fleetStripEqualsAQueryOnPostgres()
    {
        QCOMPARE(overview()->staleThresholdBox()->value(), 60); // the default
        QTRY_COMPARE_WITH_TIMEOUT(models()->nodes()->rowCount(), 13, kTimeout);
        const QString expected = queriedFleet(60);
        QVERIFY2(!expected.contains(QLatin1String("error")), qPrintable(expected));
        QTRY_COMPARE_WITH_TIMEOUT(shownFleet(), expected, kTimeout);
        // The figures the strip is built from also say what they could not count.
        const FleetSummary::Counts &counts = m_dashboard->fleetSummary()->counts();
        QVERIFY(counts.capacityInvalid.contains(QStringLiteral("ov-odd")));
        QVERIFY(counts.capacityAssumed >= 1); // ov-busy
        QVERIFY(counts.stale > 0); // the seed's old heartbeats
    }

    void staleNodeHoldingWorkRaisesAnAlertAndClearsWhenHeartbeatsResume()
    {
        AlertModel *alerts = m_dashboard->alerts();
        using Rule = MonitorSettings::Rule;
        // The operator lowers the threshold on the Overview: it is saved and used by the models.
        overview()->staleThresholdBox()->setValue(kThresholdSeconds);
        QCOMPARE(models()->nodes()->staleAfterSeconds(), kThresholdSeconds);
        QCOMPARE(QSettings().value("monitor/staleAfterSeconds").toInt(), kThresholdSeconds);
        // The node may still be on its way when this test runs alone.
        QTRY_VERIFY_WITH_TIMEOUT(models()->nodes()->rowForId(kOnline) >= 0, kTimeout);
        const QModelIndex online
            = models()->nodes()->index(models()->nodes()->rowForId(kOnline), NodeModel::Status);
        // Beating every period, the node never crosses the threshold.
        QTRY_VERIFY_WITH_TIMEOUT(alerts->rowOf(Rule::StaleNodeWithWork, kOnline) < 0, kTimeout);
        QTest::qWait((kThresholdSeconds + kPeriodSeconds) * 1000);
        QVERIFY(!online.data(HiveRoles::StaleRole).toBool());
        QCOMPARE(alerts->rowOf(Rule::StaleNodeWithWork, kOnline), -1);
        QTRY_COMPARE_WITH_TIMEOUT(shownFleet(), queriedFleet(kThresholdSeconds), kTimeout);

        // Its heartbeats stop (beats run on this thread, so none is in flight): the node goes
        // stale once its last heartbeat is older than the threshold, and the alert follows
        // within one heartbeat period, not before.
        m_beating.removeAll(kOnline);
        const qint64 lastBeat
            = scalar(QStringLiteral("SELECT (extract(epoch FROM last_heartbeat_at) * 1000)::int8 "
                                    "FROM nodes WHERE id = '%1'")
                         .arg(kOnline))
                  .toLongLong();
        QVERIFY(lastBeat > 0);
        QTRY_VERIFY_WITH_TIMEOUT(alerts->rowOf(Rule::StaleNodeWithWork, kOnline) >= 0, kTimeout);
        const qint64 raisedAfter = QDateTime::currentMSecsSinceEpoch() - lastBeat;
        QVERIFY2(
            raisedAfter > kThresholdSeconds * 1000
                && raisedAfter <= (kThresholdSeconds + kPeriodSeconds) * 1000,
            qPrintable(
                QStringLiteral("alert raised %1 ms after the last heartbeat").arg(raisedAfter)));
        const int row = alerts->rowOf(Rule::StaleNodeWithWork, kOnline);
        QVERIFY2(alerts->alert(row).text.startsWith(QLatin1String("ov-online: no heartbeat for")),
                 qPrintable(alerts->alert(row).text));
        QVERIFY(alerts->alert(row).text.contains(QLatin1String("1 active assignment")));
        QVERIFY(online.data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("%1 s").arg(kThresholdSeconds)));
        QTRY_COMPARE_WITH_TIMEOUT(shownFleet(), queriedFleet(kThresholdSeconds), kTimeout);
        QVERIFY(m_dashboard->fleetSummary()->staleAssignmentIds().contains(kAssignment));

        // The alert leads to the node it is about.
        m_window->showPanel(QStringLiteral("Overview"));
        QTableView *table = overview()->alertTable();
        emit table->activated(table->model()->index(row, AlertModel::Subject));
        QCOMPARE(m_window->tabs()->tabText(m_window->tabs()->currentIndex()),
                 QStringLiteral("Nodes"));
        QCOMPARE(m_dashboard->nodesPanel()->selectedNodeId(), kOnline);
        // "N assignments on stale nodes" leads to a stale node holding work.
        m_window->showPanel(QStringLiteral("Overview"));
        emit overview()->staleAssignmentsLink()->linkActivated(QStringLiteral("stale"));
        QCOMPARE(m_window->tabs()->tabText(m_window->tabs()->currentIndex()),
                 QStringLiteral("Nodes"));
        QVERIFY(m_dashboard->fleetSummary()->counts().staleNodeIdsWithWork.contains(
            m_dashboard->nodesPanel()->selectedNodeId()));
        // …in a list of exactly the stale nodes holding work, until the toggle is cleared.
        {
            NodesPanel *nodes = m_dashboard->nodesPanel();
            QVERIFY(nodes->strandedOnlyBox()->isChecked());
            const QAbstractItemModel *shown = nodes->nodeTable()->model();
            QStringList listed;
            for (int row = 0; row < shown->rowCount(); ++row)
                listed << shown->index(row, 0).data(HiveRoles::IdRole).toString();
            QStringList expected = m_dashboard->fleetSummary()->counts().staleNodeIdsWithWork;
            listed.sort();
            expected.sort();
            QCOMPARE(listed, expected);
            nodes->showStrandedOnly(false);
            QCOMPARE(shown->rowCount(), m_dashboard->models()->nodes()->rowCount());
        }

        // Heartbeats resume: the alert clears.
        m_beating.append(kOnline);
        beat();
        QTRY_COMPARE_WITH_TIMEOUT(alerts->rowOf(Rule::StaleNodeWithWork, kOnline), -1, kTimeout);
        QVERIFY(!online.data(HiveRoles::StaleRole).toBool());
    }

    void stderrShareOfTheRunningExecutionRaisesAndClearsAnAlert()
    {
        AlertModel *alerts = m_dashboard->alerts();
        using Rule = MonitorSettings::Rule;
        auto *share = overview()->findChild<QSpinBox *>(QStringLiteral("stderrShareThreshold"));
        auto *minimum = overview()->findChild<QSpinBox *>(QStringLiteral("stderrMinLines"));
        QVERIFY(share && minimum);
        QCOMPARE(share->value(), MonitorSettings::kDefaultStderrSharePercent);
        share->setValue(25);
        minimum->setValue(10);
        QCOMPARE(alerts->settings().stderrSharePercent, 25);
        QCOMPARE(QSettings().value("monitor/stderrMinLines").toInt(), 10);

        // Half of 8 lines on stderr: too few lines to mean anything.
        writeLines("stdout", 4);
        writeLines("stderr", 4);
        QTRY_COMPARE_WITH_TIMEOUT(tallyOfAssignment(), (StderrTally {8, 4}), kTimeout);
        alerts->evaluate();
        QCOMPARE(alerts->rowOf(Rule::StderrShare, kAssignment), -1);

        // 4 of 10: above 25 % with enough lines.
        writeLines("stdout", 2);
        QTRY_VERIFY_WITH_TIMEOUT(alerts->rowOf(Rule::StderrShare, kAssignment) >= 0, kTimeout);
        QCOMPARE(tallyOfAssignment(), (StderrTally {10, 4}));
        const int row = alerts->rowOf(Rule::StderrShare, kAssignment);
        QVERIFY2(alerts->alert(row).text.contains(QLatin1String("40 % of 10 lines on stderr")),
                 qPrintable(alerts->alert(row).text));
        // The alert leads to the execution's lines.
        m_window->showPanel(QStringLiteral("Overview"));
        QTableView *table = overview()->alertTable();
        emit table->activated(table->model()->index(row, AlertModel::Subject));
        QCOMPARE(m_window->tabs()->tabText(m_window->tabs()->currentIndex()),
                 QStringLiteral("Logs"));
        QCOMPARE(m_dashboard->logModel()->executionId(), QUuid::fromString(kAssignment));

        // 4 of 16 is exactly 25 %: not above, the alert clears.
        writeLines("stdout", 6);
        QTRY_COMPARE_WITH_TIMEOUT(alerts->rowOf(Rule::StderrShare, kAssignment), -1, kTimeout);
        QCOMPARE(tallyOfAssignment(), (StderrTally {16, 4}));

        // 6 of 18 again above; the next test ends the execution, which clears it.
        writeLines("stderr", 2);
        QTRY_VERIFY_WITH_TIMEOUT(alerts->rowOf(Rule::StderrShare, kAssignment) >= 0, kTimeout);
    }

    void failedAssignmentAndStuckTasksRaiseAlerts()
    {
        AlertModel *alerts = m_dashboard->alerts();
        using Rule = MonitorSettings::Rule;
        sql(QStringLiteral("UPDATE node_task_assignments SET execution_status = 'failed', "
                           "completed_at = now() WHERE id = '%1'")
                .arg(kAssignment));
        QTRY_VERIFY_WITH_TIMEOUT(alerts->rowOf(Rule::AssignmentFailed, kAssignment) >= 0, kTimeout);
        // Its execution is no longer running: its stderr share is history.
        QCOMPARE(alerts->rowOf(Rule::StderrShare, kAssignment), -1);
        // The seed's tasks in progress or in review last changed in 2025: stuck, per Postgres.
        const int stuck = scalar(QStringLiteral("SELECT count(*) FROM shared_tasks WHERE status IN "
                                                "('in-progress','in-review') AND deleted_at IS "
                                                "NULL AND updated_at < now() - interval "
                                                "'120 minutes'"))
                              .toInt();
        QVERIFY(stuck > 0);
        auto countStuck = [alerts] {
            int n = 0;
            for (int row = 0; row < alerts->rowCount(); ++row)
                n += alerts->alert(row).rule == MonitorSettings::Rule::TaskStuck;
            return n;
        };
        QTRY_COMPARE_WITH_TIMEOUT(countStuck(), stuck, kTimeout);
        // The task is assigned again: the failure was dealt with, the alert goes.
        sql(QStringLiteral(
                "INSERT INTO node_task_assignments (task_id, node_id, node_project_id, "
                "execution_status, assigned_at) SELECT task_id, node_id, node_project_id, "
                "'pending', now() + interval '1 second' FROM node_task_assignments WHERE id = '%1'")
                .arg(kAssignment));
        QTRY_COMPARE_WITH_TIMEOUT(alerts->rowOf(Rule::AssignmentFailed, kAssignment), -1, kTimeout);
    }

    void cleanupTestCase()
    {
        m_heartbeats.stop();
        m_dashboard.reset();
        m_window.reset();
        m_server.stop();
    }
};

QTEST_MAIN(TestDashboardOverview)
#include "tst_dashboard_overview.moc"
