#include "ui/hive/TasksPanel.h"

#include "models/hive/HiveFilterProxy.h"
#include "models/hive/HiveValues.h"
#include "models/hive/TaskModel.h"
#include "ui/hive/KanbanBoard.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QShortcut>
#include <QStackedWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace hivewatch {

TasksPanel::TasksPanel(TaskModel *tasks, QWidget *parent)
    : QWidget(parent)
    , m_tasks(tasks)
    , m_proxy(new HiveFilterProxy(this))
    , m_search(new QLineEdit(this))
    , m_showHidden(new QCheckBox(tr("Show deleted and archived"), this))
    , m_counts(new QLabel(this))
    , m_tableButton(new QToolButton(this))
    , m_boardButton(new QToolButton(this))
    , m_stack(new QStackedWidget(this))
    , m_table(new QTableView(this))
    , m_board(new KanbanBoard(tasks, this))
{
    m_proxy->setSourceModel(tasks);
    m_proxy->sort(TaskModel::Updated, Qt::DescendingOrder);

    m_search->setPlaceholderText(tr("Filter tasks (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    m_search->setObjectName(QStringLiteral("taskSearch"));
    m_counts->setObjectName(QStringLiteral("taskCounter"));
    auto *find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, m_search, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });

    m_tableButton->setText(tr("Table"));
    m_boardButton->setText(tr("Board"));
    for (QToolButton *button : {m_tableButton, m_boardButton}) {
        button->setCheckable(true);
        button->setAutoRaise(true);
    }
    auto *group = new QButtonGroup(this);
    group->addButton(m_tableButton);
    group->addButton(m_boardButton);
    m_tableButton->setChecked(true);
    m_tableButton->setToolTip(tr("Table view (Alt+T)"));
    m_boardButton->setToolTip(tr("Kanban board (Alt+B)"));
    m_tableButton->setShortcut(QKeySequence(Qt::ALT | Qt::Key_T));
    m_boardButton->setShortcut(QKeySequence(Qt::ALT | Qt::Key_B));

    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(TaskModel::Updated, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(TaskModel::Title, QHeaderView::Stretch);
    m_table->setColumnWidth(TaskModel::Status, 130);
    m_table->setColumnWidth(TaskModel::Updated, 150);

    m_stack->addWidget(m_table);
    m_stack->addWidget(m_board);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_tableButton);
    bar->addWidget(m_boardButton);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_showHidden);
    bar->addWidget(m_counts);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_stack, 1);

    connect(m_tableButton, &QToolButton::clicked, this, &TasksPanel::showTable);
    connect(m_boardButton, &QToolButton::clicked, this, &TasksPanel::showBoard);
    connect(m_search, &QLineEdit::textChanged, this, &TasksPanel::setSearchText);
    connect(m_showHidden, &QCheckBox::toggled, this, &TasksPanel::setShowHidden);
    connect(tasks, &TaskModel::statusCountsChanged, this, &TasksPanel::updateCounts);
    // The counter says how many the filter lets through, not only how many there are.
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
        connect(m_proxy, signal, this, &TasksPanel::updateCounts);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &TasksPanel::updateCounts);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &TasksPanel::updateCounts);
    updateCounts();
}

void TasksPanel::showTable()
{
    m_tableButton->setChecked(true);
    m_stack->setCurrentWidget(m_table);
}

void TasksPanel::showBoard()
{
    m_boardButton->setChecked(true);
    m_stack->setCurrentWidget(m_board);
}

bool TasksPanel::isShowingBoard() const
{
    return m_stack->currentWidget() == m_board;
}

void TasksPanel::setSearchText(const QString &text)
{
    if (m_search->text() != text)
        m_search->setText(text);
    m_proxy->setFilterFixedString(text);
    m_board->setFilterText(text);
}

void TasksPanel::setShowHidden(bool show)
{
    m_showHidden->setChecked(show);
    m_proxy->setShowHidden(show);
    m_board->setShowHidden(show);
    updateCounts();
}

bool TasksPanel::selectTask(const QString &taskId)
{
    const int sourceRow = m_tasks->rowForId(taskId);
    const QModelIndex index
        = sourceRow < 0 ? QModelIndex() : m_proxy->mapFromSource(m_tasks->index(sourceRow, 0));
    if (!index.isValid())
        return false;
    m_table->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_table->scrollTo(index);
    return true;
}

void TasksPanel::updateCounts()
{
    // The proxy announces its source's destruction (the app's models may go first).
    if (m_proxy->sourceModel() != m_tasks)
        return;
    const QHash<QString, int> counts = m_tasks->statusCounts();
    int total = 0;
    for (int n : counts)
        total += n;
    // Deleted and archived tasks count once the switch shows them.
    if (m_proxy->showHidden())
        total = m_tasks->rowCount();
    const int shown = m_proxy->rowCount();
    if (shown == total)
        m_counts->setText(tr("%n task(s)", nullptr, total));
    else
        m_counts->setText(tr("%1 of %n task(s)", nullptr, total).arg(shown));
}

} // namespace hivewatch
