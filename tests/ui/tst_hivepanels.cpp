#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/NodeModel.h"
#include "models/hive/ProgressEventModel.h"
#include "models/hive/ShapeStatusModel.h"
#include "models/hive/TaskModel.h"
#include "tests/models/BatchText.h"
#include "ui/MainWindow.h"
#include "ui/hive/ConnectionDialog.h"
#include "ui/hive/KanbanBoard.h"
#include "ui/hive/NodesPanel.h"
#include "ui/hive/ProfileStore.h"
#include "ui/hive/SyncStatusPanel.h"
#include "ui/hive/TasksPanel.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

class TestHivePanels : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_settingsDir;

    static QString task(const QString &id, const QString &title, const QString &status)
    {
        return QStringLiteral("+ %1 id=%1 title='%2' status=%3 updated_at='2025-12-25 10:00:00+00' "
                              "deleted_at=null\n")
            .arg(id, title, status);
    }

private slots:
    void initTestCase()
    {
        qputenv("TZ", "UTC");
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        QCoreApplication::setOrganizationName("HivewatchTest");
        QCoreApplication::setApplicationName("tst_hivepanels");
    }

    void tableAndBoardFollowLiveBatches()
    {
        TaskModel tasks;
        TasksPanel panel(&tasks);
        panel.resize(1000, 600);
        panel.show();
        BatchText text("shared_tasks");
        tasks.applyBatch(text.batch(task("t1", "Fix login", "todo")
                                    + task("t2", "Docs", "in-progress")
                                    + task("t3", "Release", "done")));
        QCOMPARE(panel.table()->model()->rowCount(), 3);
        KanbanBoard *board = panel.board();
        QCOMPARE(board->columnTitles("todo"), QStringList({"Fix login"}));
        QCOMPARE(board->columnHeader("in-progress"), QStringLiteral("In progress (1)"));
        QVERIFY(!board->isColumnVisible("?"));

        panel.showBoard();
        QVERIFY(panel.isShowingBoard());
        tasks.applyBatch(text.batch("~ t1 status=in-review\n" + task("t4", "Mystery", "blocked")));
        QCOMPARE(board->columnTitles("todo"), QStringList());
        QCOMPARE(board->columnTitles("in-review"), QStringList({"Fix login"}));
        QCOMPARE(board->columnTitles("?"), QStringList({"Mystery"}));
        QVERIFY(board->isColumnVisible("?"));
        QCOMPARE(board->columnHeader("?"), QStringLiteral("Unknown status (1)"));

        // Soft delete hides from table and board until "show deleted" is on.
        tasks.applyBatch(text.batch("~ t3 deleted_at='2025-12-26 08:00:00+00'\n"));
        QCOMPARE(panel.table()->model()->rowCount(), 3);
        QCOMPARE(board->columnTitles("done"), QStringList());
        panel.setShowHidden(true);
        QCOMPARE(panel.table()->model()->rowCount(), 4);
        // Done shows the last day only; the older one is behind "1 older".
        QCOMPARE(board->columnTitles("done"), QStringList());
        QCOMPARE(board->olderCount("done"), 1);
        QCOMPARE(board->columnHeader("done"), QStringLiteral("Done (0 of 1)"));
        QVERIFY(board->olderButton("done")->isVisibleTo(board));
        QCOMPARE(board->olderButton("done")->text(), QStringLiteral("1 older"));
        QTest::mouseClick(board->olderButton("done"), Qt::LeftButton);
        QCOMPARE(board->columnTitles("done"), QStringList({"Release"}));
        QCOMPARE(board->columnHeader("done"), QStringLiteral("Done (1)"));
        board->expandOlder("done");
        QCOMPARE(board->columnTitles("done"), QStringList());

        panel.showTable();
        QTest::keyClick(&panel, Qt::Key_F, Qt::ControlModifier);
        auto *search = panel.findChild<QLineEdit *>("taskSearch");
        QTest::keyClicks(search, "myst");
        QCOMPARE(panel.table()->model()->rowCount(), 1);
        QCOMPARE(panel.table()->model()->index(0, TaskModel::Status).data().toString(),
                 QStringLiteral("unknown: blocked"));
        QCOMPARE(board->columnTitles("?"), QStringList({"Mystery"}));
        QCOMPARE(board->columnTitles("in-review"), QStringList());
    }

    void nodeDetailShowsCapabilitiesAssignmentsAndEvents()
    {
        TaskModel tasks;
        NodeModel nodes;
        AssignmentModel assignments;
        ProgressEventModel events;
        assignments.setTaskModel(&tasks);
        assignments.setNodeModel(&nodes);
        nodes.setAssignmentModel(&assignments);
        events.setAssignmentModel(&assignments);
        QDateTime now = QDateTime::fromString("2025-12-25T10:01:00Z", Qt::ISODate);
        nodes.setClock([&now] { return now; });

        NodesPanel panel(&nodes, &assignments, &events);
        panel.resize(1100, 700);
        panel.show();
        BatchText taskText("shared_tasks"), nodeText("nodes"), assignmentText("a"), eventText("e");
        tasks.applyBatch(
            taskText.batch(task("t1", "Fix login", "in-progress") + task("t2", "Docs", "todo")));
        nodes.applyBatch(nodeText.batch(
            "+ n1 id=n1 name=alpha status=busy last_heartbeat_at='2025-12-25 10:00:40+00' "
            "capabilities={\"executors\":[\"CLAUDE_CODE\"],\"max_concurrent_tasks\":2,\"os\":"
            "\"linux\",\"arch\":\"x86_64\"}\n"
            "+ n2 id=n2 name=beta status=online last_heartbeat_at='2025-12-25 10:00:50+00'\n"));
        assignments.applyBatch(
            assignmentText.batch("+ a1 id=a1 task_id=t1 node_id=n1 execution_status=running "
                                 "assigned_at='2025-12-25 10:00:00+00' completed_at=null\n"
                                 "+ a2 id=a2 task_id=t2 node_id=n2 execution_status=pending "
                                 "assigned_at='2025-12-25 10:00:05+00' completed_at=null\n"));
        events.applyBatch(
            eventText.batch("+ e1 id=#1 assignment_id=a1 event_type=agentstarted "
                            "message='Starting' timestamp='2025-12-25 10:00:10+00'\n"
                            "+ e2 id=#2 assignment_id=a2 event_type=agentstarted message='Other "
                            "node' timestamp='2025-12-25 10:00:11+00'\n"));

        panel.selectNode("n1");
        QCOMPARE(panel.selectedNodeId(), QStringLiteral("n1"));
        QVERIFY(panel.detailText().contains("alpha"));
        QVERIFY(panel.detailText().contains(
            "executors: CLAUDE_CODE; max tasks: 2; os: linux; arch: x86_64"));
        QVERIFY(panel.detailText().contains("1 active assignment"));
        QCOMPARE(panel.assignmentTable()->model()->rowCount(), 1);
        QCOMPARE(
            panel.assignmentTable()->model()->index(0, AssignmentModel::Task).data().toString(),
            QStringLiteral("Fix login"));
        QCOMPARE(panel.eventTable()->model()->rowCount(), 1);
        QCOMPARE(
            panel.eventTable()->model()->index(0, ProgressEventModel::Message).data().toString(),
            QStringLiteral("Starting"));

        // A new event for the selected node's assignment appears live; the other node's does not.
        events.applyBatch(eventText.batch("+ e3 id=#3 assignment_id=a1 event_type=committed "
                                          "message='abc123' timestamp='2025-12-25 10:00:30+00'\n"));
        QCOMPARE(panel.eventTable()->model()->rowCount(), 2);
        QCOMPARE(
            panel.eventTable()->model()->index(0, ProgressEventModel::Message).data().toString(),
            QStringLiteral("abc123"));

        // The heartbeat goes stale: flagged in the list and the detail.
        now = now.addSecs(45); // alpha's last heartbeat is now 65 s old
        nodes.refreshClock();
        QVERIFY(panel.detailText().contains("Busy (stale)"));
        const QModelIndex alpha = panel.nodeTable()->currentIndex();
        QVERIFY(alpha.data(HiveRoles::StaleRole).toBool());

        panel.selectNode("n2");
        QCOMPARE(
            panel.eventTable()->model()->index(0, ProgressEventModel::Message).data().toString(),
            QStringLiteral("Other node"));
        nodes.applyBatch(nodeText.batch("- n2\n"));
        QVERIFY(panel.selectedNodeId() != QLatin1String("n2"));
        QVERIFY(!panel.detailText().contains("beta"));
    }

    void syncStatusShowsProgressErrorsAndRetryCountdown()
    {
        ShapeStatusModel statuses;
        QAbstractItemModelTester tester(&statuses,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QDateTime now = QDateTime::fromString("2025-12-25T10:00:00Z", Qt::ISODate);
        statuses.setClock([&now] { return now; });
        SyncStatusPanel panel(&statuses);
        panel.show();

        ShapeStatus tasks;
        tasks.shapeName = "shared_tasks";
        tasks.state = ShapeStatus::State::Syncing;
        tasks.rowCount = 1200;
        statuses.setStatus(tasks);
        ShapeStatus nodes;
        nodes.shapeName = "nodes";
        nodes.state = ShapeStatus::State::BackingOff;
        nodes.errorText = "nodes: connection refused by 127.0.0.1:3000";
        nodes.retryAt = now.addSecs(5);
        nodes.retryAttempt = 1;
        statuses.setStatus(nodes);
        auto cell = [&](int row, int column) {
            return statuses.index(row, column).data().toString();
        };
        QCOMPARE(cell(0, ShapeStatusModel::State),
                 QStringLiteral("Initial sync… 1,200 rows so far"));
        QCOMPARE(cell(0, ShapeStatusModel::LastSync), QStringLiteral("never"));
        QCOMPARE(cell(1, ShapeStatusModel::State), QStringLiteral("Retrying in 5 s (attempt 2)"));
        QCOMPARE(cell(1, ShapeStatusModel::Error), nodes.errorText);
        now = now.addSecs(3);
        statuses.refreshClock();
        QCOMPARE(cell(1, ShapeStatusModel::State), QStringLiteral("Retrying in 2 s (attempt 2)"));

        tasks.state = ShapeStatus::State::Live;
        tasks.rowCount = 1500;
        tasks.lastSyncedAt = now;
        statuses.setStatus(tasks);
        QCOMPARE(cell(0, ShapeStatusModel::State), QStringLiteral("Live, up to date"));
        QCOMPARE(cell(0, ShapeStatusModel::Rows), QStringLiteral("1,500"));
        QCOMPARE(cell(0, ShapeStatusModel::LastSync), QStringLiteral("2025-12-25 10:00:03"));
        QCOMPARE(statuses.summary(), QStringLiteral("1 of 2 shapes live · 1 with errors"));
        QCOMPARE(panel.table()->model()->rowCount(), 2);
    }

    void signInNeededAndNotServedStayOnTheirShape()
    {
        ShapeStatusModel statuses;
        SyncStatusPanel panel(&statuses);
        ShapeStatus tasks;
        tasks.shapeName = "shared_tasks";
        tasks.state = ShapeStatus::State::Failed;
        tasks.problem = ShapeStatus::Problem::SignInNeeded;
        tasks.errorText = "401 Unauthorized";
        statuses.setSourceName("shared_tasks", "hive proxy");
        statuses.setStatus(tasks);
        ShapeStatus logs;
        logs.shapeName = "node_task_output_logs";
        logs.state = ShapeStatus::State::Failed;
        logs.problem = ShapeStatus::Problem::NotServed;
        statuses.setSourceName("node_task_output_logs", "hive proxy");
        statuses.setStatus(logs);
        ShapeStatus nodes;
        nodes.shapeName = "nodes";
        nodes.state = ShapeStatus::State::Live;
        statuses.setStatus(nodes);

        auto cell = [&](int row, int column) {
            return statuses.index(row, column).data().toString();
        };
        QCOMPARE(cell(0, ShapeStatusModel::State), QStringLiteral("Sign-in needed"));
        QCOMPARE(cell(1, ShapeStatusModel::State), QStringLiteral("Not served by hive proxy"));
        QCOMPARE(cell(2, ShapeStatusModel::State), QStringLiteral("Live, up to date"));
        QVERIFY(statuses.index(0, ShapeStatusModel::State)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains("Double-click to enter a new token"));
        QCOMPARE(statuses.summary(),
                 QStringLiteral("1 of 3 shapes live · 1 needs sign-in · 1 not served"));
        QVERIFY(!statuses.hasErrors());
        // Neither row is painted as an error.
        const QColor failed(255, 190, 190);
        for (int row : {0, 1})
            QVERIFY(statuses.index(row, ShapeStatusModel::State)
                        .data(Qt::BackgroundRole)
                        .value<QBrush>()
                        .color()
                    != failed);

        // Double-clicking the shape that needs sign-in asks for a token; other rows do not.
        QStringList asked;
        connect(&panel, &SyncStatusPanel::signInRequested, this,
                [&](const QString &shape) { asked.append(shape); });
        emit panel.table()->doubleClicked(statuses.index(2, 0));
        emit panel.table()->doubleClicked(statuses.index(0, 1));
        QCOMPARE(asked, QStringList({"shared_tasks"}));

        // A real failure still counts as an error.
        nodes.state = ShapeStatus::State::Failed;
        nodes.problem = ShapeStatus::Problem::Other;
        statuses.setStatus(nodes);
        QVERIFY(statuses.hasErrors());
        QCOMPARE(statuses.summary(),
                 QStringLiteral("0 of 3 shapes live · 1 with errors · 1 needs sign-in · 1 not "
                                "served"));
    }

    void connectionDialogEditsSourcesAndNeverStoresTheSecret()
    {
        ConnectionProfile demo;
        demo.name = "Local demo hive";
        demo.demo = true;
        demo.sources.append(
            ProfileSource::make("Electric", QUrl("http://127.0.0.1:45999/v1/shape")));
        ConnectionDialog dialog({}, demo);
        dialog.show();
        // The demo's temporary URL is not offered for saving: a new profile is shown.
        QVERIFY(dialog.urlEdit()->text().isEmpty());
        QVERIFY(dialog.problem().contains("Name the profile"));
        QTest::keyClicks(dialog.nameEdit(), "work hive");
        QVERIFY(dialog.problem().contains("not an http or https URL"));
        QTest::keyClicks(dialog.urlEdit(), "ftp://example");
        QVERIFY(dialog.problem().contains("\"ftp://example\""));
        dialog.urlEdit()->clear();
        QTest::keyClicks(dialog.urlEdit(), "http://127.0.0.1:3000/v1/shape?source_id=abc");
        dialog.authBox()->setCurrentIndex(int(ProfileSource::Auth::Secret));
        QTest::keyClicks(dialog.secretEdit(), "electric-s3cret");
        QCOMPARE(dialog.problem(), QString());

        // A second source, the hive's proxy with a token, serves shared_tasks.
        QTest::mouseClick(dialog.addSourceButton(), Qt::LeftButton);
        dialog.sourceNameEdit()->clear();
        QTest::keyClicks(dialog.sourceNameEdit(), "hive proxy");
        QTest::keyClicks(dialog.urlEdit(), "https://hive.example/v1/shape");
        dialog.styleBox()->setCurrentIndex(1);
        dialog.authBox()->setCurrentIndex(int(ProfileSource::Auth::Token));
        QTest::keyClicks(dialog.secretEdit(), "t0ken-value");
        QCOMPARE(dialog.secretEdit()->echoMode(), QLineEdit::Password);
        dialog.tableSourceBox("shared_tasks")->setCurrentText("hive proxy");
        dialog.tableBox("node_task_output_logs")->setChecked(false);
        QCOMPARE(dialog.problem(), QString());

        const ConnectionProfile chosen = dialog.profile();
        QCOMPARE(chosen.name, QStringLiteral("work hive"));
        QVERIFY(!chosen.demo);
        QCOMPARE(chosen.sources.size(), 2);
        QCOMPARE(chosen.tables(),
                 QStringList({"projects", "node_projects", "shared_tasks", "nodes",
                              "node_task_assignments", "node_task_progress_events"}));
        const ShapeEndpoint tasks = chosen.sourceFor("shared_tasks")->endpointFor("shared_tasks");
        QCOMPARE(tasks.style, ShapeEndpoint::Style::Proxy);
        QCOMPARE(tasks.url, QUrl("https://hive.example/v1/shape/shared_tasks"));
        QCOMPARE(tasks.bearerToken, QStringLiteral("t0ken-value"));
        QCOMPARE(tasks.sourceName, QStringLiteral("hive proxy"));
        const ShapeEndpoint nodes = chosen.sourceFor("nodes")->endpointFor("nodes");
        QCOMPARE(nodes.style, ShapeEndpoint::Style::Electric);
        QCOMPARE(nodes.url, QUrl("http://127.0.0.1:3000/v1/shape?source_id=abc"));
        QCOMPARE(nodes.secret, QStringLiteral("electric-s3cret"));

        const QString file = m_settingsDir.filePath("profiles.ini");
        {
            QSettings settings(file, QSettings::IniFormat);
            QVERIFY(ProfileStore::save(settings, chosen));
            QVERIFY(!ProfileStore::save(settings, demo)); // the demo is never saved
        }
        QFile saved(file);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray contents = saved.readAll();
        QVERIFY(contents.contains("hive.example"));
        QVERIFY(!contents.contains("s3cret"));
        QVERIFY(!contents.contains("t0ken"));
        QVERIFY(!contents.contains("45999"));
        QSettings settings(file, QSettings::IniFormat);
        QCOMPARE(ProfileStore::names(settings), QStringList({"work hive"}));
        auto loaded = ProfileStore::load(settings, "work hive");
        QVERIFY(loaded);
        QVERIFY(loaded->sources.at(0).secret.isEmpty());
        loaded->sources[0].secret = chosen.sources.at(0).secret;
        loaded->sources[1].secret = chosen.sources.at(1).secret;
        QCOMPARE(*loaded, chosen);

        // Deleting a saved profile shows the next one; the caller removes it from the settings.
        ConnectionProfile other = chosen;
        other.name = "other hive";
        ConnectionDialog editing({chosen, other}, chosen);
        QCOMPARE(editing.profileBox()->currentText(), QStringLiteral("work hive"));
        QCOMPARE(editing.urlEdit()->text(),
                 QStringLiteral("http://127.0.0.1:3000/v1/shape?source_id=abc"));
        QTest::mouseClick(editing.deleteProfileButton(), Qt::LeftButton);
        QCOMPARE(editing.deletedProfiles(), QStringList({"work hive"}));
        QCOMPARE(editing.profileBox()->currentText(), QStringLiteral("other hive"));
        QCOMPARE(editing.nameEdit()->text(), QStringLiteral("other hive"));
        QTest::mouseClick(editing.deleteProfileButton(), Qt::LeftButton);
        QCOMPARE(editing.deletedProfiles(), QStringList({"work hive", "other hive"}));
        QVERIFY(editing.nameEdit()->text().isEmpty());
        QVERIFY(!editing.deleteProfileButton()->isEnabled());
    }

    void mainWindowRemembersLayoutAndSwitchesPanelsByKeyboard()
    {
        {
            MainWindow window;
            window.addPanel(new QLabel("one"), "One");
            window.addPanel(new QLabel("two"), "Two");
            QDockWidget *dock = window.addDock(new QLabel("sync"), "Sync", "syncDock");
            window.show();
            QVERIFY(QTest::qWaitForWindowActive(&window));
            QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
            QCOMPARE(window.tabs()->currentIndex(), 1);
            dock->hide();
            window.resize(900, 650);
            window.close(); // saves the layout
        }
        MainWindow again;
        again.addPanel(new QLabel("one"), "One");
        again.addPanel(new QLabel("two"), "Two");
        QDockWidget *dock = again.addDock(new QLabel("sync"), "Sync", "syncDock");
        again.restoreLayout();
        again.show();
        QVERIFY(QTest::qWaitForWindowActive(&again));
        QCOMPARE(again.tabs()->currentIndex(), 1);
        QVERIFY(dock->isHidden());
        QCOMPARE(again.size(), QSize(900, 650));
        QTest::keyClick(&again, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(again.tabs()->currentIndex(), 0);
    }
};

QTEST_MAIN(TestHivePanels)
#include "tst_hivepanels.moc"
