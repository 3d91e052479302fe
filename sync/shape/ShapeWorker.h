#pragma once

#include "sync/shape/ShapeBatch.h"
#include "sync/shape/ShapeChangeRecorder.h"
#include "sync/shape/ShapeDefinition.h"
#include "sync/shape/ShapeRowSink.h"
#include "sync/shape/ShapeStatus.h"

#include <QHash>
#include <QObject>

#include <memory>

class QNetworkAccessManager;
class QTemporaryDir;

namespace hivewatch {

class LogStore;
class ShapeSchema;
class ShapeStore;
class ShapeStream;
struct StoredShape;
struct ShapeUpdate;

// Serves every shape of one process on one thread (issue 4 item 4). Lives on a worker QThread
// (ShapeClient moves it there); all its slots must be called on that thread, i.e. through queued
// connections or QMetaObject::invokeMethod. It owns the network access manager and the SQLite
// connection (a LogStore), both created lazily on its own thread.
//
// Per shape it runs a ShapeStream (the Electric protocol state machine) and applies each batch of
// changes (everything up to an up-to-date) to the local store in one transaction together with
// the new handle/offset, then emits it as one ShapeBatch. On start, a shape whose definition
// matches what the store holds resumes from the saved offset: its stored rows are emitted first
// as a reset batch (instant, offline), then only newer changes follow.
//
// Shapes are isolated from each other in the store: a shape that fails, is paused, stopped or
// must refetch half-way through a snapshot drops what it stored of it (ShapeStore::abandon) and
// resyncs from scratch when started (or resumed) again; the others keep committing meanwhile.
class ShapeWorker : public QObject
{
    Q_OBJECT
public:
    // storePath: the local SQLite store file shared with LogStore (created if missing). Empty =
    // a private temporary store that is deleted with the worker.
    explicit ShapeWorker(const QString &storePath, QObject *parent = nullptr);
    ~ShapeWorker() override;

    // Snapshots reach the store in parts of about this many changes (ShapeStream's
    // flushThreshold; 0 = its default). For tests that need a multi-part snapshot of a few rows;
    // applies to shapes added afterwards.
    void setFlushThreshold(int changes) { m_flushThreshold = changes; }
    // ShapeStream::Options' requestTimeoutMs and liveTimeoutMs for shapes added later; 0 keeps
    // the stream's default.
    void setRequestTimeouts(int requestMs, int liveMs)
    {
        m_requestTimeoutMs = requestMs;
        m_liveTimeoutMs = liveMs;
    }
    // Whether batchReady carries the rows (stored rows on resume, the changes of each
    // up-to-date). Off (the default) the worker only stores: no merged rows are kept for a
    // batch nobody reads (hivectl's sync). ShapeClient turns it on. Set before adding shapes.
    void setEmitRows(bool emitRows) { m_emitRows = emitRows; }
    // Chooses where each shape added afterwards keeps its rows (ShapeStore::load); unset, or
    // null for a shape: the store's shape_rows. The wiring passes the hive's (sync/hive).
    void setRowSinks(ShapeRowSinkFactory sinks) { m_sinks = std::move(sinks); }
    // Which shapes' changes are recorded, and how (ShapeStore::setRecorder); before addShape.
    void setChangeRecorders(ShapeChangeRecorderFactory recorders)
    {
        m_recorders = std::move(recorders);
    }

public slots:
    // Starts (or restarts with a new definition) the shape named definition.effectiveName().
    void addShape(const ShapeDefinition &definition, const ShapeEndpoint &endpoint);
    // Stops the shape; its stored rows stay for the next run.
    void removeShape(const QString &name);
    // Offline: emits what the store holds for this shape (as a reset batch) and an Idle status
    // with its row count, without any request. Stops the shape first if it was syncing.
    void showStoredShape(const ShapeDefinition &definition, const ShapeEndpoint &endpoint);
    // Pause aborts in-flight requests (no callbacks follow); resume catches up non-live first.
    void pauseAll();
    void resumeAll();
    // Aborts every request and closes the store; after this no signal is emitted. Called by
    // ShapeClient before the thread quits.
    void shutdown();

signals:
    // One per up-to-date that changed something (or reset the rows), in log order per shape.
    void batchReady(const ShapeBatch &batch);
    void statusChanged(const ShapeStatus &status);
    // A non-fatal problem in the data of a shape (e.g. NULL in a NOT NULL column): once per
    // distinct text per up-to-date, followed by a statusChanged counting every occurrence.
    void warning(const QString &shapeName, const QString &text);
    // After each up-to-date has been applied and saved (also when it brought no changes).
    void upToDate(const QString &shapeName);

private:
    struct Shape;
    bool ensureStore(QString *error);
    void onUpdate(const QString &name, const ShapeUpdate &update);
    void onPart(const QString &name, const ShapeUpdate &part);
    void storeFailed(const QString &error);
    // The saved position into the shape's status, and its stored rows out as a reset batch.
    void showSaved(Shape &shape, const StoredShape &saved);
    void emitStoredRows(Shape &shape, const ShapeSchema &rowSchema);
    void publishStatus(Shape &shape);
    // Counts `count` occurrences of `text` into the shape's status, logs it without flooding,
    // emits warning and the status.
    void noteWarning(Shape &shape, const QString &text, qint64 count);
    void failShape(Shape &shape, const QString &error);
    bool dropPartial(Shape &shape);
    bool wantsBatches() const;
    bool wantsRows(const Shape &shape) const;
    // The shape's sink (null: none), and whether its batches carry rows, into `shape`.
    std::unique_ptr<ShapeRowSink> makeSink(Shape &shape) const;
    QNetworkAccessManager *networkFor(const QString &shapeName);

    QString m_storePath;
    std::unique_ptr<LogStore> m_logStore;
    std::unique_ptr<ShapeStore> m_store;
    // One network access manager per shape name, created on first use and kept (shape names
    // are the hive's few tables): networkFor().
    QHash<QString, QNetworkAccessManager *> m_networks;
    QHash<QString, std::shared_ptr<Shape>> m_shapes;
    std::unique_ptr<QTemporaryDir> m_tempDir;
    bool m_shutDown = false;
    int m_flushThreshold = 0;
    int m_requestTimeoutMs = 0;
    int m_liveTimeoutMs = 0;
    bool m_emitRows = false;
    ShapeRowSinkFactory m_sinks;
    ShapeChangeRecorderFactory m_recorders;
};

} // namespace hivewatch
