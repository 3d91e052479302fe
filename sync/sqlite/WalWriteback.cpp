#include "sync/sqlite/WalWriteback.h"

#include <QFile>

#include <fcntl.h>
#include <unistd.h>

namespace hivewatch {

WalWriteback::WalWriteback(const QString &databasePath)
    : m_walPath(databasePath + QStringLiteral("-wal"))
{
}

WalWriteback::~WalWriteback()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void WalWriteback::start()
{
#ifdef __linux__
    // Opened on first use: the WAL appears with the store's first write. Writeback is per file,
    // not per descriptor, so a read-only descriptor of our own starts it for SQLite's writes.
    if (m_fd < 0) {
        m_fd = ::open(QFile::encodeName(m_walPath).constData(), O_RDONLY | O_CLOEXEC);
        if (m_fd < 0)
            return;
    }
    // The whole file: the kernel visits only its dirty pages, so the pages already on their way
    // cost nothing, and a WAL restarted from its start after a checkpoint is covered too.
    // WRITE alone queues the writeback and returns; the sync at close waits for it.
    (void)::sync_file_range(m_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

} // namespace hivewatch
