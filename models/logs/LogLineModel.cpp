#include "models/logs/LogLineModel.h"

#include "models/ModelsLog.h"
#include "models/logs/LogLineReader.h"
#include "models/logs/LogModel.h"

#include <QJsonDocument>
#include <QMetaObject>

namespace hivewatch {

LogLineModel::LogLineModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_reader(std::make_unique<LogLineReader>(QString()))
    , m_worker(QStringLiteral("LogLines"))
    , m_searchReader(std::make_unique<LogLineReader>(QString()))
    , m_searchWorker(QStringLiteral("LogLineSearch"))
{
    m_sendTimer.setSingleShot(true);
    m_sendTimer.setInterval(0);
    connect(&m_sendTimer, &QTimer::timeout, this, &LogLineModel::sendWanted);
    // A live execution grows by many small batches: the strip is read again at most this often.
    m_histogramTimer.setSingleShot(true);
    m_histogramTimer.setInterval(kHistogramRefreshMs);
    connect(&m_histogramTimer, &QTimer::timeout, this, &LogLineModel::requestHistogram);
    m_worker.start();
    m_searchWorker.start();
    // A view forgets its row heights on a reset: the expanded lines go with them.
    connect(this, &QAbstractItemModel::modelAboutToBeReset, this, [this] { m_expanded.clear(); });
}

LogLineModel::~LogLineModel()
{
    LogLineReader *reader = m_reader.get();
    m_worker.cancel([reader] { reader->interrupt(); });
    m_worker.post([reader] { reader->close(); }); // on the thread that read
    m_worker.shutdown();
    LogLineReader *searcher = m_searchReader.get();
    m_searchWorker.cancel([searcher] { searcher->interrupt(); });
    m_searchWorker.post([searcher] { searcher->close(); });
    m_searchWorker.shutdown();
}

bool LogLineModel::isLoaded(int row) const
{
    return isMatchesOnly() || m_pages.contains(row / m_pageSize);
}

const LogEntry *LogLineModel::entry(int row) const
{
    if (isMatchesOnly())
        return row >= 0 && row < m_matchLines.size() ? &m_matchLines.at(row).entry : nullptr;
    const auto it = m_pages.constFind(row / m_pageSize);
    if (it == m_pages.constEnd() || row % m_pageSize >= it->size())
        return nullptr;
    return &it->at(row % m_pageSize).entry;
}

int LogLineModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return isMatchesOnly() ? int(m_matchLines.size()) : int(m_lineCount);
}

int LogLineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogLineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    if (role == LineNumberRole || (role == Qt::DisplayRole && index.column() == LineColumn)) {
        if (isMatchesOnly())
            return m_matchLines.at(index.row()).lineNumber;
        if (!isStreamFiltered())
            return qint64(index.row()) + 1;
        // Streams filtered: the number comes with the line's page.
        const auto page = m_pages.constFind(index.row() / m_pageSize);
        if (page != m_pages.constEnd() && index.row() % m_pageSize < page->size())
            return page->at(index.row() % m_pageSize).lineNumber;
        want(index.row() / m_pageSize);
        return {};
    }
    if (role == HitRole)
        return std::binary_search(m_hitRows.begin(), m_hitRows.end(), index.row());
    const LogEntry *e = entry(index.row());
    if (!e) {
        want(index.row() / m_pageSize);
        if (role == Qt::DisplayRole && index.column() == ContentColumn)
            return QStringLiteral("…");
        return {};
    }
    if (role == ExpandableRole)
        return isExpandable(e->content);
    if (role == ExpandedRole)
        return m_expanded.contains(e->id);
    if (role == ExpandedTextRole)
        return fullText(e->content);
    return LogModel::entryData(*e, index.column(), role);
}

QVariant LogLineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case LineColumn:
        return tr("#");
    case TimeColumn:
        return tr("Time (UTC)");
    case StreamColumn:
        return tr("Stream");
    case ContentColumn:
        return tr("Message");
    }
    return {};
}

QString LogLineModel::fullText(const QString &content)
{
    QString text = content;
    const QString trimmed = content.trimmed();
    if (trimmed.startsWith(u'{') || trimmed.startsWith(u'[')) {
        QJsonParseError error;
        const QJsonDocument json = QJsonDocument::fromJson(trimmed.toUtf8(), &error);
        if (error.error == QJsonParseError::NoError && !json.isNull())
            text = QString::fromUtf8(json.toJson(QJsonDocument::Indented));
    }
    if (text.endsWith(u'\n'))
        text.chop(1);
    return text;
}

bool LogLineModel::isExpandable(const QString &content)
{
    // A final newline is how most lines end, not a second line.
    const qsizetype newline = content.indexOf(u'\n');
    return (newline >= 0 && newline < content.size() - 1) || fullText(content).contains(u'\n');
}

bool LogLineModel::setExpanded(int row, bool expanded)
{
    const LogEntry *e = row >= 0 && row < rowCount() ? entry(row) : nullptr;
    if (!e || (expanded && !isExpandable(e->content)))
        return false;
    if (expanded == m_expanded.contains(e->id))
        return expanded;
    if (expanded)
        m_expanded.insert(e->id);
    else
        m_expanded.remove(e->id);
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1), {ExpandedRole});
    return expanded;
}

bool LogLineModel::isExpanded(int row) const
{
    const LogEntry *e = row >= 0 && row < rowCount() ? entry(row) : nullptr;
    return e && m_expanded.contains(e->id);
}

void LogLineModel::setStorePath(const QString &path)
{
    m_storePath = path;
    LogLineReader *reader = m_reader.get();
    m_worker.cancel([reader] { reader->interrupt(); });
    reader->setPath(path); // a job could be dropped by the cancel below
    LogLineReader *searcher = m_searchReader.get();
    m_searchWorker.cancel([searcher] { searcher->interrupt(); });
    searcher->setPath(path);
    const QUuid shown = m_executionId;
    m_executionId = QUuid();
    setExecution(shown);
}

void LogLineModel::setExecution(const QUuid &executionId)
{
    if (executionId == m_executionId && m_lineCount > 0)
        return;
    m_executionId = executionId;
    reload();
}

void LogLineModel::setStreams(const LogFilter &streams)
{
    LogFilter wanted;
    wanted.outputTypes = streams.outputTypes;
    wanted.excludeOutputTypes = streams.excludeOutputTypes && !streams.outputTypes.isEmpty();
    if (wanted.outputTypes == m_streams.outputTypes
        && wanted.excludeOutputTypes == m_streams.excludeOutputTypes)
        return;
    m_streams = wanted;
    reload();
}

void LogLineModel::reload()
{
    // Whatever runs for the rows shown before is stale: interrupt it, drop what is queued.
    LogLineReader *reader = m_reader.get();
    m_worker.cancel([reader] { reader->interrupt(); });
    ++m_generation;
    beginResetModel();
    m_lineCount = 0;
    m_pages.clear();
    m_pageOrder.clear();
    m_wanted.clear();
    m_inFlight.clear();
    m_countInFlight = false;
    m_countAgain = false;
    m_histogram.clear();
    m_histogramTimer.stop();
    m_lastError.clear();
    m_matchLines.clear();
    m_hitRows.clear();
    m_hitIds.clear();
    m_hitBase = 0;
    m_totalHits = 0;
    endResetModel();
    emit lineCountChanged(0);
    emit histogramChanged();
    if (m_executionId.isNull() || m_storePath.isEmpty())
        return;
    requestCount();
    if (!m_query.text.isEmpty())
        runSearch();
    requestHistogram();
}

void LogLineModel::requestHistogram()
{
    if (m_executionId.isNull())
        return;
    LogLineReader *reader = m_reader.get();
    const quint64 generation = m_generation;
    const QUuid executionId = m_executionId;
    m_worker.post([this, reader, generation, executionId] {
        if (generation != m_generation)
            return;
        auto buckets = reader->histogram(executionId);
        QMetaObject::invokeMethod(
            this,
            [this, generation, buckets = buckets ? buckets.value() : QList<LogHistogramBucket>()] {
                if (generation != m_generation)
                    return;
                m_histogram = buckets;
                emit histogramChanged();
            },
            Qt::QueuedConnection);
    });
}

void LogLineModel::refresh()
{
    if (m_executionId.isNull())
        return;
    if (m_countInFlight) {
        m_countAgain = true; // lines stored while counting: count once more after
        return;
    }
    requestCount();
}

void LogLineModel::requestCount()
{
    m_countInFlight = true;
    LogLineReader *reader = m_reader.get();
    const quint64 generation = m_generation;
    const QUuid execution = m_executionId;
    const LogFilter streams = m_streams;
    m_worker.post([this, reader, generation, execution, streams] {
        if (generation != m_generation)
            return;
        const auto count = reader->lineCount(execution, streams);
        QMetaObject::invokeMethod(
            this,
            [this, generation, n = count ? count.value() : 0,
             error = count ? QString() : count.error().toString()] {
                onCount(generation, n, error);
            },
            Qt::QueuedConnection);
    });
}

void LogLineModel::onCount(quint64 generation, qint64 count, const QString &error)
{
    if (generation != m_generation)
        return;
    m_countInFlight = false;
    if (!error.isEmpty()) {
        m_lastError = error;
        emit errorOccurred(error);
        return;
    }
    count = qMin<qint64>(count, std::numeric_limits<int>::max());
    const qint64 countBefore = m_lineCount;
    if (isMatchesOnly()) {
        m_lineCount = count; // the rows are the matches; a new search shows new lines
    } else if (count < m_lineCount) {
        // Lines went away (the execution was deleted or re-synced): start over.
        beginResetModel();
        m_pages.clear();
        m_pageOrder.clear();
        m_inFlight.clear();
        m_lineCount = count;
        endResetModel();
    } else if (count > m_lineCount) {
        // The last page was short: it gets the new lines when read again.
        const int lastPage = m_lineCount > 0 ? int((m_lineCount - 1) / m_pageSize) : -1;
        if (lastPage >= 0 && m_pages.value(lastPage).size() < m_pageSize) {
            m_pages.remove(lastPage);
            m_pageOrder.removeAll(lastPage);
        }
        beginInsertRows({}, int(m_lineCount), int(count) - 1);
        m_lineCount = count;
        endInsertRows();
    }
    // New lines (in either mode): the strip counts them too, throttled.
    if (count > countBefore && countBefore > 0 && !m_histogramTimer.isActive())
        m_histogramTimer.start();
    emit lineCountChanged(m_lineCount);
    if (m_countAgain) {
        m_countAgain = false;
        requestCount();
    }
}

void LogLineModel::prefetch(int first, int last)
{
    for (int page = qMax(0, first) / m_pageSize; page <= last / m_pageSize; ++page) {
        if (!m_pages.contains(page))
            want(page);
    }
}

void LogLineModel::setSearch(const LogSearchQuery &query, bool matchesOnly)
{
    const bool wasMatchesOnly = isMatchesOnly();
    const bool nowMatchesOnly = matchesOnly && !query.text.isEmpty();
    // Between all lines and matches only the rows mean other lines: the views start over.
    if (wasMatchesOnly != nowMatchesOnly)
        beginResetModel();
    m_query = query;
    m_matchesOnly = matchesOnly;
    if (wasMatchesOnly != nowMatchesOnly) {
        m_matchLines.clear();
        m_hitRows.clear();
        m_inFlight.clear();
        endResetModel();
    }
    if (!query.text.isEmpty()) {
        runSearch();
        return;
    }
    ++m_searchToken;
    LogLineReader *searcher = m_searchReader.get();
    m_searchWorker.cancel([searcher] { searcher->interrupt(); });
    if (m_searching) {
        m_searching = false;
        emit searchingChanged(false);
    }
    clearSearchResult();
    emit searchFinished();
}

void LogLineModel::clearSearchResult()
{
    m_hitRows.clear();
    m_hitIds.clear();
    m_hitBase = 0;
    m_totalHits = 0;
    if (!m_matchLines.isEmpty() && isMatchesOnly()) {
        beginResetModel();
        m_matchLines.clear();
        endResetModel();
    }
    m_matchLines.clear();
    if (m_lineCount > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {HitRole});
}

int LogLineModel::rowOfLine(qint64 lineNumber) const
{
    if (!isMatchesOnly() && isStreamFiltered())
        return -1;
    if (!isMatchesOnly())
        return lineNumber >= 1 && lineNumber <= m_lineCount ? int(lineNumber - 1) : -1;
    const auto it = std::lower_bound(
        m_matchLines.begin(), m_matchLines.end(), lineNumber,
        [](const LogSearchLine &line, qint64 number) { return line.lineNumber < number; });
    return it != m_matchLines.end() && it->lineNumber == lineNumber ? int(it - m_matchLines.begin())
                                                                    : -1;
}

void LogLineModel::runSearch()
{
    if (m_executionId.isNull())
        return;
    // A newer keystroke interrupts the search running, instead of waiting behind it.
    if (m_searching)
        ++m_cancelledSearches;
    LogLineReader *searcher = m_searchReader.get();
    m_searchWorker.cancel([searcher] { searcher->interrupt(); });
    const quint64 token = ++m_searchToken;
    LogSearchQuery query = m_query;
    query.executionId = m_executionId;
    query.maxLines = m_maxHits;
    query.streams = m_streams;
    if (!m_matchesOnly)
        query.context = 0; // every line is shown anyway
    const bool rowsAreLines = m_matchesOnly || !isStreamFiltered();
    m_searchWorker.post([this, searcher, token, query, rowsAreLines] {
        if (token != m_searchToken)
            return;
        ++m_startedSearches;
        const auto result
            = searcher->search(query, [this, token] { return token != m_searchToken; });
        if (token != m_searchToken) {
            if (!result)
                ++m_interruptedSearches;
            return; // interrupted or outrun: nobody waits for it
        }
        QList<int> rows;
        QList<qint64> ids;
        QString error = result ? QString() : result.error().toString();
        if (result) {
            const auto found = rowsOf(searcher, result.value(), *query.executionId, query.streams,
                                      rowsAreLines, &ids);
            if (found)
                rows = found.value();
            else
                error = found.error().toString();
        }
        if (token != m_searchToken)
            return;
        QMetaObject::invokeMethod(
            this,
            [this, token, r = result ? result.value() : LogSearchResult(), rows, ids, error] {
                onSearch(token, r, rows, ids, error);
            },
            Qt::QueuedConnection);
    });
    if (!m_searching) {
        m_searching = true;
        emit searchingChanged(true);
    }
}

void LogLineModel::onSearch(quint64 token, const LogSearchResult &result, const QList<int> &hitRows,
                            const QList<qint64> &hitIds, const QString &error)
{
    if (token != m_searchToken)
        return;
    m_searching = false;
    emit searchingChanged(false);
    if (!error.isEmpty()) {
        m_lastError = error;
        clearSearchResult();
        emit errorOccurred(error);
        emit searchFinished();
        return;
    }
    const QList<LogSearchLine> lines
        = result.groups.isEmpty() ? QList<LogSearchLine>() : result.groups.first().lines;
    QList<int> hits;
    if (m_matchesOnly) {
        for (int row = 0; row < lines.size(); ++row) {
            if (lines.at(row).hit)
                hits.append(row);
        }
        beginResetModel();
        m_matchLines = lines;
        m_hitRows = hits;
        m_totalHits = result.totalHits;
        endResetModel();
    } else {
        m_hitRows = hitRows;
        m_hitIds = hitIds;
        m_hitBase = 0;
        m_totalHits = result.totalHits;
        if (rowCount() > 0)
            emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {HitRole});
    }
    emit searchFinished();
}

Result<QList<int>> LogLineModel::rowsOf(LogLineReader *reader, const LogSearchResult &result,
                                        const QUuid &executionId, const LogFilter &streams,
                                        bool rowsAreLines, QList<qint64> *ids)
{
    QList<int> rows;
    if (result.groups.isEmpty())
        return rows;
    for (const LogSearchLine &line : result.groups.first().lines) {
        if (!line.hit)
            continue;
        ids->append(line.entry.id);
        if (rowsAreLines)
            rows.append(int(line.lineNumber - 1));
    }
    if (rowsAreLines)
        return rows;
    // Streams filtered: positions among the shown lines, counted off the GUI thread.
    const auto positions = reader->positions(executionId, *ids, streams);
    if (!positions)
        return positions.error();
    for (qint64 position : positions.value())
        rows.append(int(position - 1));
    return rows;
}

qint64 LogLineModel::hitNumber(int row) const
{
    const auto it = std::lower_bound(m_hitRows.begin(), m_hitRows.end(), row);
    if (it == m_hitRows.end() || *it != row || m_hitBase < 0)
        return 0;
    return m_hitBase + (it - m_hitRows.begin()) + 1;
}

void LogLineModel::pageHits(bool forward, qint64 boundaryId, bool fromPageEdge)
{
    if (m_executionId.isNull() || m_query.text.isEmpty() || isMatchesOnly())
        return;
    LogLineReader *searcher = m_searchReader.get();
    m_searchWorker.cancel([searcher] { searcher->interrupt(); });
    const quint64 token = ++m_searchToken;
    LogSearchQuery query = m_query;
    query.executionId = m_executionId;
    query.maxLines = m_maxHits;
    query.streams = m_streams;
    // The hits before the new page, when they follow from the page held (or the ends).
    qint64 base = -1;
    if (forward && boundaryId == 0)
        base = 0;
    else if (forward && fromPageEdge && m_hitBase >= 0)
        base = m_hitBase + m_hitRows.size();
    const bool backFromEnd = !forward && boundaryId == 0;
    const bool backFromPage = !forward && fromPageEdge && m_hitBase >= 0;
    const qint64 pageBase = m_hitBase;
    const qint64 total = m_totalHits;
    m_searchWorker.post([this, searcher, token, query, forward, boundaryId, base, backFromEnd,
                         backFromPage, pageBase, total] {
        if (token != m_searchToken)
            return;
        const auto page = searcher->hitPage(query, forward, boundaryId,
                                            [this, token] { return token != m_searchToken; });
        QList<int> rows;
        QList<qint64> ids;
        QString error = page ? QString() : page.error().toString();
        if (page) {
            const auto found = rowsOf(searcher, page.value(), *query.executionId, query.streams,
                                      query.streams.outputTypes.isEmpty(), &ids);
            if (found)
                rows = found.value();
            else
                error = found.error().toString();
        }
        qint64 hitsBefore = base;
        if (backFromEnd)
            hitsBefore = total - rows.size();
        else if (backFromPage)
            hitsBefore = pageBase - rows.size();
        if (token != m_searchToken)
            return;
        QMetaObject::invokeMethod(
            this,
            [this, token, forward, boundaryId, hitsBefore, rows, ids, error] {
                onHitPage(token, forward, boundaryId, hitsBefore, rows, ids, error);
            },
            Qt::QueuedConnection);
    });
    if (!m_searching) {
        m_searching = true;
        emit searchingChanged(true);
    }
}

void LogLineModel::onHitPage(quint64 token, bool forward, qint64 boundaryId, qint64 base,
                             const QList<int> &rows, const QList<qint64> &ids, const QString &error)
{
    if (token != m_searchToken)
        return;
    m_searching = false;
    emit searchingChanged(false);
    if (!error.isEmpty()) {
        m_lastError = error;
        emit errorOccurred(error);
        emit hitPageLoaded(-1);
        return;
    }
    if (rows.isEmpty()) {
        // No hit past the line stepped from: around to the first (or last) hit, as within a
        // page. From an end there is nothing at all (the lines changed): the page held stays.
        if (boundaryId != 0 && m_totalHits > 0)
            pageHits(forward, 0, true);
        else
            emit hitPageLoaded(-1);
        return;
    }
    m_hitRows = rows;
    m_hitIds = ids;
    m_hitBase = base;
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1), {HitRole});
    emit hitPageLoaded(forward ? rows.first() : rows.last());
}

void LogLineModel::want(int page) const
{
    m_wanted.insert(page);
    if (!m_sendTimer.isActive())
        m_sendTimer.start();
}

void LogLineModel::sendWanted()
{
    if (m_wanted.isEmpty() || m_executionId.isNull())
        return;
    // One batch per paint: pages of an earlier batch not read yet are skipped by the worker, so
    // dragging the scroll bar over millions of lines reads only where it stops.
    const quint64 batch = ++m_batch;
    const quint64 generation = m_generation;
    LogLineReader *reader = m_reader.get();
    QList<int> pages = m_wanted.values();
    std::sort(pages.begin(), pages.end());
    m_wanted.clear();
    for (int page : std::as_const(pages)) {
        if (m_inFlight.contains(page) || m_pages.contains(page))
            continue;
        m_inFlight.insert(page);
        std::optional<qint64> after;
        qint64 lineBefore = 0;
        if (page > 0) {
            const auto before = m_pages.constFind(page - 1);
            if (before != m_pages.constEnd() && before->size() == m_pageSize) {
                after = before->constLast().entry.id;
                lineBefore = before->constLast().lineNumber;
            }
        }
        const qint64 first = qint64(page) * m_pageSize;
        const int limit = m_pageSize;
        const QUuid execution = m_executionId;
        const LogFilter streams = m_streams;
        m_worker.post([this, reader, generation, batch, page, first, limit, after, lineBefore,
                       execution, streams] {
            QList<LogSearchLine> lines;
            QString error = QStringLiteral("skipped");
            if (generation == m_generation && batch == m_batch) {
                const auto read
                    = reader->lines(execution, first, limit, after, lineBefore, streams);
                error = read ? QString() : read.error().toString();
                if (read)
                    lines = read.value();
            }
            QMetaObject::invokeMethod(
                this, [=, this] { onPage(generation, page, lines, error); }, Qt::QueuedConnection);
        });
    }
}

void LogLineModel::onPage(quint64 generation, int page, const QList<LogSearchLine> &lines,
                          const QString &error)
{
    if (generation != m_generation)
        return;
    m_inFlight.remove(page);
    const int first = page * m_pageSize;
    const int last = int(qMin<qint64>(m_lineCount, qint64(first) + m_pageSize)) - 1;
    if (error.isEmpty()) {
        m_pages.insert(page, lines);
        m_pageOrder.removeAll(page);
        m_pageOrder.append(page);
        evict();
    } else if (error != QLatin1String("skipped")) {
        m_lastError = error;
        qCWarning(lcModels) << "log lines failed:" << error;
        emit errorOccurred(error);
        return;
    }
    // Also for a skipped page: rows still in view ask data() again, and so for the page again.
    if (last >= first && !isMatchesOnly())
        emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
    if (error.isEmpty())
        emit pageLoaded(page);
}

void LogLineModel::evict()
{
    while (m_pageOrder.size() > m_maxPages)
        m_pages.remove(m_pageOrder.takeFirst());
}

void LogLineModel::findTime(const QString &time)
{
    if (m_executionId.isNull())
        return;
    LogLineReader *reader = m_reader.get();
    const quint64 generation = m_generation;
    const QUuid execution = m_executionId;
    // Matches only: the line's number, looked up among the matches; else its position.
    const bool byLine = isMatchesOnly();
    const LogFilter streams = byLine ? LogFilter() : m_streams;
    m_worker.post([this, reader, generation, execution, time, streams, byLine] {
        if (generation != m_generation)
            return;
        const auto found = reader->lineAtTime(execution, time, streams);
        QMetaObject::invokeMethod(
            this,
            [this, generation, time, byLine, at = found && found.value() ? *found.value() : -1,
             error = found ? QString() : found.error().toString()] {
                if (generation != m_generation)
                    return;
                if (!error.isEmpty())
                    emit errorOccurred(error);
                else if (at < 0)
                    emit errorOccurred(tr("No line at or after %1").arg(time));
                else if (byLine)
                    answerLine(at + 1, tr("The line at %1 is not among the matches").arg(time));
                else
                    emit lineFound(int(at));
            },
            Qt::QueuedConnection);
    });
}

void LogLineModel::answerLine(qint64 lineNumber, const QString &notFound)
{
    const int row = rowOfLine(lineNumber);
    if (row >= 0)
        emit lineFound(row);
    else
        emit errorOccurred(notFound);
}

void LogLineModel::findLine(qint64 lineNumber)
{
    if (m_executionId.isNull())
        return;
    if (isMatchesOnly() || !isStreamFiltered()) {
        if (!isMatchesOnly() && (lineNumber < 1 || lineNumber > m_lineCount))
            emit errorOccurred(
                tr("No line %1: the execution has %2 lines").arg(lineNumber).arg(m_lineCount));
        else
            answerLine(lineNumber, tr("Line %1 is not among the matches").arg(lineNumber));
        return;
    }
    if (lineNumber < 1) {
        emit errorOccurred(tr("No line %1: lines start at 1").arg(lineNumber));
        return;
    }
    LogLineReader *reader = m_reader.get();
    const quint64 generation = m_generation;
    const QUuid execution = m_executionId;
    const LogFilter streams = m_streams;
    m_worker.post([this, reader, generation, execution, lineNumber, streams] {
        if (generation != m_generation)
            return;
        const auto found = reader->positionOfLine(execution, lineNumber, streams);
        QMetaObject::invokeMethod(
            this,
            [this, generation, lineNumber, at = found && found.value() ? *found.value() : -1,
             error = found ? QString() : found.error().toString()] {
                if (generation != m_generation)
                    return;
                if (!error.isEmpty())
                    emit errorOccurred(error);
                else if (at < 0)
                    emit errorOccurred(
                        tr("No line %1 or after it among the streams shown").arg(lineNumber));
                else
                    emit lineFound(int(at));
            },
            Qt::QueuedConnection);
    });
}

} // namespace hivewatch
