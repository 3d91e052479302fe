#include "app/hivewatch/DashboardCommands.h"

#include "app/hivewatch/Dashboard.h"
#include "models/hive/HiveModels.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/NodeModel.h"
#include "models/hive/SortedFilterProxy.h"
#include "models/hive/TaskModel.h"
#include "models/logs/LogExecutionModel.h"
#include "ui/CommandPalette.h"
#include "ui/MainWindow.h"
#include "ui/ShortcutSheet.h"
#include "ui/hive/NodesPanel.h"
#include "ui/hive/TasksPanel.h"
#include "ui/logs/LogsPanel.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QTabWidget>
#include <QTableView>

namespace hivewatch {

namespace {
// Rows waiting under a held list are placed first, so the jump finds its row.
void releaseHeldRows(QAbstractItemView *view)
{
    if (auto *proxy = qobject_cast<SortedFilterProxy *>(view->model()))
        proxy->releaseHeld();
}
} // namespace

DashboardCommands::DashboardCommands(Dashboard *dashboard, MainWindow *window)
    : QObject(dashboard)
    , m_dashboard(dashboard)
    , m_window(window)
    , m_palette(new CommandPalette(window))
    , m_sheet(new ShortcutSheet(window->menuBar(), window))
    , m_paletteAction(new QAction(tr("Command palette…"), this))
{
    m_paletteAction->setObjectName(QStringLiteral("commandPaletteAction"));
    m_paletteAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_P), QKeySequence(Qt::Key_Colon)});
    connect(m_paletteAction, &QAction::triggered, this, &DashboardCommands::openPalette);
    auto *filter = new QAction(tr("Focus the filter"), this);
    filter->setObjectName(QStringLiteral("focusFilterAction"));
    filter->setShortcut(QKeySequence(Qt::Key_Slash));
    connect(filter, &QAction::triggered, this, &DashboardCommands::focusFilter);
    QMenu *view = window->viewMenu();
    QAction *first = view->actions().value(0);
    view->insertAction(first, m_paletteAction);
    view->insertAction(first, filter);
    view->insertSeparator(first);

    auto *sheet = new QAction(tr("Keyboard shortcuts"), this);
    sheet->setObjectName(QStringLiteral("shortcutSheetAction"));
    sheet->setShortcut(QKeySequence(Qt::Key_Question));
    connect(sheet, &QAction::triggered, m_sheet, &ShortcutSheet::popup);
    // The Help menu is the menu bar's last.
    if (QMenu *help = window->menuBar()->actions().constLast()->menu())
        help->insertAction(help->actions().value(0), sheet);
    m_sheet->addKey(tr("Ctrl+F"), tr("Tasks › Filter tasks"));
    m_sheet->addKey(tr("Alt+T / Alt+B"), tr("Tasks › Table or board"));
    m_sheet->addKey(tr("Up, Down, Enter, Esc"), tr("Palette › Choose, run, close"));
    m_sheet->addKey(tr("Pointer over a list, or a row selected"),
                    tr("Live rows wait; the “N new” pill places them"));

    m_palette->addMenuActions(window->menuBar());
    addJumpProviders();
}

void DashboardCommands::openPalette()
{
    m_palette->popup();
}

void DashboardCommands::focusFilter()
{
    QWidget *panel = m_window->tabs()->currentWidget();
    if (!panel)
        return;
    const QList<QLineEdit *> fields = panel->findChildren<QLineEdit *>();
    for (QLineEdit *field : fields) {
        const QString hint = field->placeholderText();
        if (field->isVisibleTo(panel) && field->isEnabled()
            && (hint.startsWith(tr("Filter")) || hint.startsWith(tr("Search")))) {
            field->setFocus(Qt::ShortcutFocusReason);
            field->selectAll();
            return;
        }
    }
}

void DashboardCommands::jumpToTask(const QString &taskId)
{
    TasksPanel *panel = m_dashboard->tasksPanel();
    m_window->showPanel(tr("Tasks"));
    panel->showTable();
    releaseHeldRows(panel->table());
    if (!panel->selectTask(taskId)) {
        // Hidden by the filter or the deleted/archived switch: show it rather than miss.
        panel->setSearchText({});
        panel->setShowHidden(true);
        panel->selectTask(taskId);
    }
    panel->table()->setFocus(Qt::OtherFocusReason);
}

void DashboardCommands::jumpToNode(const QString &nodeId)
{
    NodesPanel *panel = m_dashboard->nodesPanel();
    m_window->showPanel(tr("Nodes"));
    releaseHeldRows(panel->nodeTable());
    panel->selectNode(nodeId);
    panel->nodeTable()->setFocus(Qt::OtherFocusReason);
}

void DashboardCommands::addJumpProviders()
{
    m_palette->addProvider([this] {
        QList<CommandPalette::Entry> entries;
        const TaskModel *tasks = m_dashboard->models()->tasks();
        entries.reserve(tasks->rowCount());
        for (int row = 0; row < tasks->rowCount(); ++row) {
            const QString id = tasks->index(row, 0).data(HiveRoles::IdRole).toString();
            entries.append({tr("Task"), tasks->index(row, TaskModel::Title).data().toString(),
                            tasks->index(row, TaskModel::Status).data().toString(), [this, id] {
                                jumpToTask(id);
                            }});
        }
        return entries;
    });
    m_palette->addProvider([this] {
        QList<CommandPalette::Entry> entries;
        const NodeModel *nodes = m_dashboard->models()->nodes();
        for (int row = 0; row < nodes->rowCount(); ++row) {
            const QString id = nodes->index(row, 0).data(HiveRoles::IdRole).toString();
            entries.append({tr("Node"), nodes->index(row, NodeModel::Name).data().toString(),
                            nodes->index(row, NodeModel::Status).data().toString(), [this, id] {
                                jumpToNode(id);
                            }});
        }
        return entries;
    });
    m_palette->addProvider([this] {
        QList<CommandPalette::Entry> entries;
        LogsPanel *logs = m_dashboard->logsPanel();
        const QAbstractItemModel *executions = logs->executionsView()->model();
        for (int row = 0; row < executions->rowCount(); ++row) {
            const QUuid id
                = executions->index(row, 0).data(LogExecutionModel::ExecutionIdRole).value<QUuid>();
            QStringList text;
            for (int column = 0; column < executions->columnCount(); ++column)
                text.append(executions->index(row, column).data().toString());
            entries.append({tr("Execution"), text.join(QStringLiteral(" · ")),
                            id.toString(QUuid::WithoutBraces), [this, logs, id] {
                                m_window->showPanel(tr("Logs"));
                                logs->showExecution(id);
                                logs->executionsView()->setFocus(Qt::OtherFocusReason);
                            }});
        }
        return entries;
    });
}

} // namespace hivewatch
