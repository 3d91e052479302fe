#include "models/logs/LogExecutionModel.h"

#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveValues.h"

#include <QColor>
#include <QLocale>
#include <QSet>
#include <QTimeZone>

namespace hivewatch {

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
    if (role == RunningRole)
        return isRunning(index.row());
    if (role == LastActivityRole)
        return lastActivity(index.row());
    if (role == Qt::DecorationRole && index.column() == ExecutionColumn && isRunning(index.row()))
        return QColor(0x2e, 0xa0, 0x43); // the live badge
    if (role == Qt::ToolTipRole)
        return tr("%1\n%2\n%3 lines, %4 … %5 UTC")
            .arg(label(index.row()), s.executionId.toString(QUuid::WithoutBraces))
            .arg(s.rows)
            .arg(s.firstTimestamp, s.lastTimestamp);
    if (role == Qt::TextAlignmentRole && index.column() == RowsColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case ExecutionColumn:
        return label(index.row());
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

void LogExecutionModel::setAssignmentModel(const AssignmentModel *assignments)
{
    m_assignments = assignments;
    // Throttled by AssignmentModel: after its batches and after task titles or node names changed.
    connect(assignments, &AssignmentModel::namesResolved, this, [this] {
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    });
}

int LogExecutionModel::assignmentRow(int row) const
{
    if (!m_assignments)
        return -1;
    return m_assignments->rowForId(m_rows.at(row).executionId.toString(QUuid::WithoutBraces));
}

bool LogExecutionModel::isRunning(int row) const
{
    const int a = assignmentRow(row);
    return a >= 0 && m_assignments->field(a, AssignmentModel::FCompleted).isNull();
}

QDateTime LogExecutionModel::lastActivity(int row) const
{
    QDateTime last = QDateTime::fromString(m_rows.at(row).lastTimestamp.left(23),
                                           QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    if (!last.isValid())
        last = QDateTime::fromString(m_rows.at(row).lastTimestamp.left(19),
                                     QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    last.setTimeZone(QTimeZone::utc());
    const int a = assignmentRow(row);
    if (a >= 0) {
        for (int f : {AssignmentModel::FStarted, AssignmentModel::FCompleted}) {
            const QDateTime t = m_assignments->field(a, f).toDateTime();
            if (t.isValid() && (!last.isValid() || t > last))
                last = t;
        }
    }
    return last;
}

QString LogExecutionModel::label(int row) const
{
    const QString id = m_rows.at(row).executionId.toString(QUuid::WithoutBraces);
    const int a = assignmentRow(row);
    if (a < 0)
        return id.left(8);
    const QVariant status = m_assignments->field(a, AssignmentModel::FStatus);
    QStringList parts = {m_assignments->taskTitle(a), m_assignments->nodeName(a),
                         HiveValues::assignmentStatus(status).label};
    const QDateTime started = m_assignments->field(a, AssignmentModel::FStarted).toDateTime();
    if (started.isValid()) {
        const QDateTime completed
            = m_assignments->field(a, AssignmentModel::FCompleted).toDateTime();
        const QDateTime end = completed.isValid() ? completed : QDateTime::currentDateTimeUtc();
        parts << HiveValues::displayAge(started.secsTo(end));
    }
    return parts.join(QStringLiteral(" · "));
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

} // namespace hivewatch
