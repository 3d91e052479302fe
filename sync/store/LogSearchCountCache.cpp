#include "sync/store/LogSearchCountCache.h"

#include "sync/sqlite/SqliteConnection.h"

#include <sqlite3.h>

namespace hivewatch {

namespace {

// Counts are a few dozen bytes; a bound keeps a long session of different queries small.
constexpr qsizetype kMaxEntries = 64;

} // namespace

Result<void> LogSearchCountCache::validate(const SqliteConnection &db)
{
    auto q = db.prepare("PRAGMA data_version");
    if (!q)
        return q.error();
    if (auto r = q->step(); !r)
        return r.error();
    const qint64 version = q->columnInt(0);
    const qint64 changes = sqlite3_total_changes64(db.handle());
    if (version != m_dataVersion || changes != m_changes) {
        m_counts.clear();
        m_dataVersion = version;
        m_changes = changes;
    }
    return {};
}

const QList<LogHitCount> *LogSearchCountCache::find(const QString &key) const
{
    const auto it = m_counts.constFind(key);
    return it == m_counts.cend() ? nullptr : &it.value();
}

void LogSearchCountCache::insert(const QString &key, QList<LogHitCount> counts)
{
    if (m_counts.size() >= kMaxEntries)
        m_counts.clear();
    m_counts.insert(key, std::move(counts));
}

} // namespace hivewatch
