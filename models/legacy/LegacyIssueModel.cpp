#include "models/legacy/LegacyIssueModel.h"

#include <QRegularExpression>

namespace hivewatch {

namespace {
// "an array" → "a list", as people read JSON.
QString plainType(QString type)
{
    type.replace(QLatin1String("an array"), QLatin1String("a list"));
    type.replace(QLatin1String("an object"), QLatin1String("a {…} object"));
    return type;
}
} // namespace

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
    if (role == Qt::ToolTipRole && index.column() == ReasonColumn)
        return tr("%1\nParser: %2").arg(plainReason(issue), issue.reason);
    switch (index.column()) {
    case ExecutionColumn:
        return issue.execution;
    case RowColumn:
        return issue.rowId;
    case LineColumn:
        return issue.lineNumber;
    case ReasonColumn:
        return plainReason(issue);
    case TextColumn:
        return issue.text;
    }
    return {};
}

QString LegacyIssueModel::plainReason(const LegacyIssue &issue)
{
    // The texts come from sync/legacy's LogMsgParser; anything not recognised is shown as is.
    const QString &r = issue.reason;
    QRegularExpressionMatch m;
    if (r.startsWith(QLatin1String("malformed JSON")))
        return tr("not valid JSON (each line must be one JSON value)");
    if (r == QLatin1String("invalid UTF-8"))
        return tr("holds bytes that are not UTF-8 text");
    if (r == QLatin1String("empty line"))
        return tr("empty line");
    static const QRegularExpression unknownVariant(QStringLiteral("^unknown LogMsg variant (.+)$"));
    if ((m = unknownVariant.match(r)).hasMatch())
        return tr("unknown kind of line %1 (known: Stdout, Stderr, JsonPatch, SessionId, "
                  "Finished, …)")
            .arg(m.captured(1));
    static const QRegularExpression notObject(
        QStringLiteral("^not a LogMsg: the line is (.+?), expected"));
    if ((m = notObject.match(r)).hasMatch())
        return tr("the line is %1; a log line looks like {\"Stdout\": \"text\"}")
            .arg(plainType(m.captured(1)));
    static const QRegularExpression keys(
        QStringLiteral("^not a LogMsg: expected an object with exactly one key .*found (\\d+)$"));
    if ((m = keys.match(r)).hasMatch())
        return tr("has %1 keys; a log line has exactly one, naming its kind "
                  "({\"Stdout\": \"text\"})")
            .arg(m.captured(1));
    static const QRegularExpression payload(
        QStringLiteral("^(\\w+) payload is (.+?), expected (.+)$"));
    if ((m = payload.match(r)).hasMatch())
        return tr("the %1 value is %2, expected %3")
            .arg(m.captured(1), plainType(m.captured(2)), plainType(m.captured(3)));
    if (r.startsWith(QLatin1String("RefreshRequired payload has no string field")))
        return tr("a RefreshRequired line without its reason text");
    return r;
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
    case TextColumn:
        return tr("The line (cut)");
    }
    return {};
}

} // namespace hivewatch
