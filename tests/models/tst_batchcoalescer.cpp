#include "models/hive/BatchCoalescer.h"
#include "models/hive/TaskModel.h"
#include "sync/common/ThreadPriority.h"
#include "tests/models/BatchText.h"

#include <QAbstractItemModelTester>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QThreadPool>

#include <numeric>
#include <optional>
#include <vector>

#ifdef Q_OS_LINUX
#include <cerrno>
#include <sys/resource.h>
#include <unistd.h>
#endif

using namespace hivewatch;

namespace {
// A snapshot (a reset) of `count` tasks t0, t1, …, titled x0, x1, … (or all x).
QString taskSnapshot(qsizetype count, bool numberedTitles)
{
    QString lines = QStringLiteral("!reset\n");
    for (qsizetype i = 0; i < count; ++i)
        lines += QStringLiteral("+ t%1 id=t%1 title=x%2 status=todo\n")
                     .arg(i)
                     .arg(numberedTitles ? QString::number(i) : QString());
    return lines;
}
} // namespace

class TestBatchCoalescer : public QObject
{
    Q_OBJECT

private slots:
    void burstOfBatchesReachesTheModelAsOne()
    {
        BatchCoalescer coalescer;
        coalescer.setInterval(50);
        TaskModel model;
        connect(&coalescer, &BatchCoalescer::batchReady, &model, &TaskModel::applyBatch);
        QSignalSpy ready(&coalescer, &BatchCoalescer::batchReady);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        BatchText text(QStringLiteral("shared_tasks"));

        coalescer.enqueue(text.batch("+ t0 id=t0 title=first status=todo\n"));
        QTRY_COMPARE(ready.count(), 1); // a batch after a quiet spell is not held back
        for (int i = 1; i <= 100; ++i)
            coalescer.enqueue(
                text.batch(QStringLiteral("+ t%1 id=t%1 title=x status=todo\n").arg(i)));
        coalescer.enqueue(text.batch("~ t5 title=changed\n- t6\n"));
        QCOMPARE(coalescer.pendingChanges(), 102);
        QTRY_COMPARE(ready.count(), 2);
        QCOMPARE(coalescer.pendingChanges(), 0);
        QCOMPARE(ready.at(1).at(0).value<ShapeBatch>().changes.size(), 102);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(model.index(model.rowForKey("t5"), TaskModel::Title).data().toString(),
                 QStringLiteral("changed"));
    }

    void resetDropsWhatWasQueuedBeforeItButKeepsWhatFollows()
    {
        BatchCoalescer coalescer;
        coalescer.setInterval(1000);
        QSignalSpy ready(&coalescer, &BatchCoalescer::batchReady);
        BatchText tasks(QStringLiteral("shared_tasks"));
        BatchText nodes(QStringLiteral("nodes"));
        coalescer.enqueue(tasks.batch("+ t1 id=t1 title=a status=todo\n"));
        coalescer.enqueue(nodes.batch("+ n1 id=n1 name=alpha status=online\n"));
        coalescer.enqueue(tasks.batch("!reset\n+ t2 id=t2 title=b status=todo\n"));
        coalescer.enqueue(tasks.batch("~ t2 title=c\n"));
        coalescer.flush();
        QCOMPARE(ready.count(), 2);
        const ShapeBatch first = ready.at(0).at(0).value<ShapeBatch>();
        const ShapeBatch second = ready.at(1).at(0).value<ShapeBatch>();
        QCOMPARE(first.shapeName, QStringLiteral("nodes"));
        QCOMPARE(second.shapeName, QStringLiteral("shared_tasks"));
        QVERIFY(second.reset);
        QCOMPARE(second.changes.size(), 2);
        QCOMPARE(second.changes.at(1).value.value("title").toString(), QStringLiteral("c"));
    }

    void discardingForgetsEverythingQueued()
    {
        BatchCoalescer coalescer;
        coalescer.setInterval(1000);
        QSignalSpy ready(&coalescer, &BatchCoalescer::batchReady);
        BatchText tasks(QStringLiteral("shared_tasks"));
        BatchText nodes(QStringLiteral("nodes"));
        coalescer.enqueue(tasks.batch("+ t1 id=t1 title=a status=todo\n"));
        coalescer.enqueue(nodes.batch("+ n1 id=n1 name=alpha status=online\n"));
        QCOMPARE(coalescer.pendingChanges(), 2);
        coalescer.discardPending(); // another hive is shown now: none of this may reach it
        QCOMPARE(coalescer.pendingChanges(), 0);
        coalescer.flush();
        QCOMPARE(ready.count(), 0);
        coalescer.enqueue(tasks.batch("+ t2 id=t2 title=b status=todo\n"));
        coalescer.flush();
        QCOMPARE(ready.count(), 1);
        QCOMPARE(ready.at(0).at(0).value<ShapeBatch>().changes.size(), 1);
    }

    void discardingFromAReceiverStopsTheFlushItIsIn()
    {
        // The dashboard switches hives from a slot: what the flush still meant to hand on, the
        // rest of a sliced snapshot and the shapes after it, must not reach anyone.
        BatchCoalescer coalescer;
        coalescer.setInterval(1000);
        coalescer.setMaxChangesPerFlush(100);
        coalescer.setFrameBudget(1000); // room for every piece in one flush
        QStringList handedOn;
        connect(&coalescer, &BatchCoalescer::batchReady, this, [&](const ShapeBatch &batch) {
            handedOn.append(batch.shapeName);
            coalescer.discardPending();
        });
        BatchText tasks(QStringLiteral("shared_tasks"));
        BatchText nodes(QStringLiteral("nodes"));
        QString lines = taskSnapshot(1000, false);
        coalescer.enqueue(tasks.batch(lines));
        coalescer.enqueue(nodes.batch("+ n1 id=n1 name=alpha status=online\n"));
        coalescer.flush();
        coalescer.flush();
        QCOMPARE(handedOn, QStringList({"shared_tasks"}));
        QCOMPARE(coalescer.pendingChanges(), 0);
    }

    void hugeResetArrivesInSlicesOnePerFrame()
    {
        BatchCoalescer coalescer;
        coalescer.setInterval(5);
        coalescer.setMaxChangesPerFlush(100);
        TaskModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        connect(&coalescer, &BatchCoalescer::batchReady, &model, &TaskModel::applyBatch);
        QSignalSpy ready(&coalescer, &BatchCoalescer::batchReady);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines = taskSnapshot(250, true);
        coalescer.enqueue(text.batch(lines));
        coalescer.enqueue(text.batch("~ t0 title=first\n- t249\n"));
        QTRY_COMPARE(ready.count(), 3);
        QCOMPARE(ready.at(0).at(0).value<ShapeBatch>().changes.size(), 100);
        QVERIFY(ready.at(0).at(0).value<ShapeBatch>().reset);
        QVERIFY(!ready.at(1).at(0).value<ShapeBatch>().reset);
        QCOMPARE(ready.at(2).at(0).value<ShapeBatch>().changes.size(), 52);
        QCOMPARE(reset.count(), 1);
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(model.rowCount(), 249);
        QCOMPARE(model.index(0, TaskModel::Title).data().toString(), QStringLiteral("first"));
    }

    void slicesSizedToAFrameBudgetStillDeliverEveryChangeInOrder()
    {
        // A receiver slower than the budget shrinks the slices; the changes still arrive
        // whole, in order, and only the first slice resets.
        BatchCoalescer coalescer;
        coalescer.setInterval(1);
        coalescer.setMaxChangesPerFlush(400);
        coalescer.setFrameBudget(2);
        TaskModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy ahead(&coalescer, &BatchCoalescer::largeBatchAhead);
        QList<qsizetype> sizes;
        connect(&coalescer, &BatchCoalescer::batchReady, &model, [&](const ShapeBatch &batch) {
            QVERIFY(batch.reset == sizes.isEmpty());
            sizes.append(batch.changes.size());
            model.applyBatch(batch);
            QThread::msleep(5); // a receiver that takes longer than the budget
        });
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines = taskSnapshot(1500, true);
        coalescer.enqueue(text.batch(lines));
        QTRY_COMPARE(model.rowCount(), 1500);
        QCOMPARE(sizes.first(), 100); // a probe: the receiver's cost is not known yet
        QCOMPARE(ahead.count(), 1); // announced once, after the first slice
        QCOMPARE(ahead.at(0).at(1).value<qsizetype>(), 1400);
        QVERIFY(sizes.at(1) < 400);
        QCOMPARE(std::accumulate(sizes.cbegin(), sizes.cend(), qsizetype(0)), 1500);
        for (int row = 0; row < 1500; row += 499)
            QCOMPARE(model.index(row, TaskModel::Title).data().toString(),
                     QStringLiteral("x%1").arg(row));
    }

    void aSnapshotStillSharedWithItsSenderIsSlicedWithoutCopyingItWhole()
    {
        // The sync worker may still hold its copy of a snapshot when the first slice goes out.
        BatchCoalescer coalescer;
        coalescer.setInterval(1);
        coalescer.setMaxChangesPerFlush(100);
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        std::optional<ShapeBatch> sender = text.batch(taskSnapshot(1000, true));
        int slices = 0;
        bool sharedAfterFirstSlice = false;
        connect(&coalescer, &BatchCoalescer::batchReady, &model, [&](const ShapeBatch &batch) {
            model.applyBatch(batch);
            if (++slices > 1)
                return;
            // Had the coalescer detached the list to move the slice out, the sender's list
            // would now be its own.
            sharedAfterFirstSlice = !sender->changes.isDetached();
            sender.reset(); // the worker lets go: the rest moves out of the coalescer's list
        });
        coalescer.enqueue(*sender);
        QTRY_COMPARE(model.rowCount(), 1000);
        QVERIFY(sharedAfterFirstSlice);
        QCOMPARE(slices, 10);
        for (int row = 0; row < 1000; row += 333)
            QCOMPARE(model.index(row, TaskModel::Title).data().toString(),
                     QStringLiteral("x%1").arg(row));
    }

    void eachShapeIsSlicedByItsOwnCost()
    {
        // One slice size for all shapes, grown on cheap progress events, once handed a burst
        // of task updates to the models whole (30-50 ms of GUI thread at 100k tasks): each
        // shape's slices follow its own cost, and a burst merged in the queue is sliced too.
        BatchCoalescer coalescer;
        coalescer.setInterval(1);
        coalescer.setMaxChangesPerFlush(400);
        coalescer.setFrameBudget(2);
        QList<qsizetype> taskSlices;
        qsizetype events = 0;
        connect(&coalescer, &BatchCoalescer::batchReady, this, [&](const ShapeBatch &batch) {
            if (batch.shapeName == QLatin1String("shared_tasks")) {
                QVERIFY(!batch.reset);
                taskSlices.append(batch.changes.size());
                QThread::usleep(10 * batch.changes.size()); // at most 200 tasks fit the budget
            } else {
                events += batch.changes.size();
            }
        });
        BatchText progress(QStringLiteral("node_task_progress_events"));
        QString lines = "!reset\n";
        for (int i = 0; i < 5000; ++i)
            lines += QStringLiteral("+ e%1 id=e%1 kind=progress\n").arg(i);
        coalescer.enqueue(progress.batch(lines));
        QTRY_COMPARE(events, 5000);

        BatchText tasks(QStringLiteral("shared_tasks"));
        for (int burst = 0; burst < 20; ++burst) {
            lines.clear();
            for (int i = 0; i < 100; ++i)
                lines += QStringLiteral("+ t%1 id=t%1 title=x status=todo\n").arg(burst * 100 + i);
            coalescer.enqueue(tasks.batch(lines));
        }
        QCOMPARE(coalescer.pendingChanges(), 2000);
        QTRY_COMPARE(std::accumulate(taskSlices.cbegin(), taskSlices.cend(), qsizetype(0)), 2000);
        QCOMPARE(taskSlices.first(), 100); // a probe: the cost of a task is not known before
        for (qsizetype i = 1; i < taskSlices.size(); ++i)
            QVERIFY2(taskSlices.at(i) <= 200, qPrintable(QString::number(taskSlices.at(i))));
        QVERIFY(coalescer.sliceSize(QStringLiteral("shared_tasks")) <= 200);
    }

    void aSliceGoesOutInPiecesSoACostJumpOverrunsTheBudgetByOnePiece()
    {
        // A slice sized from a shape's learnt cost once held the GUI thread 104 ms for a 5 ms
        // budget when the cost per change jumped. Slices go out in pieces of a quarter, the
        // budget checked after each: a flush that meets the jump hands out one piece of it and
        // stops, and cheap pieces keep going while the budget lasts.
        BatchCoalescer coalescer;
        coalescer.setInterval(1000); // flushed by hand below
        coalescer.setMaxChangesPerFlush(400);
        coalescer.setFrameBudget(10);
        constexpr qsizetype kCheap = 20000;
        constexpr qsizetype kAll = kCheap + 3000;
        qsizetype handedOn = 0;
        QList<QList<std::pair<qsizetype, double>>> flushes; // per flush: (size, cost in ms)
        connect(&coalescer, &BatchCoalescer::batchReady, this, [&](const ShapeBatch &batch) {
            QCOMPARE(batch.changes.first().key, QStringLiteral("t%1").arg(handedOn));
            const qsizetype cheap
                = std::clamp(kCheap - handedOn, qsizetype(0), qsizetype(batch.changes.size()));
            const qsizetype dear = batch.changes.size() - cheap;
            const double costMs = (cheap * 1 + dear * 20) / 1000.0; // 1 µs a change, then 20
            QThread::usleep(ulong(costMs * 1000));
            handedOn += batch.changes.size();
            flushes.last().append(std::make_pair(qsizetype(batch.changes.size()), costMs));
        });
        BatchText tasks(QStringLiteral("shared_tasks"));
        QString lines = taskSnapshot(kAll, false);
        coalescer.enqueue(tasks.batch(lines));
        while (handedOn < kAll && flushes.size() < 1000) {
            flushes.emplaceBack();
            coalescer.flush();
        }
        QCOMPARE(handedOn, kAll);
        bool severalPieces = false;
        for (const auto &pieces : std::as_const(flushes)) {
            // A sleep takes at least what it asks: what the pieces before a flush's last one
            // cost is at most what the flush had spent when it chose to go on.
            double before = 0;
            for (qsizetype i = 0; i < pieces.size(); ++i) {
                // A whole frame's slice at 1 µs a change would be 10,000 (200 ms at 20).
                QVERIFY2(pieces.at(i).first <= 2500,
                         qPrintable(QString::number(pieces.at(i).first)));
                if (i + 1 < pieces.size())
                    before += pieces.at(i).second;
            }
            QVERIFY2(before <= 10, qPrintable(QString::number(before)));
            severalPieces = severalPieces || pieces.size() > 1;
        }
        QVERIFY(severalPieces); // the budget's rest is used, not left to the next frame
    }

    void aSpentBudgetLeavesTheOtherShapesForTheNextFrame()
    {
        // Each shape's slice within the budget still added up to ~25 ms a flush with seven
        // shapes: a flush stops once the budget is spent, and the rest go first next time.
        BatchCoalescer coalescer;
        coalescer.setInterval(1000);
        coalescer.setFrameBudget(2);
        QStringList handedOn;
        connect(&coalescer, &BatchCoalescer::batchReady, this, [&](const ShapeBatch &batch) {
            handedOn.append(batch.shapeName);
            QThread::msleep(5); // a receiver slower than the budget
        });
        BatchText tasks(QStringLiteral("shared_tasks"));
        BatchText nodes(QStringLiteral("nodes"));
        BatchText assignments(QStringLiteral("node_task_assignments"));
        coalescer.enqueue(tasks.batch("+ t1 id=t1 title=a status=todo\n"));
        coalescer.enqueue(nodes.batch("+ n1 id=n1 name=alpha status=online\n"));
        coalescer.enqueue(assignments.batch("+ a1 id=a1 task_id=t1 node_id=n1\n"));
        coalescer.flush();
        QCOMPARE(handedOn, QStringList({"shared_tasks"}));
        QCOMPARE(coalescer.pendingChanges(), 2);
        coalescer.enqueue(tasks.batch("~ t1 title=b\n"));
        coalescer.flush();
        QCOMPARE(handedOn, QStringList({"shared_tasks", "nodes"}));
        coalescer.flush();
        QCOMPARE(handedOn, QStringList({"shared_tasks", "nodes", "node_task_assignments"}));
        coalescer.flush();
        QCOMPARE(handedOn,
                 QStringList({"shared_tasks", "nodes", "node_task_assignments", "shared_tasks"}));
        QCOMPARE(coalescer.pendingChanges(), 0);

        // Without a budget, one flush hands on every shape.
        coalescer.setFrameBudget(0);
        coalescer.enqueue(nodes.batch("~ n1 name=beta\n"));
        coalescer.enqueue(tasks.batch("~ t1 title=c\n"));
        coalescer.flush();
        QCOMPARE(handedOn.size(), 6);
    }

    void shapesNobodyShowsAreNotHandedOn()
    {
        BatchCoalescer coalescer;
        coalescer.setAcceptedShapes({"shared_tasks"});
        QSignalSpy ready(&coalescer, &BatchCoalescer::batchReady);
        BatchText logs(QStringLiteral("node_task_output_logs"));
        BatchText tasks(QStringLiteral("shared_tasks"));
        coalescer.enqueue(logs.batch("+ l1 id=#1 content=hello\n"));
        coalescer.enqueue(tasks.batch("+ t1 id=t1 title=a status=todo\n"));
        QTRY_COMPARE(ready.count(), 1);
        QCOMPARE(ready.at(0).at(0).value<ShapeBatch>().shapeName, QStringLiteral("shared_tasks"));
        QCOMPARE(coalescer.pendingChanges(), 0);
    }

    void appliedBatchesAreFreedOffQtsGlobalPool()
    {
#ifdef Q_OS_LINUX
        // Qt 6.4's raster engine splits large fills across QThreadPool::globalInstance() and
        // the GUI thread waits for the parts: the freeing job, which lowers its thread to nice
        // 10, must not run there, or later paints wait for a thread below the GUI's priority.
        errno = 0;
        const int own = getpriority(PRIO_PROCESS, gettid());
        if (own >= 10)
            QSKIP("this test runs at nice 10 or more already: nothing lower to see");
        {
            BatchCoalescer coalescer;
            BatchText tasks(QStringLiteral("shared_tasks"));
            coalescer.enqueue(tasks.batch("+ t1 id=t1 title=a status=todo\n"));
            coalescer.flush(); // applied: the batch waits to be freed
            coalescer.enqueue(tasks.batch("~ t1 title=b\n"));
            coalescer.flush(); // the first is freed in the background now
        } // and the second as the coalescer goes
        QVERIFY(ThreadPriority::backgroundPool()->waitForDone(10000));

        // Every thread of the global pool at once (each holds its thread until all started).
        QThreadPool *global = QThreadPool::globalInstance();
        const int threads = global->maxThreadCount();
        std::vector<int> nices(size_t(threads), -100);
        QSemaphore started;
        QSemaphore release;
        for (int i = 0; i < threads; ++i) {
            global->start([&, i] {
                errno = 0;
                nices[size_t(i)] = getpriority(PRIO_PROCESS, gettid());
                started.release();
                release.acquire();
            });
        }
        QVERIFY(started.tryAcquire(threads, 10000));
        release.release(threads);
        QVERIFY(global->waitForDone(10000));
        for (int nice : nices)
            QCOMPARE(nice, own);
#else
        QSKIP("thread nice values are Linux's");
#endif
    }
};

QTEST_GUILESS_MAIN(TestBatchCoalescer)
#include "tst_batchcoalescer.moc"
