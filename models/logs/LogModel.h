#pragma once

#include "models/logs/LogPageLoader.h"
#include "sync/common/WorkerThread.h"
#include "sync/shape/ShapeBatch.h"
#include "sync/store/LogIndexBuilder.h"

#include <QAbstractTableModel>
#include <QTimer>

#include <atomic>
#include <memory>

namespace hivewatch {

// The lines of one execution, read lazily from a LogStore.
//
// All SQLite work happens in a LogPageLoader on the model's own WorkerThread with its own
// read-only connection; the model sends page requests and applies the answers (stale ones are
// dropped by token). A page nobody awaits any more is not read, and one being read when another
// execution or filter is chosen is interrupted; destroying the model interrupts whatever runs. Rows
// are held in id order. The model opens at the tail (the newest page) and grows backwards with
// fetchOlder() as the view scrolls up; after jumpToStart() it grows forwards through
// canFetchMore()/fetchMore() as the view scrolls down. While following (the view is at the bottom)
// new lines are appended as they are stored: call notifyStoreChanged() after a write, or connect
// applyShapeBatch() to the shape consumer (batches are persisted before they are emitted).
class LogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { IdColumn, TimeColumn, StreamColumn, ContentColumn, ColumnCount };
    enum Role {
        EntryIdRole = Qt::UserRole + 1, // qint64
        OutputTypeRole, // QString, raw output_type
        StreamRole, // int, LogModel::Stream: how the line is shown
        ContentRole, // QString, the full content
        TimestampRole, // QString, "YYYY-MM-DD HH:MM:SS.sss" UTC
    };
    // What the views distinguish: stdout plain, stderr red, system blue italic, the node's other
    // types (json_patch, session_id, …) grey, and unknown types flagged.
    enum class Stream { Stdout, Stderr, System, Other, Unknown };
    Q_ENUM(Stream)

    explicit LogModel(QObject *parent = nullptr);
    ~LogModel() override;

    QString storePath() const { return m_storePath; }
    // Page reads skipped or interrupted because a newer request made them stale (diagnostics,
    // tests).
    int cancelledPages() const { return m_cancelledPages; }
    // The thread the loader runs on, for tests that need to hold it.
    WorkerThread &loaderThread() { return m_worker; }
    // The thread exports run on, for tests that need to hold it.
    WorkerThread &exportThread() { return m_exportWorker; }
    // An export was asked for and has not finished yet.
    bool isExporting() const { return m_exportToken != 0; }
    QUuid executionId() const { return m_executionId; }
    LogFilter filter() const { return m_filter; }
    // Lines of the execution in the store that match the filter (not only the loaded ones).
    qint64 totalCount() const { return m_totalCount; }
    bool isLoading() const { return m_forwardToken || m_backwardToken; }
    bool hasOlder() const { return m_hasOlder; }
    bool hasNewer() const { return m_hasNewer; }
    bool isFollowing() const { return m_following; }
    QString lastError() const { return m_lastError; }
    int pageSize() const { return m_pageSize; }
    void setPageSize(int rows) { m_pageSize = qMax(1, rows); }
    const LogEntry &entry(int row) const { return m_rows.at(row); }
    // While following, the oldest loaded rows are dropped beyond this many (they stay in the
    // store and come back with fetchOlder()), so a live tail runs for days in bounded memory.
    int maxRowsWhileFollowing() const { return m_maxRowsWhileFollowing; }
    void setMaxRowsWhileFollowing(int rows) { m_maxRowsWhileFollowing = qMax(1, rows); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    static Stream streamOf(const QString &outputType);
    // How a line shows in `column` for `role` (colours and fonts by stream, the roles above);
    // shared with LogLineModel, whose columns are the same but for the first.
    static QVariant entryData(const LogEntry &e, int column, int role);

public slots:
    // Opens the store on the loader thread (created when missing) and lists its executions.
    void setStorePath(const QString &path);
    // Shows an execution from its newest page; a null id empties the model.
    void setExecution(const QUuid &executionId);
    // Only these output types (empty: all); reloads from the newest page.
    void setStreamFilter(const QStringList &outputTypes);
    // Only lines shown as one of these streams. Other stands for every type that is not stdout,
    // stderr or system, including types the domain does not know yet (shown as Unknown).
    void setShownStreams(const QList<LogModel::Stream> &streams);
    // Only lines containing `text` (empty: all), searched across the whole execution.
    void setSearchText(const QString &text);
    void jumpToStart();
    void jumpToEnd();
    // Prepends the page before the first loaded row (the view scrolled to the top).
    void fetchOlder();
    // The view is at the bottom: new lines are appended as they are stored.
    void setFollowing(bool following);
    // The store has new lines (of any execution); cheap to call often, requests coalesce.
    void notifyStoreChanged();
    // Shape consumer wiring: a node_task_output_logs batch means new lines were stored.
    void applyShapeBatch(const ShapeBatch &batch);
    void refreshExecutions();
    // Writes the execution's lines (with the current filter) to a text file, off the GUI thread.
    // Runs on a loader and thread of its own, so paging goes on meanwhile; one forward query.
    void exportExecution(const QString &filePath);
    // The same with `filter` instead of the model's (e.g. the view's "only matches" text).
    void exportExecution(const QString &filePath, const LogFilter &filter);
    // The execution's hits of `query` with their ±context lines, every one (regex, case,
    // left-out terms and query.streams as a search applies them), the same way.
    void exportMatches(const QString &filePath, const LogSearchQuery &query);
    void cancelExport();

signals:
    void storeOpened(const QString &path);
    void executionsChanged(const QList<ExecutionSummary> &executions);
    void loadingChanged(bool loading);
    // After each answer from the loader was applied (also when it changed nothing).
    void pageApplied();
    // Rows were prepended at the top; views keep their position by scrolling down this much.
    void olderRowsInserted(int count);
    void totalCountChanged(qint64 total);
    void followingChanged(bool following);
    void errorOccurred(const QString &message);
    void exportProgress(qint64 rows);
    // The full-text index of lines stored before it existed is built in the background after
    // the store opens; 100 when every line is indexed (search scans until then).
    void indexProgress(int percent);
    void exportFinished(qint64 rows, const QString &error);

    // To the loader (queued, crosses to its thread).
    void requestOpen(const QString &path);
    void requestPage(const LogPageRequest &request);
    void requestExecutions(quint64 token);
    void requestExport(quint64 token, const QUuid &executionId, const QString &filePath,
                       const LogFilter &filter);

private slots:
    void onPageLoaded(const LogPageReply &reply);
    void onExecutionsLoaded(quint64 token, const QList<ExecutionSummary> &executions,
                            const QString &error);
    void onExportFinished(quint64 token, qint64 rows, const QString &error);

private:
    enum class Anchor { Head, Tail };
    void reload(Anchor anchor);
    quint64 send(std::optional<qint64> cursor, PageDirection direction);
    void requestNewer();
    void appendRows(const QList<LogEntry> &entries);
    void trimWhileFollowing();
    void prependRows(QList<LogEntry> descending);
    void setTotal(qint64 total);
    void setLoadingState(bool wasLoading);
    void startIndexing(const QString &path);
    void stopIndexing();

    // Whether a page read that has not started yet is still awaited (on the loader's thread).
    bool isAwaited(quint64 token) const;

    std::unique_ptr<LogPageLoader> m_loader;
    WorkerThread m_worker; // after m_loader: joined before the loader goes
    std::unique_ptr<LogPageLoader> m_exportLoader; // its own connection: paging is not held up
    WorkerThread m_exportWorker;
    std::unique_ptr<LogIndexBuilder> m_indexBuilder; // replaced on the GUI thread only
    WorkerThread m_indexWorker;
    std::atomic<int> m_cancelledPages = 0;
    std::atomic<quint64> m_lastPageSent = 0;
    QString m_storePath;
    QUuid m_executionId;
    LogFilter m_filter;
    QList<LogEntry> m_rows;
    qint64 m_totalCount = 0;
    bool m_hasOlder = false;
    bool m_hasNewer = false;
    bool m_following = true;
    bool m_changedWhileLoading = false;
    int m_pageSize = 200;
    int m_maxRowsWhileFollowing = 50000;
    quint64 m_nextToken = 1;
    // Atomic: the loader's thread reads them to skip pages nobody awaits.
    std::atomic<quint64> m_forwardToken = 0; // awaited answer that appends, 0 = none
    std::atomic<quint64> m_backwardToken = 0; // awaited answer that prepends (or fills the tail)
    quint64 m_executionsToken = 0; // the latest execution-list request
    quint64 m_executionsShownToken = 0; // the request whose answer was applied last
    quint64 m_exportToken = 0;
    QString m_lastError;
    QTimer m_executionsTimer; // coalesces execution-list refreshes during live syncs
};

} // namespace hivewatch
