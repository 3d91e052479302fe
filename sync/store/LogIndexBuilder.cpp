#include "sync/store/LogIndexBuilder.h"

#include "sync/store/LogStore.h"
#include "sync/store/StoreLog.h"

namespace hivewatch {

LogIndexBuilder::LogIndexBuilder(QString path, int chunkRows, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_chunkRows(chunkRows)
{
}

void LogIndexBuilder::run()
{
    auto store = LogStore::open(m_path, LogStore::Access::ReadWrite);
    if (!store) {
        emit finished(false, store.error().toString());
        return;
    }
    for (;;) {
        if (m_stop.load()) {
            emit finished(
                false,
                QStringLiteral("Indexing %1 stopped at %2%").arg(m_path).arg(m_percent.load()));
            return;
        }
        // Each chunk is a short write transaction of its own, so the sync writer waits at most
        // one chunk for the lock.
        const auto p = store.value()->indexStep(m_chunkRows);
        if (!p) {
            qCWarning(lcStore) << "indexing" << m_path << "failed:" << p.error().toString();
            emit finished(false, p.error().toString());
            return;
        }
        if (p->percent() != m_percent.load()) {
            m_percent.store(p->percent());
            emit progressChanged(p->percent());
        }
        if (p->ready() || !p->available) {
            m_percent.store(100);
            emit finished(p->available,
                          p->available ? QString()
                                       : QStringLiteral("%1 has no full-text index").arg(m_path));
            return;
        }
    }
}

} // namespace hivewatch
