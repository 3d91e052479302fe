#pragma once

#include "domain/Error.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <atomic>
#include <memory>

class QProcess;
class QTimer;

namespace hivewatch {

class PgConnection;

// A local demo hive for first runs: it creates (first time) and starts a private PostgreSQL
// cluster under `dataDir` (durable, reachable only through a private Unix socket), loads the hive
// schema with seed data, prepares it for Electric, starts the test shape server and makes the hive
// move (heartbeats, tasks, logs, progress events) once a second. A second run reuses the data.
// stop() — also on destruction — stops what start() started.
//
// Nothing it starts outlives the process, even one killed with SIGKILL: the shape server gets a
// parent-death signal, and the cluster is kept by demo-keeper.sh, which stops it when our end of
// its stdin closes. The next start waits for that stop (the keeper's lock) rather than reusing a
// cluster on its way down.
//
// Everything here blocks on processes and Postgres: move the object to a worker thread and call
// start()/stop() through queued invocations. That thread must live until stop() has run: the
// shape server's parent-death signal fires when the thread that started it ends.
class DemoHive : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString dataDir; // where the cluster and its state live
        QString shapeServerPath; // the hive-shape-server binary; empty: findShapeServer()
        int tickMs = 1000; // activity period; 0 disables the activity generator
    };

    explicit DemoHive(Options options, QObject *parent = nullptr);
    ~DemoHive() override;

    // The test shape server next to the running binary (build tree or installed), or
    // $HIVEWATCH_SHAPE_SERVER. Empty when none is found.
    static QString findShapeServer();

    QString conninfo() const { return m_conninfo; }
    QUrl shapeUrl() const { return m_shapeUrl; }

    // Thread-safe: a start() under way (or still queued) gives up at its next step, without
    // reporting a failure. For an owner about to stop the hive (quitting while Postgres starts).
    void cancelStart() { m_cancelled = true; }

public slots:
    void start();
    void stop();
    // One step of activity (also what the timer calls); public so tests can drive it.
    void tick();

signals:
    void progress(const QString &step);
    void ready(const QUrl &shapeUrl);
    void failed(const Error &error);

private:
    Error startCluster();
    Error prepareDatabase();
    Error startShapeServer();
    Error writeScript(const QString &name, QString *path);
    void stopCluster();

    Options m_options;
    QString m_conninfo;
    QUrl m_shapeUrl;
    std::unique_ptr<PgConnection> m_db;
    QProcess *m_keeper = nullptr; // demo-keeper.sh: the cluster runs while its stdin is open
    QProcess *m_server = nullptr;
    QTimer *m_timer = nullptr;
    std::atomic<bool> m_cancelled {false};
};

} // namespace hivewatch
