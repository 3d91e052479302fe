#pragma once

#include "LogStore.h"

struct sqlite3;
struct sqlite3_stmt;

// The append hot path: one prepared INSERT on the raw sqlite3 handle behind the QSqlDatabase,
// bound and stepped per row. QSqlQuery costs a QVariant per bound value and per step, which
// matters at a million rows; this keeps LogStore's append close to a hand-written sqlite3 loop.
class LogAppendStatement
{
public:
    // withSourceId: the Hivewatch schema (upsert by source_id); false for a node's database.
    static Result<std::unique_ptr<LogAppendStatement>> prepare(sqlite3 *db, bool withSourceId);
    ~LogAppendStatement();

    LogAppendStatement(const LogAppendStatement &) = delete;
    LogAppendStatement &operator=(const LogAppendStatement &) = delete;

    // Inserts (or, for a known sourceId, updates) one row. `index` is the row's place in its
    // batch, for the error message.
    Result<void> write(const NewLogEntry &row, qsizetype index);

private:
    LogAppendStatement(sqlite3 *db, sqlite3_stmt *stmt, bool withSourceId);

    sqlite3 *m_db;
    sqlite3_stmt *m_stmt;
    bool m_withSourceId;
};
