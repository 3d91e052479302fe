#include "tools/shape-server/ChangeConverter.h"

#include "sync/pg/PgConnection.h"
#include "sync/pg/PgResult.h"
#include "tools/shape-server/JsonText.h"
#include "tools/shape-server/ServerLog.h"

#include <algorithm>

using namespace hivewatch;

namespace {

void appendKeyPart(QByteArray &key, const std::optional<QByteArray> &value)
{
    key += '/';
    if (!value) {
        key += '_'; // only possible in PK-less tables
        return;
    }
    QByteArray v = *value;
    v.replace('/', "//");
    key += '"' + v + '"';
}

} // namespace

RowEncoder::RowEncoder(const TableInfo &table, QList<int> selectedColumns)
    : m_table(table)
    , m_selected(std::move(selectedColumns))
{
    m_relationHeader = "\"relation\":[";
    JsonText::appendString(m_relationHeader, table.schema);
    m_relationHeader += ',';
    JsonText::appendString(m_relationHeader, table.name);
    m_relationHeader += ']';
}

void RowEncoder::appendSnapshotRow(QByteArray &out, const PgResult &rows, int row,
                                   int keyCount) const
{
    out += "{\"headers\":{\"operation\":\"insert\"," + m_relationHeader + "},\"key\":";
    QByteArray key = m_table.keyPrefix();
    for (int k = 0; k < keyCount; ++k)
        appendKeyPart(key,
                      rows.isNull(row, k) ? std::nullopt
                                          : std::optional<QByteArray>(QByteArray(
                                              rows.raw(row, k), rows.rawLength(row, k))));
    JsonText::appendString(out, key);
    out += ",\"value\":{";
    for (qsizetype i = 0; i < m_selected.size(); ++i) {
        if (i)
            out += ',';
        JsonText::appendString(out, m_table.columns[m_selected[i]].name);
        out += ':';
        const int c = keyCount + int(i);
        if (rows.isNull(row, c))
            out += "null";
        else
            JsonText::appendString(out, QByteArrayView(rows.raw(row, c), rows.rawLength(row, c)));
    }
    out += "}}";
}

QByteArray RowEncoder::key(const RowValues &row) const
{
    QByteArray key = m_table.keyPrefix();
    for (int k : m_table.keyColumns)
        appendKeyPart(key, row.values.value(k));
    return JsonText::quoted(key);
}

void RowEncoder::appendObject(QByteArray &out, const RowValues &row,
                              const QList<int> &columns) const
{
    out += '{';
    bool first = true;
    for (int c : columns) {
        if (!first)
            out += ',';
        first = false;
        JsonText::appendString(out, m_table.columns[c].name);
        out += ':';
        const auto &v = row.values.value(c);
        if (v)
            JsonText::appendString(out, QByteArrayView(*v));
        else
            out += "null";
    }
    out += '}';
}

bool WhereEvaluator::matches(const TableInfo &table, const ShapeDefinition &definition,
                             const RowValues &row)
{
    QStringList params = definition.params;
    QStringList select;
    for (qsizetype c = 0; c < table.columns.size(); ++c) {
        if (!row.present.value(c))
            continue;
        const auto &v = row.values[c];
        params.append(v ? QString::fromUtf8(*v) : QString());
        select.append(
            QStringLiteral("$%1::%2 AS %3")
                .arg(params.size())
                .arg(table.columns[c].sqlType, m_conn.quoteIdentifier(table.columns[c].name)));
    }
    const QString sql = QStringLiteral("SELECT (%1) FROM (SELECT %2) AS %3")
                            .arg(definition.where, select.join(QLatin1Char(',')),
                                 m_conn.quoteIdentifier(table.name));
    auto result = m_conn.exec(sql, params);
    if (!result) {
        qCWarning(lcShapeServer)
            << "where evaluation failed, treating the row as outside the shape:"
            << result.error().toString();
        return false;
    }
    return result->rows() == 1 && result->boolean(0, 0);
}

ChangeConverter::ChangeConverter(const TableInfo &table, const ShapeDefinition &definition,
                                 QList<int> selectedColumns)
    : m_table(table)
    , m_definition(definition)
    , m_encoder(table, std::move(selectedColumns))
{
}

RowValues ChangeConverter::toRow(const RowChange &change, const Tuple &tuple,
                                 const RowValues *old) const
{
    RowValues row;
    row.values.resize(m_table.columns.size());
    row.present.fill(false, m_table.columns.size());
    for (qsizetype i = 0; i < change.columns.size() && i < tuple.size(); ++i) {
        const int c = m_table.indexOf(change.columns[i]);
        if (c < 0)
            continue;
        const TupleValue &v = tuple[i];
        if (v.kind == TupleValue::Kind::Text) {
            row.values[c] = v.text;
            row.present[c] = true;
        } else if (v.kind == TupleValue::Kind::Null) {
            // A key-only old tuple sends NULL for every non-key column: those are unknown.
            row.present[c] = !(change.oldIsKeyOnly && &tuple == &change.oldTuple
                               && !m_table.keyColumns.contains(c));
        } else if (old && old->present.value(c)) {
            row.values[c] = old->values[c]; // unchanged TOAST value: carried by the old row
            row.present[c] = true;
        }
    }
    return row;
}

bool ChangeConverter::rowMatches(WhereEvaluator &where, const RowValues &row) const
{
    return m_definition.where.isEmpty() || where.matches(m_table, m_definition, row);
}

QList<LogEntry> ChangeConverter::convert(const ReplicationTransaction &tx,
                                         WhereEvaluator &where) const
{
    struct Message
    {
        LogOffset offset;
        QByteArray operation;
        QByteArray key;
        QByteArray keyChange; // ,"key_change_to":… or ,"key_change_from":…
        QByteArray value;
        QByteArray oldValue;
    };
    QList<Message> messages;
    const QList<int> &selected = m_encoder.selectedColumns();
    QList<int> keyOnly;
    for (int k : m_table.keyColumns)
        if (selected.contains(k))
            keyOnly.append(k);
    if (!m_table.hasPrimaryKey)
        keyOnly = selected;
    const bool full = m_definition.replicaFull;

    auto object = [this](const RowValues &row, const QList<int> &columns) {
        QByteArray out;
        m_encoder.appendObject(out, row, columns);
        return out;
    };
    for (const auto &[position, change] : tx.changes) {
        if (change.schema != m_table.schema || change.table != m_table.name)
            continue;
        const quint64 op = quint64(position) * 2;
        const LogOffset at {tx.commitLsn, op, false};
        const LogOffset next {tx.commitLsn, op + 1, false};
        RowValues oldRow;
        const bool hasOld = change.hasOld;
        if (hasOld)
            oldRow = toRow(change, change.oldTuple, nullptr);
        const bool oldKnown = hasOld && !change.oldIsKeyOnly;
        switch (change.kind) {
        case RowChange::Kind::Insert: {
            const RowValues row = toRow(change, change.newTuple, nullptr);
            if (rowMatches(where, row))
                messages.append({at, "insert", m_encoder.key(row), {}, object(row, selected), {}});
            break;
        }
        case RowChange::Kind::Delete: {
            if (oldKnown && !rowMatches(where, oldRow))
                break;
            messages.append({at,
                             "delete",
                             m_encoder.key(oldRow),
                             {},
                             object(oldRow, full ? selected : keyOnly),
                             {}});
            break;
        }
        case RowChange::Kind::Update: {
            const RowValues newRow = toRow(change, change.newTuple, hasOld ? &oldRow : nullptr);
            const RowValues &before
                = hasOld ? oldRow : newRow; // no old tuple: the key did not change
            const bool newMatch = rowMatches(where, newRow);
            const bool oldMatch = oldKnown ? rowMatches(where, oldRow) : newMatch;
            const QByteArray oldKey = m_encoder.key(before);
            const QByteArray newKey = m_encoder.key(newRow);
            if (oldMatch && newMatch && oldKey != newKey) {
                messages.append({at,
                                 "delete",
                                 oldKey,
                                 ",\"key_change_to\":" + newKey,
                                 object(before, full ? selected : keyOnly),
                                 {}});
                messages.append({next,
                                 "insert",
                                 newKey,
                                 ",\"key_change_from\":" + oldKey,
                                 object(newRow, selected),
                                 {}});
            } else if (oldMatch && newMatch) {
                QList<int> changed;
                for (int c : selected) {
                    if (!oldKnown || oldRow.values[c] != newRow.values[c])
                        if (newRow.present[c])
                            changed.append(c);
                }
                bool touchesNonKey = false;
                for (int c : changed)
                    touchesNonKey = touchesNonKey || !keyOnly.contains(c);
                if (!touchesNonKey)
                    break; // only unselected columns changed: Electric sends nothing
                QList<int> sent = keyOnly;
                for (int c : changed)
                    if (!sent.contains(c))
                        sent.append(c);
                std::sort(sent.begin(), sent.end());
                messages.append({at,
                                 "update",
                                 newKey,
                                 {},
                                 object(newRow, full ? selected : sent),
                                 full && oldKnown ? object(oldRow, changed) : QByteArray()});
            } else if (newMatch) {
                messages.append({at, "insert", newKey, {}, object(newRow, selected), {}});
            } else if (oldMatch) {
                messages.append(
                    {at, "delete", oldKey, {}, object(before, full ? selected : keyOnly), {}});
            }
            break;
        }
        }
    }

    QList<LogEntry> entries;
    const QByteArray lsn = QByteArray::number(tx.commitLsn);
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const Message &m = messages[i];
        QByteArray json = "{\"headers\":{\"operation\":\"" + m.operation + "\","
            + m_encoder.m_relationHeader + ",\"lsn\":\"" + lsn
            + "\",\"op_position\":" + QByteArray::number(m.offset.op) + ",\"txids\":["
            + QByteArray::number(tx.xid) + ']' + m.keyChange;
        if (i == messages.size() - 1)
            json += ",\"last\":true";
        json += "},\"key\":" + m.key + ",\"value\":" + m.value;
        if (!m.oldValue.isEmpty())
            json += ",\"old_value\":" + m.oldValue;
        json += '}';
        entries.append({m.offset, json});
    }
    return entries;
}
