#pragma once

#include "domain/Result.h"
#include "sync/legacy/LegacyLine.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace hivewatch {

// One execution found in a legacy source.
struct LegacyExecutionInfo
{
    QByteArray key; // execution_id exactly as the source stores it (a 16-byte UUID blob)
    QString name; // UUID text for reports
    qint64 rows = 0;
    QString lastInsertedAt; // newest source row, to notice rows added after a migration
};

struct LegacyReadStats
{
    qint64 rows = 0;
    qint64 bytes = 0;
    qint64 lines = 0;
    bool stopped = false; // the sink asked to stop
};

// A source of legacy LogMsg lines: a node table in any era, or a JSONL file.
class LegacyLogReader
{
public:
    virtual ~LegacyLogReader() = default;
    // Text recorded in the ledger's source column.
    virtual QString sourceName() const = 0;
    virtual Result<QList<LegacyExecutionInfo>> listExecutions() = 0;
    // Feeds the execution's lines to sink in their original order.
    virtual Result<LegacyReadStats> readExecution(const LegacyExecutionInfo &execution,
                                                  LegacyLineSink &sink)
        = 0;
};

// Display form of an execution key: UUID text, or hex for anything that is not a 16-byte UUID.
QString legacyExecutionName(const QByteArray &key);

} // namespace hivewatch
