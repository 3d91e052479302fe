#pragma once

#include "models/hive/HistoryQueries.h"
#include "models/hive/TrendSeries.h"
#include "sync/common/WorkerThread.h"

#include <QObject>
#include <QTimer>

#include <atomic>

namespace hivewatch {

// The store's history for the views, read on a worker thread of its own: the GUI never waits on
// the disk. Results cross back whole through queued signals; a newer request of a kind
// supersedes an older one (a request still queued is skipped, a finished stale one is dropped).
// Synced batches call noteChanges(), which refreshes at most once per throttle interval, so a
// burst of batches costs one query; a slow timer moves the window along when nothing arrives.
class HistorySource : public QObject
{
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

public slots:
    void refreshTrends();
    void noteChanges();

signals:
    void trendsReady(const hivewatch::TrendSet &trends);

private:
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
