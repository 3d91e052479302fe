#include "LegacyIssueModel.h"

LegacyIssueModel::LegacyIssueModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void LegacyIssueModel::setReport(const LegacyReport &report)
{
    beginResetModel();
    m_issues = report.issues;
    m_unlisted = report.unlistedIssues;
    endResetModel();
}

void LegacyIssueModel::clear()
{
    setReport(LegacyReport {});
}

int LegacyIssueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_issues.size());
}

int LegacyIssueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LegacyIssueModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)
        || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const LegacyIssue &issue = m_issues.at(index.row());
    switch (index.column()) {
    case ExecutionColumn:
        return issue.execution;
    case RowColumn:
        return issue.rowId;
    case LineColumn:
        return issue.lineNumber;
    case ReasonColumn:
        return issue.reason;
    }
    return {};
}

QVariant LegacyIssueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ExecutionColumn:
        return tr("Execution");
    case RowColumn:
        return tr("Row");
    case LineColumn:
        return tr("Line");
    case ReasonColumn:
        return tr("Why it was skipped");
    }
    return {};
}
