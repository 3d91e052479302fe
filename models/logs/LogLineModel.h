#pragma once

#include "sync/common/WorkerThread.h"
#include "sync/store/LogSearch.h"
#include "sync/store/LogStore.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QTimer>
#include <QUuid>

#include <atomic>
#include <memory>

namespace hivewatch {

class LogLineReader;

// Every line of one execution, one row per line in line order (issue 16): rowCount() is the
// execution's line count, so a view's scroll bar spans the whole execution, and the `#` column
// is the line number within it. Lines are read in pages, only for the rows a view asks data()
// of, on the model's own worker thread; a row not read yet shows as "…" until its page arrives.
// Pages asked for by an earlier scroll position are skipped once a newer one is asked for, and a
// read of an execution no longer shown is interrupted. Roles are LogModel's.
//
// A search (setSearch) runs LogSearch over the execution on a second worker with a connection of
// its own, so paging goes on meanwhile; a newer search interrupts the one running, whose answer
// is then never applied. Its hits are the rows to step through; with matchesOnly the model's rows
// become the matching lines and their context (LogSearchQuery: filter-in text or regex, filter-out
// terms, ±context), each still numbered by its line in the execution.
class LogLineModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { LineColumn, TimeColumn, StreamColumn, ContentColumn, ColumnCount };
    static constexpr int LineNumberRole = Qt::UserRole + 20; // qint64, 1-based
    static constexpr int HitRole = Qt::UserRole + 21; // bool: the line matches the search
    // Hits stepped through, and lines shown with matchesOnly, are the first this many.
    static constexpr int MaxHits = 100000;

    explicit LogLineModel(QObject *parent = nullptr);
    ~LogLineModel() override;

    QUuid executionId() const { return m_executionId; }
    qint64 lineCount() const { return m_lineCount; }
    bool isLoaded(int row) const;
    // The line at `row`, when its page is loaded.
    const LogEntry *entry(int row) const;
    int pageSize() const { return m_pageSize; }
    void setPageSize(int rows) { m_pageSize = qMax(1, rows); }
    int cachedPages() const { return int(m_pages.size()); }
    QString lastError() const { return m_lastError; }
    QList<LogHistogramBucket> histogram() const { return m_histogram; }

    LogSearchQuery searchQuery() const { return m_query; }
    bool isMatchesOnly() const { return m_matchesOnly && !m_query.text.isEmpty(); }
    bool isSearching() const { return m_searching; }
    // Rows (in the current rows: all lines, or matches only) of the hits, ascending.
    const QList<int> &hitRows() const { return m_hitRows; }
    // Every hit in the execution, also beyond MaxHits.
    qint64 totalHits() const { return m_totalHits; }
    // Searches made stale by a newer one before they answered (diagnostics, tests).
    int cancelledSearches() const { return m_cancelledSearches; }
    // Searches the worker began, and those it stopped part-way because a newer one replaced
    // them (diagnostics, tests: a stale search that ran to its end counts in neither the
    // second nor the answers).
    int startedSearches() const { return m_startedSearches; }
    int interruptedSearches() const { return m_interruptedSearches; }
    // The row of line `lineNumber` (1-based) in the current rows, or -1 (matches only: not shown).
    int rowOfLine(qint64 lineNumber) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

public slots:
    void setStorePath(const QString &path);
    void setExecution(const QUuid &executionId);
    // New lines may have been stored: the count is read again and rows appended.
    void refresh();
    // Finds the first line at or after `time` (see LogLineReader::lineAtTime); lineFound or
    // errorOccurred answers.
    void findTime(const QString &time);
    // Reads the pages holding rows first..last now (e.g. before scrolling there).
    void prefetch(int first, int last);
    // Searches the shown execution (query.executionId is ignored); an empty text ends the search.
    void setSearch(const LogSearchQuery &query, bool matchesOnly = false);

signals:
    void lineCountChanged(qint64 count);
    void lineFound(int row);
    void histogramChanged();
    void errorOccurred(const QString &message);
    // After a page was applied (its rows now have data).
    void pageLoaded(int page);
    void searchingChanged(bool searching);
    // A search answered (or ended): hitRows() and totalHits() are new.
    void searchFinished();

private:
    void want(int page) const;
    void sendWanted();
    void requestCount();
    void requestHistogram();
    void onCount(quint64 generation, qint64 count, const QString &error);
    void onPage(quint64 generation, int page, const QList<LogEntry> &lines, const QString &error);
    void evict();
    void runSearch();
    void onSearch(quint64 token, const LogSearchResult &result, const QString &error);
    void clearSearchResult();

    std::unique_ptr<LogLineReader> m_reader; // lives on m_worker
    WorkerThread m_worker; // after m_reader: joined before the reader goes
    QString m_storePath;
    QUuid m_executionId;
    qint64 m_lineCount = 0;
    int m_pageSize = 500;
    int m_maxPages = 64;
    QHash<int, QList<LogEntry>> m_pages;
    QList<int> m_pageOrder; // least recently loaded first
    mutable QSet<int> m_wanted; // pages data() was asked for since the last send
    QSet<int> m_inFlight;
    mutable QTimer m_sendTimer; // coalesces data() calls of one paint into one request batch
    std::atomic<quint64> m_generation = 1; // bumped when the execution or store changes
    std::atomic<quint64> m_batch = 0; // the newest batch of page requests
    bool m_countInFlight = false;
    bool m_countAgain = false;
    QList<LogHistogramBucket> m_histogram;
    QTimer m_histogramTimer; // throttles re-reading the histogram while lines arrive
    static constexpr int kHistogramRefreshMs = 1000;
    std::unique_ptr<LogLineReader> m_searchReader; // lives on m_searchWorker
    WorkerThread m_searchWorker;
    std::atomic<quint64> m_searchToken = 0; // the newest search; older answers are dropped
    LogSearchQuery m_query;
    bool m_matchesOnly = false;
    bool m_searching = false;
    QList<LogSearchLine> m_matchLines; // the rows while matches only
    QList<int> m_hitRows;
    qint64 m_totalHits = 0;
    int m_cancelledSearches = 0;
    std::atomic<int> m_startedSearches = 0; // written on m_searchWorker
    std::atomic<int> m_interruptedSearches = 0; // written on m_searchWorker
    QString m_lastError;
};

} // namespace hivewatch
