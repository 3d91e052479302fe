#include "sync/pg/PgSetupWorker.h"

#include "sync/pg/PgConnection.h"
#include "sync/pg/PgSetupSession.h"

#include <libpq-fe.h>

namespace hivewatch {

PgSetupWorker::PgSetupWorker(QObject *parent)
    : QObject(parent)
{
    registerMetaTypes();
}

void PgSetupWorker::registerMetaTypes()
{
    qRegisterMetaType<PgSetupRequest>();
    qRegisterMetaType<PgSetupReport>();
}

PgSetupWorker::~PgSetupWorker()
{
    std::lock_guard lock(m_mutex);
    if (m_cancel)
        PQfreeCancel(m_cancel);
}

void PgSetupWorker::cancel()
{
    std::lock_guard lock(m_mutex);
    char error[256];
    if (m_cancel)
        PQcancel(m_cancel, error, int(sizeof error));
}

void PgSetupWorker::run(const PgSetupRequest &request)
{
    const PgSetupReport report = PgSetupSession::run(
        request,
        [this](int step, int steps, const QString &title) { emit progress(step, steps, title); },
        [this](PgConnection *connection) {
            std::lock_guard lock(m_mutex);
            if (m_cancel)
                PQfreeCancel(m_cancel);
            m_cancel = connection ? PQgetCancel(connection->handle()) : nullptr;
        });
    emit finished(report);
}

} // namespace hivewatch
