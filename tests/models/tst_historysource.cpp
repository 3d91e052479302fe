#include "models/hive/HistorySource.h"

#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>

#include <atomic>

using namespace hivewatch;

namespace {

// Scripted history: each call answers one point whose value says which range was asked, and
// may hold the worker until the test lets it go.
struct ScriptedQueries : HistoryQueries
{
    QSemaphore *gate = nullptr;
    std::atomic<int> *calls = nullptr;
    TrendSet trends(TrendRange range, const QDateTime &to) override
    {
        ++*calls;
        if (gate)
            gate->acquire();
        TrendSet set;
        set.range = range;
        set.to = to;
        set.from = to.addMSecs(-trendRangeMs(range));
        set.bucketMs = trendBucketMs(range);
        set.created = {{set.from, double(int(range))}};
        set.heartbeatLag.insert(QStringLiteral("node-a"), {{set.from, 5.0}});
        return set;
    }
    HistoryExtent extent() override { return {}; }
    RowState rowAsOf(const QString &, const QString &, const QDateTime &) override { return {}; }
    HistoryEvents changesBetween(const QDateTime &, const QDateTime &, const QString &,
                                 const QString &) override
    {
        return {};
    }
};

} // namespace

class TestHistorySource : public QObject
{
    Q_OBJECT
private slots:
    void deliversWholeSeriesQueued();
    void newerRequestSupersedesOlder();
    void batchesAreThrottled();
    void noStoreSaysSo();
};

void TestHistorySource::deliversWholeSeriesQueued()
{
    std::atomic<int> calls {0};
    QString openedPath;
    HistorySource source([&](const QString &path) {
        openedPath = path;
        auto queries = std::make_unique<ScriptedQueries>();
        queries->calls = &calls;
        return queries;
    });
    QSignalSpy ready(&source, &HistorySource::trendsReady);
    source.setRange(TrendRange::Day);
    source.setStorePath(QStringLiteral("/nonexistent/store.sqlite"));
    QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty() && source.trends().error.isEmpty(), 10000);
    QCOMPARE(openedPath, QStringLiteral("/nonexistent/store.sqlite"));
    const TrendSet set = ready.last().first().value<TrendSet>();
    QCOMPARE(set.range, TrendRange::Day);
    QCOMPARE(set.bucketMs, qint64(5 * 60 * 1000));
    QCOMPARE(set.created.size(), 1);
    QCOMPARE(set.created.first().value, double(int(TrendRange::Day)));
    QCOMPARE(set.heartbeatLag.value(QStringLiteral("node-a")).first().value, 5.0);
}

void TestHistorySource::newerRequestSupersedesOlder()
{
    QSemaphore gate;
    std::atomic<int> calls {0};
    HistorySource source([&](const QString &) {
        auto queries = std::make_unique<ScriptedQueries>();
        queries->calls = &calls;
        queries->gate = &gate;
        return queries;
    });
    QSignalSpy ready(&source, &HistorySource::trendsReady);
    source.setStorePath(QStringLiteral("/nonexistent/store.sqlite")); // Hour, held at the gate
    QTRY_COMPARE_WITH_TIMEOUT(calls.load(), 1, 10000);
    source.setRange(TrendRange::Day); // queued behind it: skipped unrun
    source.setRange(TrendRange::Week); // the one that counts
    gate.release(10);
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 10000);
    QCOMPARE(ready.first().first().value<TrendSet>().range, TrendRange::Week);
    QCOMPARE(calls.load(), 2); // the Hour one ran (it had started), Day never did
    QTest::qWait(50);
    QCOMPARE(ready.size(), 1); // the finished Hour result was dropped, not shown late
}

void TestHistorySource::batchesAreThrottled()
{
    std::atomic<int> calls {0};
    HistorySource source([&](const QString &) {
        auto queries = std::make_unique<ScriptedQueries>();
        queries->calls = &calls;
        return queries;
    });
    source.setThrottleMs(200);
    QSignalSpy ready(&source, &HistorySource::trendsReady);
    source.setStorePath(QStringLiteral("/nonexistent/store.sqlite"));
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 10000);
    for (int i = 0; i < 50; ++i)
        source.noteChanges();
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 2, 10000);
    QCOMPARE(calls.load(), 2); // fifty batches, one refresh
}

void TestHistorySource::noStoreSaysSo()
{
    HistorySource source([](const QString &) { return std::unique_ptr<HistoryQueries>(); });
    QSignalSpy ready(&source, &HistorySource::trendsReady);
    source.refreshTrends();
    QTRY_COMPARE_WITH_TIMEOUT(ready.size(), 1, 10000);
    QVERIFY(!source.trends().error.isEmpty());
    QVERIFY(source.trends().created.isEmpty());
}

QTEST_GUILESS_MAIN(TestHistorySource)
#include "tst_historysource.moc"
