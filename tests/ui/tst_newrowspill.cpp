// NewRowsPill over a real TaskModel and HiveFilterProxy in a table view (offscreen): while the
// pointer is over the list or a row is selected, 100 arriving rows wait and the order on screen
// holds; the pill counts them, and clicking it or leaving places them. Selection follows its row.
#include "models/hive/HiveFilterProxy.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/TaskModel.h"
#include "tests/models/BatchText.h"
#include "ui/NewRowsPill.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QEnterEvent>
#include <QItemSelectionModel>
#include <QTableView>
#include <QTest>

using namespace hivewatch;

class TestNewRowsPill : public QObject
{
    Q_OBJECT

private:
    static QString task(int n, const QString &updated)
    {
        return QStringLiteral("+ t%1 id=t%1 title='task %1' status=todo updated_at='%2'\n")
            .arg(n)
            .arg(updated);
    }
    static QString at(int second)
    {
        return QStringLiteral("2026-12-06T04:%1:%2Z")
            .arg(second / 60, 2, 10, QLatin1Char('0'))
            .arg(second % 60, 2, 10, QLatin1Char('0'));
    }
    static QStringList ids(const QAbstractItemModel *model)
    {
        QStringList out;
        for (int row = 0; row < model->rowCount(); ++row)
            out.append(model->index(row, 0).data(HiveRoles::IdRole).toString());
        return out;
    }
    // Newest first, as the Tasks table sorts.
    static QStringList newestFirst(const TaskModel &model)
    {
        QList<int> rows;
        for (int row = 0; row < model.rowCount(); ++row)
            rows.append(row);
        std::stable_sort(rows.begin(), rows.end(), [&](int a, int b) {
            return model.index(a, TaskModel::Updated).data(HiveRoles::SortRole).toDateTime()
                > model.index(b, TaskModel::Updated).data(HiveRoles::SortRole).toDateTime();
        });
        QStringList out;
        for (int row : std::as_const(rows))
            out.append(model.index(row, 0).data(HiveRoles::IdRole).toString());
        return out;
    }
    static void hover(QWidget *viewport, bool enter)
    {
        if (enter) {
            QEnterEvent event(QPointF(10, 10), QPointF(10, 10),
                              viewport->mapToGlobal(QPointF(10, 10)));
            QApplication::sendEvent(viewport, &event);
        } else {
            QEvent event(QEvent::Leave);
            QApplication::sendEvent(viewport, &event);
        }
    }

private slots:
    void orderHoldsUnderAHoveredListWhile100RowsArrive()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines;
        for (int n = 0; n < 30; ++n)
            lines += task(n, at(n * 2));
        model.applyBatch(text.batch(lines));
        HiveFilterProxy proxy;
        new QAbstractItemModelTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest,
                                     &proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Updated, Qt::DescendingOrder);
        QTableView view;
        view.setModel(&proxy);
        view.resize(600, 400);
        auto *pill = new NewRowsPill(&view);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QCOMPARE(NewRowsPill::of(&view), pill);
        QVERIFY(!pill->isVisible());

        hover(view.viewport(), true);
        QVERIFY(proxy.isHolding());
        const QStringList before = ids(&proxy);
        // 100 new rows, newer than all (they would go on top) or between the old ones, and old
        // rows updated so that they would jump to the top.
        for (int batch = 0; batch < 10; ++batch) {
            lines.clear();
            for (int i = 0; i < 10; ++i) {
                const int n = 100 + batch * 10 + i;
                lines += task(n, at(n % 2 ? 1000 + n : n % 60));
            }
            lines += QStringLiteral("~ t%1 updated_at='%2'\n").arg(batch).arg(at(2000 + batch));
            model.applyBatch(text.batch(lines));
            QCOMPARE(ids(&proxy), before);
        }
        QCOMPARE(model.rowCount(), 130);
        QCOMPARE(proxy.heldCount(), 110);
        QVERIFY(pill->isVisible());
        QVERIFY2(pill->text().contains(QLatin1String("110 new")), qPrintable(pill->text()));

        // Selecting a row keeps the hold after the pointer leaves.
        const QString selected = before.at(5);
        view.selectionModel()->select(
            proxy.index(5, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        hover(view.viewport(), false);
        QVERIFY(proxy.isHolding());
        QCOMPARE(ids(&proxy), before);

        // The pill places everything; the selection stays on its task, wherever it went.
        QTest::mouseClick(pill, Qt::LeftButton);
        QCOMPARE(proxy.heldCount(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(!pill->isVisible(), 2000);
        QCOMPARE(ids(&proxy), newestFirst(model));
        const QModelIndexList rows = view.selectionModel()->selectedRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.constFirst().data(HiveRoles::IdRole).toString(), selected);
        QVERIFY(rows.constFirst().row() != 5);

        // Nothing selected and the pointer gone: rows flow in at once.
        view.selectionModel()->clearSelection();
        QVERIFY(!proxy.isHolding());
        model.applyBatch(text.batch(task(999, at(3000))));
        QCOMPARE(ids(&proxy).constFirst(), QStringLiteral("t999"));
    }

    void leavingReleasesHeldRows()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(text.batch(task(1, at(1)) + task(2, at(2))));
        HiveFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Updated, Qt::DescendingOrder);
        QTableView view;
        view.setModel(&proxy);
        auto *pill = new NewRowsPill(&view);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        hover(view.viewport(), true);
        model.applyBatch(text.batch(task(3, at(3))));
        QCOMPARE(ids(&proxy), QStringList({"t2", "t1"}));
        QVERIFY(pill->isVisible());
        hover(view.viewport(), false);
        QCOMPARE(ids(&proxy), QStringList({"t3", "t2", "t1"}));
        QVERIFY(!pill->isVisible());
    }
};

QTEST_MAIN(TestNewRowsPill)
#include "tst_newrowspill.moc"
