#include "LogRowWriter.h"

#include "LogTable.h"

#include <QScopeGuard>

#include <sqlite3.h>

#include <algorithm>

namespace {

constexpr int kRowsPerStatement = 64;
// Ids closer than this share one range scan of the source_id index in findExisting().
constexpr qint64 kMaxIdGap = 4096;

// Checked here, against the list the schema's CHECK is built from, so a bad value gets a
// readable error instead of "CHECK constraint failed".
Error invalidType(const QString &type, qsizetype index)
{
    return Error(QStringLiteral("Invalid log output type \"%1\" in row %2 of the batch: expected "
                                "one of %3")
                     .arg(type, QString::number(index),
                          QString::fromLatin1(LogTable::outputTypes().join(", "))));
}

// QUuid::toRfc4122() allocates a QByteArray per row; the bytes are the same.
std::array<unsigned char, 16> uuidBytes(const QUuid &u)
{
    std::array<unsigned char, 16> b;
    for (int i = 0; i < 4; ++i)
        b[i] = uchar(u.data1 >> (24 - 8 * i));
    b[4] = uchar(u.data2 >> 8);
    b[5] = uchar(u.data2);
    b[6] = uchar(u.data3 >> 8);
    b[7] = uchar(u.data3);
    for (int i = 0; i < 8; ++i)
        b[8 + i] = u.data4[i];
    return b;
}

void bindText(sqlite3_stmt *stmt, int index, QByteArrayView text)
{
    sqlite3_bind_text64(stmt, index, text.data() ? text.data() : "", sqlite3_uint64(text.size()),
                        SQLITE_STATIC, SQLITE_UTF8);
}

void bindTimestamp(sqlite3_stmt *stmt, int index, QByteArrayView timestamp)
{
    if (timestamp.isEmpty())
        sqlite3_bind_null(stmt, index);
    else
        bindText(stmt, index, timestamp);
}

// An empty shape key means "derived from the id" (Electric keys are never empty): NULL.
void bindKey(sqlite3_stmt *stmt, int index, QByteArrayView key)
{
    if (key.isEmpty())
        sqlite3_bind_null(stmt, index);
    else
        bindText(stmt, index, key);
}

const char kNow[] = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

} // namespace

Result<std::unique_ptr<LogRowWriter>> LogRowWriter::prepare(sqlite3 *db, bool hivewatchSchema)
{
    std::unique_ptr<LogRowWriter> writer(new LogRowWriter(db, hivewatchSchema));
    if (auto full = writer->insertStatement(kRowsPerStatement); !full)
        return full.error();
    if (!hivewatchSchema)
        return writer;
    const QByteArray update
        = QByteArrayLiteral("UPDATE log_entries SET execution_id = ?1, output_type = ?2, "
                            "content = ?3, timestamp = coalesce(?4, ")
        + kNow
        + "), shape_key = CASE WHEN ?5 THEN ?6 ELSE shape_key END, "
          "shape_row = CASE WHEN ?5 THEN ?7 ELSE shape_row END, "
          "shape_derived = CASE WHEN ?5 THEN ?9 ELSE shape_derived END WHERE source_id = ?8";
    const char *existing = "SELECT source_id, shape_derived IS NOT NULL FROM log_entries "
                           "WHERE source_id BETWEEN ?1 AND ?2";
    const char *count = "INSERT INTO log_execution_counts (execution_id, row_count) "
                        "VALUES (?1, ?2) ON CONFLICT (execution_id) DO UPDATE SET "
                        "row_count = row_count + excluded.row_count";
    const char *shapeRow = "SELECT execution_id, output_type, content, timestamp, shape_key, "
                           "shape_row, shape_derived FROM log_entries "
                           "WHERE source_id = ?1 AND shape_derived IS NOT NULL";
    const char *detach = "UPDATE log_entries SET shape_key = NULL, shape_row = NULL, "
                         "shape_derived = NULL WHERE source_id = ?1 AND shape_derived IS NOT NULL";
    for (auto [sql, slot] :
         {std::pair {update.constData(), &writer->m_update},
          std::pair {existing, &writer->m_existing}, std::pair {count, &writer->m_count},
          std::pair {shapeRow, &writer->m_shapeRow}, std::pair {detach, &writer->m_detach}}) {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, nullptr) != SQLITE_OK)
            return Error(QStringLiteral("Could not prepare the log write statements"),
                         QString::fromUtf8(sqlite3_errmsg(db)));
    }
    return writer;
}

LogRowWriter::LogRowWriter(sqlite3 *db, bool hivewatchSchema)
    : m_db(db)
    , m_hivewatch(hivewatchSchema)
{
}

LogRowWriter::~LogRowWriter()
{
    for (sqlite3_stmt *stmt : std::as_const(m_inserts))
        sqlite3_finalize(stmt);
    sqlite3_finalize(m_update);
    sqlite3_finalize(m_existing);
    sqlite3_finalize(m_count);
    sqlite3_finalize(m_shapeRow);
    sqlite3_finalize(m_detach);
}

Result<sqlite3_stmt *> LogRowWriter::insertStatement(int rowCount)
{
    if (sqlite3_stmt *stmt = m_inserts.value(rowCount))
        return stmt;
    QByteArray sql = m_hivewatch ? "INSERT INTO log_entries (execution_id, output_type, content, "
                                   "timestamp, source_id, shape_key, shape_row, shape_derived) "
                                   "VALUES "
                                 : "INSERT INTO log_entries (execution_id, output_type, content, "
                                   "timestamp) VALUES ";
    const QByteArray values
        = QByteArray("(?, ?, ?, coalesce(?, ") + kNow + (m_hivewatch ? "), ?, ?, ?, ?)" : "))");
    for (int i = 0; i < rowCount; ++i) {
        if (i)
            sql += ", ";
        sql += values;
    }
    sqlite3_stmt *stmt = nullptr;
    // Only the full-size statement is reused often enough to be worth keeping prepared for good.
    const unsigned flags = rowCount == kRowsPerStatement ? SQLITE_PREPARE_PERSISTENT : 0;
    if (sqlite3_prepare_v3(m_db, sql.constData(), int(sql.size()), flags, &stmt, nullptr)
        != SQLITE_OK) {
        const QString detail = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_finalize(stmt);
        return Error(QStringLiteral("Could not prepare the log append statement"), detail);
    }
    m_inserts.insert(rowCount, stmt);
    return stmt;
}

Error LogRowWriter::stepError(const QString &what) const
{
    return Error(what, QString::fromUtf8(sqlite3_errmsg(m_db)));
}

Result<qint64> LogRowWriter::append(const QList<NewLogEntry> &rows)
{
    // The rows hold QStrings; their UTF-8 must outlive the statements that bind it.
    std::vector<QByteArray> text;
    text.reserve(size_t(rows.size()) * 2);
    std::vector<Row> converted;
    converted.reserve(size_t(rows.size()));
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const NewLogEntry &entry = rows[i];
        Row row;
        row.outputType = LogTable::outputTypeName(entry.outputType);
        if (!row.outputType)
            return invalidType(entry.outputType, i);
        if (entry.sourceId && !m_hivewatch) {
            return Error(QStringLiteral("Row %1 of the batch has a source id, but this database "
                                        "(a node's db.sqlite) has no source_id column")
                             .arg(i));
        }
        row.executionId = uuidBytes(entry.executionId);
        row.content = text.emplace_back(entry.content.toUtf8());
        row.timestamp = text.emplace_back(entry.timestamp.toUtf8());
        row.sourceId = entry.sourceId;
        row.index = i;
        converted.push_back(row);
    }
    if (auto written = write(converted); !written)
        return written.error();
    return qint64(rows.size());
}

Result<qint64> LogRowWriter::upsertSynced(const QList<SyncedLogLine> &rows)
{
    if (!m_hivewatch)
        return Error(QStringLiteral("Synced log lines need a Hivewatch store, not a node's "
                                    "database"));
    std::vector<Row> converted;
    converted.reserve(size_t(rows.size()));
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const SyncedLogLine &line = rows[i];
        Row row;
        row.outputType = LogTable::outputTypeName(line.outputType);
        if (!row.outputType)
            return invalidType(QString::fromUtf8(line.outputType), i);
        row.executionId = uuidBytes(line.executionId);
        row.content = line.content;
        row.timestamp = line.timestamp;
        row.sourceId = line.sourceId;
        row.hasShape = true;
        row.shapeKey = line.shapeKey;
        row.shapeRow = line.shapeRow;
        row.derivedColumns = line.derivedColumns;
        row.index = i;
        converted.push_back(row);
    }
    return write(converted);
}

Result<qint64> LogRowWriter::write(std::vector<Row> &rows)
{
    QHash<qint64, Existing> existing;
    if (m_hivewatch) {
        std::vector<qint64> ids;
        for (const Row &row : rows) {
            if (row.sourceId)
                ids.push_back(*row.sourceId);
        }
        if (!ids.empty()) {
            auto found = findExisting(std::move(ids));
            if (!found)
                return found.error();
            existing = std::move(found).value();
        }
    }
    qint64 attached = 0;
    std::vector<const Row *> inserts;
    inserts.reserve(rows.size());
    QHash<qint64, size_t> insertedAt; // sourceId -> place in `inserts`: a later change wins
    for (const Row &row : rows) {
        if (!row.sourceId) {
            inserts.push_back(&row);
            continue;
        }
        const qint64 id = *row.sourceId;
        if (auto it = existing.find(id); it != existing.end()) {
            if (auto updated = update(row); !updated)
                return updated.error();
            if (row.hasShape && !it->attached) {
                it->attached = true;
                ++attached;
            }
        } else if (auto at = insertedAt.constFind(id); at != insertedAt.cend()) {
            inserts[*at] = &row;
        } else {
            insertedAt.insert(id, inserts.size());
            inserts.push_back(&row);
            attached += row.hasShape ? 1 : 0;
        }
    }
    if (auto inserted = insert(inserts); !inserted)
        return inserted.error();
    if (!insertedAt.isEmpty()) {
        // Rows without a source id are counted by the schema's trigger; these are not.
        QHash<QByteArray, qint64> added;
        for (const Row *row : inserts) {
            if (row->sourceId)
                ++added[QByteArray(reinterpret_cast<const char *>(row->executionId.data()), 16)];
        }
        if (auto counted = addCounts(added); !counted)
            return counted.error();
    }
    return attached;
}

Result<QHash<qint64, LogRowWriter::Existing>> LogRowWriter::findExisting(std::vector<qint64> ids)
{
    std::sort(ids.begin(), ids.end());
    QHash<qint64, Existing> found;
    for (size_t first = 0; first < ids.size();) {
        size_t last = first;
        while (last + 1 < ids.size() && ids[last + 1] - ids[last] <= kMaxIdGap)
            ++last;
        sqlite3_bind_int64(m_existing, 1, ids[first]);
        sqlite3_bind_int64(m_existing, 2, ids[last]);
        int rc;
        while ((rc = sqlite3_step(m_existing)) == SQLITE_ROW) {
            const qint64 id = sqlite3_column_int64(m_existing, 0);
            if (std::binary_search(ids.cbegin(), ids.cend(), id))
                found.insert(id, {sqlite3_column_int(m_existing, 1) != 0});
        }
        sqlite3_reset(m_existing);
        if (rc != SQLITE_DONE)
            return stepError(QStringLiteral("Could not look up the stored log lines"));
        first = last + 1;
    }
    return found;
}

Result<void> LogRowWriter::insert(const std::vector<const Row *> &rows)
{
    if (rows.empty())
        return {};
    // Every output type here was checked against the node's set when its Row was built, so the
    // schema's CHECK would only repeat that, and SQLite 3.40 evaluates its IN list through a
    // temporary table per row: 0.7 s of a 1M-row snapshot. Off for these statements only.
    sqlite3_exec(m_db, "PRAGMA ignore_check_constraints = ON", nullptr, nullptr, nullptr);
    const auto checksBack = qScopeGuard([this] {
        sqlite3_exec(m_db, "PRAGMA ignore_check_constraints = OFF", nullptr, nullptr, nullptr);
    });
    const int columns = m_hivewatch ? 8 : 4;
    for (size_t first = 0; first < rows.size(); first += kRowsPerStatement) {
        const int count = int(std::min<size_t>(kRowsPerStatement, rows.size() - first));
        auto prepared = insertStatement(count);
        if (!prepared)
            return prepared.error();
        sqlite3_stmt *stmt = prepared.value();
        for (int i = 0; i < count; ++i) {
            const Row &row = *rows[first + size_t(i)];
            const int p = i * columns;
            sqlite3_bind_blob(stmt, p + 1, row.executionId.data(), 16, SQLITE_STATIC);
            sqlite3_bind_text(stmt, p + 2, row.outputType, -1, SQLITE_STATIC);
            bindText(stmt, p + 3, row.content);
            bindTimestamp(stmt, p + 4, row.timestamp);
            if (!m_hivewatch)
                continue;
            if (row.sourceId)
                sqlite3_bind_int64(stmt, p + 5, *row.sourceId);
            else
                sqlite3_bind_null(stmt, p + 5);
            if (row.hasShape) {
                bindKey(stmt, p + 6, row.shapeKey);
                bindText(stmt, p + 7, row.shapeRow);
                sqlite3_bind_int(stmt, p + 8, row.derivedColumns);
            } else {
                sqlite3_bind_null(stmt, p + 6);
                sqlite3_bind_null(stmt, p + 7);
                sqlite3_bind_null(stmt, p + 8);
            }
        }
        const int rc = sqlite3_step(stmt);
        const QString detail
            = rc == SQLITE_DONE ? QString() : QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        if (rc != SQLITE_DONE) {
            const qsizetype from = rows[first]->index;
            const qsizetype to = rows[first + size_t(count) - 1]->index;
            return Error(
                QStringLiteral("Could not store rows %1 to %2 of the batch").arg(from).arg(to),
                detail);
        }
    }
    return {};
}

Result<void> LogRowWriter::update(const Row &row)
{
    sqlite3_bind_blob(m_update, 1, row.executionId.data(), 16, SQLITE_STATIC);
    sqlite3_bind_text(m_update, 2, row.outputType, -1, SQLITE_STATIC);
    bindText(m_update, 3, row.content);
    bindTimestamp(m_update, 4, row.timestamp);
    sqlite3_bind_int(m_update, 5, row.hasShape ? 1 : 0);
    if (row.hasShape) {
        bindKey(m_update, 6, row.shapeKey);
        bindText(m_update, 7, row.shapeRow);
    } else {
        sqlite3_bind_null(m_update, 6);
        sqlite3_bind_null(m_update, 7);
    }
    sqlite3_bind_int64(m_update, 8, *row.sourceId);
    sqlite3_bind_int(m_update, 9, row.derivedColumns);
    const int rc = sqlite3_step(m_update);
    const QString detail = rc == SQLITE_DONE ? QString() : QString::fromUtf8(sqlite3_errmsg(m_db));
    sqlite3_reset(m_update);
    if (rc != SQLITE_DONE) {
        return Error(QStringLiteral("Could not store row %1 of the batch (%2 bytes of content)")
                         .arg(row.index)
                         .arg(row.content.size()),
                     detail);
    }
    return {};
}

Result<void> LogRowWriter::addCounts(const QHash<QByteArray, qint64> &added)
{
    for (auto it = added.cbegin(); it != added.cend(); ++it) {
        sqlite3_bind_blob(m_count, 1, it.key().constData(), 16, SQLITE_STATIC);
        sqlite3_bind_int64(m_count, 2, it.value());
        const int rc = sqlite3_step(m_count);
        sqlite3_reset(m_count);
        if (rc != SQLITE_DONE)
            return stepError(QStringLiteral("Could not count the stored log lines"));
    }
    return {};
}

Result<std::optional<SyncedLogLine>> LogRowWriter::syncedLine(qint64 sourceId)
{
    if (!m_hivewatch)
        return std::optional<SyncedLogLine>();
    sqlite3_bind_int64(m_shapeRow, 1, sourceId);
    std::optional<SyncedLogLine> line;
    const int rc = sqlite3_step(m_shapeRow);
    if (rc == SQLITE_ROW) {
        const auto bytes = [this](int column) {
            return QByteArray(static_cast<const char *>(sqlite3_column_blob(m_shapeRow, column)),
                              sqlite3_column_bytes(m_shapeRow, column));
        };
        line.emplace();
        line->sourceId = sourceId;
        line->executionId = QUuid::fromRfc4122(bytes(0));
        line->outputType = bytes(1);
        line->content = bytes(2);
        line->timestamp = bytes(3);
        line->shapeKey = bytes(4);
        line->shapeRow = bytes(5);
        line->derivedColumns = sqlite3_column_int(m_shapeRow, 6);
    }
    sqlite3_reset(m_shapeRow);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return stepError(QStringLiteral("Could not read a synced log line"));
    return line;
}

Result<bool> LogRowWriter::detachSynced(qint64 sourceId)
{
    if (!m_hivewatch)
        return false;
    sqlite3_bind_int64(m_detach, 1, sourceId);
    const int rc = sqlite3_step(m_detach);
    const bool detached = sqlite3_changes(m_db) > 0;
    sqlite3_reset(m_detach);
    if (rc != SQLITE_DONE)
        return stepError(QStringLiteral("Could not detach a synced log line"));
    return rc == SQLITE_DONE && detached;
}

Result<void> LogRowWriter::detachAllSynced()
{
    if (!m_hivewatch)
        return {};
    if (sqlite3_exec(m_db,
                     "UPDATE log_entries SET shape_key = NULL, shape_row = NULL, "
                     "shape_derived = NULL WHERE shape_derived IS NOT NULL",
                     nullptr, nullptr, nullptr)
        != SQLITE_OK)
        return stepError(QStringLiteral("Could not detach the synced log lines"));
    return {};
}
