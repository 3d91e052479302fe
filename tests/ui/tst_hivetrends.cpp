#include "models/hive/AssignmentModel.h"
#include "models/hive/HistorySource.h"
#include "models/hive/NodeModel.h"
#include "models/hive/ProgressEventModel.h"
#include "models/hive/TaskModel.h"
#include "tests/models/BatchText.h"
#include "ui/hive/HeartbeatSparklineDelegate.h"
#include "ui/hive/HistoryScrubber.h"
#include "ui/hive/NodesPanel.h"
#include "ui/hive/TrendCharts.h"

#include <QAbstractButton>
#include <QChartView>
#include <QLineSeries>
#include <QSlider>
#include <QTableView>
#include <QTest>

#include <atomic>

using namespace hivewatch;

namespace {

// Scripted series: the range's buckets with values derived from the bucket's index, so that
// each series (and each range) is distinct and checkable.
struct ScriptedQueries : HistoryQueries
{
    QDateTime fixedTo;
    TrendSet trends(TrendRange range, const QDateTime &) override
    {
        TrendSet set;
        set.range = range;
        set.to = fixedTo;
        set.from = fixedTo.addMSecs(-trendRangeMs(range));
        set.bucketMs = trendBucketMs(range);
        int i = 0;
        for (QDateTime at = set.from; at < set.to; at = at.addMSecs(set.bucketMs), ++i) {
            set.created.append({at, double(i % 3)});
            set.started.append({at, double(i % 2)});
            set.done.append({at, double(i % 4) + int(range)});
            set.running.append({at, double(i % 5)});
            set.logLinesPerSecond.append({at, i * 0.5});
            set.stderrShare.append({at, (i % 10) / 10.0});
            set.heartbeatLag[QStringLiteral("n1")].append({at, 5.0 + i % 3});
            set.heartbeatLag[QStringLiteral("n2")].append({at, i > 6 ? 90.0 : 10.0});
        }
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

QList<QPointF> expected(const TrendPoints &points)
{
    QList<QPointF> result;
    for (const TrendPoint &point : points)
        result.append({double(point.at.toMSecsSinceEpoch()), point.value});
    return result;
}

// A task moved through four statuses, ten minutes apart, as the scrubber's history.
struct ScriptedTaskHistory : ScriptedQueries
{
    QList<std::pair<QDateTime, QString>> steps;
    std::atomic<int> *reads = nullptr; // counts the scrubber's reads, when set
    void count()
    {
        if (reads)
            ++*reads;
    }
    HistoryExtent extent() override
    {
        count();
        return {steps.first().first, steps.last().first, {}};
    }
    RowState rowAsOf(const QString &table, const QString &key, const QDateTime &at) override
    {
        count();
        RowState state;
        state.table = table;
        state.id = key;
        state.at = at;
        for (const auto &[time, status] : steps) {
            if (time <= at) {
                state.existed = true;
                state.status = status;
                state.since = time;
            }
        }
        state.name = QStringLiteral("Fix login");
        return state;
    }
    HistoryEvents changesBetween(const QDateTime &from, const QDateTime &to, const QString &table,
                                 const QString &key) override
    {
        count();
        HistoryEvents events;
        for (const auto &[time, status] : steps) {
            if (time >= from && time < to)
                events.events.append({time, table, key, QStringLiteral("updated"),
                                      QStringLiteral("status → ") + status, QString()});
        }
        return events;
    }
};

} // namespace

class TestHiveTrends : public QObject
{
    Q_OBJECT
private slots:
    void chartsShowTheSourcesSeriesAndSwitchRange();
    void nodesPanelShowsHeartbeatLag();
    void scrubberShowsEachStatusAtItsTime();
    void aHiddenScrubberReadsNothingUntilShown();

private:
    const QDateTime m_to = QDateTime::fromString("2025-12-25T10:00:00Z", Qt::ISODate);
    HistoryQueriesFactory factory()
    {
        return [this](const QString &) {
            auto queries = std::make_unique<ScriptedQueries>();
            queries->fixedTo = m_to;
            return queries;
        };
    }
};

void TestHiveTrends::chartsShowTheSourcesSeriesAndSwitchRange()
{
    HistorySource source(factory());
    TrendCharts charts(&source);
    charts.resize(1200, 320);
    charts.show();
    source.setStorePath(QStringLiteral("/nonexistent/store.sqlite"));
    QTRY_VERIFY_WITH_TIMEOUT(!charts.seriesPoints("created").isEmpty(), 10000);
    ScriptedQueries reference;
    reference.fixedTo = m_to;
    TrendSet hour = reference.trends(TrendRange::Hour, {});
    QCOMPARE(charts.seriesPoints("created").size(), 12);
    QCOMPARE(charts.seriesPoints("created"), expected(hour.created));
    QCOMPARE(charts.seriesPoints("started"), expected(hour.started));
    QCOMPARE(charts.seriesPoints("done"), expected(hour.done));
    QCOMPARE(charts.seriesPoints("running"), expected(hour.running));
    QCOMPARE(charts.seriesPoints("log lines/s"), expected(hour.logLinesPerSecond));
    QCOMPARE(charts.seriesPoints("stderr share"), expected(hour.stderrShare));
    QVERIFY2(charts.statusText().contains("5-minute"), qPrintable(charts.statusText()));

    // The 7 d button asks the source; the charts follow its answer.
    const QList<QAbstractButton *> buttons = charts.findChildren<QAbstractButton *>();
    QAbstractButton *week = nullptr;
    for (QAbstractButton *button : buttons)
        week = button->text() == trendRangeName(TrendRange::Week) ? button : week;
    QVERIFY(week);
    week->click();
    QCOMPARE(source.range(), TrendRange::Week);
    const TrendSet weekSet = reference.trends(TrendRange::Week, {});
    QTRY_COMPARE_WITH_TIMEOUT(charts.seriesPoints("done"), expected(weekSet.done), 10000);
    QCOMPARE(charts.seriesPoints("created").size(), 7 * 24);
    QVERIFY(week->isChecked());
}

void TestHiveTrends::nodesPanelShowsHeartbeatLag()
{
    NodeModel nodes;
    AssignmentModel assignments;
    ProgressEventModel events;
    nodes.setAssignmentModel(&assignments);
    QDateTime now = m_to;
    nodes.setClock([&now] { return now; });
    NodesPanel panel(&nodes, &assignments, &events);
    HistorySource source(factory());
    panel.setHistorySource(&source);
    panel.resize(1100, 700);
    panel.show();
    BatchText nodeText("nodes");
    nodes.applyBatch(nodeText.batch(
        "+ n1 id=n1 name=alpha status=busy last_heartbeat_at='2025-12-25 09:59:55+00'\n"
        "+ n2 id=n2 name=beta status=online "
        "last_heartbeat_at='2025-12-25 09:58:00+00'\n"));
    panel.selectNode("n2");
    source.setStorePath(QStringLiteral("/nonexistent/store.sqlite"));
    ScriptedQueries reference;
    reference.fixedTo = m_to;
    const TrendSet hour = reference.trends(TrendRange::Hour, {});
    QTRY_COMPARE_WITH_TIMEOUT(panel.heartbeatSeries()->points(),
                              expected(hour.heartbeatLag.value("n2")), 10000);
    QVERIFY(panel.heartbeatChart()->isVisible());
    QCOMPARE(panel.sparklines()->seriesFor("n1"), hour.heartbeatLag.value("n1"));
    QCOMPARE(panel.sparklines()->seriesFor("n2"), hour.heartbeatLag.value("n2"));
    panel.selectNode("n1");
    QCOMPARE(panel.heartbeatSeries()->points(), expected(hour.heartbeatLag.value("n1")));
    // The sparkline is painted in the Heartbeat column: the cell is wide enough to hold it.
    QVERIFY(panel.nodeTable()->columnWidth(NodeModel::Heartbeat)
            >= HeartbeatSparklineDelegate::sparkWidth());
}

void TestHiveTrends::scrubberShowsEachStatusAtItsTime()
{
    // Recent: the slider spans from the first change to now.
    const QDateTime t0
        = QDateTime::fromSecsSinceEpoch(QDateTime::currentSecsSinceEpoch() - 3600, Qt::UTC);
    const QStringList statuses = {"todo", "in-progress", "in-review", "done"};
    HistorySource source([&](const QString &) {
        auto queries = std::make_unique<ScriptedTaskHistory>();
        for (int i = 0; i < statuses.size(); ++i)
            queries->steps.append({t0.addSecs(600 * i), statuses.at(i)});
        return queries;
    });
    source.setStorePath(QStringLiteral("/nonexistent/store.sqlite"));
    HistoryScrubber scrubber(&source);
    scrubber.resize(900, 400);
    scrubber.show();
    scrubber.setSubject(QStringLiteral("shared_tasks_scripted"), QStringLiteral("t1"));
    // The span reaches now: the slider's end is the live state.
    QTRY_VERIFY_WITH_TIMEOUT(scrubber.stateText().contains("— done"), 10000);
    for (int i = 0; i < statuses.size(); ++i) {
        scrubber.setAsOf(t0.addSecs(600 * i + 300));
        QTRY_VERIFY2_WITH_TIMEOUT(scrubber.stateText().contains("— " + statuses.at(i) + " ·"),
                                  qPrintable(scrubber.stateText()), 10000);
    }
    // The slider's start is the first recorded change.
    scrubber.slider()->setValue(0);
    QCOMPARE(scrubber.asOf(), t0);
    QTRY_VERIFY_WITH_TIMEOUT(scrubber.stateText().contains("— todo ·"), 10000);

    scrubber.setChangesRange(t0.addSecs(300), t0.addSecs(1200));
    QTRY_COMPARE_WITH_TIMEOUT(scrubber.changeLines().size(), 2, 10000);
    QVERIFY(scrubber.changeLines().at(0).contains("status → in-progress"));
    QVERIFY(scrubber.changeLines().at(1).contains("status → in-review"));
}

void TestHiveTrends::aHiddenScrubberReadsNothingUntilShown()
{
    // A detail pane's scrubber follows the selection while its tab is elsewhere, or its box
    // folded: a row's whole record is read only once someone can see it.
    std::atomic<int> reads {0};
    HistorySource source([&](const QString &) {
        auto queries = std::make_unique<ScriptedTaskHistory>();
        queries->steps.append({QDateTime::currentDateTimeUtc().addSecs(-600), "todo"});
        queries->reads = &reads;
        return queries;
    });
    source.setStorePath(QStringLiteral("/nonexistent/store.sqlite"));
    HistoryScrubber scrubber(&source);
    scrubber.resize(900, 400);
    scrubber.setSubject(QStringLiteral("shared_tasks_scripted"), QStringLiteral("t1"));
    scrubber.setSubject(QStringLiteral("shared_tasks_scripted"), QStringLiteral("t2"));
    QTest::qWait(300); // the worker answers a read within milliseconds
    QCOMPARE(reads.load(), 0);
    scrubber.show();
    QTRY_VERIFY_WITH_TIMEOUT(scrubber.stateText().contains("— todo"), 10000);
    QVERIFY(reads.load() >= 2); // the span, then the row as of its end
}

QTEST_MAIN(TestHiveTrends)
#include "tst_hivetrends.moc"
