#pragma once

#include "Error.h"

#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

class PgConnection;
class QProcess;
class QTimer;

// A local demo hive for first runs: it creates (first time) and starts a private PostgreSQL
// cluster under `dataDir` (durable, reachable only through a private Unix socket), loads the hive
// schema with seed data, prepares it for Electric, starts the test shape server and makes the hive
// move (heartbeats, tasks, logs, progress events) once a second. A second run reuses the data.
// stop() — also on destruction — stops what start() started.
//
// Everything here blocks on processes and Postgres: move the object to a worker thread and call
// start()/stop() through queued invocations.
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
    Error runClusterScript(const QStringList &arguments, QString *output);

    Options m_options;
    QString m_conninfo;
    QUrl m_shapeUrl;
    std::unique_ptr<PgConnection> m_db;
    QProcess *m_server = nullptr;
    QTimer *m_timer = nullptr;
    bool m_clusterStarted = false;
};
