#include "models/logs/LogPageLoader.h"

#include "models/ModelsLog.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogSearch.h"

#include <QFileInfo>

namespace hivewatch {

LogPageLoader::LogPageLoader(QObject *parent)
    : QObject(parent)
{
}

LogPageLoader::~LogPageLoader() = default;

void LogPageLoader::registerMetaTypes()
{
    qRegisterMetaType<LogPageRequest>();
    qRegisterMetaType<LogPageReply>();
    qRegisterMetaType<LogFilter>();
    qRegisterMetaType<QList<ExecutionSummary>>();
}

void LogPageLoader::openStore(const QString &path)
{
    m_path = path;
    closeStore();
    if (ensureOpen())
        emit storeOpened(path);
}

void LogPageLoader::closeStore()
{
    std::lock_guard lock(m_mutex);
    m_store.reset();
}

void LogPageLoader::interruptPage()
{
    std::lock_guard lock(m_mutex);
    if (m_runningPage && m_store)
        m_store->connection().interrupt();
}

void LogPageLoader::interrupt()
{
    std::lock_guard lock(m_mutex);
    if (m_store)
        m_store->connection().interrupt();
}

quint64 LogPageLoader::runningPage() const
{
    std::lock_guard lock(m_mutex);
    return m_runningPage;
}

bool LogPageLoader::ensureOpen()
{
    if (m_store)
        return true;
    if (m_path.isEmpty())
        return false;
    const QFileInfo info(m_path);
    if (!info.exists() || info.size() == 0) {
        // A new store: create the schema once, then read through a read-only connection.
        auto created = LogStore::open(m_path, LogStore::Access::ReadWrite);
        if (!created) {
            emit storeFailed(created.error().toString());
            return false;
        }
    }
    auto store = LogStore::open(m_path, LogStore::Access::ReadOnly);
    if (!store) {
        qCWarning(lcModels) << "log store unavailable:" << store.error().toString();
        emit storeFailed(store.error().toString());
        return false;
    }
    std::lock_guard lock(m_mutex);
    m_store = std::move(store.value());
    return true;
}

void LogPageLoader::loadPage(const LogPageRequest &request)
{
    LogPageReply reply;
    reply.token = request.token;
    reply.request = request;
    if (!ensureOpen()) {
        reply.error = tr("No log store is open");
    } else {
        {
            std::lock_guard lock(m_mutex);
            m_runningPage = request.token;
        }
        auto page = m_store->page(request.executionId, request.cursor, request.direction,
                                  request.limit, request.filter);
        {
            // Cleared under the lock: an interrupt for this page cannot hit the next statement.
            std::lock_guard lock(m_mutex);
            m_runningPage = 0;
        }
        if (page)
            reply.page = std::move(page.value());
        else
            reply.error = page.error().toString();
    }
    emit pageLoaded(reply);
}

void LogPageLoader::loadExecutions(quint64 token)
{
    if (!ensureOpen()) {
        emit executionsLoaded(token, {}, tr("No log store is open"));
        return;
    }
    auto list = m_store->executions();
    if (list)
        emit executionsLoaded(token, list.value(), QString());
    else
        emit executionsLoaded(token, {}, list.error().toString());
}

void LogPageLoader::exportExecution(quint64 token, const QUuid &executionId,
                                    const QString &filePath, const LogFilter &filter)
{
    runExport(token, filePath, [&](const std::function<bool(qint64)> &progress) {
        return m_store->exportExecution(executionId, filePath, filter, progress);
    });
}

void LogPageLoader::exportMatches(quint64 token, const QString &filePath,
                                  const LogSearchQuery &query)
{
    runExport(token, filePath, [&](const std::function<bool(qint64)> &progress) {
        return LogSearch(*m_store).exportMatches(query, filePath, progress);
    });
}

void LogPageLoader::runExport(
    quint64 token, const QString &filePath,
    const std::function<Result<qint64>(const std::function<bool(qint64)> &)> &write)
{
    if (!ensureOpen()) {
        emit exportFinished(token, 0, tr("No log store is open"));
        return;
    }
    // The flag is cleared by whoever queues the export (resetExportCancel()), not here: a Cancel
    // pressed while the export still waited in the queue must not be forgotten.
    if (m_cancelExport.load()) {
        emit exportFinished(token, 0, tr("Export to %1 cancelled").arg(filePath));
        return;
    }
    const auto rows = write([&](qint64 done) {
        emit exportProgress(token, done);
        return !m_cancelExport.load();
    });
    emit exportFinished(token, rows ? rows.value() : 0, rows ? QString() : rows.error().toString());
}

} // namespace hivewatch
