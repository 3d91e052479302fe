#pragma once

#include "domain/Error.h"
#include "sync/legacy/LegacyMigrationWorker.h"

#include <QObject>
#include <QThread>

namespace hivewatch {

// The GUI thread's handle on a legacy migration: owns the worker thread, starts dry runs and
// migrations on it, and relays its queued signals. The GUI never waits on the migration.
class LegacyMigrationController : public QObject
{
    Q_OBJECT
public:
    explicit LegacyMigrationController(QObject *parent = nullptr);
    ~LegacyMigrationController() override;

    bool isRunning() const { return m_running; }

public slots:
    // Ignored while a run is in progress.
    void start(const LegacyMigrationRequest &request);
    // Stops at the next line; the execution in progress is rolled back.
    void cancel();

signals:
    void runningChanged(bool running);
    void progressed(const LegacyProgress &progress);
    void finished(const LegacyReport &report);
    void failed(const Error &error);

private:
    void setRunning(bool running);

    QThread m_thread;
    LegacyMigrationWorker *m_worker = nullptr; // lives on m_thread
    bool m_running = false;
};

} // namespace hivewatch
