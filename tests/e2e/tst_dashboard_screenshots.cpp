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
#include "sync/hive/HiveHistoryRecorder.h"
#include "sync/pg/PgConnection.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogStore.h"
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

#include <QAbstractButton>
#include <QDateTime>
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

// The charts read hours and days of recorded history, which a test cannot wait for. So the day
// before the first sync is written into the store's history as HiveHistoryRecorder lays it out:
// the real nodes' heartbeats every 30 s, as nodes send them (each node falling behind for 40
// minutes once, at its own hour; `nodeIds` lists the silent node first), and tasks created, started
// and done with their assignments running and finishing. The synced rows themselves come from
// Postgres as always; only these past changes are made up.
QString writePriorDay(const QString &storePath, const QStringList &nodeIds,
                      const QStringList &statuses, qint64 nowMs)
{
    if (auto store = LogStore::open(storePath, LogStore::Access::ReadWrite); !store)
        return store.error().toString();
    auto db = SqliteConnection::open(storePath, SqliteConnection::Mode::ReadWrite);
    if (!db)
        return db.error().toString();
    if (auto migrated = HiveHistoryRecorder::migrate(db.value()); !migrated)
        return migrated.error().toString();
    QStringList nodes;
    for (qsizetype i = 0; i < nodeIds.size(); ++i)
        nodes << QStringLiteral("(%1, '%2', '%3')").arg(i).arg(nodeIds[i], statuses[i]);
    const QString day = QString::number(24LL * 3600 * 1000);
    const QString start = QString::number(nowMs - 24LL * 3600 * 1000);
    const QString sql
        = QStringLiteral(R"(
        WITH RECURSIVE beat(m) AS (SELECT 0 UNION ALL SELECT m + 1 FROM beat WHERE m < 2876),
        node(n, id, status) AS (VALUES %1)
        INSERT INTO history (tbl, key, at_ms, op, origin, status, old, new, beat_ms)
        SELECT 'nodes', id, at, 2, 0, status,
               json_object('last_heartbeat_at', lag(beaten) OVER (PARTITION BY id ORDER BY at)),
               json_object('last_heartbeat_at', beaten), beat
        FROM (SELECT id, status, at, beat,
                     strftime('%Y-%m-%d %H:%M:%f+00', beat / 1000.0, 'unixepoch') AS beaten
              FROM (SELECT id, status, at,
                           at - CASE WHEN m BETWEEN 960 + n * 220 AND 1040 + n * 220
                                     THEN 500 + (m - 960 - n * 220) * 750
                                     ELSE 300 + abs(random() % 1500) END AS beat
                    FROM (SELECT n, id, status, m, %2 + m * 30000 + n * 4000 AS at
                          FROM node, beat)
                    -- The first node is the one silent now: its beats stop ten minutes before.
                    WHERE NOT (n = 0 AND m > 2856)));
        WITH RECURSIVE task(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM task WHERE i < 479),
        timed AS (
            -- Busier in the working hours of the day (a sine over the 24 hours).
            SELECT i, %2 + CAST(%3 * (i / 480.0 - 0.08 * sin(6.2832 * i / 480.0)) AS INTEGER)
                          + abs(random() % 600000) AS created,
                   600000 + abs(random() % 2400000) AS wait,
                   900000 + abs(random() % 4800000) AS work FROM task),
        changes(tbl, key, at, op, status) AS (
            SELECT 'shared_tasks', '0da70000-0000-4000-8000-' || substr('00000000000' || i, -12, 12), created, 1, 'todo'
            FROM timed
            UNION ALL SELECT 'shared_tasks', '0da70000-0000-4000-8000-' || substr('00000000000' || i, -12, 12),
                created + wait, 2, 'in-progress' FROM timed
            UNION ALL SELECT 'node_task_assignments', '0da7a000-0000-4000-8000-' || substr('00000000000' || i, -12, 12),
                created + wait, 1, 'running' FROM timed
            UNION ALL SELECT 'shared_tasks', '0da70000-0000-4000-8000-' || substr('00000000000' || i, -12, 12),
                created + wait + work, 2, 'done' FROM timed
            UNION ALL SELECT 'node_task_assignments', '0da7a000-0000-4000-8000-' || substr('00000000000' || i, -12, 12),
                created + wait + work, 2, CASE WHEN i % 23 = 5 THEN 'failed' ELSE 'completed' END
            FROM timed)
        INSERT INTO history (tbl, key, at_ms, op, origin, status, old, new)
        SELECT tbl, key, at, op, 0, status,
               CASE WHEN op = 2 THEN json_object('status', lag(status)
                                                 OVER (PARTITION BY key ORDER BY at)) END,
               json_object('status', status)
        FROM changes WHERE at < %4 ORDER BY at;)")
              .arg(nodes.join(QStringLiteral(", ")), start, day, QString::number(nowMs - 60000));
    if (auto filled = db->exec(sql.toStdString()); !filled)
        return db->lastError();
    return {};
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

        // The day before, with the seeded nodes that beat; and the seeded executions' log lines
        // spread over it (36 executions, one every 40 minutes, a line every 2 s).
        auto withBeats = pg.value()->exec(QStringLiteral(
            "SELECT id, status FROM nodes WHERE status IN ('online', 'busy', 'draining') "
            "ORDER BY last_heartbeat_at < now() - interval '1 minute' DESC, name"));
        QVERIFY(withBeats.ok());
        QStringList nodeIds;
        QStringList statuses;
        for (int row = 0; row < withBeats.value().rows(); ++row) {
            nodeIds << withBeats.value().text(row, 0);
            statuses << withBeats.value().text(row, 1);
        }
        QVERIFY(nodeIds.size() > 1);
        const QString priorDay = writePriorDay(m_dir.filePath("store.sqlite"), nodeIds, statuses,
                                               QDateTime::currentMSecsSinceEpoch());
        QVERIFY2(priorDay.isEmpty(), qPrintable(priorDay));
        auto spread = pg.value()->execScript(QStringLiteral(
            "UPDATE node_task_output_logs l SET \"timestamp\" = t, created_at = t "
            "FROM (SELECT id, now() - interval '23 hours' "
            "      + (dense_rank() OVER (ORDER BY assignment_id) - 1) * interval '38 minutes' "
            "      + (row_number() OVER (PARTITION BY assignment_id ORDER BY id)) "
            "        * interval '2 seconds' AS t FROM node_task_output_logs) s "
            "WHERE l.id = s.id;"));
        QVERIFY2(spread.ok(), qPrintable(spread.ok() ? QString() : spread.error().toString()));

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
        // The detailed task goes to review, back to work, and to review again, so the scrubber
        // has a past status to show.
        const QStringList detailedMoves
            = {QStringLiteral("in-review"), QString(), QStringLiteral("in-progress"), QString(),
               QStringLiteral("in-review"), QString()};
        const QDateTime movesFrom = QDateTime::currentDateTimeUtc().addSecs(-1);
        QDateTime backAtWork;
        for (int round = 0; round < 6; ++round) {
            auto moved = pg.value()->execScript(
                QStringLiteral(
                    "UPDATE shared_tasks SET status = 'in-progress' WHERE id IN (SELECT id FROM "
                    "  shared_tasks WHERE status = 'todo' ORDER BY id LIMIT 2);"
                    "UPDATE shared_tasks SET status = 'done' WHERE id IN (SELECT id FROM "
                    "  shared_tasks WHERE status = 'in-review' AND id <> '%1' ORDER BY id LIMIT 1);"
                    "UPDATE nodes SET last_heartbeat_at = now() WHERE status IN ('online', 'busy') "
                    "  AND name <> (SELECT min(name) FROM nodes WHERE status IN ('online', "
                    "'busy'));")
                    .arg(detailed)
                + (detailedMoves[round].isEmpty()
                       ? QString()
                       : QStringLiteral("UPDATE shared_tasks SET status = '%1' WHERE id = '%2';")
                             .arg(detailedMoves[round], detailed)));
            QVERIFY2(moved.ok(), qPrintable(moved.ok() ? QString() : moved.error().toString()));
            QTest::qWait(700);
            if (round == 3)
                backAtWork = QDateTime::currentDateTimeUtc();
        }
        HistorySource *history = dashboard.historySource();
        // The operator's "24 h": the prior day written above and the moves just made.
        QAbstractButton *day = nullptr;
        for (QAbstractButton *button : dashboard.trendCharts()->findChildren<QAbstractButton *>())
            day = button->text() == trendRangeName(TrendRange::Day) ? button : day;
        QVERIFY(day);
        day->click();
        QCOMPARE(history->range(), TrendRange::Day);
        history->refreshTrends();
        QTRY_VERIFY_WITH_TIMEOUT(!history->trends().heartbeatLag.isEmpty()
                                     && history->trends().error.isEmpty(),
                                 kTimeout);
        window.showPanel(Navigator::overviewPanel());
        QTRY_VERIFY_WITH_TIMEOUT(!dashboard.trendCharts()->seriesPoints("started").isEmpty(),
                                 kTimeout);
        // The day's ~480 starts are charted, not only the last minutes' moves.
        const auto started = [&] {
            qreal sum = 0;
            for (const QPointF &point : dashboard.trendCharts()->seriesPoints("started"))
                sum += point.y();
            return sum;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(started() >= 400, qPrintable(QString::number(started())),
                                  kTimeout);
        QTest::qWait(50);
        save(&window, QStringLiteral("overview-charts.png"));
        window.showPanel(Dashboard::historyPanelTitle());
        dashboard.historyScrubber()->setChangesRange(movesFrom, QDateTime::currentDateTimeUtc());
        // The moves just made, not the prior day's made-up changes.
        QTRY_VERIFY_WITH_TIMEOUT(
            dashboard.historyScrubber()->changeLines().size() > 1
                && !dashboard.historyScrubber()->changeLines().join(' ').contains("0da7"),
            kTimeout);
        QTest::qWait(50);
        save(&window, QStringLiteral("history-changes.png"));

        window.showPanel(QStringLiteral("Nodes"));
        // With no node selected the detail has no history to show (it showed placeholder times).
        nodes->selectNode(QString());
        QVERIFY(!nodes->asOfControl()->isVisible());
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
        QVERIFY(nodes->asOfControl()->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(nodes->asOfControl()->stateText().contains(beating + " — "),
                                 kTimeout);
        QTRY_VERIFY_WITH_TIMEOUT(!nodes->asOfControl()->changeLines().isEmpty(), kTimeout);
        QTest::qWait(50);
        save(nodes, QStringLiteral("node-heartbeat.png"));

        // As of the time the task was back at work, with its moves listed.
        dashboard.taskDetailPane()->showTask(QString());
        QVERIFY(
            !dashboard.taskDetailPane()->asOfControl()->isVisibleTo(dashboard.taskDetailPane()));
        dashboard.navigator()->openTask(detailed);
        HistoryScrubber *scrubber = dashboard.taskDetailPane()->asOfControl();
        QVERIFY(scrubber->isVisibleTo(dashboard.taskDetailPane()));
        QTRY_VERIFY_WITH_TIMEOUT(scrubber->stateText().contains(QLatin1String("As of")), kTimeout);
        scrubber->setChangesRange(movesFrom, QDateTime::currentDateTimeUtc());
        scrubber->setAsOf(backAtWork);
        QTRY_VERIFY_WITH_TIMEOUT(scrubber->stateText().contains(QLatin1String("in-progress")),
                                 kTimeout);
        QTRY_VERIFY2_WITH_TIMEOUT(scrubber->changeLines().size() >= 3,
                                  qPrintable(scrubber->changeLines().join(QLatin1Char('\n'))),
                                  kTimeout);
        QTest::qWait(50);
        save(&window, QStringLiteral("task-scrubber.png"));
    }
};

QTEST_MAIN(TestDashboardScreenshots)
#include "tst_dashboard_screenshots.moc"
