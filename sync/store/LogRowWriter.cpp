#include "sync/store/LogRowWriter.h"

#include "domain/LogTable.h"
#include "sync/sqlite/SqliteConnection.h"

#include <QScopeGuard>

#include <algorithm>

namespace hivewatch {

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

const char kNow[] = "strftime('%Y-%m-%d %H:%M:%f', 'now')";

} // namespace

Result<std::unique_ptr<LogRowWriter>> LogRowWriter::prepare(const SqliteConnection &db,
                                                            bool hivewatchSchema, bool checksOff)
{
    std::unique_ptr<LogRowWriter> writer(new LogRowWriter(db, hivewatchSchema, checksOff));
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
        auto prepared = db.prepare(sql, true);
        if (!prepared)
            return Error(QStringLiteral("Could not prepare the log write statements"),
                         prepared.error().detail);
        *slot = std::move(prepared).value();
    }
    return writer;
}

LogRowWriter::LogRowWriter(const SqliteConnection &db, bool hivewatchSchema, bool checksOff)
    : m_db(db)
    , m_hivewatch(hivewatchSchema)
    , m_checksOff(checksOff)
{
}

LogRowWriter::~LogRowWriter() = default;

Result<SqliteStatement *> LogRowWriter::insertStatement(int rowCount)
{
    if (auto it = m_inserts.find(rowCount); it != m_inserts.end())
        return &it->second;
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
    // Only the full-size statement is reused often enough to be worth keeping prepared for good.
    auto prepared = m_db.prepare(std::string_view(sql.constData(), size_t(sql.size())),
                                 rowCount == kRowsPerStatement);
    if (!prepared)
        return Error(QStringLiteral("Could not prepare the log append statement"),
                     prepared.error().detail);
    return &m_inserts.emplace(rowCount, std::move(prepared).value()).first->second;
}

Error LogRowWriter::stepError(const QString &what) const
{
    return Error(what, m_db.lastError());
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

Result<qint64> LogRowWriter::appendLines(QByteArrayView executionId,
                                         const std::vector<LineView> &lines)
{
    if (executionId.size() != 16)
        return Error(QStringLiteral("An execution id is 16 bytes, not %1").arg(executionId.size()));
    std::vector<Row> converted;
    converted.reserve(lines.size());
    for (size_t i = 0; i < lines.size(); ++i) {
        const LineView &line = lines[i];
        Row row;
        row.outputType = LogTable::outputTypeName(line.outputType);
        if (!row.outputType)
            return invalidType(QString::fromUtf8(line.outputType), qsizetype(i));
        std::copy(executionId.begin(), executionId.end(), row.executionId.begin());
        row.content = line.content;
        row.timestamp = line.timestamp;
        row.index = qsizetype(i);
        converted.push_back(row);
    }
    if (auto written = write(converted); !written)
        return written.error();
    return qint64(lines.size());
}

Result<qint64> LogRowWriter::upsertSynced(const QList<SyncedLogLine> &rows)
{
    if (!m_hivewatch)
        return Error(QStringLiteral("Synced log lines need a Hivewatch store, not a node's "
                                    "database"));
    std::vector<Row> converted;
    converted.reserve(size_t(rows.size()));
    // Lines mostly repeat the previous line's type: one comparison instead of a walk through
    // the node's list (2-3% of a 1M-row log snapshot's CPU, docs/benchmarks.md).
    QByteArrayView lastType;
    const char *lastName = nullptr;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const SyncedLogLine &line = rows[i];
        Row row;
        if (!lastName || QByteArrayView(line.outputType) != lastType) {
            lastName = LogTable::outputTypeName(line.outputType);
            lastType = line.outputType;
        }
        row.outputType = lastName;
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
    if (m_hivewatch && !inserts.empty()) {
        // The one counting rule (see the class comment): every inserted row, here.
        QHash<QByteArray, qint64> added;
        const Row *previous = nullptr;
        qint64 run = 0;
        for (const Row *row : inserts) {
            // Lines mostly come in runs of one execution: one hash update per run.
            if (previous && row->executionId != previous->executionId) {
                added[QByteArray(reinterpret_cast<const char *>(previous->executionId.data()), 16)]
                    += run;
                run = 0;
            }
            previous = row;
            ++run;
        }
        added[QByteArray(reinterpret_cast<const char *>(previous->executionId.data()), 16)] += run;
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
        m_existing.bindInt(1, ids[first]).bindInt(2, ids[last]);
        Result<bool> row = false;
        while ((row = m_existing.step()) && row.value()) {
            const qint64 id = m_existing.columnInt(0);
            if (std::binary_search(ids.cbegin(), ids.cend(), id))
                found.insert(id, {m_existing.columnInt(1) != 0});
        }
        m_existing.reset();
        if (!row)
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
    // temporary table per row: 0.7 s of a 1M-row snapshot. Off for these statements only,
    // unless the owner keeps them off for good (m_checksOff).
    if (!m_checksOff)
        (void)m_db.exec("PRAGMA ignore_check_constraints = ON");
    const auto checksBack = qScopeGuard([this] {
        if (!m_checksOff)
            (void)m_db.exec("PRAGMA ignore_check_constraints = OFF");
    });
    const int columns = m_hivewatch ? 8 : 4;
    for (size_t first = 0; first < rows.size(); first += kRowsPerStatement) {
        const int count = int(std::min<size_t>(kRowsPerStatement, rows.size() - first));
        auto prepared = insertStatement(count);
        if (!prepared)
            return prepared.error();
        SqliteStatement &stmt = *prepared.value();
        for (int i = 0; i < count; ++i) {
            const Row &row = *rows[first + size_t(i)];
            const int p = i * columns;
            stmt.bindBlob(p + 1, QByteArrayView(row.executionId.data(), 16))
                .bindText(p + 2, std::string_view(row.outputType))
                .bindText(p + 3, row.content)
                .bindTextOrNull(p + 4, row.timestamp);
            if (!m_hivewatch)
                continue;
            if (row.sourceId)
                stmt.bindInt(p + 5, *row.sourceId);
            else
                stmt.bindNull(p + 5);
            // An empty shape key means "derived from the id" (Electric keys are never empty).
            if (row.hasShape)
                stmt.bindTextOrNull(p + 6, row.shapeKey)
                    .bindText(p + 7, row.shapeRow)
                    .bindInt(p + 8, row.derivedColumns);
            else
                stmt.bindNull(p + 6).bindNull(p + 7).bindNull(p + 8);
        }
        if (auto stored = stmt.run(); !stored) {
            const qsizetype from = rows[first]->index;
            const qsizetype to = rows[first + size_t(count) - 1]->index;
            return Error(
                QStringLiteral("Could not store rows %1 to %2 of the batch").arg(from).arg(to),
                m_db.lastError());
        }
    }
    return {};
}

Result<void> LogRowWriter::update(const Row &row)
{
    m_update.bindBlob(1, QByteArrayView(row.executionId.data(), 16))
        .bindText(2, std::string_view(row.outputType))
        .bindText(3, row.content)
        .bindTextOrNull(4, row.timestamp)
        .bindInt(5, row.hasShape ? 1 : 0);
    if (row.hasShape)
        m_update.bindTextOrNull(6, row.shapeKey).bindText(7, row.shapeRow);
    else
        m_update.bindNull(6).bindNull(7);
    m_update.bindInt(8, *row.sourceId).bindInt(9, row.derivedColumns);
    if (auto stored = m_update.run(); !stored) {
        return Error(QStringLiteral("Could not store row %1 of the batch (%2 bytes of content)")
                         .arg(row.index)
                         .arg(row.content.size()),
                     m_db.lastError());
    }
    return {};
}

Result<void> LogRowWriter::addCounts(const QHash<QByteArray, qint64> &added)
{
    for (auto it = added.cbegin(); it != added.cend(); ++it) {
        if (!m_count.bindBlob(1, it.key()).bindInt(2, it.value()).run())
            return stepError(QStringLiteral("Could not count the stored log lines"));
    }
    return {};
}

Result<std::optional<SyncedLogLine>> LogRowWriter::syncedLine(qint64 sourceId)
{
    if (!m_hivewatch)
        return std::optional<SyncedLogLine>();
    std::optional<SyncedLogLine> line;
    const Result<bool> found = m_shapeRow.bindInt(1, sourceId).step();
    if (found && found.value()) {
        const auto bytes = [this](int column) {
            return m_shapeRow.columnByteArray(column);
        };
        line.emplace();
        line->sourceId = sourceId;
        line->executionId = QUuid::fromRfc4122(bytes(0));
        line->outputType = bytes(1);
        line->content = bytes(2);
        line->timestamp = bytes(3);
        line->shapeKey = bytes(4);
        line->shapeRow = bytes(5);
        line->derivedColumns = int(m_shapeRow.columnInt(6));
    }
    m_shapeRow.reset();
    if (!found)
        return stepError(QStringLiteral("Could not read a synced log line"));
    return line;
}

Result<bool> LogRowWriter::detachSynced(qint64 sourceId)
{
    if (!m_hivewatch)
        return false;
    if (!m_detach.bindInt(1, sourceId).run())
        return stepError(QStringLiteral("Could not detach a synced log line"));
    return m_db.changes() > 0;
}

Result<void> LogRowWriter::detachAllSynced()
{
    if (!m_hivewatch)
        return {};
    if (!m_db.exec("UPDATE log_entries SET shape_key = NULL, shape_row = NULL, "
                   "shape_derived = NULL WHERE shape_derived IS NOT NULL"))
        return stepError(QStringLiteral("Could not detach the synced log lines"));
    return {};
}

} // namespace hivewatch
