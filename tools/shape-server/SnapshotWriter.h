#pragma once

#include "tools/shape-server/ShapeDefinition.h"
#include "tools/shape-server/TableInfo.h"

#include <QList>
#include <QMutex>
#include <QSet>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

// The Postgres snapshot a shape's initial data was read in (pg_current_snapshot()). A replicated
// transaction whose xid is visible in it is already part of the snapshot and must be skipped;
// one that is not visible must be applied. That is how Electric joins snapshot and stream.
struct SnapshotVisibility
{
    quint64 xmin = 0;
    quint64 xmax = 0;
    QList<quint64> xip;

    static std::optional<SnapshotVisibility> parse(const QString &pgSnapshot); // "xmin:xmax:xip,…"
    bool isVisible(quint32 xid) const;
    QByteArray snapshotEndMessage() const; // {"headers":{"control":"snapshot-end",…}}
};

// What a snapshot run has produced so far: chunk byte ranges in a file, written by the snapshot
// thread and read by the server thread. Every member is guarded by the mutex.
class SnapshotStore
{
public:
    explicit SnapshotStore(QString path)
        : m_path(std::move(path))
    {
    }

    QString path() const { return m_path; }

    void setVisibility(const SnapshotVisibility &v);
    std::optional<SnapshotVisibility> visibility() const;
    void addChunk(qint64 position, qint64 length);
    void finish();
    void fail(const QString &error);

    int chunkCount() const;
    bool isFinished() const;
    QString error() const;
    // The chunk's messages, comma-separated (no brackets); empty on a read error.
    QByteArray readChunk(int index) const;

    std::atomic<bool> cancelled {false};

private:
    const QString m_path;
    mutable QMutex m_mutex;
    std::optional<SnapshotVisibility> m_visibility;
    QList<QPair<qint64, qint64>> m_chunks;
    bool m_finished = false;
    QString m_error;
};

// Reads a shape's initial data in one REPEATABLE READ transaction through a server-side cursor,
// so a table of any size streams through a bounded buffer into chunks on disk. Runs on its own
// thread; `notify` is called (from that thread) after every chunk and at the end.
struct SnapshotJob
{
    QString conninfo;
    TableInfo table;
    ShapeDefinition definition;
    QList<int> selectedColumns;
    qint64 chunkBytes = 0;
    std::shared_ptr<SnapshotStore> store;
    std::function<void()> notify;

    void run();
};
