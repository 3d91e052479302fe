#pragma once

#include "sync/legacy/LegacyLogReader.h"

#include <QUuid>

#include <string>

namespace hivewatch {

class SqliteConnection;

// Reads `execution_process_logs` of a node database in any of its three eras (one growing row per
// execution, one row per message, batches of up to 100 lines): rows by inserted_at then rowid,
// each split on newlines. Rows above 1 MiB are streamed with sqlite3_blob in 1 MiB chunks, so a
// single multi-GB row of the oldest era does not need to fit in memory. The lines of a row whose
// inserted_at is not a time get the time the reader was made (the migration's own time), with a
// note saying so.
class NodeLogTableReader : public LegacyLogReader
{
public:
    NodeLogTableReader(const SqliteConnection &db, QUuid onlyExecution, qint64 maxLineBytes);

    QString sourceName() const override;
    Result<QList<LegacyExecutionInfo>> listExecutions() override;
    Result<LegacyReadStats> readExecution(const LegacyExecutionInfo &execution,
                                          LegacyLineSink &sink) override;

    // Rows and newest inserted_at per execution as the table holds them now (verification).
    Result<LegacyExecutionInfo> currentState(const QByteArray &key);

private:
    Result<bool> streamRow(qint64 rowId, class LegacyLineSplitter &splitter, qint64 &bytes);

    const SqliteConnection &m_db;
    QUuid m_onlyExecution;
    qint64 m_maxLineBytes;
    std::string m_runTimestamp; // "YYYY-MM-DD HH:MM:SS.sss" UTC
};

} // namespace hivewatch
