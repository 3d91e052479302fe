#include "KanbanBoard.h"

#include "HiveFilterProxy.h"
#include "HiveRoles.h"
#include "HiveValues.h"
#include "TaskModel.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QVBoxLayout>

KanbanBoard::KanbanBoard(TaskModel *tasks, QWidget *parent)
    : QWidget(parent)
    , m_tasks(tasks)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    for (const QString &status : HiveValues::taskStatuses())
        addColumn(status, HiveValues::taskStatus(status).label);
    addColumn(QStringLiteral("?"), tr("Unknown status"));
    for (const Column &c : std::as_const(m_columns)) {
        const auto update = [this] {
            updateHeaders();
        };
        connect(c.proxy, &QAbstractItemModel::rowsInserted, this, update);
        connect(c.proxy, &QAbstractItemModel::rowsRemoved, this, update);
        connect(c.proxy, &QAbstractItemModel::modelReset, this, update);
        connect(c.proxy, &QAbstractItemModel::layoutChanged, this, update);
    }
    updateHeaders();
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
    c.proxy = new HiveFilterProxy(this);
    c.proxy->setStatusFilter(status);
    c.proxy->sort(TaskModel::Updated, Qt::DescendingOrder);
    c.proxy->setSourceModel(m_tasks);
    c.view = new QListView(frame);
    c.view->setModel(c.proxy);
    c.view->setModelColumn(TaskModel::Title);
    c.view->setWordWrap(true);
    c.view->setSpacing(2);
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
    static_cast<QHBoxLayout *>(layout())->addWidget(frame, 1);
    m_columns.append(c);
}

void KanbanBoard::setFilterText(const QString &text)
{
    for (const Column &c : std::as_const(m_columns))
        c.proxy->setFilterFixedString(text);
    updateHeaders();
}

void KanbanBoard::setShowHidden(bool show)
{
    for (const Column &c : std::as_const(m_columns))
        c.proxy->setShowHidden(show);
    updateHeaders();
}

void KanbanBoard::updateHeaders()
{
    for (const Column &c : std::as_const(m_columns)) {
        c.header->setText(QStringLiteral("%1 (%2)").arg(c.label).arg(c.proxy->rowCount()));
        if (c.status == QLatin1String("?"))
            c.frame->setVisible(c.proxy->rowCount() > 0);
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

bool KanbanBoard::isColumnVisible(const QString &status) const
{
    const Column *c = column(status);
    return c && !c->frame->isHidden();
}
