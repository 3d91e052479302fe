#include "app/hivewatch/Navigator.h"

#include "models/hive/AlertModel.h"
#include "models/hive/AssignmentModel.h"
#include "models/hive/FleetSummary.h"
#include "models/hive/HiveModels.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/ProgressEventModel.h"
#include "models/logs/LogModel.h"
#include "ui/MainWindow.h"
#include "ui/hive/KanbanBoard.h"
#include "ui/hive/NodesPanel.h"
#include "ui/hive/TaskDetailPane.h"
#include "ui/hive/TasksPanel.h"
#include "ui/logs/LogsPanel.h"

#include <QAction>
#include <QListView>
#include <QShortcut>
#include <QTabWidget>
#include <QTableView>

namespace hivewatch {

Navigator::Navigator(MainWindow *window, HiveModels *models, TasksPanel *tasks, NodesPanel *nodes,
                     LogsPanel *logs, TaskDetailPane *detail, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_models(models)
    , m_tasks(tasks)
    , m_nodes(nodes)
    , m_logs(logs)
    , m_detail(detail)
    , m_history(new NavigationHistory(this))
{
    // Tasks: the table and every board column.
    const auto taskOf = [](QAbstractItemView *view) {
        return view->currentIndex().data(HiveRoles::IdRole).toString();
    };
    connect(tasks->table(), &QTableView::activated, this, [this](const QModelIndex &index) {
        openTask(index.data(HiveRoles::IdRole).toString());
    });
    connect(tasks->board(), &KanbanBoard::taskActivated, this, &Navigator::openTask);
    auto taskActions = [this, taskOf](QAbstractItemView *view) {
        auto *details = new QAction(tr("Open details\tEnter"), view);
        connect(details, &QAction::triggered, this, [this, view, taskOf] {
            if (!taskOf(view).isEmpty())
                openTask(taskOf(view));
        });
        auto *logsAction = new QAction(tr("Open logs"), view);
        connect(logsAction, &QAction::triggered, this, [this, view, taskOf] {
            const QString task = taskOf(view);
            QString assignment = m_models->assignments()->activeAssignmentForTask(task);
            if (assignment.isEmpty())
                assignment = m_models->assignments()->assignmentIdsForTask(task).value(0);
            if (!assignment.isEmpty())
                openLogs(QUuid::fromString(assignment));
        });
        addActions(view, {details, logsAction});
    };
    taskActions(tasks->table());
    for (QListView *view : tasks->board()->findChildren<QListView *>())
        taskActions(view);

    // Nodes: an assignment opens its execution's lines, an event its task.
    connect(nodes->assignmentTable(), &QTableView::activated, this,
            [this](const QModelIndex &index) {
                openLogs(QUuid::fromString(index.data(HiveRoles::IdRole).toString()));
            });
    connect(nodes->eventTable(), &QTableView::activated, this, [this](const QModelIndex &index) {
        openAssignmentTask(index.data(HiveRoles::ForeignIdRole).toString());
    });
    {
        QTableView *view = nodes->assignmentTable();
        auto *logsAction = new QAction(tr("Open logs\tEnter"), view);
        connect(logsAction, &QAction::triggered, this, [this, view] {
            const QString id = view->currentIndex().data(HiveRoles::IdRole).toString();
            if (!id.isEmpty())
                openLogs(QUuid::fromString(id));
        });
        auto *taskAction = new QAction(tr("Open task"), view);
        connect(taskAction, &QAction::triggered, this, [this, view] {
            openAssignmentTask(view->currentIndex().data(HiveRoles::IdRole).toString());
        });
        addActions(view, {logsAction, taskAction});
    }
    {
        QTableView *view = nodes->eventTable();
        auto *taskAction = new QAction(tr("Open task\tEnter"), view);
        connect(taskAction, &QAction::triggered, this, [this, view] {
            openAssignmentTask(view->currentIndex().data(HiveRoles::ForeignIdRole).toString());
        });
        addActions(view, {taskAction});
    }

    connect(detail, &TaskDetailPane::openLogsRequested, this, &Navigator::openLogs);
    connect(detail, &TaskDetailPane::nodeRequested, this, &Navigator::openNode);
    connect(detail, &TaskDetailPane::taskRequested, this, &Navigator::openTask);

    for (const QKeySequence &key :
         {QKeySequence(Qt::Key_Escape), QKeySequence(Qt::ALT | Qt::Key_Left)}) {
        auto *shortcut = new QShortcut(key, window);
        connect(shortcut, &QShortcut::activated, this, &Navigator::back);
    }
    auto *forwardKey = new QShortcut(QKeySequence(Qt::ALT | Qt::Key_Right), window);
    connect(forwardKey, &QShortcut::activated, this, &Navigator::forward);
}

QString Navigator::tasksPanel()
{
    return tr("Tasks");
}

QString Navigator::taskPanel()
{
    return tr("Task");
}

QString Navigator::nodesPanel()
{
    return tr("Nodes");
}

QString Navigator::logsPanel()
{
    return tr("Logs");
}

QString Navigator::overviewPanel()
{
    return tr("Overview");
}

void Navigator::addActions(QAbstractItemView *view, const QList<QAction *> &actions)
{
    view->setContextMenuPolicy(Qt::ActionsContextMenu);
    view->addActions(actions);
}

void Navigator::openTask(const QString &taskId)
{
    if (!taskId.isEmpty())
        go({taskPanel(), taskId});
}

void Navigator::openNode(const QString &nodeId)
{
    if (!nodeId.isEmpty())
        go({nodesPanel(), nodeId});
}

void Navigator::openLogs(const QUuid &executionId)
{
    if (!executionId.isNull())
        go({logsPanel(), executionId.toString(QUuid::WithoutBraces)});
}

void Navigator::openAssignmentTask(const QString &assignmentId)
{
    const AssignmentModel *assignments = m_models->assignments();
    const int row = assignments->rowForId(assignmentId);
    if (row >= 0)
        openTask(assignments->field(row, AssignmentModel::FTaskId).toString());
}

void Navigator::openStaleAssignments()
{
    if (!m_fleet)
        return;
    // The list of them: the Nodes panel keeps only the stale nodes holding work, the busiest
    // selected, its assignments in the detail.
    QString busiest;
    int most = 0;
    for (const QString &node : m_fleet->counts().staleNodeIdsWithWork) {
        const int active = m_models->assignments()->activeCountForNode(node);
        if (active > most) {
            most = active;
            busiest = node;
        }
    }
    m_nodes->setStrandedNodes(m_fleet->counts().staleNodeIdsWithWork);
    m_nodes->showStrandedOnly(true);
    if (busiest.isEmpty())
        m_window->showPanel(nodesPanel());
    else
        openNode(busiest);
}

void Navigator::openAlert(int subjectKind, const QString &subjectId)
{
    // A summary alert (a rule with more subjects than a list is worth) is about the tasks at large.
    if (subjectId.isEmpty()) {
        m_window->showPanel(tasksPanel());
        return;
    }
    switch (static_cast<AlertModel::SubjectKind>(subjectKind)) {
    case AlertModel::SubjectKind::Node:
        openNode(subjectId);
        break;
    case AlertModel::SubjectKind::Assignment:
        // A failed assignment is best read in its execution's lines; the task is one step on.
        openLogs(QUuid::fromString(subjectId));
        break;
    case AlertModel::SubjectKind::Task:
        openTask(subjectId);
        break;
    }
}

NavigationLocation Navigator::here() const
{
    const QString panel = m_window->tabs()->tabText(m_window->tabs()->currentIndex());
    if (panel == taskPanel())
        return {panel, m_detail->taskId()};
    if (panel == nodesPanel())
        return {panel, m_nodes->selectedNodeId()};
    if (panel == logsPanel()) {
        const QUuid execution = m_logs->model()->executionId();
        return {panel, execution.isNull() ? QString() : execution.toString(QUuid::WithoutBraces)};
    }
    if (panel == tasksPanel())
        return {panel, m_tasks->table()->currentIndex().data(HiveRoles::IdRole).toString()};
    return {panel, {}};
}

void Navigator::go(const NavigationLocation &to)
{
    // Where the operator stands now is where Back returns to, even after moving by tabs.
    const NavigationLocation from = here();
    if (m_history->current() != from)
        m_history->visit(from);
    m_history->visit(to);
    apply(to);
}

void Navigator::back()
{
    const NavigationLocation from = here();
    if (!m_history->isEmpty() && m_history->current() != from) {
        // Moved by tabs since the last jump: back is the last place jumped to.
        apply(m_history->current());
        return;
    }
    if (m_history->canGoBack())
        apply(m_history->back());
}

void Navigator::forward()
{
    if (m_history->canGoForward())
        apply(m_history->forward());
}

void Navigator::apply(const NavigationLocation &location)
{
    m_window->showPanel(location.panel);
    if (location.panel == taskPanel()) {
        m_detail->showTask(location.id);
        m_detail->setFocus();
    } else if (location.panel == nodesPanel()) {
        m_nodes->selectNode(location.id);
        m_nodes->nodeTable()->setFocus();
    } else if (location.panel == logsPanel() && !location.id.isEmpty()) {
        m_logs->showExecution(QUuid::fromString(location.id));
        m_logs->linesView()->setFocus();
    } else if (location.panel == tasksPanel() && !location.id.isEmpty()) {
        const QAbstractItemModel *model = m_tasks->table()->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            const QModelIndex index = model->index(row, 0);
            if (index.data(HiveRoles::IdRole).toString() == location.id) {
                m_tasks->table()->setCurrentIndex(index);
                break;
            }
        }
        m_tasks->table()->setFocus();
    }
}

} // namespace hivewatch
