#include "models/hive/HistorySource.h"

#include "models/ModelsLog.h"

namespace hivewatch {

namespace {
constexpr int kThrottleMs = 3000;
// The 1 h chart slides a 5-minute bucket at a time; once a minute keeps its right edge current.
constexpr int kTickMs = 60 * 1000;
} // namespace

HistorySource::HistorySource(HistoryQueriesFactory factory, QObject *parent)
    : QObject(parent)
    , m_factory(std::move(factory))
    , m_worker(QStringLiteral("HistorySource"))
{
    qRegisterMetaType<TrendSet>();
    m_throttle.setSingleShot(true);
    m_throttle.setInterval(kThrottleMs);
    connect(&m_throttle, &QTimer::timeout, this, &HistorySource::refreshTrends);
    m_tick.setInterval(kTickMs);
    connect(&m_tick, &QTimer::timeout, this, &HistorySource::refreshTrends);
    m_worker.start();
}

HistorySource::~HistorySource()
{
    m_worker.cancel();
    m_worker.post([this] { m_queries.reset(); });
    m_worker.shutdown();
}

void HistorySource::setStorePath(const QString &path)
{
    m_storePath = path;
    ++m_trendGeneration; // nothing read from the old store reaches the views any more
    m_worker.post([this, path] {
        m_queries.reset();
        if (!path.isEmpty())
            m_queries = m_factory(path);
    });
    m_tick.start();
    refreshTrends();
}

template<typename Result>
void HistorySource::run(Ticket &ticket, QObject *receiver,
                        std::function<Result(HistoryQueries &)> query, Deliver<Result> deliver)
{
    const std::shared_ptr<std::atomic<quint64>> latest = ticket.m_latest;
    const quint64 generation = ++*latest;
    QPointer<QObject> guard(receiver);
    m_worker.post([this, latest, generation, guard, query, deliver] {
        if (generation != latest->load())
            return;
        Result result;
        if (m_queries)
            result = query(*m_queries);
        else
            result.error = tr("No store open");
        QMetaObject::invokeMethod(
            this,
            [latest, generation, guard, deliver, result] {
                if (guard && generation == latest->load())
                    deliver(result);
            },
            Qt::QueuedConnection);
    });
}

void HistorySource::extent(Ticket &ticket, QObject *receiver, Deliver<HistoryExtent> deliver)
{
    run<HistoryExtent>(
        ticket, receiver, [](HistoryQueries &queries) { return queries.extent(); },
        std::move(deliver));
}

void HistorySource::rowAsOf(Ticket &ticket, QObject *receiver, const QString &table,
                            const QString &key, const QDateTime &at, Deliver<RowState> deliver)
{
    run<RowState>(
        ticket, receiver,
        [table, key, at](HistoryQueries &queries) { return queries.rowAsOf(table, key, at); },
        std::move(deliver));
}

void HistorySource::changesBetween(Ticket &ticket, QObject *receiver, const QDateTime &from,
                                   const QDateTime &to, const QString &table, const QString &key,
                                   Deliver<HistoryEvents> deliver)
{
    run<HistoryEvents>(
        ticket, receiver,
        [from, to, table, key](HistoryQueries &queries) {
            return queries.changesBetween(from, to, table, key);
        },
        std::move(deliver));
}

void HistorySource::lastStatusChanges(Ticket &ticket, QObject *receiver, const QString &table,
                                      const QStringList &keys, Deliver<StatusChanges> deliver)
{
    run<StatusChanges>(
        ticket, receiver,
        [table, keys](HistoryQueries &queries) { return queries.lastStatusChanges(table, keys); },
        std::move(deliver));
}

void HistorySource::setRange(TrendRange range)
{
    m_range = range;
    refreshTrends();
}

void HistorySource::noteChanges()
{
    if (!m_throttle.isActive())
        m_throttle.start();
}

void HistorySource::refreshTrends()
{
    m_throttle.stop();
    const quint64 generation = ++m_trendGeneration;
    const TrendRange range = m_range;
    m_worker.post([this, generation, range] {
        if (generation != m_trendGeneration.load())
            return; // a newer request is queued behind this one
        TrendSet set;
        if (m_queries) {
            set = m_queries->trends(range, QDateTime::currentDateTimeUtc());
        } else {
            set.range = range;
            set.error = tr("No store open");
        }
        ++m_trendQueriesRun;
        if (!set.error.isEmpty())
            qCWarning(lcModels) << "trend series:" << set.error;
        QMetaObject::invokeMethod(
            this,
            [this, generation, set] {
                if (generation != m_trendGeneration.load())
                    return;
                m_trends = set;
                emit trendsReady(set);
            },
            Qt::QueuedConnection);
    });
}

} // namespace hivewatch
