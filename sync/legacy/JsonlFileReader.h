#pragma once

#include "sync/legacy/LegacyLogReader.h"

#include <QUuid>

namespace hivewatch {

// Reads a standalone JSONL file of LogMsg lines belonging to one execution. The file has no
// per-line time, so every line gets one timestamp: the one given, or the file's modification
// time (UTC).
class JsonlFileReader : public LegacyLogReader
{
public:
    JsonlFileReader(QString path, QUuid executionId, QString timestamp, qint64 maxLineBytes);

    QString sourceName() const override;
    Result<QList<LegacyExecutionInfo>> listExecutions() override;
    Result<LegacyReadStats> readExecution(const LegacyExecutionInfo &execution,
                                          LegacyLineSink &sink) override;

private:
    QString m_path;
    QUuid m_executionId;
    QString m_timestamp;
    qint64 m_maxLineBytes;
};

} // namespace hivewatch
