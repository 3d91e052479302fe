#include "sync/hive/HiveHistoryRecorder.h"

#include "domain/HiveTables.h"
#include "domain/TableName.h"
#include "sync/shape/ShapeDefinition.h"
#include "sync/sqlite/SqliteConnection.h"

namespace hivewatch {

namespace {

// The row's id: its id column, else the last quoted part of its Electric key
// ("public"."shared_tasks"/"<id>").
QByteArray rowId(const RecordedChange &change, const RawRow *row)
{
    if (row) {
        if (const RawField *id = findField(*row, "id"); id && !id->isNull)
            return id->text;
    }
    QByteArray key = change.key.toByteArray();
    const qsizetype slash = key.lastIndexOf('/');
    if (slash >= 0)
        key = key.mid(slash + 1);
    if (key.size() >= 2 && key.startsWith('"') && key.endsWith('"'))
        key = key.mid(1, key.size() - 2).replace("\"\"", "\"");
    return key;
}

} // namespace

HiveHistoryRecorder::HiveHistoryRecorder(QString table, QByteArray statusColumn)
    : m_table(std::move(table))
    , m_statusColumn(std::move(statusColumn))
{
}

QString HiveHistoryRecorder::deletedStatus()
{
    return QStringLiteral("(deleted)");
}

Result<void> HiveHistoryRecorder::migrate(const SqliteConnection &db)
{
    // tbl and key are text so that a script reads the table as is; the indexes serve a row's
    // changes in time (table, key, time), a chart's range (table, time) and a chart's status
    // transitions (only the changes that set a status are in that one).
    for (const char *sql : {
             R"(CREATE TABLE IF NOT EXISTS history (
                    id INTEGER PRIMARY KEY,
                    tbl TEXT NOT NULL,
                    key TEXT NOT NULL,
                    at_ms INTEGER NOT NULL,
                    op INTEGER NOT NULL,
                    origin INTEGER NOT NULL DEFAULT 0,
                    shape_offset TEXT,
                    status TEXT,
                    old TEXT,
                    new TEXT))",
             "CREATE INDEX IF NOT EXISTS history_table_key_at ON history (tbl, key, at_ms)",
             "CREATE INDEX IF NOT EXISTS history_table_at ON history (tbl, at_ms)",
             "CREATE INDEX IF NOT EXISTS history_table_status_at ON history (tbl, status, at_ms) "
             "WHERE status IS NOT NULL",
         }) {
        if (auto created = db.exec(sql); !created)
            return db.error(QStringLiteral("the local store could not create its history table"));
    }
    return {};
}

Result<void> HiveHistoryRecorder::open(const SqliteConnection &db)
{
    m_db = &db;
    if (auto migrated = migrate(db); !migrated)
        return migrated;
    auto insert = db.prepare(R"(INSERT INTO history
                                (tbl, key, at_ms, op, origin, shape_offset, status, old, new)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?))",
                             true);
    if (!insert)
        return Error(QStringLiteral("the local store could not prepare its history statements"),
                     insert.error().toString());
    m_insert = std::move(insert).value();
    return {};
}

void HiveHistoryRecorder::close()
{
    m_insert = SqliteStatement();
    m_db = nullptr;
}

Result<void> HiveHistoryRecorder::record(const QString &name, const ShapeUpdate &update,
                                         const RecordedChange &change)
{
    RawRow parsed;
    const RawRow *after = change.after;
    if (!after && !change.afterJson.isEmpty()) {
        auto row = parseRawRow(change.afterJson.toByteArray());
        if (!row)
            return Error(
                QStringLiteral("a row of shape %1 could not be read for its history").arg(name),
                row.error().toString());
        parsed = std::move(row).value();
        after = &parsed;
    }
    QByteArray oldJson;
    QByteArray newJson;
    QByteArray status;
    bool statusSet = false;
    const RawRow *identity = after ? after : change.before;
    switch (change.operation) {
    case RowChange::Operation::Insert:
        newJson = change.afterJson.isEmpty() || change.after ? rawRowToJson(*after)
                                                             : change.afterJson.toByteArray();
        if (const RawField *s = findField(*after, m_statusColumn); s && !s->isNull) {
            status = s->text;
            statusSet = true;
        }
        break;
    case RowChange::Operation::Update: {
        RawRow oldPart;
        RawRow newPart;
        for (const RawField &field : *after) {
            const RawField *was = change.before ? findField(*change.before, field.column) : nullptr;
            if (was && *was == field)
                continue;
            if (was)
                oldPart.append(*was);
            newPart.append(field);
            if (field.column == m_statusColumn && !field.isNull) {
                status = field.text;
                statusSet = true;
            }
        }
        if (newPart.isEmpty())
            return {}; // nothing changed that the store did not already have
        oldJson = rawRowToJson(oldPart);
        newJson = rawRowToJson(newPart);
        break;
    }
    case RowChange::Operation::Delete:
        if (change.before)
            oldJson = rawRowToJson(*change.before);
        status = deletedStatus().toUtf8();
        statusSet = true;
        break;
    }
    const QByteArray table = m_table.toUtf8();
    const QByteArray id = rowId(change, identity);
    const QByteArray offset = update.offset.toUtf8();
    m_insert.bindText(1, table)
        .bindText(2, id)
        .bindInt(3, update.receivedAt.toMSecsSinceEpoch())
        .bindInt(4, int(change.operation) + 1)
        .bindInt(5, int(change.origin))
        .bindText(6, offset);
    if (statusSet)
        m_insert.bindText(7, status);
    else
        m_insert.bindNull(7);
    m_insert.bindTextOrNull(8, oldJson);
    m_insert.bindTextOrNull(9, newJson);
    if (!m_insert.run())
        return m_db->error(
            QStringLiteral("the local store could not record a change of shape %1").arg(name));
    return {};
}

ShapeChangeRecorderFactory hiveChangeRecorders()
{
    return [](const ShapeDefinition &definition) -> std::unique_ptr<ShapeChangeRecorder> {
        const QString table = bareTableName(definition.table);
        if (table == HiveTables::SharedTasks || table == HiveTables::Nodes)
            return std::make_unique<HiveHistoryRecorder>(table, QByteArrayLiteral("status"));
        if (table == HiveTables::NodeTaskAssignments)
            return std::make_unique<HiveHistoryRecorder>(table,
                                                         QByteArrayLiteral("execution_status"));
        return nullptr;
    };
}

} // namespace hivewatch
