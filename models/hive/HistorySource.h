#pragma once

#include "models/hive/HistoryQueries.h"
#include "models/hive/TrendSeries.h"
#include "sync/common/WorkerThread.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <atomic>
#include <memory>

namespace hivewatch {

// The store's history for the views, read on a worker thread of its own: the GUI never waits on
// the disk. Results cross back whole through queued signals; a newer request of a kind
// supersedes an older one (a request still queued is skipped, a finished stale one is dropped).
// Synced batches call noteChanges(), which refreshes at most once per throttle interval, so a
// burst of batches costs one query; a slow timer moves the window along when nothing arrives.
class HistorySource : public QObject
{
    template<typename Result> using Deliver = std::function<void(const Result &)>;

    Q_OBJECT
public:
    explicit HistorySource(HistoryQueriesFactory factory, QObject *parent = nullptr);
    ~HistorySource() override;

    // Reads the history of this store from now on (empty: none; the views show nothing).
    void setStorePath(const QString &path);
    QString storePath() const { return m_storePath; }
    void setRange(TrendRange range);
    TrendRange range() const { return m_range; }
    void setThrottleMs(int ms) { m_throttle.setInterval(ms); }
    // How many trend queries ran to the end (tests: superseded ones are not run).
    int trendQueriesRun() const { return m_trendQueriesRun.load(); }
    const TrendSet &trends() const { return m_trends; }

    // One requester's line of requests: its newer request supersedes its older one, not another
    // requester's (the task pane's "as of" does not cancel the node pane's).
    class Ticket
    {
        friend class HistorySource;

    public:
        // Drops what is pending: its answer will not be delivered.
        void cancel() { ++*m_latest; }

    private:
        std::shared_ptr<std::atomic<quint64>> m_latest = std::make_shared<std::atomic<quint64>>(0);
    };
    // Answers reach `receiver` (GUI thread) unless it is gone or the ticket moved on.
    void extent(Ticket &ticket, QObject *receiver, Deliver<HistoryExtent> deliver);
    void rowAsOf(Ticket &ticket, QObject *receiver, const QString &table, const QString &key,
                 const QDateTime &at, Deliver<RowState> deliver);
    void changesBetween(Ticket &ticket, QObject *receiver, const QDateTime &from,
                        const QDateTime &to, const QString &table, const QString &key,
                        Deliver<HistoryEvents> deliver);
    void lastStatusChanges(Ticket &ticket, QObject *receiver, const QString &table,
                           const QStringList &keys, Deliver<StatusChanges> deliver);

public slots:
    void refreshTrends();
    void noteChanges();

signals:
    void trendsReady(const hivewatch::TrendSet &trends);

private:
    template<typename Result>
    void run(Ticket &ticket, QObject *receiver, std::function<Result(HistoryQueries &)> query,
             Deliver<Result> deliver);

    HistoryQueriesFactory m_factory;
    std::unique_ptr<HistoryQueries> m_queries; // touched on m_worker only
    QString m_storePath;
    TrendRange m_range = TrendRange::Hour;
    TrendSet m_trends;
    std::atomic<quint64> m_trendGeneration {0};
    std::atomic<int> m_trendQueriesRun {0};
    QTimer m_throttle;
    QTimer m_tick;
    WorkerThread m_worker; // last: joined before the members its jobs use go
};

} // namespace hivewatch
