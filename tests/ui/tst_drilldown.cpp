// Drill-down through the real dashboard, offscreen: its models fed batches as the shape consumer
// delivers them, log lines in its real store. Task → detail → Open logs lands on the execution's
// lines; node → assignment → logs; back and forward like a browser; names everywhere.
#include "app/hivewatch/Dashboard.h"
#include "app/hivewatch/Navigator.h"
#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveModels.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/TaskModel.h"
#include "models/logs/ExecutionListProxy.h"
#include "models/logs/LogModel.h"
#include "sync/store/LogStore.h"
#include "tests/models/BatchText.h"
#include "ui/MainWindow.h"
#include "ui/NavigationHistory.h"
#include "ui/hive/KanbanBoard.h"
#include "ui/hive/NodesPanel.h"
#include "ui/hive/TaskCardDelegate.h"
#include "ui/hive/TaskDetailPane.h"
#include "ui/hive/TasksPanel.h"
#include "ui/logs/LogsPanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPushButton>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using namespace hivewatch;

namespace {
const QString kRunning = QStringLiteral("aaaaaaaa-0000-4000-8000-00000000000a");
const QString kEarlier = QStringLiteral("bbbbbbbb-0000-4000-8000-00000000000b");
constexpr int kTimeout = 5000;

QModelIndex rowOf(const QAbstractItemModel *model, const QString &id)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(HiveRoles::IdRole).toString() == id)
            return index;
    }
    return {};
}
} // namespace

class TestDrillDown : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qputenv("TZ", "UTC");
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        const QString store = m_dir->filePath(QStringLiteral("store.sqlite"));
        {
            auto writer = LogStore::open(store, LogStore::Access::ReadWrite);
            QVERIFY(writer);
            QList<NewLogEntry> lines;
            for (int i = 0; i < 30; ++i)
                lines.append({QUuid::fromString(kRunning),
                              QStringLiteral("stdout"),
                              QStringLiteral("running line %1\n").arg(i),
                              {},
                              {}});
            lines.append({QUuid::fromString(kEarlier),
                          QStringLiteral("stdout"),
                          QStringLiteral("earlier attempt\n"),
                          {},
                          {}});
            QVERIFY(writer.value()->append(lines).ok());
        }
        m_window = std::make_unique<MainWindow>();
        m_dashboard = std::make_unique<Dashboard>(m_window.get(), store);
        m_window->resize(1400, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));

        HiveModels *models = m_dashboard->models();
        BatchText projects(QStringLiteral("projects"));
        BatchText tasks(QStringLiteral("shared_tasks"));
        BatchText nodes(QStringLiteral("nodes"));
        BatchText assignments(QStringLiteral("node_task_assignments"));
        BatchText events(QStringLiteral("node_task_progress_events"));
        models->applyBatch(projects.batch("+ p1 id=p1 name='Hive dashboard'\n"));
        models->applyBatch(tasks.batch(
            "+ t1 id=t1 title='Fix login' status=in-progress project_id=p1 assignee_user_id=u1 "
            "description='The login form rejects valid users' updated_at='2025-12-25 10:00:00+00' "
            "created_at='2025-12-24 09:00:00+00' deleted_at=null archived_at=null\n"
            "+ t2 id=t2 title='Write docs' status=todo project_id=p1 "
            "updated_at='2025-12-25 09:00:00+00' deleted_at=null archived_at=null\n"));
        models->applyBatch(nodes.batch("+ n1 id=n1 name=alpha status=busy\n"));
        models->applyBatch(assignments.batch(
            QStringLiteral("+ %1 id=%1 task_id=t1 node_id=n1 execution_status=running "
                           "assigned_at='2025-12-25 10:00:00+00' started_at='2025-12-25 "
                           "10:00:05+00' completed_at=null\n"
                           "+ %2 id=%2 task_id=t1 node_id=n1 execution_status=failed "
                           "assigned_at='2025-12-25 08:00:00+00' started_at='2025-12-25 "
                           "08:00:05+00' completed_at='2025-12-25 08:10:00+00'\n")
                .arg(kRunning, kEarlier)));
        models->applyBatch(events.batch(
            QStringLiteral("+ e1 id=e1 assignment_id=%1 event_type=pullrequestcreated "
                           "message='PR opened' timestamp='2025-12-25 10:20:00+00' "
                           "metadata={\"pr_url\":\"https://git.example.test/pr/7\",\"branch\":"
                           "\"vk/fix-login\"}\n")
                .arg(kRunning)));
        models->assignments()->announceResolvedColumns();
    }

    void cleanup()
    {
        m_dashboard.reset();
        m_window.reset();
    }

    void taskDetailOpenLogsLandsOnTheExecutionsLines()
    {
        QAbstractItemModelTester tester(m_dashboard->logsPanel()->executionProxy(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        TasksPanel *tasks = m_dashboard->tasksPanel();
        m_window->showPanel(Navigator::tasksPanel());
        // Names in the table: the project and the node running the task, not uuid prefixes.
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(tasks->table()->model(), "t1").isValid(), kTimeout);
        const QModelIndex t1 = rowOf(tasks->table()->model(), "t1");
        QTRY_COMPARE_WITH_TIMEOUT(t1.siblingAtColumn(TaskModel::Project).data().toString(),
                                  QStringLiteral("Hive dashboard"), kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(t1.siblingAtColumn(TaskModel::RunningOn).data().toString(),
                                  QStringLiteral("alpha"), kTimeout);

        tasks->table()->setFocus();
        tasks->table()->setCurrentIndex(t1);
        QTest::keyClick(tasks->table(), Qt::Key_Return);
        QCOMPARE(currentPanel(), Navigator::taskPanel());
        TaskDetailPane *detail = m_dashboard->taskDetailPane();
        QCOMPARE(detail->taskId(), QStringLiteral("t1"));
        const QString text = detail->text();
        for (const char *expected : {"Fix login", "The login form rejects valid users",
                                     "Hive dashboard", "running on alpha", "Running", "Failed",
                                     "PR opened", "PR", "vk/fix-login", "created"})
            QVERIFY2(text.contains(QLatin1String(expected)), qPrintable(expected + ("\n" + text)));
        QVERIFY2(!text.contains(kRunning.left(8)), qPrintable(text));
        QVERIFY(
            detail->browser()->toHtml().contains(QLatin1String("https://git.example.test/pr/7")));

        QTest::mouseClick(detail->openLogsButton(), Qt::LeftButton);
        QCOMPARE(currentPanel(), Navigator::logsPanel());
        LogModel *lines = m_dashboard->logsPanel()->model();
        QCOMPARE(lines->executionId(), QUuid::fromString(kRunning));
        QTRY_COMPARE_WITH_TIMEOUT(lines->rowCount(), 30, kTimeout);
        QCOMPARE(lines->entry(29).content, QStringLiteral("running line 29\n"));
        // The execution list names it too, running and pinned on top.
        const QAbstractItemModel *list = m_dashboard->logsPanel()->executionsView()->model();
        QTRY_COMPARE_WITH_TIMEOUT(list->rowCount(), 2, kTimeout);
        QVERIFY2(list->index(0, 0).data().toString().startsWith(
                     QStringLiteral("Fix login · alpha · Running")),
                 qPrintable(list->index(0, 0).data().toString()));

        // Back and forward like a browser: Alt+Left, Alt+Right, and Esc back.
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Left, Qt::AltModifier);
        QCOMPARE(currentPanel(), Navigator::taskPanel());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Right, Qt::AltModifier);
        QCOMPARE(currentPanel(), Navigator::logsPanel());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QCOMPARE(currentPanel(), Navigator::taskPanel());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QCOMPARE(currentPanel(), Navigator::tasksPanel());

        // A node name in the detail selects the node.
        detail->activateLink(QUrl(QStringLiteral("hivewatch:node/n1")));
        QCOMPARE(currentPanel(), Navigator::nodesPanel());
        QCOMPARE(m_dashboard->nodesPanel()->selectedNodeId(), QStringLiteral("n1"));
    }

    void boardCardOpensTheDetail()
    {
        TasksPanel *tasks = m_dashboard->tasksPanel();
        m_window->showPanel(Navigator::tasksPanel());
        tasks->showBoard();
        QListView *column = tasks->board()->columnView(QStringLiteral("in-progress"));
        QVERIFY(column);
        QTRY_COMPARE_WITH_TIMEOUT(column->model()->rowCount(), 1, kTimeout);
        // The card names the project and the node running the task, and shows its age.
        const QString line
            = tasks->board()->cardDelegate()->detailLine(column->model()->index(0, 0));
        QVERIFY2(line.startsWith(QStringLiteral("Hive dashboard · ▶ alpha · ")), qPrintable(line));
        QVERIFY(TaskCardDelegate::statusColour(QStringLiteral("in-progress"))
                != TaskCardDelegate::statusColour(QStringLiteral("done")));
        // Chips: only tasks running on alpha; then only another project's tasks.
        KanbanBoard *board = tasks->board();
        QTRY_COMPARE_WITH_TIMEOUT(board->columnHeader(QStringLiteral("todo")),
                                  QStringLiteral("To do (1)"), kTimeout);
        board->setNodeFilter({QStringLiteral("n1")});
        QCOMPARE(board->columnTitles(QStringLiteral("in-progress")), QStringList({"Fix login"}));
        QCOMPARE(board->columnTitles(QStringLiteral("todo")), QStringList());
        QCOMPARE(board->columnHeader(QStringLiteral("todo")), QStringLiteral("To do (0 of 1)"));
        board->setNodeFilter({});
        board->setProjectFilter({QStringLiteral("p2")});
        QCOMPARE(board->columnTitles(QStringLiteral("in-progress")), QStringList());
        board->setProjectFilter({});
        QCOMPARE(board->columnTitles(QStringLiteral("todo")), QStringList({"Write docs"}));
        board->setStatusShown(QStringLiteral("todo"), false);
        QVERIFY(!board->isColumnVisible(QStringLiteral("todo")));
        board->setStatusShown(QStringLiteral("todo"), true);

        column->setFocus();
        column->setCurrentIndex(column->model()->index(0, 0));
        QTest::keyClick(column, Qt::Key_Return);
        QCOMPARE(currentPanel(), Navigator::taskPanel());
        QCOMPARE(m_dashboard->taskDetailPane()->taskId(), QStringLiteral("t1"));
    }

    void nodeAssignmentOpensItsLogs()
    {
        NodesPanel *nodes = m_dashboard->nodesPanel();
        m_window->showPanel(Navigator::nodesPanel());
        nodes->selectNode(QStringLiteral("n1"));
        QTableView *assignments = nodes->assignmentTable();
        QTRY_COMPARE_WITH_TIMEOUT(assignments->model()->rowCount(), 2, kTimeout);
        const QModelIndex earlier = rowOf(assignments->model(), kEarlier);
        QVERIFY(earlier.isValid());
        assignments->setFocus();
        assignments->setCurrentIndex(earlier);
        QTest::keyClick(assignments, Qt::Key_Return);
        QCOMPARE(currentPanel(), Navigator::logsPanel());
        LogModel *lines = m_dashboard->logsPanel()->model();
        QCOMPARE(lines->executionId(), QUuid::fromString(kEarlier));
        QTRY_COMPARE_WITH_TIMEOUT(lines->rowCount(), 1, kTimeout);
        QCOMPARE(lines->entry(0).content, QStringLiteral("earlier attempt\n"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Left, Qt::AltModifier);
        QCOMPARE(currentPanel(), Navigator::nodesPanel());

        // A progress event opens its task.
        QTableView *events = nodes->eventTable();
        QTRY_COMPARE_WITH_TIMEOUT(events->model()->rowCount(), 1, kTimeout);
        events->setFocus();
        events->setCurrentIndex(events->model()->index(0, 0));
        QTest::keyClick(events, Qt::Key_Return);
        QCOMPARE(currentPanel(), Navigator::taskPanel());
        QCOMPARE(m_dashboard->taskDetailPane()->taskId(), QStringLiteral("t1"));
    }

    void theCounterSaysHowManyTheFilterShows()
    {
        TasksPanel *tasks = m_dashboard->tasksPanel();
        auto *counter = tasks->findChild<QLabel *>(QStringLiteral("taskCounter"));
        QVERIFY(counter);
        QTRY_COMPARE_WITH_TIMEOUT(counter->text(), QStringLiteral("2 task(s)"), kTimeout);
        tasks->setSearchText(QStringLiteral("login"));
        QTRY_COMPARE_WITH_TIMEOUT(counter->text(), QStringLiteral("1 of 2 task(s)"), kTimeout);
        tasks->setSearchText({});
        QTRY_COMPARE_WITH_TIMEOUT(counter->text(), QStringLiteral("2 task(s)"), kTimeout);
    }

private:
    QString currentPanel() const
    {
        return m_window->tabs()->tabText(m_window->tabs()->currentIndex());
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<Dashboard> m_dashboard;
};

QTEST_MAIN(TestDrillDown)
#include "tst_drilldown.moc"
