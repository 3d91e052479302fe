#include "PgSetupWorker.h"

#include "PgSetupSession.h"

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

void PgSetupWorker::run(const PgSetupRequest &request)
{
    const PgSetupReport report
        = PgSetupSession::run(request, [this](int step, int steps, const QString &title) {
              emit progress(step, steps, title);
          });
    emit finished(report);
}
