#pragma once

#include "sync/shape/ShapeBatch.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QStringList>
#include <QVariant>

namespace hivewatch {

// A table of rows keyed by Electric's row key, fed by ShapeBatch. A batch is reduced to its net
// effect per key and applied with the smallest correct set of signals: one removal per contiguous
// run of deleted rows (bottom up), one dataChanged per contiguous run of updated rows, one
// insertion for all new rows (appended in log order). A reset batch is the only thing that resets
// the model. Rows keep only the fields a subclass asks for, converted once when they arrive.
class KeyedTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class FieldType { Raw, Text, DateTime };
    struct Field
    {
        QString column;
        FieldType type = FieldType::Raw;
    };
    using Values = QList<QVariant>; // one entry per Field, in the order given to the constructor

    KeyedTableModel(QList<Field> fields, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;

    void applyBatch(const ShapeBatch &batch);
    void clear();
    // Room for `rows` rows: growing the key indexes past 65k rows rehashes every key at once
    // (~15 ms on the GUI thread at 100k tasks); reserving when a sliced snapshot starts avoids it.
    void reserve(qsizetype rows);

    int rowForKey(const QString &key) const { return m_rowByKey.value(key, -1); }
    // Rows are also indexed by their "id" field when the subclass has one (field 0 named "id").
    int rowForId(const QString &id) const;
    const Values &rowValues(int row) const { return m_rows.at(row).values; }
    QVariant field(int row, int fieldIndex) const { return m_rows.at(row).values.at(fieldIndex); }
    QString key(int row) const { return m_rows.at(row).key; }

signals:
    // After every applied batch (including resets), for derived state in other models.
    void batchApplied();

protected:
    // Net change of one row: before is null for an insert, after is null for a delete. Called for
    // every row of a reset as an insert (after rowsCleared()). Lets subclasses keep counts.
    virtual void rowChanged(const Values *before, const Values *after);
    virtual void rowsCleared() { }
    // Emits dataChanged for every row in `rows` (any order), one signal per contiguous run.
    void emitRowsChanged(QList<int> rows, int firstColumn, int lastColumn,
                         const QList<int> &roles = {});

private:
    struct Row
    {
        QString key;
        Values values;
    };
    Values convert(const ShapeRow &value) const;
    void applyReset(const ShapeBatch &batch);
    void removeRows(QList<int> rows);
    void rebuildIndex(int fromRow);

    QList<Field> m_fields;
    bool m_hasId = false;
    QList<Row> m_rows;
    QHash<QString, int> m_rowByKey;
    QHash<QString, QString> m_keyById;
    // Where each field sits in rows with this column list (-1: absent), see convert().
    mutable ShapeRow::Columns m_convertedColumns;
    mutable QList<qsizetype> m_fieldIndex;
};

} // namespace hivewatch
