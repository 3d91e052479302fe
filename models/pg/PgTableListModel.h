#pragma once

#include "sync/pg/PgSetupState.h"

#include <QAbstractTableModel>
#include <QList>

namespace hivewatch {

// The tables of an inspected database as a publication editor shows them: one row per table,
// a checkbox for "publish this table", and what Electric needs of it (in the publication,
// REPLICA IDENTITY FULL, SELECT for the role). Toggling a checkbox changes the choice only;
// nothing happens to the database until the plan is applied.
class PgTableListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Publish, Table, InPublication, ReplicaIdentity, SelectGranted, ColumnCount };

    explicit PgTableListModel(QObject *parent = nullptr);

    // Replaces the rows (after each inspect/apply); the state's `chosen` flags are the checks.
    void setTables(const QList<PgTableState> &tables);
    QList<PgTableName> chosenTables() const;
    // Checks or unchecks a table by name; false when the model has no such row.
    bool setChosen(const PgTableName &table, bool chosen);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

signals:
    void choiceChanged();

private:
    bool isRow(const QModelIndex &index) const;

    QList<PgTableState> m_tables;
};

} // namespace hivewatch
