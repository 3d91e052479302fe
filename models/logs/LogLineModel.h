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
//
// A stream filter (setStreams) narrows the rows to the lines of the streams shown: the scroll bar
// spans those, `#` stays each line's number within the whole execution, and jumps, hits and
// stepping work over the shown rows.
class LogLineModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { LineColumn, TimeColumn, StreamColumn, ContentColumn, ColumnCount };
    static constexpr int LineNumberRole = Qt::UserRole + 20; // qint64, 1-based
    static constexpr int HitRole = Qt::UserRole + 21; // bool: the line matches the search
    // Expand in place: whether the line has more to show than one line (several lines, or JSON
    // to pretty-print), whether it is expanded, and its text as shown expanded.
    static constexpr int ExpandableRole = Qt::UserRole + 22; // bool
    static constexpr int ExpandedRole = Qt::UserRole + 23; // bool
    static constexpr int ExpandedTextRole = Qt::UserRole + 24; // QString
    // Hits are held a page of this many at a time (hitRows()); stepping past a page's end reads
    // the next page (pageHits). Lines shown with matchesOnly are the first this many hits.
    static constexpr int MaxHits = 100000;

    explicit LogLineModel(QObject *parent = nullptr);
    ~LogLineModel() override;

    QUuid executionId() const { return m_executionId; }
    qint64 lineCount() const { return m_lineCount; }
    bool isLoaded(int row) const;
    // Lines of some streams only (setStreams): rows are positions among them, not line numbers.
    bool isStreamFiltered() const { return !m_streams.outputTypes.isEmpty(); }
    LogFilter streams() const { return m_streams; }
    // The line at `row`, when its page is loaded.
    const LogEntry *entry(int row) const;
    int pageSize() const { return m_pageSize; }
    void setPageSize(int rows) { m_pageSize = qMax(1, rows); }
    int cachedPages() const { return int(m_pages.size()); }
    QString lastError() const { return m_lastError; }
    // A line's content in full: JSON pretty-printed, otherwise as written (no final newline).
    static QString fullText(const QString &content);
    static bool isExpandable(const QString &content);
    // Expands (or collapses) the line at `row` in place, when it is loaded and expandable;
    // returns whether it is expanded now. Kept by line id while the rows stay the same lines;
    // a reset of the rows (another execution, streams, matches only) collapses every line.
    bool setExpanded(int row, bool expanded);
    bool isExpanded(int row) const;
    QList<LogHistogramBucket> histogram() const { return m_histogram; }

    LogSearchQuery searchQuery() const { return m_query; }
    bool isMatchesOnly() const { return m_matchesOnly && !m_query.text.isEmpty(); }
    bool isSearching() const { return m_searching; }
    // Rows (in the current rows: all lines, or matches only) of the hits of the page held,
    // ascending, and their line ids.
    const QList<int> &hitRows() const { return m_hitRows; }
    const QList<qint64> &hitIds() const { return m_hitIds; }
    // Hits before the page held (-1: not known, after a page read from an arbitrary line).
    qint64 hitsBeforePage() const { return m_hitBase; }
    bool hasHitsBeforePage() const { return !isMatchesOnly() && m_hitBase != 0; }
    bool hasHitsAfterPage() const
    {
        return !isMatchesOnly() && (m_hitBase < 0 || m_hitBase + m_hitRows.size() < m_totalHits);
    }
    // 1-based number of the hit at `row` among all hits, 0 when not known or not a hit.
    qint64 hitNumber(int row) const;
    void setHitPageSize(int hits) { m_maxHits = qMax(1, hits); }
    // Every hit in the execution, also beyond MaxHits.
    qint64 totalHits() const { return m_totalHits; }
    // Searches made stale by a newer one before they answered (diagnostics, tests).
    int cancelledSearches() const { return m_cancelledSearches; }
    // Searches the worker began, and those it stopped part-way because a newer one replaced
    // them (diagnostics, tests: a stale search that ran to its end counts in neither the
    // second nor the answers).
    int startedSearches() const { return m_startedSearches; }
    int interruptedSearches() const { return m_interruptedSearches; }
    // The row of line `lineNumber` (1-based) in the current rows, or -1 (matches only: not shown;
    // streams filtered: not known here, ask findLine).
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
    // Finds the row of line `lineNumber` (or, streams filtered, of the first shown line after
    // it); lineFound or errorOccurred answers, at once when no read is needed.
    void findLine(qint64 lineNumber);
    // Shows only lines of these streams (LogFilter's outputTypes/excludeOutputTypes; the text is
    // ignored); an empty filter shows every line.
    void setStreams(const LogFilter &streams);
    // Reads the pages holding rows first..last now (e.g. before scrolling there).
    void prefetch(int first, int last);
    // Searches the shown execution (query.executionId is ignored); an empty text ends the search.
    void setSearch(const LogSearchQuery &query, bool matchesOnly = false);
    // Reads the page of hits after (forward) or before line id `boundaryId` (0: from the start,
    // or up to the end); hitPageLoaded answers with the row to show, the first hit of the page
    // forward, its last backward. `fromPageEdge`: the boundary is the held page's first or last
    // hit, or 0, so the hits before the new page are known.
    void pageHits(bool forward, qint64 boundaryId, bool fromPageEdge);

signals:
    void lineCountChanged(qint64 count);
    // A row of the current rows (findTime, findLine).
    void lineFound(int row);
    void histogramChanged();
    void errorOccurred(const QString &message);
    // After a page was applied (its rows now have data).
    void pageLoaded(int page);
    void searchingChanged(bool searching);
    // A search answered (or ended): hitRows() and totalHits() are new.
    void searchFinished();
    // pageHits answered: hitRows() holds the new page; `row` is where the step lands (-1: none).
    void hitPageLoaded(int row);

private:
    void want(int page) const;
    void sendWanted();
    void requestCount();
    void requestHistogram();
    void onCount(quint64 generation, qint64 count, const QString &error);
    void onPage(quint64 generation, int page, const QList<LogSearchLine> &lines,
                const QString &error);
    void evict();
    void runSearch();
    void onSearch(quint64 token, const LogSearchResult &result, const QList<int> &hitRows,
                  const QList<qint64> &hitIds, const QString &error);
    void reload();
    // On m_searchWorker: the rows of a result's hits (line numbers, or positions among the
    // shown streams' lines), and their ids.
    static Result<QList<int>> rowsOf(LogLineReader *reader, const LogSearchResult &result,
                                     const QUuid &executionId, const LogFilter &streams,
                                     bool rowsAreLines, QList<qint64> *ids);
    void onHitPage(quint64 token, bool forward, qint64 boundaryId, qint64 base,
                   const QList<int> &rows, const QList<qint64> &ids, const QString &error);
    void answerLine(qint64 lineNumber, const QString &notFound);
    void clearSearchResult();

    std::unique_ptr<LogLineReader> m_reader; // lives on m_worker
    WorkerThread m_worker; // after m_reader: joined before the reader goes
    QString m_storePath;
    QUuid m_executionId;
    qint64 m_lineCount = 0;
    int m_pageSize = 500;
    int m_maxPages = 64;
    QHash<int, QList<LogSearchLine>> m_pages;
    QSet<qint64> m_expanded; // line ids
    LogFilter m_streams;
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
    QList<qint64> m_hitIds;
    qint64 m_hitBase = 0;
    int m_maxHits = MaxHits;
    qint64 m_totalHits = 0;
    int m_cancelledSearches = 0;
    std::atomic<int> m_startedSearches = 0; // written on m_searchWorker
    std::atomic<int> m_interruptedSearches = 0; // written on m_searchWorker
    QString m_lastError;
};

} // namespace hivewatch
