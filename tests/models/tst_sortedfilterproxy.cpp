// SortedFilterProxy (through HiveFilterProxy over a real TaskModel fed by batches): the order and
// the filter stay right under inserts, removes, updates that move rows, resets and filter changes,
// with precise signals for few places and one layout change for scattered ones, checked by
// QAbstractItemModelTester throughout.
#include "models/hive/HiveFilterProxy.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/TaskModel.h"
#include "tests/models/BatchText.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTest>

using namespace hivewatch;

namespace {
// Counts how often the filter runs, to show which changes re-filter.
class CountingProxy : public SortedFilterProxy
{
public:
    mutable int filterCalls = 0;

protected:
    bool filterAcceptsRow(int sourceRow) const override
    {
        ++filterCalls;
        return SortedFilterProxy::filterAcceptsRow(sourceRow);
    }
};
} // namespace

class TestSortedFilterProxy : public QObject
{
    Q_OBJECT

private:
    static void attachTester(QAbstractItemModel *model)
    {
        new QAbstractItemModelTester(model, QAbstractItemModelTester::FailureReportingMode::QtTest,
                                     model);
    }
    static QString title(int n)
    {
        return QStringLiteral("title %1").arg(n, 4, 10, QLatin1Char('0'));
    }
    static QString task(int n, const QString &status = QStringLiteral("todo"), int version = 1)
    {
        return QStringLiteral("+ t%1 id=t%1 title='%2' status=%3 version=#%4 deleted_at=null "
                              "archived_at=null\n")
            .arg(n)
            .arg(title(n), status)
            .arg(version);
    }
    static QStringList titles(const QAbstractItemModel *model)
    {
        return modelText(model, {TaskModel::Title});
    }
    // What the proxy must show: the accepted source rows, stably sorted by the column's sort
    // value (ties in source order), as titles.
    static QStringList expected(const TaskModel &model, const HiveFilterProxy &proxy,
                                const QString &status)
    {
        QList<int> rows;
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex index = model.index(row, 0);
            if (!proxy.showHidden() && index.data(HiveRoles::HiddenRole).toBool())
                continue;
            if (!status.isEmpty() && index.data(HiveRoles::StatusRole).toString() != status)
                continue;
            if (!model.index(row, TaskModel::Title)
                     .data()
                     .toString()
                     .contains(proxy.filterText(), Qt::CaseInsensitive))
                continue;
            rows.append(row);
        }
        if (proxy.sortColumn() >= 0) {
            const auto key = [&](int row) {
                return model.index(row, proxy.sortColumn()).data(HiveRoles::SortRole);
            };
            std::stable_sort(rows.begin(), rows.end(), [&](int a, int b) {
                const QPartialOrdering order = QVariant::compare(key(a), key(b));
                return proxy.sortOrder() == Qt::AscendingOrder ? order == QPartialOrdering::Less
                                                               : order == QPartialOrdering::Greater;
            });
        }
        QStringList out;
        for (int row : std::as_const(rows))
            out.append(model.index(row, TaskModel::Title).data().toString());
        return out;
    }

private slots:
    void heldRowsWaitAndRemovalsAndUpdatesStillApply()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines;
        for (int n = 0; n < 40; n += 2)
            lines += task(n);
        model.applyBatch(text.batch(lines));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title);
        proxy.setHold(true);
        QSignalSpy held(&proxy, &SortedFilterProxy::heldCountChanged);
        const QStringList before = titles(&proxy);
        // Two new rows, one row whose title moves it to the end, one deleted row.
        model.applyBatch(text.batch(task(5) + task(41) + "~ t4 title='zzz'\n- t10\n"));
        QCOMPARE(proxy.heldCount(), 3);
        QCOMPARE(held.last().at(0).toInt(), 3);
        QStringList still = before;
        still.removeOne(title(10));
        still.replace(still.indexOf(title(4)), QStringLiteral("zzz"));
        QCOMPARE(titles(&proxy), still); // t4 keeps its place with its new text
        // A deleted held row is no longer counted; source rows shift under the held ones.
        model.applyBatch(text.batch("- t5\n- t0\n"));
        QCOMPARE(proxy.heldCount(), 2);
        proxy.setHold(false);
        QCOMPARE(proxy.heldCount(), 0);
        QCOMPARE(held.last().at(0).toInt(), 0);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        QCOMPARE(titles(&proxy).constLast(), QStringLiteral("zzz"));
    }

    void userSortAndFilterPlaceHeldRows()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(text.batch(task(1) + task(3)));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title);
        proxy.setHold(true);
        model.applyBatch(text.batch(task(2)));
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setFilterFixedString(QStringLiteral("title"));
        QCOMPARE(proxy.heldCount(), 0);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        QVERIFY(proxy.isHolding());
        model.applyBatch(text.batch(task(0)));
        QCOMPARE(proxy.heldCount(), 1);
        proxy.sort(TaskModel::Title, Qt::DescendingOrder);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        QCOMPARE(proxy.rowCount(), 4);
    }

    void randomChangesUnderHoldEndInTheRightOrder()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title);
        QRandomGenerator random(15);
        QSet<int> present;
        for (int round = 0; round < 30; ++round) {
            proxy.setHold(round % 3 != 0);
            const auto ids = [&proxy] {
                QStringList order;
                for (int row = 0; row < proxy.rowCount(); ++row)
                    order.append(proxy.index(row, 0).data(HiveRoles::IdRole).toString());
                return order;
            };
            QStringList stay = ids();
            QString lines;
            QSet<int> touched;
            for (int change = 0; change < 20; ++change) {
                const int n = int(random.bounded(200));
                if (touched.contains(n))
                    continue;
                touched.insert(n);
                if (!present.contains(n)) {
                    lines += task(n);
                    present.insert(n);
                } else if (random.bounded(2)) {
                    lines += QStringLiteral("- t%1\n").arg(n);
                    present.remove(n);
                    stay.removeOne(QStringLiteral("t%1").arg(n));
                } else {
                    lines += QStringLiteral("~ t%1 title='%2'\n")
                                 .arg(n)
                                 .arg(title(int(random.bounded(1000))));
                }
            }
            model.applyBatch(text.batch(lines));
            // Held: what stayed is where it was, nothing appeared between; else all in order.
            if (proxy.isHolding())
                QCOMPARE(ids(), stay);
            else
                QCOMPARE(titles(&proxy), expected(model, proxy, {}));
            if (round % 5 == 4) {
                proxy.releaseHeld();
                QCOMPARE(titles(&proxy), expected(model, proxy, {}));
            }
        }
        proxy.setHold(false);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
    }

    void newRowsAtFewPlacesArePreciseInsertions()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines;
        for (int n = 0; n < 20; n += 2)
            lines += task(n);
        model.applyBatch(text.batch(lines));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title);
        QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        model.applyBatch(text.batch(task(23) + task(5) + task(21) + task(25)));
        QCOMPARE(layout.count(), 0);
        QCOMPARE(inserted.count(), 2); // bottom up: 21, 23, 25 after the last row; then 5
        QCOMPARE(inserted.at(0).at(1).toInt(), 10);
        QCOMPARE(inserted.at(0).at(2).toInt(), 12);
        QCOMPARE(inserted.at(1).at(1).toInt(), 3);
        QCOMPARE(inserted.at(1).at(2).toInt(), 3);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        QCOMPARE(proxy.mapFromSource(model.index(model.rowForKey("t5"), 0)).row(), 3);
        QCOMPARE(proxy.mapToSource(proxy.index(3, 0)).row(), model.rowForKey("t5"));
    }

    void scatteredRowsAreOneInsertionAndOneLayoutChangeKeepingPersistentIndexes()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines;
        for (int n = 0; n < 400; n += 2)
            lines += task(n);
        model.applyBatch(text.batch(lines));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title, Qt::DescendingOrder);
        const QPersistentModelIndex kept = proxy.index(150, TaskModel::Title);
        const QString keptTitle = kept.data().toString();
        QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        lines.clear();
        for (int n = 1; n < 400; n += 4) // 100 rows, each between two existing ones
            lines += task(n);
        model.applyBatch(text.batch(lines));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(layout.count(), 1);
        QCOMPARE(proxy.rowCount(), 300);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        QVERIFY(kept.isValid());
        QCOMPARE(kept.data().toString(), keptTitle);
        QVERIFY(kept.row() > 150);
    }

    void scatteredRowsSharingPlacesAndTiesMergeIntoTheRightOrder()
    {
        // The layout-change path (scattered rows appended, then merged into the order): several
        // new rows at one place, rows before the first and after the last, and equal titles
        // (ties keep source order) must still come out as a full sort would have them.
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines;
        for (int n = 100; n < 500; n += 10)
            lines += task(n);
        model.applyBatch(text.batch(lines));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title, Qt::AscendingOrder);
        const QPersistentModelIndex kept = proxy.index(20, TaskModel::Title);
        const QString keptTitle = kept.data().toString();
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        lines.clear();
        for (int n = 101; n < 500; n += 10) // three at each of 40 places
            lines += task(n) + task(n + 1) + task(n + 2);
        for (int n = 0; n < 5; ++n) // before the first, after the last
            lines += task(n) + task(900 + n);
        for (int n = 1000; n < 1005; ++n) // equal titles, between existing ones
            lines += QStringLiteral("+ t%1 id=t%1 title='%2' status=todo version=#1 "
                                    "deleted_at=null archived_at=null\n")
                         .arg(n)
                         .arg(title(250));
        model.applyBatch(text.batch(lines));
        QCOMPARE(layout.count(), 1);
        QCOMPARE(proxy.rowCount(), 40 + 120 + 10 + 5);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        for (int row = 0; row < proxy.rowCount(); ++row) // each row maps back to itself
            QCOMPARE(proxy.mapFromSource(proxy.mapToSource(proxy.index(row, 0))).row(), row);
        QCOMPARE(kept.data().toString(), keptTitle);
    }

    void removedRowsAreRemovedAsContiguousRuns()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines;
        for (int n = 0; n < 300; ++n)
            lines += task(n);
        model.applyBatch(text.batch(lines));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title, Qt::DescendingOrder);
        QSignalSpy removed(&proxy, &QAbstractItemModel::rowsRemoved);
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        const QPersistentModelIndex survivor = proxy.index(200, TaskModel::Title);
        model.applyBatch(text.batch("- t10\n- t11\n- t250\n"));
        QCOMPARE(removed.count(), 2);
        QCOMPARE(layout.count(), 0);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        QCOMPARE(survivor.row(), 199);
        QCOMPARE(survivor.data().toString(), title(99));
    }

    void sourceRangeScatteredOverTheOrderIsOneLayoutChangeAndOneRemoval()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines;
        for (int n = 0; n < 300; ++n) // source order and title order disagree everywhere
            lines += QStringLiteral("+ t%1 id=t%1 title='%2' status=%3\n")
                         .arg(n)
                         .arg(title(n * 7 % 300), n % 2 ? "todo" : "done");
        model.applyBatch(text.batch(lines));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title);
        const QPersistentModelIndex survivor
            = proxy.mapFromSource(model.index(model.rowForKey("t250"), TaskModel::Title));
        const QPersistentModelIndex doomed
            = proxy.mapFromSource(model.index(model.rowForKey("t150"), TaskModel::Title));
        const QString survivorTitle = survivor.data().toString();
        QVERIFY(survivor.isValid() && doomed.isValid());
        QSignalSpy removed(&proxy, &QAbstractItemModel::rowsRemoved);
        QSignalSpy layout(&proxy, &QAbstractItemModel::layoutChanged);
        lines.clear();
        for (int n = 100; n < 200; ++n) // one source range: rows 100..199
            lines += QStringLiteral("- t%1\n").arg(n);
        model.applyBatch(text.batch(lines));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(layout.count(), 1);
        QCOMPARE(proxy.rowCount(), 200);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        QVERIFY(!doomed.isValid());
        QCOMPARE(survivor.data().toString(), survivorTitle);
        QCOMPARE(proxy.mapToSource(survivor).row(), model.rowForKey("t250"));

        // A filter that drops every other row takes the same path.
        removed.clear();
        layout.clear();
        proxy.setStatusFilter("todo");
        QCOMPARE(titles(&proxy), expected(model, proxy, "todo"));
        QCOMPARE(proxy.rowCount(), 100);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(layout.count(), 1);
    }

    void updateThatChangesTheSortKeyMovesTheRow()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(text.batch(task(1, "todo", 10) + task(2, "todo", 20) + task(3, "todo", 30)
                                    + task(4, "todo", 40)));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Version);
        QSignalSpy moved(&proxy, &QAbstractItemModel::rowsMoved);
        QSignalSpy changed(&proxy, &QAbstractItemModel::dataChanged);
        const QPersistentModelIndex first = proxy.index(0, TaskModel::Title);
        model.applyBatch(text.batch("~ t1 version=#35\n"));
        QCOMPARE(moved.count(), 1);
        QCOMPARE(titles(&proxy), QStringList({title(2), title(3), title(1), title(4)}));
        QCOMPARE(first.row(), 2); // the selection follows the row
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 2);

        model.applyBatch(text.batch("~ t4 version=#5\n~ t2 version=#45\n"));
        QCOMPARE(titles(&proxy), QStringList({title(4), title(3), title(1), title(2)}));
        // An equal key keeps source order, and a value-only change moves nothing.
        moved.clear();
        model.applyBatch(text.batch("~ t3 version=#35 title='title 0003'\n"));
        QCOMPARE(titles(&proxy), QStringList({title(4), title(1), title(3), title(2)}));
        model.applyBatch(text.batch("~ t3 status=done\n"));
        QCOMPARE(moved.count(), 1);
    }

    void numericKeysThenTextKeysSortAsVariants()
    {
        // Keys are held as numbers until one of another kind arrives (SortKeyList).
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(text.batch(task(1, "todo", 30) + task(2, "todo", 10)
                                    + "+ t3 id=t3 title='title 0003' status=todo version=null\n"
                                    + task(4, "todo", 20)));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Version);
        QCOMPARE(titles(&proxy), QStringList({title(2), title(4), title(1), title(3)}));
        model.applyBatch(text.batch("~ t3 version=#15\n"));
        QCOMPARE(titles(&proxy), QStringList({title(2), title(3), title(4), title(1)}));

        model.applyBatch(text.batch("!reset\n+ t5 id=t5 title='title 0005' status=todo version=b\n"
                                    "+ t6 id=t6 title='title 0006' status=todo version=null\n"
                                    "+ t7 id=t7 title='title 0007' status=todo version=a\n"));
        QCOMPARE(titles(&proxy), QStringList({title(7), title(5), title(6)}));
        model.applyBatch(text.batch("+ t8 id=t8 title='title 0008' status=todo version=ab\n"
                                    "~ t6 version=c\n"));
        QCOMPARE(titles(&proxy), QStringList({title(7), title(8), title(5), title(6)}));
    }

    void updateThatChangesTheFilterResultInsertsOrRemoves()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(text.batch(task(1) + task(2) + task(3)));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.setStatusFilter("todo");
        proxy.sort(TaskModel::Title, Qt::DescendingOrder);
        QSignalSpy removed(&proxy, &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(&proxy, &QAbstractItemModel::rowsInserted);
        model.applyBatch(
            text.batch("~ t2 status=done\n~ t3 deleted_at='2025-12-26 09:00:00+00'\n"));
        QCOMPARE(removed.count(), 1);
        QCOMPARE(titles(&proxy), QStringList({title(1)}));
        model.applyBatch(text.batch("~ t2 status=todo\n"));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(titles(&proxy), QStringList({title(2), title(1)}));
    }

    void resetAndFilterChangesKeepTheOrder()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(text.batch(task(1) + task(2)));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title, Qt::DescendingOrder);
        QSignalSpy reset(&proxy, &QAbstractItemModel::modelReset);
        QString lines = "!reset\n";
        for (int n = 0; n < 120; ++n)
            lines += task(n, n % 3 ? "todo" : "done");
        lines += "~ t7 deleted_at='2025-12-26 09:00:00+00'\n";
        model.applyBatch(text.batch(lines));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(proxy.rowCount(), 119);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));

        proxy.setFilterFixedString("TITLE 00");
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        QCOMPARE(proxy.rowCount(), 99);
        proxy.setFilterFixedString("title 001");
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        proxy.setFilterFixedString({});
        proxy.setShowHidden(true);
        QCOMPARE(proxy.rowCount(), 120);
        QCOMPARE(titles(&proxy), expected(model, proxy, {}));
        proxy.setStatusFilter("done");
        QCOMPARE(titles(&proxy), expected(model, proxy, "done"));
        proxy.sort(TaskModel::Title, Qt::AscendingOrder);
        QCOMPARE(titles(&proxy), expected(model, proxy, "done"));
        proxy.sort(-1);
        QCOMPARE(titles(&proxy), expected(model, proxy, "done"));
        QCOMPARE(reset.count(), 1); // filter and sort changes never reset
    }

    void changeOfARoleNeitherFilterNorSortReadsIsOnlyForwarded()
    {
        QStandardItemModel model(0, 2);
        for (const char *name : {"delta", "alpha", "charlie", "bravo"})
            model.appendRow({new QStandardItem(QString::fromLatin1(name)), new QStandardItem("x")});
        CountingProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(0);
        QCOMPARE(modelText(&proxy, {0}), QStringList({"alpha", "bravo", "charlie", "delta"}));
        QSignalSpy changed(&proxy, &QAbstractItemModel::dataChanged);
        proxy.filterCalls = 0;
        model.setData(model.index(0, 1), "tooltip", Qt::ToolTipRole);
        QCOMPARE(proxy.filterCalls, 0);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 3);
        QCOMPARE(changed.at(0).at(2).value<QList<int>>(), QList<int>({Qt::ToolTipRole}));

        // A display change of the sort column moves the row; with a text filter it re-filters.
        model.setData(model.index(0, 0), "aardvark");
        QCOMPARE(modelText(&proxy, {0}), QStringList({"aardvark", "alpha", "bravo", "charlie"}));
        QCOMPARE(proxy.filterCalls, 0);
        proxy.setFilterFixedString("ar");
        QCOMPARE(modelText(&proxy, {0}), QStringList({"aardvark", "charlie"}));
        proxy.filterCalls = 0;
        model.setData(model.index(1, 1), "far");
        QCOMPARE(proxy.filterCalls, 1);
        QCOMPARE(modelText(&proxy, {0}), QStringList({"aardvark", "alpha", "charlie"}));
    }

    void randomLiveBatchesMatchAPlainSort_data()
    {
        QTest::addColumn<int>("column");
        QTest::addColumn<Qt::SortOrder>("order");
        QTest::addColumn<QString>("status");
        QTest::newRow("title, descending") << int(TaskModel::Title) << Qt::DescendingOrder << "";
        QTest::newRow("version (ties), ascending")
            << int(TaskModel::Version) << Qt::AscendingOrder << "";
        QTest::newRow("status column, one status")
            << int(TaskModel::Status) << Qt::AscendingOrder << "in-progress";
        QTest::newRow("unsorted") << -1 << Qt::AscendingOrder << "";
    }

    void randomLiveBatchesMatchAPlainSort()
    {
        QFETCH(int, column);
        QFETCH(Qt::SortOrder, order);
        QFETCH(QString, status);
        const QStringList statuses = {"todo", "in-progress", "in-review", "done", "cancelled"};
        QRandomGenerator random(4242);
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.setStatusFilter(status);
        proxy.sort(column, order);
        QSet<int> live;
        for (int round = 0; round < 40; ++round) {
            QString lines = round % 13 == 12 ? QStringLiteral("!reset\n") : QString();
            if (!lines.isEmpty())
                live.clear();
            const int changes = random.bounded(round % 4 == 0 ? 120 : 12);
            for (int i = 0; i < changes; ++i) {
                const int n = random.bounded(300);
                const int what = random.bounded(10);
                if (live.contains(n) && what < 2) {
                    lines += QStringLiteral("- t%1\n").arg(n);
                    live.remove(n);
                } else if (live.contains(n) && what < 7) {
                    lines += QStringLiteral("~ t%1 version=#%2 status=%3%4\n")
                                 .arg(n)
                                 .arg(random.bounded(6))
                                 .arg(statuses.at(random.bounded(5)),
                                      what == 6 ? " archived_at='2025-12-26 09:00:00+00'" : "");
                } else if (!live.contains(n)) {
                    lines += task(n, statuses.at(random.bounded(5)), random.bounded(6));
                    live.insert(n);
                }
            }
            model.applyBatch(text.batch(lines));
            if (round % 10 == 5)
                proxy.setFilterFixedString(proxy.filterText().isEmpty() ? "title 01" : "");
            if (round == 20)
                proxy.setShowHidden(true);
            QCOMPARE(titles(&proxy), expected(model, proxy, status));
        }
    }
};

QTEST_GUILESS_MAIN(TestSortedFilterProxy)
#include "tst_sortedfilterproxy.moc"
