#pragma once

#include "sync/shape/ShapeBatch.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QStringList>
#include <QVariant>

namespace hivewatch {

// A table of rows keyed by Electric's row key, fed by ShapeBatch. A batch is reduced to its net
// effect per key and applied with the smallest correct set of signals: one removal per contiguous
// run of deleted rows (bottom up), one dataChanged per contiguous run of updated rows, one
// insertion for all new rows (appended in log order). A reset batch is the only thing that resets
// the model. Rows keep only the fields a subclass asks for, converted once when they arrive.
//
// Memory (docs/benchmarks.md, "Dashboard peak RSS: the rows' own weight"): a row whose Electric
// key is `<prefix>"<id>"` (every hive table: the key is built from the primary key, which is the
// id) keeps no key of its own; it is found by its id, and key() rebuilds the key. Symbol fields
// (statuses, foreign ids) share one string per distinct value.
class KeyedTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class FieldType {
        Raw,
        Text,
        Symbol, // text with few distinct values: one shared string per value
        DateTime
    };
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

    int rowForKey(const QString &key) const;
    // Rows are also indexed by their "id" field when the subclass has one (field 0 named "id").
    int rowForId(const QString &id) const;
    const Values &rowValues(int row) const { return m_rows.at(row).values; }
    QVariant field(int row, int fieldIndex) const { return m_rows.at(row).values.at(fieldIndex); }
    QString key(int row) const;

signals:
    // After every applied batch (including resets), for derived state in other models.
    void batchApplied();

protected:
    // Net change of one row: before is null for an insert, after is null for a delete. Called for
    // every row of a reset as an insert (after rowsCleared()). Lets subclasses keep counts.
    virtual void rowChanged(const Values *before, const Values *after);
    virtual void rowsCleared() { }
    // Room in the subclass's per-row state for `rows` rows, when reserve() makes room for them:
    // a hash kept by rowChanged() rehashes every entry at once when it doubles.
    virtual void reserveDerived(qsizetype rows) { Q_UNUSED(rows); }
    // Emits dataChanged for every row in `rows` (any order), one signal per contiguous run.
    void emitRowsChanged(QList<int> rows, int firstColumn, int lastColumn,
                         const QList<int> &roles = {});

private:
    struct Row
    {
        QString key; // null when the key is derived from the id (see derivesKey)
        Values values;
    };
    Values convert(const ShapeRow &value);
    QString intern(const QString &text);
    QString idOf(const Values &values) const;
    // Whether `key` is `m_keyPrefix + id + '"'` for these values (learning the prefix once).
    bool derivesKey(const QString &key, const Values &values);
    // rowForKey, without building an id from the key when the row's values are at hand.
    int findRow(const QString &key, const Values *values);
    void appendRow(const QString &key, Values values);
    void replaceValues(int row, const QString &key, Values values);
    void indexRow(int row);
    void unindexRow(int row);
    void applyReset(const ShapeBatch &batch);
    void removeRows(QList<int> rows);
    void rebuildIndex(int fromRow);

    QList<Field> m_fields;
    bool m_hasId = false;
    QList<Row> m_rows;
    QString m_keyPrefix; // e.g. `"public"."shared_tasks"/"`, learnt from the first row
    QHash<QString, int> m_rowById; // rows whose key is derived
    QHash<QString, int> m_rowByOwnKey; // rows that keep their key
    QHash<QString, int> m_ownRowById; // rows that keep their key, by id (last one wins)
    QSet<QString> m_symbols;
    // Where each field sits in rows with this column list (-1: absent), see convert().
    ShapeRow::Columns m_convertedColumns;
    QList<qsizetype> m_fieldIndex;
};

} // namespace hivewatch
