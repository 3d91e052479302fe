#include "LogExecutionModel.h"

#include <QLocale>
#include <QSet>

LogExecutionModel::LogExecutionModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int LogExecutionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogExecutionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogExecutionModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ExecutionSummary &s = m_rows.at(index.row());
    if (role == ExecutionIdRole)
        return s.executionId;
    if (role == Qt::ToolTipRole)
        return tr("%1\n%2 lines, %3 … %4 UTC")
            .arg(s.executionId.toString(QUuid::WithoutBraces))
            .arg(s.rows)
            .arg(s.firstTimestamp, s.lastTimestamp);
    if (role == Qt::TextAlignmentRole && index.column() == RowsColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case ExecutionColumn:
        return s.executionId.toString(QUuid::WithoutBraces).left(8);
    case RowsColumn:
        return QLocale().toString(s.rows);
    case LastLineColumn:
        return s.lastTimestamp.left(19);
    }
    return {};
}

QVariant LogExecutionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ExecutionColumn:
        return tr("Execution");
    case RowsColumn:
        return tr("Lines");
    case LastLineColumn:
        return tr("Last line (UTC)");
    }
    return {};
}

QUuid LogExecutionModel::executionAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).executionId : QUuid();
}

int LogExecutionModel::rowOf(const QUuid &executionId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).executionId == executionId)
            return i;
    }
    return -1;
}

void LogExecutionModel::setExecutions(const QList<ExecutionSummary> &executions)
{
    QSet<QUuid> incoming;
    for (const ExecutionSummary &s : executions)
        incoming.insert(s.executionId);
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (!incoming.contains(m_rows.at(i).executionId)) {
            beginRemoveRows({}, i, i);
            m_rows.removeAt(i);
            endRemoveRows();
        }
    }
    // Known executions are updated in place; new ones (the most recent) go on top.
    QList<ExecutionSummary> added;
    for (const ExecutionSummary &s : executions) {
        const int row = rowOf(s.executionId);
        if (row < 0) {
            added.append(s);
            continue;
        }
        m_rows[row] = s;
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    if (!added.isEmpty()) {
        beginInsertRows({}, 0, int(added.size()) - 1);
        added.append(m_rows);
        m_rows = std::move(added);
        endInsertRows();
    }
}
