#pragma once

#include "domain/Error.h"
#include "sync/legacy/LegacyMigrationTypes.h"

#include <QObject>

#include <atomic>

namespace hivewatch {

// What the GUI asks the worker to do.
struct LegacyMigrationRequest
{
    LegacySource source;
    LegacyTarget target;
    LegacyOptions options;
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::LegacyMigrationRequest)

namespace hivewatch {

// Runs LegacyMigrator on the thread it lives on (never the GUI thread). Results leave by queued
// signals carrying values. requestCancel() may be called from any thread: the migration stops
// at the next line check and rolls back the execution in progress.
class LegacyMigrationWorker : public QObject
{
    Q_OBJECT
public:
    explicit LegacyMigrationWorker(QObject *parent = nullptr);

    void requestCancel() { m_cancel.store(true); }

public slots:
    void run(const LegacyMigrationRequest &request);

signals:
    void progressed(const LegacyProgress &progress);
    void finished(const LegacyReport &report);
    void failed(const Error &error);

private:
    std::atomic<bool> m_cancel {false};
};

} // namespace hivewatch
