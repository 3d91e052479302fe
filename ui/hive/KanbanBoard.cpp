#include "ui/hive/KanbanBoard.h"

#include "models/hive/HiveFilterProxy.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"
#include "models/hive/TaskBoardProxy.h"
#include "models/hive/TaskModel.h"
#include "ui/hive/TaskCardDelegate.h"

#include <QComboBox>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QMap>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace hivewatch {

namespace {
const QString kWindowKey = QStringLiteral("board/doneWindowHours");

bool isWindowed(const QString &status)
{
    return status == HiveValues::taskStatuses().value(3)
        || status == HiveValues::taskStatuses().value(4);
}
} // namespace

KanbanBoard::KanbanBoard(TaskModel *tasks, QWidget *parent)
    : QWidget(parent)
    , m_tasks(tasks)
    , m_cards(new TaskCardDelegate(tasks, this))
    , m_columnsLayout(new QHBoxLayout)
    , m_window(new QComboBox(this))
{
    m_windowHours = qMax(0, QSettings().value(kWindowKey, 24).toInt());
    m_window->setObjectName(QStringLiteral("doneWindow"));
    for (int hours : {1, 24, 24 * 7, 24 * 30, 0})
        m_window->addItem(hours == 0       ? tr("all")
                              : hours < 48 ? tr("last %n hour(s)", nullptr, hours)
                                           : tr("last %n day(s)", nullptr, hours / 24),
                          hours);
    if (m_window->findData(m_windowHours) < 0)
        m_window->addItem(tr("last %n hour(s)", nullptr, m_windowHours), m_windowHours);
    m_window->setCurrentIndex(m_window->findData(m_windowHours));
    connect(m_window, &QComboBox::activated, this,
            [this](int index) { setDoneWindowHours(m_window->itemData(index).toInt()); });
    m_projectChip = makeChooser(tr("Project"), false);
    m_nodeChip = makeChooser(tr("Node"), true);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_columnsLayout->setContentsMargins(0, 0, 0, 0);
    for (const QString &status : HiveValues::taskStatuses())
        addColumn(status, HiveValues::taskStatus(status).label);
    addColumn(QStringLiteral("?"), tr("Unknown status"));
    // Chips: one per status column (shows or hides it), the project and node choosers, and
    // the window of Done and Cancelled.
    auto *top = new QHBoxLayout;
    for (const Column &c : std::as_const(m_columns)) {
        if (c.chip)
            top->addWidget(c.chip);
    }
    top->addWidget(m_projectChip);
    top->addWidget(m_nodeChip);
    top->addStretch(1);
    top->addWidget(new QLabel(tr("Done and Cancelled:"), this));
    top->addWidget(m_window);
    outer->addLayout(top);
    outer->addLayout(m_columnsLayout, 1);
    for (const Column &c : std::as_const(m_columns)) {
        const auto update = [this] {
            updateHeaders();
        };
        connect(c.proxy, &QAbstractItemModel::rowsInserted, this, update);
        connect(c.proxy, &QAbstractItemModel::rowsRemoved, this, update);
        connect(c.proxy, &QAbstractItemModel::modelReset, this, update);
        connect(c.proxy, &QAbstractItemModel::layoutChanged, this, update);
    }
    connect(tasks, &TaskModel::statusCountsChanged, this, &KanbanBoard::updateHeaders);
    // The window slides and the cards' ages grow with the clock.
    auto *clock = new QTimer(this);
    clock->setInterval(60 * 1000);
    connect(clock, &QTimer::timeout, this, [this] {
        applyWindow();
        for (const Column &c : std::as_const(m_columns))
            c.view->viewport()->update();
    });
    clock->start();
    applyWindow();
}

void KanbanBoard::setDoneWindowHours(int hours)
{
    m_windowHours = qMax(0, hours);
    QSettings().setValue(kWindowKey, m_windowHours);
    const int index = m_window->findData(m_windowHours);
    if (index >= 0)
        m_window->setCurrentIndex(index);
    applyWindow();
}

void KanbanBoard::applyWindow()
{
    const QDateTime cutoff = m_windowHours == 0
        ? QDateTime()
        : QDateTime::currentDateTimeUtc().addSecs(-qint64(m_windowHours) * 3600);
    for (const Column &c : std::as_const(m_columns)) {
        if (c.older)
            c.proxy->setNotBefore(TaskModel::Updated, c.expanded ? QDateTime() : cutoff);
    }
    updateHeaders();
}

void KanbanBoard::expandOlder(const QString &status)
{
    for (Column &c : m_columns) {
        if (c.status == status && c.older)
            c.expanded = !c.expanded;
    }
    applyWindow();
}

QPushButton *KanbanBoard::olderButton(const QString &status) const
{
    const Column *c = column(status);
    return c ? c->older : nullptr;
}

int KanbanBoard::olderCount(const QString &status) const
{
    const Column *c = column(status);
    if (!c || !c->older || !c->proxy->notBefore().isValid())
        return 0;
    if (m_filterText.isEmpty() && !m_showHidden && m_projects.isEmpty() && m_nodes.isEmpty())
        return qMax(0, m_tasks->statusCounts().value(status) - c->proxy->rowCount());
    // Searching or chips: count what they would show (rare, so a pass over the tasks is fine).
    const QDateTime cutoff = c->proxy->notBefore();
    int older = 0;
    for (int row = 0; row < m_tasks->rowCount(); ++row) {
        const QModelIndex index = m_tasks->index(row, TaskModel::Title);
        if (index.data(HiveRoles::StatusRole).toString() != status
            || (!m_showHidden && index.data(HiveRoles::HiddenRole).toBool())
            || !index.data().toString().contains(m_filterText, Qt::CaseInsensitive)
            || !c->proxy->passesChips(row))
            continue;
        const QDateTime at = m_tasks->field(row, TaskModel::FUpdated).toDateTime();
        if (!at.isValid() || at < cutoff)
            ++older;
    }
    return older;
}

void KanbanBoard::addColumn(const QString &status, const QString &label)
{
    Column c;
    c.status = status;
    c.label = label;
    auto *frame = new QFrame(this);
    frame->setFrameShape(QFrame::StyledPanel);
    c.frame = frame;
    c.header = new QLabel(frame);
    c.header->setObjectName(QStringLiteral("kanbanHeader"));
    QFont font = c.header->font();
    font.setBold(true);
    c.header->setFont(font);
    // Each column sorts its own share of the tasks: SortedFilterProxy places new rows by binary
    // search, so this costs no more than one shared sorted proxy and keeps every change a
    // precise insertion in one column.
    c.proxy = new TaskBoardProxy(m_tasks, this);
    c.proxy->setStatusFilter(status);
    c.proxy->sort(TaskModel::Updated, Qt::DescendingOrder);
    c.proxy->setSourceModel(m_tasks);
    c.view = new QListView(frame);
    c.view->setModel(c.proxy);
    c.view->setModelColumn(TaskModel::Title);
    c.view->setItemDelegate(m_cards);
    // Cards take the column's width; titles are elided, never scrolled sideways.
    c.view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    c.view->setResizeMode(QListView::Adjust);
    c.view->setSpacing(0);
    c.view->setUniformItemSizes(true);
    c.view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    connect(c.view, &QListView::activated, this, [this](const QModelIndex &index) {
        emit taskActivated(index.data(HiveRoles::IdRole).toString());
    });
    QListView *view = c.view;
    connect(c.view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this, view] { m_lastView = view; });
    auto *column = new QVBoxLayout(frame);
    column->addWidget(c.header);
    column->addWidget(c.view, 1);
    if (isWindowed(status)) {
        c.older = new QPushButton(frame);
        c.older->setFlat(true);
        c.older->setObjectName(QStringLiteral("olderButton"));
        connect(c.older, &QPushButton::clicked, this, [this, status] { expandOlder(status); });
        column->addWidget(c.older);
    }
    m_columnsLayout->addWidget(frame, 1);
    if (status != QLatin1String("?")) {
        c.chip = new QToolButton(this);
        c.chip->setText(label);
        c.chip->setCheckable(true);
        c.chip->setChecked(true);
        c.chip->setAutoRaise(true);
        c.chip->setToolTip(tr("Show or hide the %1 column").arg(label));
        connect(c.chip, &QToolButton::toggled, this,
                [this, status](bool shown) { setStatusShown(status, shown); });
    }
    m_columns.append(c);
}

void KanbanBoard::setFilterText(const QString &text)
{
    m_filterText = text;
    for (const Column &c : std::as_const(m_columns))
        c.proxy->setFilterFixedString(text);
    updateHeaders();
}

void KanbanBoard::setShowHidden(bool show)
{
    m_showHidden = show;
    for (const Column &c : std::as_const(m_columns))
        c.proxy->setShowHidden(show);
    updateHeaders();
}

void KanbanBoard::updateHeaders()
{
    // The proxies announce their source's destruction (the app's models may go first).
    if (m_columns.isEmpty() || m_columns.first().proxy->sourceModel() != m_tasks)
        return;
    for (const Column &c : std::as_const(m_columns)) {
        const int older = c.older ? olderCount(c.status) : 0;
        // "x of y" whenever the window, the search or the chips hide some of the column.
        const int shown = c.proxy->rowCount();
        const int total = c.status == QLatin1String("?") || m_showHidden
            ? shown + older
            : m_tasks->statusCounts().value(c.status);
        c.header->setText(total > shown ? tr("%1 (%2 of %3)").arg(c.label).arg(shown).arg(total)
                                        : QStringLiteral("%1 (%2)").arg(c.label).arg(shown));
        if (c.status == QLatin1String("?"))
            c.frame->setVisible(c.proxy->rowCount() > 0);
        if (c.older) {
            c.older->setText(c.expanded
                                 ? tr("Show only the last %n hour(s)", nullptr, m_windowHours)
                                 : tr("%n older", nullptr, older));
            c.older->setVisible(c.expanded || older > 0);
        }
    }
}

const KanbanBoard::Column *KanbanBoard::column(const QString &status) const
{
    for (const Column &c : m_columns) {
        if (c.status == status)
            return &c;
    }
    return nullptr;
}

QStringList KanbanBoard::columnTitles(const QString &status) const
{
    QStringList titles;
    if (const Column *c = column(status)) {
        for (int row = 0; row < c->proxy->rowCount(); ++row)
            titles.append(c->proxy->index(row, TaskModel::Title).data().toString());
    }
    return titles;
}

QString KanbanBoard::columnHeader(const QString &status) const
{
    const Column *c = column(status);
    return c ? c->header->text() : QString();
}

QListView *KanbanBoard::columnView(const QString &status) const
{
    const Column *c = column(status);
    return c ? c->view : nullptr;
}

QString KanbanBoard::currentTaskId() const
{
    return m_lastView ? m_lastView->currentIndex().data(HiveRoles::IdRole).toString() : QString();
}

QToolButton *KanbanBoard::makeChooser(const QString &what, bool nodes)
{
    auto *chooser = new QToolButton(this);
    chooser->setPopupMode(QToolButton::InstantPopup);
    chooser->setAutoRaise(true);
    auto *menu = new QMenu(chooser);
    chooser->setMenu(menu);
    // Filled when opened: the projects and nodes the tasks refer to right now.
    connect(menu, &QMenu::aboutToShow, this, [this, menu, nodes] {
        menu->clear();
        QMap<QString, QString> names; // name -> id, sorted by name
        for (int row = 0; row < m_tasks->rowCount(); ++row) {
            const QString id = nodes ? m_tasks->runningOnNodeId(row)
                                     : m_tasks->field(row, TaskModel::FProject).toString();
            if (id.isEmpty())
                continue;
            const QString name = nodes ? m_tasks->runningOnName(row)
                                       : m_tasks->index(row, TaskModel::Project).data().toString();
            names.insert(name + QLatin1Char('\x01') + id, id);
        }
        QAction *all = menu->addAction(tr("All"));
        connect(all, &QAction::triggered, this,
                [this, nodes] { nodes ? setNodeFilter({}) : setProjectFilter({}); });
        menu->addSeparator();
        const QSet<QString> &chosen = nodes ? m_nodes : m_projects;
        for (auto it = names.cbegin(); it != names.cend(); ++it) {
            QAction *action = menu->addAction(it.key().section(QLatin1Char('\x01'), 0, 0));
            action->setCheckable(true);
            action->setChecked(chosen.contains(it.value()));
            const QString id = it.value();
            connect(action, &QAction::toggled, this, [this, nodes, id](bool on) {
                QSet<QString> set = nodes ? m_nodes : m_projects;
                on ? void(set.insert(id)) : void(set.remove(id));
                nodes ? setNodeFilter(set) : setProjectFilter(set);
            });
        }
    });
    updateChooser(chooser, what, 0);
    return chooser;
}

void KanbanBoard::updateChooser(QToolButton *chooser, const QString &what, int chosen)
{
    chooser->setText(chosen == 0 ? tr("%1: all").arg(what) : tr("%1: %2").arg(what).arg(chosen));
}

void KanbanBoard::setProjectFilter(const QSet<QString> &projectIds)
{
    m_projects = projectIds;
    for (const Column &c : std::as_const(m_columns))
        c.proxy->setProjectFilter(projectIds);
    updateChooser(m_projectChip, tr("Project"), int(projectIds.size()));
    updateHeaders();
}

void KanbanBoard::setNodeFilter(const QSet<QString> &nodeIds)
{
    m_nodes = nodeIds;
    for (const Column &c : std::as_const(m_columns))
        c.proxy->setNodeFilter(nodeIds);
    updateChooser(m_nodeChip, tr("Node"), int(nodeIds.size()));
    updateHeaders();
}

void KanbanBoard::setStatusShown(const QString &status, bool shown)
{
    for (const Column &c : std::as_const(m_columns)) {
        if (c.status == status) {
            c.frame->setVisible(shown);
            if (c.chip && c.chip->isChecked() != shown)
                c.chip->setChecked(shown);
        }
    }
}

bool KanbanBoard::isColumnVisible(const QString &status) const
{
    const Column *c = column(status);
    return c && !c->frame->isHidden();
}

} // namespace hivewatch
