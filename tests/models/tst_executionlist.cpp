#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveModels.h"
#include "models/hive/NodeModel.h"
#include "models/hive/TaskModel.h"
#include "models/logs/ExecutionListProxy.h"
#include "models/logs/LogExecutionModel.h"
#include "tests/models/BatchText.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QTimeZone>

using namespace hivewatch;

namespace {
const QUuid kDone = QUuid::fromString(QStringLiteral("aaaaaaaa-0000-4000-8000-000000000001"));
const QUuid kRunning = QUuid::fromString(QStringLiteral("bbbbbbbb-0000-4000-8000-000000000002"));
const QUuid kStranger = QUuid::fromString(QStringLiteral("cccccccc-0000-4000-8000-000000000003"));

QString id(const QUuid &uuid)
{
    return uuid.toString(QUuid::WithoutBraces);
}

ExecutionSummary summary(const QUuid &execution, qint64 rows, const QString &last)
{
    return {execution, rows, last, last};
}
} // namespace

// The Logs panel's execution list: labelled by task, node, status and duration through the
// assignment an execution's lines carry, running ones on top, then by last activity.
class TestExecutionList : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { qputenv("TZ", "UTC"); }

    void executionsAreLabelledPinnedAndFiltered()
    {
        HiveModels models;
        LogExecutionModel executions;
        executions.setAssignmentModel(models.assignments());
        ExecutionListProxy proxy;
        proxy.setSourceModel(&executions);
        QAbstractItemModelTester sourceTester(
            &executions, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            &proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

        // The stranger's line is the newest, the running one's the oldest.
        executions.setExecutions({summary(kStranger, 3, "2025-12-25 12:00:00.000"),
                                  summary(kDone, 10, "2025-12-25 11:00:00.000"),
                                  summary(kRunning, 5, "2025-12-25 10:00:00.000")});
        BatchText tasks(QStringLiteral("shared_tasks"));
        BatchText nodes(QStringLiteral("nodes"));
        BatchText assignments(QStringLiteral("node_task_assignments"));
        models.applyBatch(tasks.batch("+ t1 id=t1 title='Fix login' status=in-progress\n"
                                      "+ t2 id=t2 title='Write docs' status=in-review\n"));
        models.applyBatch(nodes.batch("+ n1 id=n1 name=alpha status=busy\n"));
        models.applyBatch(assignments.batch(
            QStringLiteral("+ %1 id=%1 task_id=t1 node_id=n1 execution_status=running "
                           "assigned_at='2025-12-25 09:59:00+00' started_at='2025-12-25 "
                           "10:00:00+00' completed_at=null\n"
                           "+ %2 id=%2 task_id=t2 node_id=n1 execution_status=completed "
                           "assigned_at='2025-12-25 10:30:00+00' started_at='2025-12-25 "
                           "10:30:00+00' completed_at='2025-12-25 10:34:00+00'\n")
                .arg(id(kRunning), id(kDone))));
        models.assignments()->announceResolvedColumns();

        auto shown = [&] {
            QStringList labels;
            for (int row = 0; row < proxy.rowCount(); ++row)
                labels << proxy.index(row, LogExecutionModel::ExecutionColumn).data().toString();
            return labels;
        };
        const QStringList labels = shown();
        QCOMPARE(labels.size(), 3);
        QVERIFY2(labels.at(0).startsWith(QStringLiteral("Fix login · alpha · Running · ")),
                 qPrintable(labels.at(0)));
        // Not running: by last activity, the unknown execution (newest line) first; an id the
        // store cannot resolve stays an id.
        QCOMPARE(labels.at(1), id(kStranger).left(8));
        QCOMPARE(labels.at(2), QStringLiteral("Write docs · alpha · Completed · 4 min"));
        QVERIFY(proxy.index(0, 0).data(Qt::DecorationRole).isValid()); // the live badge
        QVERIFY(!proxy.index(2, 0).data(Qt::DecorationRole).isValid());

        proxy.setRunningOnly(true);
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, 0).data(LogExecutionModel::ExecutionIdRole).toUuid(), kRunning);

        // It completes: it leaves the running-only list and its place on top.
        models.applyBatch(assignments.batch(
            QStringLiteral(
                "~ %1 execution_status=completed completed_at='2025-12-25 10:45:00+00'\n")
                .arg(id(kRunning))));
        models.assignments()->announceResolvedColumns();
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setRunningOnly(false);
        QCOMPARE(shown().size(), 3);
        QCOMPARE(shown().at(0), id(kStranger).left(8));
        QCOMPARE(shown().at(1), QStringLiteral("Write docs · alpha · Completed · 4 min"));
        QCOMPARE(shown().at(2), QStringLiteral("Fix login · alpha · Completed · 45 min"));
    }

    void aRefreshAnnouncesOnlyWhatChanged()
    {
        // The list is refreshed every 300 ms while logs sync; with tens of thousands of
        // executions a signal per row (each re-sorted by the proxy) froze the GUI.
        LogExecutionModel executions;
        ExecutionListProxy proxy;
        proxy.setSourceModel(&executions);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QUuid kFourth
            = QUuid::fromString(QStringLiteral("dddddddd-0000-4000-8000-000000000004"));
        const QList<ExecutionSummary> first = {summary(kStranger, 3, "2025-12-25 12:00:00.000"),
                                               summary(kDone, 10, "2025-12-25 11:00:00.000"),
                                               summary(kRunning, 5, "2025-12-25 10:00:00.000")};
        executions.setExecutions(first);
        QSignalSpy changed(&executions, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&executions, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&executions, &QAbstractItemModel::rowsRemoved);
        executions.setExecutions(first);
        QCOMPARE(changed.count(), 0);
        QCOMPARE(inserted.count(), 0);

        // The oldest gets a newer line than any: one row announced, and it moves to the top.
        executions.setExecutions({summary(kRunning, 6, "2025-12-25 13:00:00.000"),
                                  summary(kStranger, 3, "2025-12-25 12:00:00.000"),
                                  summary(kDone, 10, "2025-12-25 11:00:00.000")});
        QCOMPARE(changed.count(), 1);
        const QModelIndex topLeft = changed.at(0).at(0).value<QModelIndex>();
        const QModelIndex bottomRight = changed.at(0).at(1).value<QModelIndex>();
        QCOMPARE(topLeft.row(), executions.rowOf(kRunning));
        QCOMPARE(bottomRight.row(), topLeft.row());
        QCOMPARE(proxy.index(0, 0).data(LogExecutionModel::ExecutionIdRole).toUuid(), kRunning);

        // One goes, one comes: found by id afterwards, whatever the rows shifted.
        changed.clear();
        executions.setExecutions({summary(kFourth, 1, "2025-12-25 14:00:00.000"),
                                  summary(kRunning, 6, "2025-12-25 13:00:00.000"),
                                  summary(kDone, 10, "2025-12-25 11:00:00.000")});
        QCOMPARE(changed.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(executions.rowCount(), 3);
        QCOMPARE(executions.rowOf(kStranger), -1);
        for (const QUuid &uuid : {kFourth, kRunning, kDone})
            QCOMPARE(executions.executionAt(executions.rowOf(uuid)), uuid);
        QCOMPARE(proxy.index(0, 0).data(LogExecutionModel::ExecutionIdRole).toUuid(), kFourth);
    }
    void lastLineTimesAreReadInTheStoresForms()
    {
        // Parsed by hand (QDateTime::fromString cost a second for 50k rows on the GUI thread):
        // with a space or a 'T', a fraction of up to three digits, an offset ignored as before;
        // what is not a time sorts last and has none.
        const QUuid kT = QUuid::fromString(QStringLiteral("dddddddd-0000-4000-8000-000000000004"));
        LogExecutionModel executions;
        ExecutionListProxy proxy;
        proxy.setSourceModel(&executions);
        executions.setExecutions({summary(kStranger, 1, "not a time"),
                                  summary(kDone, 1, "2025-12-25 11:00:00.5+00"),
                                  summary(kRunning, 1, "2025-02-30 12:00:00.000"),
                                  summary(kT, 1, "2025-12-25T12:00:00.250Z")});
        const auto shown = [&](int row) {
            return proxy.index(row, 0).data(LogExecutionModel::ExecutionIdRole).toUuid();
        };
        const auto activity = [&](const QUuid &uuid) {
            return executions.index(executions.rowOf(uuid), 0)
                .data(LogExecutionModel::LastActivityRole)
                .toDateTime();
        };
        QCOMPARE(shown(0), kT);
        QCOMPARE(shown(1), kDone);
        QCOMPARE(activity(kT),
                 QDateTime(QDate(2025, 12, 25), QTime(12, 0, 0, 250), QTimeZone::utc()));
        QCOMPARE(activity(kDone),
                 QDateTime(QDate(2025, 12, 25), QTime(11, 0, 0, 500), QTimeZone::utc()));
        QVERIFY(!activity(kStranger).isValid());
        QVERIFY(!activity(kRunning).isValid()); // February has no 30th
    }

    void aLargeFirstFillArrivesInSlicesInOrder()
    {
        // The bench's hive has 50k executions. In one insert they held the GUI thread 200-300 ms
        // (the proxy's mapping most of it); they now arrive in slices of at most 2,000 rows, each
        // its own event-loop turn, and each slice reaches the proxy as one block because the
        // slices come in the list's order. Every row ends up present, in the list's order.
        constexpr int kCount = 50000;
        constexpr int kSlice = 2000;
        QList<ExecutionSummary> all;
        all.reserve(kCount);
        const QDateTime base(QDate(2025, 12, 25), QTime(0, 0), QTimeZone::utc());
        for (int i = 0; i < kCount; ++i) {
            // Not in time order, so the proxy has to sort: every third one a day older.
            const QDateTime last = base.addSecs(i).addDays(i % 3 == 0 ? -1 : 0);
            all.append(summary(QUuid::createUuid(), i + 1,
                               last.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))));
        }
        LogExecutionModel executions;
        ExecutionListProxy proxy;
        proxy.setSourceModel(&executions);
        QCOMPARE(proxy.rowCount(), 0); // the proxy maps the empty list, as a view makes it do
        QSignalSpy sourceInserted(&executions, &QAbstractItemModel::rowsInserted);
        QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
        QSignalSpy reset(&proxy, &QAbstractItemModel::modelReset);
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        QSignalSpy filled(&executions, &LogExecutionModel::fillFinished);
        executions.setExecutions(all);
        QCOMPARE(sourceInserted.count(), 0); // not in the turn that announced them
        QVERIFY(executions.isFilling());
        QTRY_COMPARE_WITH_TIMEOUT(filled.count(), 1, 30000);
        QVERIFY(!executions.isFilling());
        int total = 0;
        for (const QList<QVariant> &args : std::as_const(sourceInserted)) {
            const int rows = args.at(2).toInt() - args.at(1).toInt() + 1;
            QVERIFY2(rows <= kSlice, qPrintable(QString::number(rows)));
            total += rows;
        }
        QCOMPARE(total, kCount);
        QCOMPARE(sourceInserted.count(), kCount / kSlice);
        QCOMPARE(inserted.count(), sourceInserted.count()); // one block per slice
        QCOMPARE(reset.count(), 0);
        QCOMPARE(layout.count(), 0);
        QCOMPARE(proxy.rowCount(), kCount);
        QSet<QUuid> seen;
        QDateTime previous
            = proxy.index(0, 0).data(LogExecutionModel::LastActivityRole).toDateTime();
        QCOMPARE(previous, base.addSecs(kCount - 1).addDays((kCount - 1) % 3 == 0 ? -1 : 0));
        for (int row = 0; row < kCount; ++row) {
            const QModelIndex index = proxy.index(row, 0);
            seen.insert(index.data(LogExecutionModel::ExecutionIdRole).toUuid());
            const QDateTime next = index.data(LogExecutionModel::LastActivityRole).toDateTime();
            QVERIFY2(next <= previous, qPrintable(QString::number(row)));
            previous = next;
        }
        QCOMPARE(seen.size(), kCount);
        for (const ExecutionSummary &s : std::as_const(all))
            QVERIFY(seen.contains(s.executionId));
    }

    void aRefreshDuringTheFillLosesNothing()
    {
        // The list is refreshed every 300 ms while logs sync, so answers arrive while a fill is
        // still going in: what went meanwhile must not appear, what changed must show its new
        // summary, what is new must come too, and nothing twice.
        constexpr int kCount = 9000;
        QList<ExecutionSummary> all;
        const QDateTime base(QDate(2025, 12, 25), QTime(0, 0), QTimeZone::utc());
        for (int i = 0; i < kCount; ++i)
            all.append(summary(QUuid::createUuid(), i + 1,
                               base.addSecs(i).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))));
        LogExecutionModel executions;
        ExecutionListProxy proxy;
        proxy.setSourceModel(&executions);
        QAbstractItemModelTester tester(&proxy,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy filled(&executions, &LogExecutionModel::fillFinished);
        executions.setExecutions(all);
        // Turn by turn (one pass of posted events each) until the first slice is in.
        for (int turn = 0; turn < 100 && executions.rowCount() == 0; ++turn)
            QCoreApplication::processEvents();
        QCOMPARE(executions.rowCount(), 2000);
        QVERIFY(executions.isFilling());
        // The fill goes newest first: the oldest ones are still waiting.
        const QUuid goneShown = all.last().executionId;
        const QUuid goneWaiting = all.first().executionId;
        QVERIFY(executions.rowOf(goneShown) >= 0);
        QCOMPARE(executions.rowOf(goneWaiting), -1);
        const QUuid changedWaiting = all.at(1).executionId;
        QCOMPARE(executions.rowOf(changedWaiting), -1);
        QList<ExecutionSummary> next = all.mid(1, kCount - 2);
        next[0] = summary(changedWaiting, 777, "2026-01-01 00:00:00");
        const QUuid fresh = QUuid::createUuid();
        next.prepend(summary(fresh, 1, "2025-12-24 00:00:00"));
        executions.setExecutions(next);
        QTRY_COMPARE_WITH_TIMEOUT(filled.count(), 1, 10000);
        QCOMPARE(executions.rowCount(), next.size());
        QCOMPARE(proxy.rowCount(), next.size());
        for (const ExecutionSummary &s : std::as_const(next)) {
            const int row = executions.rowOf(s.executionId);
            QVERIFY(row >= 0);
            QCOMPARE(executions.executionAt(row), s.executionId);
        }
        QCOMPARE(executions.rowOf(goneShown), -1);
        QCOMPARE(executions.rowOf(goneWaiting), -1);
        QCOMPARE(executions.index(executions.rowOf(changedWaiting), LogExecutionModel::RowsColumn)
                     .data()
                     .toString(),
                 QLocale().toString(777));
        QCOMPARE(proxy.index(0, 0).data(LogExecutionModel::ExecutionIdRole).toUuid(),
                 changedWaiting);
        QCOMPARE(
            proxy.index(proxy.rowCount() - 1, 0).data(LogExecutionModel::ExecutionIdRole).toUuid(),
            fresh);
    }

    void aRefreshBeforeTheFirstSliceLosesNothing()
    {
        // The first fill keeps its list as it came and takes it a slice a turn; a refresh in
        // those turns is compared with all of it.
        QList<ExecutionSummary> all;
        const QDateTime base(QDate(2025, 12, 25), QTime(0, 0), QTimeZone::utc());
        for (int i = 0; i < 9000; ++i)
            all.append(summary(QUuid::createUuid(), i + 1,
                               base.addSecs(i).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))));
        LogExecutionModel executions;
        ExecutionListProxy proxy;
        proxy.setSourceModel(&executions);
        QSignalSpy filled(&executions, &LogExecutionModel::fillFinished);
        executions.setExecutions(all);
        QCoreApplication::processEvents(); // one slice of the list taken, nothing shown yet
        QCOMPARE(executions.rowCount(), 0);
        QList<ExecutionSummary> next = all.mid(0, 8000); // the rest went
        next.append(summary(QUuid::createUuid(), 1, "2025-12-24 00:00:00"));
        executions.setExecutions(next);
        QTRY_COMPARE_WITH_TIMEOUT(filled.count(), 1, 10000);
        QCOMPARE(executions.rowCount(), next.size());
        QCOMPARE(proxy.rowCount(), next.size());
        for (const ExecutionSummary &s : std::as_const(next))
            QCOMPARE(executions.executionAt(executions.rowOf(s.executionId)), s.executionId);
        QCOMPARE(executions.rowOf(all.last().executionId), -1);
    }
};

QTEST_GUILESS_MAIN(TestExecutionList)
#include "tst_executionlist.moc"
