#pragma once

#include "domain/Result.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QUuid>

namespace hivewatch {

class SqliteConnection;

// One execution's share of a search's hits.
struct LogHitCount
{
    QUuid executionId;
    qint64 hits = 0;
    qint64 firstId = 0; // the execution's first hit: groups are ordered by it
};

// LogSearch's full counts per (executions, filter), kept by the LogStore whose connection they
// were read on, as long as the file is unchanged: PRAGMA data_version moves with every commit of
// another connection (the writer, the index builder), total_changes with this connection's own.
// Paging through hits or stepping k of n asks for the same counts again and again (issue 16).
class LogSearchCountCache
{
public:
    // Forgets every count when the file changed since the last call.
    Result<void> validate(const SqliteConnection &db);
    const QList<LogHitCount> *find(const QString &key) const;
    void insert(const QString &key, QList<LogHitCount> counts);

private:
    QHash<QString, QList<LogHitCount>> m_counts;
    qint64 m_dataVersion = -1;
    qint64 m_changes = -1;
};

} // namespace hivewatch
