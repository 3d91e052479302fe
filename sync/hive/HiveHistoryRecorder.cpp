#include "sync/hive/HiveHistoryRecorder.h"

#include "domain/HiveTables.h"
#include "domain/TableName.h"
#include "sync/shape/ShapeDefinition.h"
#include "sync/sqlite/SqliteConnection.h"

#include <QDateTime>
#include <QRegularExpression>

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

HiveHistoryRecorder::HiveHistoryRecorder(QString table, QByteArray statusColumn,
                                         QByteArray beatColumn)
    : m_table(std::move(table))
    , m_statusColumn(std::move(statusColumn))
    , m_statusPath("$.\"" + m_statusColumn + "\"")
    , m_beatColumn(std::move(beatColumn))
{
}

std::optional<qint64> HiveHistoryRecorder::timestampMs(const QString &text)
{
    QString iso = text.trimmed();
    if (iso.size() < 19)
        return std::nullopt;
    iso[10] = QLatin1Char('T');
    // "+00" and "+0530" as ISO 8601 wants them.
    static const QRegularExpression zone(QStringLiteral("([+-]\\d\\d)(\\d\\d)?$"));
    const QRegularExpressionMatch match = zone.match(iso);
    if (match.hasMatch() && match.capturedStart() >= 19)
        iso.replace(match.capturedStart(), match.capturedLength(),
                    match.captured(1) + QLatin1Char(':')
                        + (match.captured(2).isEmpty() ? QStringLiteral("00") : match.captured(2)));
    QDateTime at = QDateTime::fromString(iso, Qt::ISODateWithMs);
    if (!at.isValid())
        return std::nullopt;
    return at.toMSecsSinceEpoch();
}

QString HiveHistoryRecorder::deletedStatus()
{
    return QStringLiteral("(deleted)");
}

Result<void> HiveHistoryRecorder::migrate(const SqliteConnection &db)
{
    // tbl and key are text so that a script reads the table as is; the indexes serve a row's
    // changes in time (table, key, time, status), a chart's range (table, time) and a chart's
    // status transitions (only the changes that set a status are in that one).
    // beat_ms came after the first stores with a history.
    if (auto has = db.hasTable("history"); has && has.value()) {
        auto column = db.prepare(
            "SELECT count(*) FROM pragma_table_info('history') WHERE name = 'beat_ms'");
        if (!column || !column->step())
            return db.error(QStringLiteral("the local store could not read its history table"));
        if (column->columnInt(0) == 0 && !db.exec("ALTER TABLE history ADD COLUMN beat_ms INTEGER"))
            return db.error(QStringLiteral("the local store could not update its history table"));
    }
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
                    new TEXT,
                    beat_ms INTEGER))",
             // With the status, so a level over time (running assignments) is read from the
             // index alone, each row's last status by key without a sort.
             "DROP INDEX IF EXISTS history_table_key_at",
             "CREATE INDEX IF NOT EXISTS history_table_key_at_status ON history "
             "(tbl, key, at_ms, status)",
             "CREATE INDEX IF NOT EXISTS history_table_at ON history (tbl, at_ms)",
             // With the operation, so the task flow's started / done counts (op = 2) read no row;
             // the live inserts (created) have a small index of their own. Replaces the index
             // without op (a one-off rebuild: ~0.5 s CPU per million changes).
             "DROP INDEX IF EXISTS history_table_status_at",
             "CREATE INDEX IF NOT EXISTS history_table_status_at_op ON history "
             "(tbl, status, at_ms, op) WHERE status IS NOT NULL",
             "CREATE INDEX IF NOT EXISTS history_table_created_at ON history (tbl, at_ms) "
             "WHERE op = 1 AND origin = 0",
             // A first snapshot is not copied row by row (it cost 2.64x the CPU of the sync): one
             // mark says from when the table's stored rows are known, and where to find them
             // (the shape and its keys' prefix), so "as of" works back from the current row.
             R"(CREATE TABLE IF NOT EXISTS history_baseline (
                    tbl TEXT NOT NULL,
                    shape TEXT NOT NULL,
                    key_prefix TEXT NOT NULL,
                    at_ms INTEGER NOT NULL,
                    shape_offset TEXT,
                    PRIMARY KEY (tbl, shape)))",
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
                                (tbl, key, at_ms, op, origin, shape_offset, status, old, new,
                                 beat_ms)
                                VALUES (?1, ?2, ?3, ?4, ?5, ?6,
                                        CASE WHEN ?10 IS NULL THEN ?7
                                             ELSE json_extract(?9, ?10) END, ?8, ?9, ?11))",
                             true);
    if (!insert)
        return Error(QStringLiteral("the local store could not prepare its history statements"),
                     insert.error().toString());
    m_insert = std::move(insert).value();
    auto mark = db.prepare(R"(INSERT OR REPLACE INTO history_baseline
                              (tbl, shape, key_prefix, at_ms, shape_offset)
                              VALUES (?1, ?2, ?3, ?4, ?5))",
                           true);
    if (!mark)
        return Error(QStringLiteral("the local store could not prepare its history statements"),
                     mark.error().toString());
    m_mark = std::move(mark).value();
    auto markOnce = db.prepare(R"(INSERT OR IGNORE INTO history_baseline
                                  (tbl, shape, key_prefix, at_ms, shape_offset)
                                  VALUES (?1, ?2, ?3, ?4, ?5))",
                               true);
    if (!markOnce)
        return Error(QStringLiteral("the local store could not prepare its history statements"),
                     markOnce.error().toString());
    m_markOnce = std::move(markOnce).value();
    m_marking = false;
    m_marked = false;
    return {};
}

void HiveHistoryRecorder::close()
{
    m_insert = SqliteStatement();
    m_mark = SqliteStatement();
    m_markOnce = SqliteStatement();
    m_db = nullptr;
}

Result<void> HiveHistoryRecorder::record(const QString &name, const ShapeUpdate &update,
                                         const RecordedChange &change)
{
    if (change.origin == ChangeOrigin::Snapshot && change.operation == RowChange::Operation::Insert)
        return markBaseline(name, update, change);
    m_marking = false;
    if (!m_marked) {
        // From its first recorded change on, every change of the shape is here: its stored rows
        // can be worked back to any time after, whatever the retention prunes before.
        if (auto marked = mark(name, update, change, false); !marked)
            return marked;
    }
    const RawRow *after = change.after;
    // An insert in wire form only (a snapshot hivectl stores without reading) is kept as sent:
    // SQLite takes its status from the JSON, its id comes from the key, nothing is parsed here.
    const bool wireInsert = change.operation == RowChange::Operation::Insert && !after;
    QByteArray oldJson;
    QByteArray newJson;
    QByteArray status;
    bool statusSet = false;
    std::optional<qint64> beat;
    const RawRow *identity = after ? after : change.before;
    switch (change.operation) {
    case RowChange::Operation::Insert:
        if (wireInsert) {
            newJson = change.afterJson.toByteArray();
            break;
        }
        newJson = rawRowToJson(*after);
        if (const RawField *b = m_beatColumn.isEmpty() ? nullptr : findField(*after, m_beatColumn);
            b && !b->isNull)
            beat = timestampMs(QString::fromUtf8(b->text));
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
            if (!m_beatColumn.isEmpty() && field.column == m_beatColumn && !field.isNull)
                beat = timestampMs(QString::fromUtf8(field.text));
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
    if (wireInsert && !m_statusColumn.isEmpty())
        m_insert.bindText(10, m_statusPath);
    else
        m_insert.bindNull(10);
    if (beat)
        m_insert.bindInt(11, *beat);
    else
        m_insert.bindNull(11);
    if (!m_insert.run())
        return m_db->error(
            QStringLiteral("the local store could not record a change of shape %1").arg(name));
    return {};
}

Result<void> HiveHistoryRecorder::markBaseline(const QString &name, const ShapeUpdate &update,
                                               const RecordedChange &change)
{
    // One mark per first snapshot, at its first row: its later batches add rows known as of it.
    if (m_marking)
        return {};
    if (auto marked = mark(name, update, change, true); !marked)
        return marked;
    m_marking = true;
    return {};
}

Result<void> HiveHistoryRecorder::mark(const QString &name, const ShapeUpdate &update,
                                       const RecordedChange &change, bool replace)
{
    SqliteStatement &mark = replace ? m_mark : m_markOnce;
    const QByteArray key = change.key.toByteArray();
    // The QString binds copy: nothing here outlives the call.
    mark.bindText(1, m_table)
        .bindText(2, name)
        .bindText(3, QString::fromUtf8(key.left(key.lastIndexOf('/') + 1)))
        .bindInt(4, update.receivedAt.toMSecsSinceEpoch())
        .bindText(5, update.offset);
    if (!mark.run())
        return m_db->error(
            QStringLiteral("the local store could not record the first snapshot of shape %1")
                .arg(name));
    m_marked = true;
    return {};
}

ShapeChangeRecorderFactory hiveChangeRecorders()
{
    return [](const ShapeDefinition &definition) -> std::unique_ptr<ShapeChangeRecorder> {
        const QString table = bareTableName(definition.table);
        if (table == HiveTables::SharedTasks)
            return std::make_unique<HiveHistoryRecorder>(table, QByteArrayLiteral("status"));
        if (table == HiveTables::Nodes)
            return std::make_unique<HiveHistoryRecorder>(table, QByteArrayLiteral("status"),
                                                         QByteArrayLiteral("last_heartbeat_at"));
        if (table == HiveTables::NodeTaskAssignments)
            return std::make_unique<HiveHistoryRecorder>(table,
                                                         QByteArrayLiteral("execution_status"));
        return nullptr;
    };
}

} // namespace hivewatch
