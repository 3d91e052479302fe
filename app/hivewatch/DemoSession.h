#pragma once

#include <QObject>
#include <QThread>
#include <QUrl>

namespace hivewatch {

class DemoHive;

// The local demo hive for a first run with no hive configured: DemoHive (cluster, schema, shape
// server, activity) runs on its own thread, so the window is up and responsive while Postgres
// starts. Destroying the session stops everything the demo started and joins the thread.
class DemoSession : public QObject
{
    Q_OBJECT
public:
    explicit DemoSession(const QString &dataDir, QObject *parent = nullptr);
    ~DemoSession() override;

    // Where the demo keeps its cluster and its own local store, apart from a real hive's.
    static QString defaultDataDir();
    QString storePath() const;
    static QString storePathIn(const QString &dataDir);

    void start();

signals:
    void progress(const QString &step);
    void ready(const QUrl &shapeUrl);
    void failed(const QString &message);

private:
    QString m_dataDir;
    QThread m_thread;
    DemoHive *m_hive = nullptr;
};

} // namespace hivewatch
