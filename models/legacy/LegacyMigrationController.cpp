#include "models/legacy/LegacyMigrationController.h"

namespace hivewatch {

LegacyMigrationController::LegacyMigrationController(QObject *parent)
    : QObject(parent)
    , m_worker(new LegacyMigrationWorker)
{
    m_thread.setObjectName(QStringLiteral("legacy-migration"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &LegacyMigrationWorker::progressed, this,
            &LegacyMigrationController::progressed);
    connect(m_worker, &LegacyMigrationWorker::finished, this, [this](const LegacyReport &report) {
        setRunning(false);
        emit finished(report);
    });
    connect(m_worker, &LegacyMigrationWorker::failed, this, [this](const Error &error) {
        setRunning(false);
        emit failed(error);
    });
    m_thread.start();
}

LegacyMigrationController::~LegacyMigrationController()
{
    // A run in progress rolls back its current execution; the ledger keeps the finished ones.
    m_worker->requestCancel();
    m_thread.quit();
    m_thread.wait();
}

void LegacyMigrationController::start(const LegacyMigrationRequest &request)
{
    if (m_running)
        return;
    setRunning(true);
    // A functor, not "run" + Q_ARG: a type named in a string would have to match moc's
    // spelling of it, which changes when the type moves into a namespace.
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, request] { worker->run(request); }, Qt::QueuedConnection);
}

void LegacyMigrationController::cancel()
{
    if (m_running)
        m_worker->requestCancel();
}

void LegacyMigrationController::setRunning(bool running)
{
    if (m_running == running)
        return;
    m_running = running;
    emit runningChanged(running);
}

} // namespace hivewatch
