#pragma once

#include "domain/Result.h"

#include <QObject>
#include <QString>

#include <atomic>

namespace hivewatch {

// Indexes the lines a store held before it had a full-text index (store version 4), in
// chunks on the thread it runs on, over a connection of its own, so the store opens at once
// and stays usable meanwhile. Resumable: a build stopped (or killed) goes on at the next run.
// Move it to a worker thread and call run() there (e.g. from QThread::started); percent() may
// be read from any thread, and stop() called from any thread.
class LogIndexBuilder : public QObject
{
    Q_OBJECT

public:
    explicit LogIndexBuilder(QString path, int chunkRows = 20000, QObject *parent = nullptr);

    int percent() const { return m_percent.load(); }
    void stop() { m_stop.store(true); }

public slots:
    void run();

signals:
    void progressChanged(int percent);
    // ok: the whole store is indexed; otherwise why not (stopped, or the error).
    void finished(bool ok, const QString &message);

private:
    QString m_path;
    int m_chunkRows;
    std::atomic<int> m_percent {0};
    std::atomic<bool> m_stop {false};
};

} // namespace hivewatch
