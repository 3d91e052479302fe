#pragma once

#include "sync/pg/PgSetupReport.h"
#include "sync/pg/PgSetupRequest.h"

#include <QObject>

#include <mutex>

struct pg_cancel;

namespace hivewatch {

// Runs PgSetupSession off the GUI thread: call run() on a WorkerThread (or move it to a QThread
// and call it queued); cancel() from any thread stops the statement running on its connection.
// Every libpq call happens on that thread; the GUI gets progress and one finished report, both by
// value.
class PgSetupWorker : public QObject
{
    Q_OBJECT
public:
    explicit PgSetupWorker(QObject *parent = nullptr);

    static void registerMetaTypes();

    ~PgSetupWorker() override;

    // Any thread: cancels the statement in progress (libpq's cancel request); the run then ends
    // with that statement's error. Nothing happens between runs or while connecting.
    void cancel();

public slots:
    void run(const PgSetupRequest &request);

signals:
    void progress(int step, int steps, const QString &title);
    void finished(const PgSetupReport &report);

private:
    std::mutex m_mutex;
    pg_cancel *m_cancel = nullptr; // while a run's connection is open
};

} // namespace hivewatch
