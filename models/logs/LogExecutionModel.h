#pragma once

#include "LogStore.h"

#include <QAbstractTableModel>

// The executions in a log store (from LogModel::executionsChanged), most recent first. Updates
// keep rows in place so a view's selection survives live refreshes.
class LogExecutionModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ExecutionColumn, RowsColumn, LastLineColumn, ColumnCount };
    enum Role { ExecutionIdRole = Qt::UserRole + 1 };

    explicit LogExecutionModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    QUuid executionAt(int row) const;
    int rowOf(const QUuid &executionId) const;

public slots:
    void setExecutions(const QList<ExecutionSummary> &executions);

private:
    QList<ExecutionSummary> m_rows;
};
