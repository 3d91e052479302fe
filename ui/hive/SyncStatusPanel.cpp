#include "ui/hive/SyncStatusPanel.h"

#include "models/hive/ShapeStatusModel.h"

#include <QHeaderView>
#include <QTableView>
#include <QVBoxLayout>

namespace hivewatch {

SyncStatusPanel::SyncStatusPanel(ShapeStatusModel *statuses, QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableView(this))
{
    m_table->setModel(statuses);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(ShapeStatusModel::Shape, 200);
    m_table->setColumnWidth(ShapeStatusModel::State, 240);
    m_table->setColumnWidth(ShapeStatusModel::LastSync, 150);
    m_table->setWordWrap(false);
    connect(m_table, &QTableView::doubleClicked, this, [this, statuses](const QModelIndex &index) {
        const QString shape
            = statuses->index(index.row(), ShapeStatusModel::Shape).data().toString();
        if (statuses->status(shape).problem == ShapeStatus::Problem::SignInNeeded)
            emit signInRequested(shape);
    });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
}

} // namespace hivewatch
