#include "sync/shape/ShapeClient.h"

#include "sync/common/ThreadPriority.h"
#include "sync/shape/ShapeWorker.h"

namespace hivewatch {

ShapeClient::ShapeClient(const QString &storePath, QObject *parent)
    : ShapeClient(storePath, ShapeRowSinkFactory(), parent)
{
}

ShapeClient::ShapeClient(const QString &storePath, ShapeRowSinkFactory sinks, QObject *parent)
    : ShapeClient(storePath, std::move(sinks), ShapeChangeRecorderFactory(), parent)
{
}

ShapeClient::ShapeClient(const QString &storePath, ShapeRowSinkFactory sinks,
                         ShapeChangeRecorderFactory recorders, QObject *parent)
    : QObject(parent)
{
    registerShapeBatchMetaTypes();
    qRegisterMetaType<ShapeStatus>();
    m_thread.setObjectName(QStringLiteral("hivewatch-shapes"));
    m_worker = new ShapeWorker(storePath);
    m_worker->setEmitRows(true); // its batchReady is the models' input
    m_worker->setRowSinks(std::move(sinks));
    m_worker->setChangeRecorders(std::move(recorders));
    m_worker->moveToThread(&m_thread);
    connect(m_worker, &ShapeWorker::batchReady, this, &ShapeClient::batchReady,
            Qt::QueuedConnection);
    connect(m_worker, &ShapeWorker::warning, this, &ShapeClient::warning, Qt::QueuedConnection);
    connect(
        m_worker, &ShapeWorker::statusChanged, this,
        [this](const ShapeStatus &status) {
            m_statuses.insert(status.shapeName, status);
            emit statusChanged(status);
        },
        Qt::QueuedConnection);
    // The GUI thread must win every contest for a core; threads the worker starts (the store's
    // write thread) inherit the worker's nice value.
    connect(
        &m_thread, &QThread::started, this, [] { ThreadPriority::lowerCurrent(); },
        Qt::DirectConnection);
    m_thread.start();
}

ShapeClient::~ShapeClient()
{
    stop();
}

void ShapeClient::addShape(const ShapeDefinition &definition, const ShapeEndpoint &endpoint)
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, definition, endpoint] {
        worker->addShape(definition, endpoint);
    });
}

void ShapeClient::removeShape(const QString &name)
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, name] { worker->removeShape(name); });
}

void ShapeClient::showStoredShape(const ShapeDefinition &definition, const ShapeEndpoint &endpoint)
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, definition, endpoint] {
        worker->showStoredShape(definition, endpoint);
    });
}

void ShapeClient::pause()
{
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, &ShapeWorker::pauseAll);
}

void ShapeClient::resume()
{
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, &ShapeWorker::resumeAll);
}

void ShapeClient::stop()
{
    if (!m_worker)
        return;
    // Requests, timers and the SQLite connection belong to the worker thread: end them there.
    QMetaObject::invokeMethod(m_worker, &ShapeWorker::shutdown, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_worker;
    m_worker = nullptr;
}

ShapeStatus ShapeClient::status(const QString &name) const
{
    ShapeStatus status = m_statuses.value(name);
    status.shapeName = name;
    return status;
}

} // namespace hivewatch
