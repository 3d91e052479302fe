#include "sync/legacy/JsonlFileReader.h"

#include "sync/legacy/LegacyLineSplitter.h"
#include "sync/legacy/LegacyTimestamp.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>

#include <string>

namespace hivewatch {

namespace {

constexpr qint64 kChunkBytes = 1024 * 1024;

} // namespace

JsonlFileReader::JsonlFileReader(QString path, QUuid executionId, QString timestamp,
                                 qint64 maxLineBytes)
    : m_path(std::move(path))
    , m_executionId(executionId)
    , m_timestamp(std::move(timestamp))
    , m_maxLineBytes(maxLineBytes)
{
}

QString JsonlFileReader::sourceName() const
{
    return QStringLiteral("jsonl:") + QFileInfo(m_path).absoluteFilePath();
}

Result<QList<LegacyExecutionInfo>> JsonlFileReader::listExecutions()
{
    if (m_executionId.isNull())
        return Error(QStringLiteral("A JSONL file needs the execution id its lines belong to "
                                    "(--execution-id)"));
    const QFileInfo info(m_path);
    if (!info.isFile())
        return Error(QStringLiteral("The JSONL file %1 does not exist").arg(m_path));
    LegacyExecutionInfo execution;
    execution.key = m_executionId.toRfc4122();
    execution.name = m_executionId.toString(QUuid::WithoutBraces);
    execution.rows = 1;
    return QList<LegacyExecutionInfo> {execution};
}

Result<LegacyReadStats> JsonlFileReader::readExecution(const LegacyExecutionInfo &execution,
                                                       LegacyLineSink &sink)
{
    Q_UNUSED(execution)
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly))
        return Error(QStringLiteral("Cannot read the JSONL file %1").arg(m_path),
                     file.errorString());

    const QString given = m_timestamp.isEmpty()
        ? QFileInfo(file).lastModified().toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
        : m_timestamp;
    const QByteArray givenUtf8 = given.toUtf8();
    std::string timestamp;
    if (!normalizeLegacyTimestamp(std::string_view(givenUtf8.constData(), size_t(givenUtf8.size())),
                                  timestamp))
        return Error(
            QStringLiteral("'%1' is not a UTC timestamp like 2025-11-02 14:03:07.123").arg(given));

    LegacyReadStats stats;
    stats.rows = 1;
    LegacyLineSplitter splitter(sink, m_maxLineBytes);
    splitter.beginRow(0, timestamp, {});
    std::string chunk(size_t(kChunkBytes), '\0');
    bool go = true;
    while (go) {
        const qint64 n = file.read(chunk.data(), kChunkBytes);
        if (n < 0)
            return Error(QStringLiteral("Cannot read the JSONL file %1").arg(m_path),
                         file.errorString());
        if (n == 0)
            break;
        stats.bytes += n;
        go = splitter.feed(std::string_view(chunk.data(), size_t(n)));
    }
    go = go && splitter.endRow();
    sink.rowRead(stats.bytes);
    stats.stopped = !go;
    stats.lines = splitter.lineCount();
    return stats;
}

} // namespace hivewatch
