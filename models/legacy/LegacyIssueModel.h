#pragma once

#include "sync/legacy/LegacyMigrationTypes.h"

#include <QAbstractTableModel>

namespace hivewatch {

// The lines a dry run or migration could not migrate: execution, row, line number, a plain
// reason and the offending text (cut). The parser's own wording stays in the reason's tooltip.
class LegacyIssueModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ExecutionColumn, RowColumn, LineColumn, ReasonColumn, TextColumn, ColumnCount };

    explicit LegacyIssueModel(QObject *parent = nullptr);

    void setReport(const LegacyReport &report);
    void clear();
    // Issues the report counted but did not list (beyond LegacyOptions::maxListedIssues).
    qint64 unlistedIssues() const { return m_unlisted; }
    // The reason in words a user reads: "not valid JSON", "the Stdout text is a number", …
    static QString plainReason(const LegacyIssue &issue);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<LegacyIssue> m_issues;
    qint64 m_unlisted = 0;
};

} // namespace hivewatch
