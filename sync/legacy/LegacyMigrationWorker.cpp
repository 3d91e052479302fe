#include "sync/legacy/LegacyMigrationWorker.h"

#include "sync/legacy/LegacyMigrator.h"

namespace hivewatch {

LegacyMigrationWorker::LegacyMigrationWorker(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<LegacyMigrationRequest>();
    qRegisterMetaType<LegacyProgress>();
    qRegisterMetaType<LegacyReport>();
    qRegisterMetaType<Error>();
}

void LegacyMigrationWorker::run(const LegacyMigrationRequest &request)
{
    m_cancel.store(false);
    LegacyMigrator migrator(request.source, request.target, request.options);
    migrator.setCancelFlag(&m_cancel);
    // The migrator calls this at most every 100 ms, so the GUI gets a steady, light stream.
    migrator.setProgressCallback([this](const LegacyProgress &p) { emit progressed(p); });
    auto report = migrator.run();
    if (report.ok())
        emit finished(report.value());
    else
        emit failed(report.error());
}

} // namespace hivewatch
