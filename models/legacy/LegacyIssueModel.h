#pragma once

#include "LegacyMigrationTypes.h"

#include <QAbstractTableModel>

// The lines a dry run or migration could not migrate: execution, row, line number and reason.
class LegacyIssueModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ExecutionColumn, RowColumn, LineColumn, ReasonColumn, ColumnCount };

    explicit LegacyIssueModel(QObject *parent = nullptr);

    void setReport(const LegacyReport &report);
    void clear();
    // Issues the report counted but did not list (beyond LegacyOptions::maxListedIssues).
    qint64 unlistedIssues() const { return m_unlisted; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    QList<LegacyIssue> m_issues;
    qint64 m_unlisted = 0;
};
