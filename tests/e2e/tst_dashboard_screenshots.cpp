// Offscreen grabs of every dashboard panel with realistic seeded data, synced through the real
// test shape server. With HIVEWATCH_SCREENSHOT_DIR set the PNGs are written there (that is how
// docs/screenshots/ is made); otherwise into a temporary directory. Either way the test checks
// that each panel rendered with its data.
#include "app/hivewatch/Dashboard.h"
#include "app/hivewatch/DashboardCommands.h"
#include "app/hivewatch/Navigator.h"
#include "models/hive/AssignmentModel.h"
#include "models/hive/HistorySource.h"
#include "models/hive/HiveModels.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/NodeModel.h"
#include "models/hive/ProgressEventModel.h"
#include "models/hive/ShapeStatusModel.h"
#include "models/hive/TaskModel.h"
#include "sync/pg/PgConnection.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"
#include "ui/CommandPalette.h"
#include "ui/MainWindow.h"
#include "ui/hive/HistoryScrubber.h"
#include "ui/hive/NodesPanel.h"
#include "ui/hive/SyncStatusPanel.h"
#include "ui/hive/TaskDetailPane.h"
#include "ui/hive/TasksPanel.h"
#include "ui/hive/TrendCharts.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QLineEdit>
#include <QLineSeries>
#include <QPainter>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

namespace {
constexpr int kTimeout = 30000; // ms

QString readSql(const QString &name)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
               + name);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}
} // namespace

class TestDashboardScreenshots : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_outDir;

    void save(QWidget *widget, const QString &name)
    {
        widget->repaint();
        const QPixmap pixmap = widget->grab();
        QVERIFY(!pixmap.isNull());
        const QImage image = pixmap.toImage();
        // A rendered panel is not one flat colour.
        QVERIFY(image.pixel(5, 5) != image.pixel(image.width() / 2, image.height() / 3)
                || image.pixel(image.width() / 3, 40)
                    != image.pixel(image.width() / 2, image.height() / 2));
        QVERIFY(pixmap.save(QDir(m_outDir).filePath(name)));
    }

private slots:
    void grabsEveryPanelWithSeededData()
    {
        qputenv("TZ", "UTC");
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
        m_outDir = qEnvironmentVariable("HIVEWATCH_SCREENSHOT_DIR", m_dir.filePath("shots"));
        QDir().mkpath(m_outDir);

        TestDatabase db(QStringLiteral("dashboard_shots"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto pg = PgConnection::connect(db.conninfo());
        QVERIFY(pg.ok());
        for (const char *file : {"hive_schema.sql", "electric_setup.sql", "hive_seed.sql"}) {
            auto r = pg.value()->execScript(readSql(QLatin1String(file)));
            QVERIFY2(r.ok(), file);
        }
        // A small organization at work: fresh heartbeats except one silent node, one assignment
        // whose status the dashboard does not know.
        auto seeded = pg.value()->execScript(QStringLiteral(
            "SELECT hive_seed(2, 4, 48, 7, 36, 2000, 120);"
            "UPDATE nodes SET last_heartbeat_at = now() - (random() * 25 || ' seconds')::interval "
            "  WHERE status IN ('online', 'busy');"
            "UPDATE nodes SET last_heartbeat_at = now() - interval '3 minutes' "
            "  WHERE name = (SELECT min(name) FROM nodes WHERE status IN ('online', 'busy'));"
            "UPDATE node_task_assignments SET execution_status = 'paused' "
            "  WHERE id = (SELECT id FROM node_task_assignments WHERE completed_at IS NULL LIMIT "
            "1);"
            "UPDATE shared_tasks SET updated_at = now() - (random() * 3600 || ' "
            "seconds')::interval;"));
        QVERIFY2(seeded.ok(), qPrintable(seeded.ok() ? QString() : seeded.error().toString()));

        ShapeServerProcess server;
        QString error;
        QVERIFY2(server.start(db.conninfo(), {}, &error), qPrintable(error));

        MainWindow window;
        Dashboard dashboard(&window, m_dir.filePath("store.sqlite"));
        window.resize(1280, 800);
        window.show();
        ConnectionSettings connection;
        connection.url = server.shapeUrl();
        connection.shapes = ConnectionSettings::availableShapes();
        dashboard.connectTo(connection);
        HiveModels *models = dashboard.models();
        QTRY_COMPARE_WITH_TIMEOUT(models->shapeStatuses()->summary(),
                                  QStringLiteral("7 of 7 shapes live"), kTimeout);
        // Statuses change at once; batches reach the models on the next frame (BatchCoalescer).
        QTRY_COMPARE_WITH_TIMEOUT(models->tasks()->rowCount(), 48, kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(models->nodes()->rowCount() > 0
                                     && models->assignments()->rowCount() > 0
                                     && models->progressEvents()->rowCount() > 0,
                                 kTimeout);

        TasksPanel *tasks = dashboard.tasksPanel();
        window.showPanel(QStringLiteral("Tasks"));
        tasks->showTable();
        QTest::qWait(50);
        save(&window, QStringLiteral("main-window.png"));
        save(tasks, QStringLiteral("tasks-table.png"));
        tasks->showBoard();
        QTest::qWait(50);
        save(tasks, QStringLiteral("tasks-kanban.png"));

        // The detail of a task with assignments and events, opened as the operator opens it.
        models->assignments()->announceResolvedColumns();
        QString detailed;
        for (int row = 0; row < models->assignments()->rowCount() && detailed.isEmpty(); ++row) {
            const QString assignment
                = models->assignments()->field(row, AssignmentModel::FId).toString();
            for (int e = 0; e < models->progressEvents()->rowCount(); ++e) {
                if (models->progressEvents()->field(e, ProgressEventModel::FAssignmentId).toString()
                    == assignment) {
                    detailed
                        = models->assignments()->field(row, AssignmentModel::FTaskId).toString();
                    break;
                }
            }
        }
        QVERIFY(!detailed.isEmpty());
        dashboard.navigator()->openTask(detailed);
        QCOMPARE(window.tabs()->tabText(window.tabs()->currentIndex()), Navigator::taskPanel());
        QVERIFY(dashboard.taskDetailPane()->text().contains(QLatin1String("Open logs")));
        QTest::qWait(50);
        save(&window, QStringLiteral("task-detail.png"));

        window.showPanel(QStringLiteral("Nodes"));
        NodesPanel *nodes = dashboard.nodesPanel();
        // The busiest node, so the detail shows assignments and events.
        QString busiest;
        int most = -1;
        for (int row = 0; row < models->nodes()->rowCount(); ++row) {
            const int active
                = models->nodes()->index(row, NodeModel::ActiveAssignments).data().toInt();
            if (active > most) {
                most = active;
                busiest = models->nodes()->index(row, 0).data(HiveRoles::IdRole).toString();
            }
        }
        nodes->selectNode(busiest);
        QTRY_VERIFY_WITH_TIMEOUT(nodes->assignmentTable()->model()->rowCount() > 0, kTimeout);
        QTest::qWait(50);
        save(nodes, QStringLiteral("nodes.png"));

        // The command palette over the Tasks panel, narrowed by a word of a task's title.
        window.showPanel(QStringLiteral("Tasks"));
        tasks->showTable();
        const QString title = models->tasks()->index(0, TaskModel::Title).data().toString();
        const QString word = title.section(QLatin1Char(' '), -1).left(6);
        CommandPalette *palette = dashboard.commands()->palette();
        dashboard.commands()->openPalette();
        QVERIFY(palette->isVisible());
        QTest::keyClicks(palette->input(), word);
        QVERIFY2(!palette->shownTexts().isEmpty()
                     && palette->shownTexts().constFirst().contains(word, Qt::CaseInsensitive),
                 qPrintable(word + QStringLiteral(": ") + palette->shownTexts().join(", ")));
        QTest::qWait(50);
        {
            // The palette is its own (popup) window: drawn over the window as the user sees it.
            QPixmap shot = window.grab();
            QPainter painter(&shot);
            painter.drawPixmap((shot.width() - palette->width()) / 2, shot.height() / 6,
                               palette->grab());
            painter.end();
            QVERIFY(shot.save(QDir(m_outDir).filePath(QStringLiteral("command-palette.png"))));
        }
        QTest::keyClick(palette->input(), Qt::Key_Escape);

        SyncStatusPanel *sync = dashboard.syncStatusPanel();
        sync->resize(1000, 200);
        save(sync, QStringLiteral("sync-status.png"));

        // Issue 17's views need history: the hive moves for a few seconds (tasks start and
        // finish, nodes beat), recorded by the sync as it goes; then the charts, a node's
        // heartbeat chart and the scrubber are read from that history.
        for (int round = 0; round < 6; ++round) {
            auto moved = pg.value()->execScript(QStringLiteral(
                "UPDATE shared_tasks SET status = 'in-progress' WHERE id IN (SELECT id FROM "
                "  shared_tasks WHERE status = 'todo' ORDER BY id LIMIT 2);"
                "UPDATE shared_tasks SET status = 'done' WHERE id IN (SELECT id FROM "
                "  shared_tasks WHERE status = 'in-review' ORDER BY id LIMIT 1);"
                "UPDATE nodes SET last_heartbeat_at = now() WHERE status IN ('online', 'busy') "
                "  AND name <> (SELECT min(name) FROM nodes WHERE status IN ('online', 'busy'));"));
            QVERIFY2(moved.ok(), qPrintable(moved.ok() ? QString() : moved.error().toString()));
            QTest::qWait(700);
        }
        HistorySource *history = dashboard.historySource();
        history->refreshTrends();
        QTRY_VERIFY_WITH_TIMEOUT(!history->trends().heartbeatLag.isEmpty()
                                     && history->trends().error.isEmpty(),
                                 kTimeout);
        window.showPanel(Navigator::overviewPanel());
        QTRY_VERIFY_WITH_TIMEOUT(!dashboard.trendCharts()->seriesPoints("started").isEmpty(),
                                 kTimeout);
        QTest::qWait(50);
        save(&window, QStringLiteral("overview-charts.png"));
        window.showPanel(Dashboard::historyPanelTitle());
        QTRY_VERIFY_WITH_TIMEOUT(dashboard.historyScrubber()->changeLines().size() > 1, kTimeout);
        QTest::qWait(50);
        save(&window, QStringLiteral("history-changes.png"));

        window.showPanel(QStringLiteral("Nodes"));
        // A node that beat during the moves: its lag is seconds, not the seed's months.
        QString beating;
        for (int row = 0; row < models->nodes()->rowCount(); ++row) {
            const QString status = models->nodes()->index(row, NodeModel::Status).data().toString();
            if (!models->nodes()->isStale(row) && status.contains(QLatin1String("Busy"))) {
                nodes->selectNode(
                    models->nodes()->index(row, 0).data(HiveRoles::IdRole).toString());
                beating = models->nodes()->index(row, NodeModel::Name).data().toString();
                break;
            }
        }
        QTRY_VERIFY_WITH_TIMEOUT(!nodes->heartbeatSeries()->points().isEmpty(), kTimeout);
        QVERIFY(!beating.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(nodes->asOfControl()->stateText().contains(beating + " — "),
                                 kTimeout);
        QTest::qWait(50);
        save(nodes, QStringLiteral("node-heartbeat.png"));

        dashboard.navigator()->openTask(detailed);
        QTRY_VERIFY_WITH_TIMEOUT(
            dashboard.taskDetailPane()->asOfControl()->stateText().contains(QLatin1String("As of")),
            kTimeout);
        QTest::qWait(50);
        save(&window, QStringLiteral("task-scrubber.png"));
    }
};

QTEST_MAIN(TestDashboardScreenshots)
#include "tst_dashboard_screenshots.moc"
