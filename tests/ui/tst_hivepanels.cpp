#include "AssignmentModel.h"
#include "BatchText.h"
#include "ConnectionDialog.h"
#include "HiveRoles.h"
#include "KanbanBoard.h"
#include "MainWindow.h"
#include "NodeModel.h"
#include "NodesPanel.h"
#include "ProgressEventModel.h"
#include "ShapeStatusModel.h"
#include "SyncStatusPanel.h"
#include "TaskModel.h"
#include "TasksPanel.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

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
        QCOMPARE(board->columnTitles("done"), QStringList({"Release"}));

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

    void connectionDialogValidatesInputAndNeverStoresTheSecret()
    {
        ConnectionSettings initial;
        initial.shapes = {"shared_tasks"};
        ConnectionDialog dialog(initial);
        dialog.show();
        QVERIFY(dialog.problem().contains("Enter the URL"));
        QTest::keyClicks(dialog.urlEdit(), "ftp://example");
        QVERIFY(dialog.problem().contains("not an http or https URL"));
        dialog.urlEdit()->clear();
        QTest::keyClicks(dialog.urlEdit(), "http://127.0.0.1:3000/v1/shape");
        QCOMPARE(dialog.problem(), QString());
        dialog.shapeBox("shared_tasks")->setChecked(false);
        QVERIFY(dialog.problem().contains("at least one shape"));
        dialog.shapeBox("nodes")->setChecked(true);
        dialog.proxyButton()->setChecked(true);
        QTest::keyClicks(dialog.secretEdit(), "s3cret-token-value");
        QCOMPARE(dialog.secretEdit()->echoMode(), QLineEdit::Password);

        const ConnectionSettings chosen = dialog.settings();
        QCOMPARE(chosen.mode, ConnectionSettings::Mode::Proxy);
        QCOMPARE(chosen.url, QUrl("http://127.0.0.1:3000/v1/shape"));
        QCOMPARE(chosen.shapes, QStringList({"nodes"}));
        QCOMPARE(chosen.secret, QStringLiteral("s3cret-token-value"));

        const QString file = m_settingsDir.filePath("connection.ini");
        {
            QSettings settings(file, QSettings::IniFormat);
            chosen.save(settings);
        }
        QFile saved(file);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray contents = saved.readAll();
        QVERIFY(contents.contains("127.0.0.1:3000"));
        QVERIFY(!contents.contains("s3cret"));
        QSettings settings(file, QSettings::IniFormat);
        ConnectionSettings loaded = ConnectionSettings::load(settings);
        QVERIFY(loaded.secret.isEmpty());
        loaded.secret = chosen.secret;
        QCOMPARE(loaded, chosen);
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
