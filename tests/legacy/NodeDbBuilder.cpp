#include "tests/legacy/NodeDbBuilder.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>
#include <QVariant>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace {

QByteArray jsonLine(const char *variant, const QByteArray &payload)
{
    const nlohmann::json line = {{variant, payload.toStdString()}};
    return QByteArray::fromStdString(line.dump());
}

// Era 3 batch sizes: full batches and the short ones the 250 ms timer flushes.
constexpr int kBatchSizes[] = {100, 37, 1, 64};

} // namespace

QString legacyTimestamp(const QString &start, qint64 ms)
{
    QDateTime t = QDateTime::fromString(start, QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    t.setTimeZone(QTimeZone::utc());
    return t.addMSecs(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

NodeDbBuilder::NodeDbBuilder(const QString &path, LegacyEra era)
    : m_path(path)
    , m_era(era)
    , m_connection(QStringLiteral("node-db-builder-") + QUuid::createUuid().toString())
{
}

NodeDbBuilder::~NodeDbBuilder()
{
    close();
}

void NodeDbBuilder::close()
{
    if (!QSqlDatabase::contains(m_connection))
        return;
    QSqlDatabase::database(m_connection).close();
    QSqlDatabase::removeDatabase(m_connection);
}

bool NodeDbBuilder::exec(const QString &sql, QString *error)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    if (q.exec(sql))
        return true;
    if (error)
        *error = q.lastError().text() + QStringLiteral(" in ") + sql;
    qWarning("NodeDbBuilder: %s", qPrintable(q.lastError().text() + QStringLiteral(" in ") + sql));
    return false;
}

bool NodeDbBuilder::create(QString *error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_path);
    if (!db.open()) {
        if (error)
            *error = db.lastError().text();
        return false;
    }
    const bool growing = m_era == LegacyEra::GrowingRow;
    // The node's defaults use datetime('now', 'subsec'); SQLite 3.40 (Debian 12) predates
    // 'subsec' and returns NULL, so the same value is spelled with strftime here.
    const QStringList schema = {
        QStringLiteral("PRAGMA journal_mode = WAL"),
        QStringLiteral("PRAGMA foreign_keys = ON"),
        QStringLiteral(
            "CREATE TABLE execution_processes (id BLOB PRIMARY KEY, task_attempt_id BLOB,"
            " run_reason TEXT NOT NULL DEFAULT 'codingagent' CHECK (run_reason IN"
            " ('setupscript', 'cleanupscript', 'codingagent', 'devserver')),"
            " executor_action TEXT NOT NULL DEFAULT '{}',"
            " status TEXT NOT NULL DEFAULT 'completed' CHECK (status IN"
            " ('running', 'completed', 'failed', 'killed')),"
            " exit_code INTEGER, dropped INTEGER NOT NULL DEFAULT 0,"
            " started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')), "
            "completed_at TEXT,"
            " created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),"
            " updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')))"),
        growing ? QStringLiteral(
            "CREATE TABLE execution_process_logs (execution_id BLOB PRIMARY KEY,"
            " logs TEXT NOT NULL, byte_size INTEGER NOT NULL,"
            " inserted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),"
            " FOREIGN KEY (execution_id) REFERENCES execution_processes(id) ON DELETE CASCADE)")
                : QStringLiteral(
                    "CREATE TABLE execution_process_logs (execution_id BLOB NOT NULL,"
                    " logs TEXT NOT NULL, byte_size INTEGER NOT NULL,"
                    " inserted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),"
                    " FOREIGN KEY (execution_id) REFERENCES execution_processes(id)"
                    " ON DELETE CASCADE)"),
        growing ? QStringLiteral("CREATE INDEX idx_execution_process_logs_inserted_at"
                                 " ON execution_process_logs (inserted_at)")
                : QStringLiteral("CREATE INDEX idx_execution_process_logs_execution_id_inserted_at"
                                 " ON execution_process_logs (execution_id, inserted_at)"),
        QStringLiteral(
            "CREATE TABLE log_entries (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " execution_id BLOB NOT NULL REFERENCES execution_processes(id) ON DELETE CASCADE,"
            " output_type TEXT NOT NULL CHECK (output_type IN ('stdout', 'stderr', 'system',"
            " 'json_patch', 'session_id', 'finished', 'refresh_required')),"
            " content TEXT NOT NULL,"
            " timestamp TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')), "
            "hive_synced_at TEXT)"),
        QStringLiteral("CREATE INDEX idx_log_entries_execution_id_id ON log_entries"
                       " (execution_id, id)"),
        QStringLiteral("CREATE INDEX idx_log_entries_execution_id_timestamp ON log_entries"
                       " (execution_id, timestamp)"),
    };
    for (const QString &sql : schema) {
        if (!exec(sql, error))
            return false;
    }
    return true;
}

QByteArray NodeDbBuilder::insertExecution()
{
    const QByteArray key = QUuid::createUuid().toRfc4122();
    QSqlQuery q(QSqlDatabase::database(m_connection));
    q.prepare(QStringLiteral("INSERT INTO execution_processes (id) VALUES (?)"));
    q.addBindValue(key);
    if (!q.exec())
        qWarning("NodeDbBuilder: %s", qPrintable(q.lastError().text()));
    return key;
}

void NodeDbBuilder::insertRow(const QByteArray &key, const QByteArray &logs,
                              const QString &insertedAt)
{
    QSqlQuery q(QSqlDatabase::database(m_connection));
    // CAST keeps the value TEXT even when a test line is not valid UTF-8; the growing era
    // appends exactly as the node's ON CONFLICT DO UPDATE did.
    q.prepare(m_era == LegacyEra::GrowingRow
                  ? QStringLiteral("INSERT INTO execution_process_logs (execution_id, logs,"
                                   " byte_size, inserted_at) VALUES (?, CAST(? AS TEXT), ?, ?)"
                                   " ON CONFLICT (execution_id) DO UPDATE SET"
                                   " logs = logs || excluded.logs,"
                                   " byte_size = byte_size + excluded.byte_size")
                  : QStringLiteral("INSERT INTO execution_process_logs (execution_id, logs,"
                                   " byte_size, inserted_at) VALUES (?, CAST(? AS TEXT), ?, ?)"));
    q.addBindValue(key);
    q.addBindValue(logs);
    q.addBindValue(logs.size());
    q.addBindValue(insertedAt);
    if (!q.exec())
        qWarning("NodeDbBuilder: %s", qPrintable(q.lastError().text()));
}

QByteArray NodeDbBuilder::addExecution(const QList<LegacyLineSpec> &lines, const QString &start)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection);
    db.transaction();
    const QByteArray key = insertExecution();

    // Group the lines into rows as the era did.
    QList<QList<LegacyLineSpec>> rows;
    if (m_era == LegacyEra::GrowingRow) {
        rows.append(lines);
    } else {
        int size = 0;
        for (qsizetype i = 0; i < lines.size(); i += size) {
            size = m_era == LegacyEra::RowPerMessage
                ? 1
                : kBatchSizes[rows.size() % std::size(kBatchSizes)];
            rows.append(lines.mid(i, size));
        }
    }
    // Every two rows share an inserted_at (the rowid decides between them), and the pairs are
    // inserted newest first (inserted_at decides between them, not the rowid).
    QList<QString> stamps;
    for (qsizetype r = 0; r < rows.size(); ++r)
        stamps.append(legacyTimestamp(start, r / 2));
    for (qsizetype pair = (rows.size() + 1) / 2 - 1; pair >= 0; --pair) {
        for (qsizetype r = pair * 2; r < std::min(rows.size(), pair * 2 + 2); ++r) {
            if (m_era == LegacyEra::GrowingRow) {
                for (const LegacyLineSpec &line : rows[r])
                    insertRow(key, line.text + '\n', stamps[r]);
            } else {
                QByteArray logs;
                for (const LegacyLineSpec &line : rows[r])
                    logs += line.text + '\n';
                insertRow(key, logs, stamps[r]);
            }
        }
    }
    db.commit();
    for (qsizetype r = 0; r < rows.size(); ++r) {
        for (const LegacyLineSpec &line : rows[r]) {
            ++m_lines;
            if (line.outputType)
                m_expected.append({key, *line.outputType, line.content, stamps[r]});
            else if (line.text.trimmed().isEmpty())
                ++m_blankLines;
            else
                ++m_badLines;
        }
    }
    return key;
}

QByteArray NodeDbBuilder::addExecutionWithEmptyRow(const QString &start)
{
    const QByteArray key = insertExecution();
    insertRow(key, QByteArray(""), start);
    return key;
}

QByteArray NodeDbBuilder::addExecutionWithoutLogs()
{
    return insertExecution();
}

LegacyLineSpec NodeDbBuilder::stdoutLine(const QByteArray &content)
{
    return {jsonLine("Stdout", content), QStringLiteral("stdout"), content};
}

LegacyLineSpec NodeDbBuilder::stderrLine(const QByteArray &content)
{
    return {jsonLine("Stderr", content), QStringLiteral("stderr"), content};
}

LegacyLineSpec NodeDbBuilder::sessionIdLine(const QByteArray &id)
{
    return {jsonLine("SessionId", id), QStringLiteral("session_id"), id};
}

LegacyLineSpec NodeDbBuilder::jsonPatchLine(const QByteArray &compactPatch)
{
    return {"{\"JsonPatch\":" + compactPatch + "}", QStringLiteral("json_patch"), compactPatch};
}

LegacyLineSpec NodeDbBuilder::finishedLine()
{
    return {"\"Finished\"", QStringLiteral("finished"), QByteArray("")};
}

LegacyLineSpec NodeDbBuilder::refreshRequiredLine(const QByteArray &reason)
{
    const nlohmann::json line = {{"RefreshRequired", {{"reason", reason.toStdString()}}}};
    return {QByteArray::fromStdString(line.dump()), QStringLiteral("refresh_required"), reason};
}

LegacyLineSpec NodeDbBuilder::badLine(const QByteArray &text)
{
    return {text, std::nullopt, {}};
}
