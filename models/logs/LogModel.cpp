#include "models/logs/LogModel.h"

#include "domain/LogTable.h"
#include "domain/StatusVocabularies.h"
#include "models/ModelsLog.h"
#include "sync/store/LogSearch.h"

#include <QBrush>
#include <QColor>
#include <QFont>

#include <algorithm>

namespace hivewatch {

namespace {

constexpr int kExecutionsRefreshMs = 300;

} // namespace

LogModel::LogModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_loader(std::make_unique<LogPageLoader>())
    , m_worker(QStringLiteral("LogPageLoader"))
    , m_exportLoader(std::make_unique<LogPageLoader>())
    , m_exportWorker(QStringLiteral("LogExport"))
    , m_indexWorker(QStringLiteral("LogIndex"))
{
    LogPageLoader::registerMetaTypes();
    registerShapeBatchMetaTypes();
    // The loader's signals come from the worker thread and reach this model queued.
    LogPageLoader *loader = m_loader.get();
    LogPageLoader *exporter = m_exportLoader.get();
    connect(this, &LogModel::requestOpen, this, [this, loader, exporter](const QString &path) {
        m_worker.post([loader, path] { loader->openStore(path); });
        m_exportWorker.post([exporter, path] { exporter->openStore(path); });
        startIndexing(path);
    });
    connect(this, &LogModel::requestPage, this, [this, loader](const LogPageRequest &request) {
        m_lastPageSent = request.token;
        m_worker.post([this, loader, request] {
            if (!isAwaited(request.token)) {
                ++m_cancelledPages;
                return;
            }
            loader->loadPage(request);
        });
    });
    connect(this, &LogModel::requestExecutions, this, [this, loader](quint64 token) {
        m_worker.post([loader, token] { loader->loadExecutions(token); });
    });
    connect(this, &LogModel::requestExport, this,
            [this, exporter](quint64 token, const QUuid &executionId, const QString &filePath,
                             const LogFilter &filter) {
                m_exportWorker.post([exporter, token, executionId, filePath, filter] {
                    exporter->exportExecution(token, executionId, filePath, filter);
                });
            });
    connect(loader, &LogPageLoader::pageLoaded, this, &LogModel::onPageLoaded);
    connect(loader, &LogPageLoader::executionsLoaded, this, &LogModel::onExecutionsLoaded);
    connect(exporter, &LogPageLoader::exportFinished, this, &LogModel::onExportFinished);
    connect(exporter, &LogPageLoader::exportProgress, this, [this](quint64 token, qint64 rows) {
        if (token == m_exportToken)
            emit exportProgress(rows);
    });
    connect(loader, &LogPageLoader::storeOpened, this, &LogModel::storeOpened);
    connect(loader, &LogPageLoader::storeFailed, this, [this](const QString &message) {
        m_lastError = message;
        emit errorOccurred(message);
    });
    m_worker.start();
    m_exportWorker.start();
    m_indexWorker.start();

    m_executionsTimer.setSingleShot(true);
    m_executionsTimer.setInterval(kExecutionsRefreshMs);
    connect(&m_executionsTimer, &QTimer::timeout, this, &LogModel::refreshExecutions);
}

LogModel::~LogModel()
{
    // Quitting does not wait for a long read: what is queued goes, what runs is interrupted, and
    // the connection closes on the thread that used it.
    LogPageLoader *loader = m_loader.get();
    m_worker.cancel([loader] { loader->interrupt(); });
    m_worker.post([loader] { loader->closeStore(); });
    m_worker.shutdown();
    LogPageLoader *exporter = m_exportLoader.get();
    m_exportWorker.cancel([exporter] {
        exporter->cancelExport();
        exporter->interrupt();
    });
    m_exportWorker.post([exporter] { exporter->closeStore(); });
    m_exportWorker.shutdown();
    stopIndexing();
    m_indexWorker.shutdown();
}

bool LogModel::isAwaited(quint64 token) const
{
    // The newest request may not be recorded as awaited yet: send() returns its token first.
    return token == m_forwardToken || token == m_backwardToken || token == m_lastPageSent;
}

LogModel::Stream LogModel::streamOf(const QString &outputType)
{
    const auto type = LogOutputTypeValue::parse(outputType);
    if (!type.isKnown())
        return Stream::Unknown;
    switch (*type.value()) {
    case LogOutputType::Stdout:
        return Stream::Stdout;
    case LogOutputType::Stderr:
        return Stream::Stderr;
    case LogOutputType::System:
        return Stream::System;
    default:
        return Stream::Other;
    }
}

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return entryData(m_rows.at(index.row()), index.column(), role);
}

QVariant LogModel::entryData(const LogEntry &e, int column, int role)
{
    const Stream stream = streamOf(e.outputType);
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case IdColumn:
            return e.id;
        case TimeColumn:
            return e.timestamp;
        case StreamColumn:
            return stream == Stream::Unknown ? QStringLiteral("unknown: ") + e.outputType
                                             : e.outputType;
        case ContentColumn: {
            QString text = e.content;
            if (text.endsWith(u'\n'))
                text.chop(1);
            return text;
        }
        }
        return {};
    case Qt::ToolTipRole:
        if (column == StreamColumn)
            return LogOutputTypeValue::parse(e.outputType).displayText();
        return {};
    case Qt::ForegroundRole:
        switch (stream) {
        case Stream::Stderr:
            return QBrush(QColor(0xb0, 0x1e, 0x1e));
        case Stream::System:
            return QBrush(QColor(0x1f, 0x4f, 0x99));
        case Stream::Other:
            return QBrush(QColor(0x6b, 0x6b, 0x6b));
        case Stream::Unknown:
            return QBrush(QColor(0xa0, 0x52, 0x00));
        case Stream::Stdout:
            return {};
        }
        return {};
    case Qt::BackgroundRole:
        if (stream == Stream::Stderr)
            return QBrush(QColor(0xfd, 0xec, 0xec));
        if (stream == Stream::Unknown)
            return QBrush(QColor(0xff, 0xf4, 0xd6));
        return {};
    case Qt::FontRole:
        if (stream == Stream::System) {
            // Only the style, resolved over the view's monospace font. Oblique, not italic: a
            // monospace family without an italic face made fontconfig substitute a
            // proportional one for these lines; oblique is synthesised from the same face.
            QFont font;
            font.setStyle(QFont::StyleOblique);
            font.setFixedPitch(true);
            return font;
        }
        return {};
    case EntryIdRole:
        return e.id;
    case OutputTypeRole:
        return e.outputType;
    case StreamRole:
        return int(stream);
    case ContentRole:
        return e.content;
    case TimestampRole:
        return e.timestamp;
    }
    return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case IdColumn:
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

bool LogModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_hasNewer;
}

void LogModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || !m_hasNewer || m_forwardToken || m_rows.isEmpty())
        return;
    const bool wasLoading = isLoading();
    m_forwardToken = send(m_rows.constLast().id, PageDirection::Forward);
    setLoadingState(wasLoading);
}

void LogModel::setStorePath(const QString &path)
{
    m_storePath = path;
    m_executionId = QUuid();
    reload(Anchor::Tail);
    emit requestOpen(path);
    // Lists asked of the previous store are stale, however recent.
    m_executionsShownToken = m_nextToken - 1;
    refreshExecutions();
}

void LogModel::setExecution(const QUuid &executionId)
{
    if (executionId == m_executionId && !m_rows.isEmpty())
        return;
    m_executionId = executionId;
    reload(Anchor::Tail);
}

void LogModel::setStreamFilter(const QStringList &outputTypes)
{
    if (outputTypes == m_filter.outputTypes && !m_filter.excludeOutputTypes)
        return;
    m_filter.outputTypes = outputTypes;
    m_filter.excludeOutputTypes = false;
    reload(Anchor::Tail);
}

void LogModel::setShownStreams(const QList<Stream> &streams)
{
    QStringList shown;
    QStringList hidden;
    for (const QByteArray &name : LogTable::outputTypes()) {
        const QString type = QString::fromLatin1(name);
        (streams.contains(streamOf(type)) ? shown : hidden) << type;
    }
    // Types unknown to the domain are not in any list: only an exclusion keeps them.
    const bool unknownShown = streams.contains(Stream::Other) || streams.contains(Stream::Unknown);
    QStringList types;
    bool exclude = false;
    if (unknownShown) {
        types = hidden; // none hidden: no filter at all
        exclude = !hidden.isEmpty();
    } else {
        types = shown.isEmpty() ? QStringList {QStringLiteral("-")} : shown; // "-": no line
    }
    if (types == m_filter.outputTypes && exclude == m_filter.excludeOutputTypes)
        return;
    m_filter.outputTypes = types;
    m_filter.excludeOutputTypes = exclude;
    reload(Anchor::Tail);
}

void LogModel::setSearchText(const QString &text)
{
    if (text == m_filter.text)
        return;
    m_filter.text = text;
    reload(Anchor::Tail);
}

void LogModel::jumpToStart()
{
    if (!m_hasOlder && !m_rows.isEmpty() && !m_backwardToken)
        return; // the first line is already loaded
    reload(Anchor::Head);
}

void LogModel::jumpToEnd()
{
    if (!m_hasNewer && !m_rows.isEmpty() && !m_forwardToken)
        return;
    reload(Anchor::Tail);
}

void LogModel::fetchOlder()
{
    if (!m_hasOlder || m_backwardToken || m_rows.isEmpty())
        return;
    const bool wasLoading = isLoading();
    m_backwardToken = send(m_rows.constFirst().id, PageDirection::Backward);
    setLoadingState(wasLoading);
}

void LogModel::setFollowing(bool following)
{
    if (following == m_following)
        return;
    m_following = following;
    emit followingChanged(following);
    if (m_following)
        requestNewer();
}

void LogModel::notifyStoreChanged()
{
    // A throttle, not a debounce: restarting the timer on every batch would never let it fire
    // while a busy log stream stores a batch more often than every kExecutionsRefreshMs.
    if (!m_executionsTimer.isActive())
        m_executionsTimer.start();
    requestNewer();
    // The lines are committed: the index builder takes them now rather than at its next poll.
    if (m_indexBuilder)
        m_indexBuilder->wake();
}

void LogModel::applyShapeBatch(const ShapeBatch &batch)
{
    if (batch.shapeName != LogTable::Name && !batch.shapeName.endsWith(u'/' + LogTable::Name))
        return;
    if (batch.reset) {
        // A new snapshot (first sync or must-refetch): ids may have changed under the view.
        if (!m_executionsTimer.isActive())
            m_executionsTimer.start();
        reload(Anchor::Tail);
        return;
    }
    if (batch.storedChangeCount > 0 || !batch.changes.isEmpty())
        notifyStoreChanged();
}

void LogModel::refreshExecutions()
{
    m_executionsToken = m_nextToken++;
    emit requestExecutions(m_executionsToken);
}

void LogModel::exportExecution(const QString &filePath)
{
    exportExecution(filePath, m_filter);
}

void LogModel::exportExecution(const QString &filePath, const LogFilter &filter)
{
    if (m_executionId.isNull()) {
        emit exportFinished(0, tr("Choose an execution to export first"));
        return;
    }
    m_exportLoader->resetExportCancel();
    m_exportToken = m_nextToken++;
    emit requestExport(m_exportToken, m_executionId, filePath, filter);
}

void LogModel::exportMatches(const QString &filePath, const LogSearchQuery &query)
{
    if (m_executionId.isNull()) {
        emit exportFinished(0, tr("Choose an execution to export first"));
        return;
    }
    m_exportLoader->resetExportCancel();
    m_exportToken = m_nextToken++;
    LogSearchQuery one = query;
    one.executionId = m_executionId;
    LogPageLoader *exporter = m_exportLoader.get();
    m_exportWorker.post([exporter, token = m_exportToken, filePath, one] {
        exporter->exportMatches(token, filePath, one);
    });
}

void LogModel::startIndexing(const QString &path)
{
    stopIndexing();
    // Its own read-write connection, one short transaction per chunk: the sync writer waits at
    // most a chunk. Resumable, so a quit midway goes on at the next start. It then follows the
    // writer (store version 5: new lines are indexed just behind it, not in its transaction).
    m_indexBuilder = std::make_unique<LogIndexBuilder>(path, LogIndexBuilder::kFollowerChunkRows);
    m_indexBuilder->setFollow(true);
    LogIndexBuilder *builder = m_indexBuilder.get();
    connect(builder, &LogIndexBuilder::progressChanged, this, &LogModel::indexProgress);
    connect(builder, &LogIndexBuilder::finished, this, [this](bool ok, const QString &message) {
        if (ok)
            emit indexProgress(100);
        else
            qCInfo(lcModels) << "log index not built:" << message;
    });
    m_indexWorker.post([builder] { builder->run(); });
}

void LogModel::stopIndexing()
{
    if (!m_indexBuilder)
        return;
    m_indexBuilder->stop();
    m_indexWorker.wait(); // the builder's run() returns within a chunk
    m_indexBuilder.reset();
}

void LogModel::cancelExport()
{
    m_exportLoader->cancelExport();
}

void LogModel::reload(Anchor anchor)
{
    const bool wasLoading = isLoading();
    beginResetModel();
    m_rows.clear();
    m_hasOlder = false;
    m_hasNewer = false;
    m_forwardToken = 0; // answers to earlier requests are now stale
    m_backwardToken = 0;
    if (m_loader->runningPage() != 0) {
        m_loader->interruptPage();
        ++m_cancelledPages;
    }
    m_changedWhileLoading = false;
    endResetModel();
    // At the tail the view follows new lines (like tail -f); reading from the start it does not,
    // or every new line would pull the whole execution in.
    if (m_following != (anchor == Anchor::Tail)) {
        m_following = anchor == Anchor::Tail; // not setFollowing(): the page below is the request
        emit followingChanged(m_following);
    }
    setTotal(0);
    if (!m_executionId.isNull()) {
        if (anchor == Anchor::Tail)
            m_backwardToken = send(std::nullopt, PageDirection::Backward);
        else
            m_forwardToken = send(std::nullopt, PageDirection::Forward);
    }
    setLoadingState(wasLoading);
}

quint64 LogModel::send(std::optional<qint64> cursor, PageDirection direction)
{
    LogPageRequest request;
    request.token = m_nextToken++;
    request.executionId = m_executionId;
    request.cursor = cursor;
    request.direction = direction;
    request.limit = m_pageSize;
    request.filter = m_filter;
    emit requestPage(request);
    return request.token;
}

void LogModel::requestNewer()
{
    if (m_executionId.isNull() || m_hasNewer)
        return; // nothing shown, or fetchMore() will reach the new lines anyway
    if (m_forwardToken || m_backwardToken) {
        m_changedWhileLoading = true; // ask again once the answer in flight is applied
        return;
    }
    const bool wasLoading = isLoading();
    m_forwardToken = send(m_rows.isEmpty() ? std::nullopt : std::optional(m_rows.constLast().id),
                          PageDirection::Forward);
    setLoadingState(wasLoading);
}

void LogModel::onPageLoaded(const LogPageReply &reply)
{
    const bool forward = reply.token == m_forwardToken;
    const bool backward = reply.token == m_backwardToken;
    if (!forward && !backward)
        return; // stale: the execution, filter or position changed since it was asked for
    const bool wasLoading = isLoading();
    // The token stays set while rows are inserted: views (and QAbstractItemModelTester) may call
    // fetchMore() from the insert signals, and must not ask for the page being applied again.
    if (!reply.error.isEmpty()) {
        m_lastError = reply.error;
        qCWarning(lcModels) << "log page failed:" << reply.error;
        emit errorOccurred(reply.error);
    } else {
        m_lastError.clear();
        setTotal(reply.page.totalCount);
        if (forward) {
            appendRows(reply.page.entries);
            m_hasNewer = reply.page.hasMore;
            trimWhileFollowing();
        } else {
            prependRows(reply.page.entries);
            m_hasOlder = reply.page.hasMore;
        }
    }
    (forward ? m_forwardToken : m_backwardToken) = 0;
    if (reply.error.isEmpty() && forward && m_following && m_hasNewer && !m_rows.isEmpty()) {
        // Catching up on a burst of live lines while the view follows the tail.
        m_forwardToken = send(m_rows.constLast().id, PageDirection::Forward);
    } else if (m_changedWhileLoading && !isLoading()) {
        m_changedWhileLoading = false;
        requestNewer();
    }
    setLoadingState(wasLoading);
    emit pageApplied();
}

void LogModel::appendRows(const QList<LogEntry> &entries)
{
    if (entries.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(entries.size()) - 1);
    m_rows.append(entries);
    endInsertRows();
}

void LogModel::trimWhileFollowing()
{
    const int excess = int(m_rows.size()) - m_maxRowsWhileFollowing;
    if (!m_following || excess <= 0)
        return;
    beginRemoveRows({}, 0, excess - 1);
    m_rows.remove(0, excess);
    endRemoveRows();
    m_hasOlder = true;
}

void LogModel::prependRows(QList<LogEntry> descending)
{
    if (descending.isEmpty())
        return;
    std::reverse(descending.begin(), descending.end()); // a backward page comes newest first
    const int count = int(descending.size());
    const bool wasEmpty = m_rows.isEmpty();
    beginInsertRows({}, 0, count - 1);
    descending.append(m_rows);
    m_rows = std::move(descending);
    endInsertRows();
    if (!wasEmpty)
        emit olderRowsInserted(count);
}

void LogModel::setTotal(qint64 total)
{
    if (total == m_totalCount)
        return;
    m_totalCount = total;
    emit totalCountChanged(total);
}

void LogModel::setLoadingState(bool wasLoading)
{
    if (wasLoading != isLoading())
        emit loadingChanged(isLoading());
}

void LogModel::onExecutionsLoaded(quint64 token, const QList<ExecutionSummary> &executions,
                                  const QString &error)
{
    // Any answer newer than the one shown is fresher data, even when a later request is on its
    // way: waiting for the latest starves the list when requests go out faster than the loader,
    // busy with pages, answers them. Only an answer older than the one shown is stale.
    if (token <= m_executionsShownToken || token > m_executionsToken)
        return;
    m_executionsShownToken = token;
    if (!error.isEmpty()) {
        m_lastError = error;
        emit errorOccurred(error);
        return;
    }
    emit executionsChanged(executions);
}

void LogModel::onExportFinished(quint64 token, qint64 rows, const QString &error)
{
    if (token != m_exportToken)
        return;
    m_exportToken = 0;
    emit exportFinished(rows, error);
}

} // namespace hivewatch
