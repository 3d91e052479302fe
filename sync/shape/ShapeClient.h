#pragma once

#include "sync/shape/ShapeBatch.h"
#include "sync/shape/ShapeChangeRecorder.h"
#include "sync/shape/ShapeDefinition.h"
#include "sync/shape/ShapeRowSink.h"
#include "sync/shape/ShapeStatus.h"

#include <QHash>
#include <QObject>
#include <QThread>

namespace hivewatch {

class ShapeWorker;

// The GUI-thread face of the shape consumer. Owns one QThread running a ShapeWorker that serves
// every shape; its methods only post queued calls to that thread, so they never block. Signals
// are re-emitted on the thread that created the ShapeClient (the GUI thread), carrying values.
//
//     auto *shapes = new ShapeClient(storeFile, this);
//     connect(shapes, &ShapeClient::batchReady, taskModel, &TaskModel::applyBatch);
//     shapes->addShape({.name = "shared_tasks", .table = "shared_tasks"},
//                      ShapeEndpoint::electric(QUrl("http://127.0.0.1:3000/v1/shape")));
//
// Destroying it stops every shape cleanly and joins the thread (no request outlives it, no
// signal arrives afterwards).
class ShapeClient : public QObject
{
    Q_OBJECT
public:
    // storePath: the local SQLite store (the same file as the LogStore the log views read).
    explicit ShapeClient(const QString &storePath, QObject *parent = nullptr);
    // sinks: where each shape keeps its rows (ShapeWorker::setRowSinks); the hive's wiring
    // passes hiveShapeRowSinks() (sync/hive) so the log table's rows land in log_entries.
    ShapeClient(const QString &storePath, ShapeRowSinkFactory sinks, QObject *parent = nullptr);
    // recorders: whose changes are recorded (ShapeWorker::setChangeRecorders); the hive's wiring
    // passes hiveChangeRecorders() (sync/hive) so tasks, nodes and assignments keep a history.
    ShapeClient(const QString &storePath, ShapeRowSinkFactory sinks,
                ShapeChangeRecorderFactory recorders, QObject *parent = nullptr);
    ~ShapeClient() override;

    // Starts syncing a shape (or restarts it with a new definition or endpoint).
    void addShape(const ShapeDefinition &definition, const ShapeEndpoint &endpoint);
    void removeShape(const QString &name);
    // Offline view: shows what the store holds for the shape (a reset batch and an Idle status)
    // without contacting the server. `endpoint` must be the one the rows were synced from.
    void showStoredShape(const ShapeDefinition &definition, const ShapeEndpoint &endpoint);
    void pause();
    void resume();
    // Stops every shape and joins the worker thread; idempotent. The destructor calls it.
    void stop();

    // The last status received for `name` (Idle with that name when unknown).
    ShapeStatus status(const QString &name) const;

signals:
    void batchReady(const ShapeBatch &batch);
    void statusChanged(const ShapeStatus &status);
    void warning(const QString &shapeName, const QString &text);

private:
    QThread m_thread;
    ShapeWorker *m_worker = nullptr;
    QHash<QString, ShapeStatus> m_statuses;
};

} // namespace hivewatch
