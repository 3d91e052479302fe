#pragma once

#include "domain/Result.h"
#include "sync/common/WorkerThread.h"
#include "sync/shape/ShapeChangeRecorder.h"
#include "sync/shape/ShapeMessage.h"
#include "sync/shape/ShapeRowSink.h"
#include "sync/shape/ShapeSchema.h"
#include "sync/shape/ShapeUpdate.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/sqlite/SqliteTransaction.h"
#include "sync/sqlite/WalWriteback.h"
#include "sync/store/LogStore.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <vector>

namespace hivewatch {

class LogStore;
class ShapeRowTable;

// Where a shape stood when it was last saved.
struct StoredShape
{
    QString handle;
    QString offset;
    ShapeSchema schema;
    qint64 rowCount = 0;
    QDateTime lastSyncedAt;
};

// Persists shapes in the local store file, next to LogStore's tables (issue 4 item 5): per
// shape its handle, offset and schema (shape_state) and its materialized rows, by default in
// wire form in shape_rows. A shape given a ShapeRowSink at load() keeps its rows where the sink
// puts them (the hive's log table: log_entries, sync/hive), and in shape_rows only those the
// sink hands back. Each update is applied in ONE transaction with the new offset, so a kill at
// any point resumes exactly: no loss, no duplicates. A reset update (first sync, must-refetch)
// replaces the rows atomically.
//
// The store writes through a connection of its own (to LogStore's file, opened like it), owned
// by its writer thread: every call runs there, a write() without `applied` without waiting for
// it, so the caller parses the next response meanwhile; the others wait for it.
//
// Shapes share the connection, so they share its transaction, but none waits for another: every
// commit() commits. A shape half-way through a large snapshot (written in parts) is saved as
// "snapshot in progress" (offset -1) by any commit that carries its rows, so a restart resyncs it
// and never takes its partial rows for its data; it keeps writing later parts after the commit.
class ShapeStore
{
public:
    explicit ShapeStore(LogStore &logStore);
    // Waits for the writes in flight and drops what is not committed.
    ~ShapeStore();
    // (logStore: its file, its access mode, and whether it is a node's database.)
    ShapeStore(const ShapeStore &) = delete;
    ShapeStore &operator=(const ShapeStore &) = delete;

    // Creates the tables if needed. Call once after opening.
    Result<void> migrate();

    // The saved position of `name`, or nullopt when nothing is saved or it was saved for another
    // definition (`shapeKey`, see ShapeUrl::shapeKey) or another sink: then the old rows are
    // dropped. From now on `sink` (null: shape_rows only) keeps the rows of `name`.
    Result<std::optional<StoredShape>> load(const QString &name, const QString &shapeKey,
                                            std::unique_ptr<ShapeRowSink> sink = nullptr);

    // From now on `sink` (null: shape_rows only) keeps the rows of `name`, without reading its
    // position: for a reader that only walks its rows (forEachRow). load() does this too.
    Result<void> attach(const QString &name, std::unique_ptr<ShapeRowSink> sink);

    // From now on `recorder` (null: none) records each change applied to `name` (a shape whose
    // rows the store keeps itself), in the transaction of its batch. A reset update of a shape
    // that had rows is recorded at its commit as the differences between the old rows and the
    // new snapshot; the first snapshot's inserts as ChangeOrigin::Snapshot.
    Result<void> setRecorder(const QString &name, std::unique_ptr<ShapeChangeRecorder> recorder);

    // Writes changes of `name` into the store's open transaction, opening one if needed; a reset
    // update first drops the shape's rows. Large snapshots arrive as several writes
    // (ShapeStream::changesPending) and one commit() of `name` at up-to-date, so they never sit
    // in memory whole; until that commit `name` is partial (see isPartial()). `applied`
    // (optional) receives the merged rows, in log order.
    Result<void> write(const QString &name, const ShapeUpdate &update,
                       QList<AppliedChange> *applied = nullptr);
    // Saves the position of `name` (handle, offset, schema) and commits the transaction. Shapes
    // still partial are saved as offset -1 in the same commit. Returns the row count of `name`.
    Result<qint64> commit(const QString &name, const QString &shapeKey, const ShapeUpdate &update);
    // `name` stopped half-way through a snapshot (failed, paused, stopped, must refetch): its
    // partial rows are dropped (and its sink's part: ShapeRowSink::dropPartial), it is saved as
    // offset -1 with no rows so it resyncs, and this is committed. Does nothing when `name` is
    // not partial.
    Result<void> abandon(const QString &name);
    // Whether `name` has written parts since its last commit().
    bool isPartial(const QString &name);
    // Drops everything not yet committed (shutdown, or after a store error).
    void rollback();
    // The store is about to close: no WAL checkpoint runs from now on, and one copying now stops,
    // so closing never waits for it. The next open copies the WAL back; nothing committed is lost.
    void leaveCheckpoints();

    // Every stored row of `name`, sorted by key; none while it is saved as a snapshot in
    // progress (offset -1) or not saved at all. `visit` runs on the writer thread while the
    // caller waits.
    Result<void>
    forEachRow(const QString &name,
               const std::function<void(const QString &key, const RawRow &row)> &visit);

    // Forgets a shape and its rows.
    Result<void> remove(const QString &name);

private:
    class Rows;
    // What a change needs that can be worked out without the store (on the calling thread).
    struct Prepared
    {
        QByteArray key; // UTF-8
        QByteArray json; // an insert: the row in wire form
    };
    // A write's rows after the writer is done with them, for the caller to free (see write()).
    struct Spent
    {
        ShapeUpdate update;
        QList<Prepared> prepared;
    };
    static QList<Prepared> convert(const ShapeUpdate &update);
    static bool allInserts(const ShapeUpdate &update);
    // The order applyInserts() writes `prepared` in: by key (see .cpp).
    static std::vector<qsizetype> keyOrder(const QList<Prepared> &prepared);
    // The ...Here functions and everything below run on the writer thread.
    Result<void> migrateHere();
    Result<std::optional<StoredShape>> loadHere(const QString &name, const QString &shapeKey,
                                                std::unique_ptr<ShapeRowSink> sink);
    Result<void> attachHere(const QString &name, std::unique_ptr<ShapeRowSink> sink);
    Result<void> removeHere(const QString &name);
    void rollbackHere();
    Result<void> connect();
    Result<SqliteStatement> statement(std::string_view sql, const QString &what) const;
    // shape_rows, prepared once per connection.
    // rows() with the connection's cache sized for shape rows (useCacheFor).
    Result<ShapeRowTable *> rowsForWrites();
    Result<ShapeRowTable *> rows();
    // The WAL's commits since the last checkpoint to disk (on close, which does not checkpoint).
    void syncWal();
    Result<void> useCacheFor(bool sinkRows);
    Error sqlError(const QString &what) const;
    ShapeRowSink *sinkOf(const QString &name) const;
    Result<void> apply(const QString &name, const ShapeUpdate &update, QList<Prepared> &prepared,
                       QList<AppliedChange> *applied);
    // A part of inserts only, nothing recorded or applied (a snapshot chunk), in `order`
    // (keyOrder()).
    Result<void> applyInserts(const QString &name, bool reset, const QList<Prepared> &prepared,
                              const std::vector<qsizetype> &order);
    Result<void> applyToSink(ShapeRowSink &sink, const QString &name, const ShapeUpdate &update,
                             const ShapeSinkPart *part, QList<AppliedChange> *applied);
    // The result of the writes in flight (which ran before, jobs run in order), and clears it.
    Result<void> join();
    // The rows of the writes done since the last call, for the caller's thread to free.
    std::vector<Spent> takeSpent();
    Result<void> begin();
    Result<void> finish();
    // Copies the WAL back into the store file on the writer thread, after the calls waiting now.
    void checkpointLater();
    Result<qint64> genericRowCount(const QString &name);
    ShapeChangeRecorder *recorderOf(const QString &name) const;
    // A reset update of a recorded shape: its rows before it are kept for the diff at commit.
    Result<void> startRecordedReset(const QString &name, ShapeChangeRecorder &recorder);
    // At the commit that ends a recorded reset: the differences, recorded.
    Result<void> recordResyncDiff(const QString &name, const ShapeUpdate &update,
                                  ShapeChangeRecorder &recorder);
    void forgetRecordedReset(const QString &name);
    Result<qint64> sinkRowCount(const QString &name);

    LogStore &m_logStore;
    WorkerThread m_writer;
    WalWriteback m_walWriteback; // used by the caller's thread (write())
    SqliteConnection m_db; // opened on m_writer's thread
    std::unique_ptr<ShapeRowTable> m_rows; // on m_db
    std::optional<SqliteTransaction> m_transaction; // the open transaction
    // The sinks given to load(), by shape; open on m_db.
    std::map<QString, std::unique_ptr<ShapeRowSink>> m_sinks;
    // The recorders given to setRecorder(), by shape; open on m_db.
    std::map<QString, std::unique_ptr<ShapeChangeRecorder>> m_recorders;
    // Recorded shapes in a reset: the stored rows before it (key → wire form) when it had any,
    // to be diffed at its commit; in m_firstSnapshot when it had none (its inserts are recorded).
    QHash<QString, QHash<QByteArray, QByteArray>> m_resetBefore;
    QSet<QString> m_firstSnapshot;
    // Shapes with writes since their last commit().
    QSet<QString> m_partial;
    // Partial shapes whose offset -1 is already saved in the open transaction or on disk.
    QSet<QString> m_resyncSaved;
    // Rows each sink holds for its shape, including uncommitted writes; unknown (recomputed
    // from the saved state) after a rollback.
    QHash<QString, qint64> m_sinkRows;
    Result<void> m_pending; // the result of the writes that did not wait, since join()
    std::atomic<bool> m_writeFailed = false; // m_pending holds an error
    static constexpr std::ptrdiff_t kWriteSlots = 2; // writes that did not wait, at most
    std::counting_semaphore<kWriteSlots> m_writeSlots {kWriteSlots}; // queued or running
    std::mutex m_spentMutex;
    std::vector<Spent> m_spent; // the rows of the writes that did not wait, once written
    int m_walPages = 0; // the WAL's size after the last commit, in pages
    std::atomic<bool> m_closing = false; // queued checkpoints are left to the next open
    std::atomic<bool> m_checkpointing = false; // a checkpoint runs on the writer thread
    bool m_sinkCache = true; // the page cache is sized for a sink's table (useCacheFor)
};

} // namespace hivewatch
