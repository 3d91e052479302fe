#pragma once

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QUuid>

#include <optional>

// The three eras of a node's execution_process_logs (docs/hive-schema.md §4.1).
enum class LegacyEra {
    GrowingRow = 1, // before Nov 2025: PK on execution_id, one row grown by ON CONFLICT
    RowPerMessage = 2, // at E: one row per message
    Batches = 3 // from 2025-12-26: up to 100 lines per row
};

// One line the test writes, and the log_entries row it must become (none for a bad line).
struct LegacyLineSpec
{
    QByteArray text; // without the newline
    std::optional<QString> outputType;
    QByteArray content; // UTF-8
};

struct ExpectedEntry
{
    QByteArray executionKey;
    QString outputType;
    QByteArray content;
    QString timestamp;
    bool operator==(const ExpectedEntry &) const = default;
};

// Writes a node database of a given era the way the node did, with its own schema
// (execution_processes, execution_process_logs, log_entries), through Qt Sql: independent of
// the SQLite code under test. Remembers what each line must turn into.
class NodeDbBuilder
{
public:
    NodeDbBuilder(const QString &path, LegacyEra era);
    ~NodeDbBuilder();

    bool create(QString *error = nullptr);
    // An execution_processes row with the given lines in execution_process_logs. Rows are
    // written out of order (the table must be read by inserted_at, then rowid); timestamps
    // step by 1 ms per row from `start` and repeat once in a while to test the rowid tie-break.
    QByteArray addExecution(const QList<LegacyLineSpec> &lines, const QString &start);
    // An execution with a legacy row whose logs are empty.
    QByteArray addExecutionWithEmptyRow(const QString &start);
    // An execution_processes row without any legacy row.
    QByteArray addExecutionWithoutLogs();
    void close();

    QList<ExpectedEntry> expected() const { return m_expected; }
    qint64 lineCount() const { return m_lines; }
    qint64 badLineCount() const { return m_badLines; }
    qint64 blankLineCount() const { return m_blankLines; }
    QString path() const { return m_path; }

    // Helpers to build lines.
    static LegacyLineSpec stdoutLine(const QByteArray &content);
    static LegacyLineSpec stderrLine(const QByteArray &content);
    static LegacyLineSpec sessionIdLine(const QByteArray &id);
    static LegacyLineSpec jsonPatchLine(const QByteArray &compactPatch);
    static LegacyLineSpec finishedLine();
    static LegacyLineSpec refreshRequiredLine(const QByteArray &reason);
    static LegacyLineSpec badLine(const QByteArray &text);

private:
    QByteArray insertExecution();
    void insertRow(const QByteArray &key, const QByteArray &logs, const QString &insertedAt);
    bool exec(const QString &sql, QString *error = nullptr);

    QString m_path;
    LegacyEra m_era;
    QString m_connection;
    QList<ExpectedEntry> m_expected;
    qint64 m_lines = 0;
    qint64 m_badLines = 0;
    qint64 m_blankLines = 0;
};

// "2025-11-02 10:00:00.000" plus `ms` milliseconds.
QString legacyTimestamp(const QString &start, qint64 ms);
