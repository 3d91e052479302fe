#include "ui/hive/ProblemsPanel.h"

#include "models/hive/ProblemsModel.h"

#include <QHeaderView>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace hivewatch {

ProblemsPanel::ProblemsPanel(ProblemsModel *problems, QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableView(this))
{
    setObjectName(QStringLiteral("problemsPanel"));
    m_table->setObjectName(QStringLiteral("problemsTable"));
    m_table->setModel(problems);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(ProblemsModel::Text, QHeaderView::Stretch);
    m_table->setWordWrap(false);
    auto *clear = new QPushButton(tr("Clear"), this);
    clear->setObjectName(QStringLiteral("clearProblems"));
    connect(clear, &QPushButton::clicked, problems, &ProblemsModel::clear);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        emit shapeActivated(index.data(ProblemsModel::ShapeRole).toString());
    });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_table);
    layout->addWidget(clear, 0, Qt::AlignRight);
}

} // namespace hivewatch
