#include "app/hivewatch/DemoSession.h"

#include "sync/demo/DemoHive.h"

#include <QDir>
#include <QStandardPaths>

namespace hivewatch {

DemoSession::DemoSession(const QString &dataDir, QObject *parent)
    : QObject(parent)
    , m_dataDir(dataDir)
{
    m_thread.setObjectName(QStringLiteral("demo-hive"));
    m_hive = new DemoHive({dataDir, {}, 1000});
    m_hive->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_hive, &QObject::deleteLater);
    connect(m_hive, &DemoHive::progress, this, &DemoSession::progress);
    connect(m_hive, &DemoHive::ready, this, &DemoSession::ready);
    connect(m_hive, &DemoHive::failed, this,
            [this](const Error &error) { emit failed(error.toString()); });
    m_thread.start();
}

DemoSession::~DemoSession()
{
    // Quitting while Postgres starts should not wait for the whole start first.
    m_hive->cancelStart();
    // Stop on the hive's own thread (its processes and timer live there), then join it: the
    // thread must outlive the shape server (its parent-death signal is tied to that thread).
    QMetaObject::invokeMethod(m_hive, &DemoHive::stop, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString DemoSession::defaultDataDir()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("demo"));
}

QString DemoSession::storePath() const
{
    return storePathIn(m_dataDir);
}

QString DemoSession::storePathIn(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("store.sqlite"));
}

void DemoSession::start()
{
    QMetaObject::invokeMethod(m_hive, &DemoHive::start, Qt::QueuedConnection);
}

} // namespace hivewatch
