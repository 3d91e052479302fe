#pragma once

#include <QString>

namespace hivewatch {

// Has the kernel start writing a WAL file's dirty pages to disk, without waiting for it. A store
// in WAL mode with synchronous = NORMAL syncs its WAL once, when it closes (ShapeStore::syncWal):
// after a 200k-row snapshot that sync waited 75-97 ms for ~80 MB the kernel had not begun to
// write. Started as the WAL grows, the sync is left with the last parts and the final commit's
// pages (59-78 ms; docs/benchmarks.md, "the WAL written as it grows").
// Linux only (sync_file_range); elsewhere start() does nothing. Not thread-safe: one caller.
class WalWriteback
{
public:
    // `databasePath`: the database file; its WAL is `databasePath` + "-wal".
    explicit WalWriteback(const QString &databasePath);
    ~WalWriteback();
    WalWriteback(const WalWriteback &) = delete;
    WalWriteback &operator=(const WalWriteback &) = delete;

    // Starts writeback of the WAL's dirty pages written since the last call. A WAL that does
    // not exist (yet) or cannot be opened is skipped: this is a head start, never a sync.
    void start();

private:
    QString m_walPath;
    int m_fd = -1;
};

} // namespace hivewatch
