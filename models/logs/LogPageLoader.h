#pragma once

#include "sync/store/LogStore.h"

#include <QObject>


#include <atomic>
#include <functional>
#include <mutex>

namespace hivewatch {

// One request to the loader. The token is chosen by the requester and comes back with the answer,
// so answers to requests that were superseded (another execution chosen, a filter typed) are
// recognised and dropped, as DB Browser for SQLite's RowLoader does.
struct LogPageRequest
{
    quint64 token = 0;
    QUuid executionId;
    std::optional<qint64> cursor;
    PageDirection direction = PageDirection::Forward;
    int limit = 200;
    LogFilter filter;
};

struct LogPageReply
{
    quint64 token = 0;
    LogPageRequest request;
    LogPage page;
    QString error; // empty on success
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::LogPageRequest)
Q_DECLARE_METATYPE(hivewatch::LogPageReply)

namespace hivewatch {

struct LogSearchQuery;

// Reads a log store on its own thread with its own read-only connection, so the GUI thread never
// waits on SQLite. Run its slots on one thread only (a WorkerThread job, or move it to a QThread
// and use queued calls); interruptPage() and interrupt() are the calls any thread may make.
class LogPageLoader : public QObject
{
    Q_OBJECT
public:
    explicit LogPageLoader(QObject *parent = nullptr);
    ~LogPageLoader() override;

    static void registerMetaTypes();

public slots:
    // Opens `path` read-only. A missing or empty file is created as a new store first, so the
    // panel opens cleanly before anything has synced.
    void openStore(const QString &path);
    void loadPage(const LogPageRequest &request);
    void loadExecutions(quint64 token);
    void exportExecution(quint64 token, const QUuid &executionId, const QString &filePath,
                         const LogFilter &filter);
    // query.executionId's hits with their context (LogSearch::exportMatches), as exportExecution.
    void exportMatches(quint64 token, const QString &filePath, const LogSearchQuery &query);

    // Drops the connection (on the loader's thread, before that thread ends).
    void closeStore();

public:
    // Makes a running page read end early with an error (its answer is stale anyway); a read of
    // the execution list or an export goes on. Any thread.
    void interruptPage();
    // Makes whatever runs end early (shutting down). Any thread.
    void interrupt();
    quint64 runningPage() const;
    // Makes a running export stop (its file is left as it was). Any thread.
    void cancelExport() { m_cancelExport.store(true); }
    // Before queueing an export: a cancel from an earlier one no longer applies. Any thread.
    void resetExportCancel() { m_cancelExport.store(false); }

signals:
    void storeOpened(const QString &path);
    void storeFailed(const QString &message);
    void pageLoaded(const LogPageReply &reply);
    void executionsLoaded(quint64 token, const QList<ExecutionSummary> &executions,
                          const QString &error);
    // Rows written so far by a running export (every 10,000 rows).
    void exportProgress(quint64 token, qint64 rows);
    void exportFinished(quint64 token, qint64 rows, const QString &error);

private:
    // An export's common frame: the store open, a Cancel pressed while it was queued, progress
    // and the one exportFinished. `write` runs the export, reporting to the progress it is given.
    void runExport(quint64 token, const QString &filePath,
                   const std::function<Result<qint64>(const std::function<bool(qint64)> &)> &write);
    bool ensureOpen();

    QString m_path;
    std::unique_ptr<LogStore> m_store; // replaced only under m_mutex: interrupt() reads it
    mutable std::mutex m_mutex;
    quint64 m_runningPage = 0; // the token of the page being read, 0 = none
    std::atomic<bool> m_cancelExport {false};
};

} // namespace hivewatch
