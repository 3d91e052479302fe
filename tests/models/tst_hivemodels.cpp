#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveFilterProxy.h"
#include "models/hive/HiveModels.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"
#include "models/hive/NodeModel.h"
#include "models/hive/NodeProjectModel.h"
#include "models/hive/ProgressEventModel.h"
#include "models/hive/ProjectModel.h"
#include "models/hive/TaskBoardProxy.h"
#include "models/hive/TaskModel.h"
#include "models/hive/Throttle.h"
#include "tests/models/BatchText.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace hivewatch;

using Tester = QAbstractItemModelTester;

class TestHiveModels : public QObject
{
    Q_OBJECT

private:
    static void attachTester(QAbstractItemModel *model)
    {
        new Tester(model, Tester::FailureReportingMode::QtTest, model);
    }
    static QString task(const QString &id, const QString &title, const QString &status)
    {
        return QStringLiteral(
                   "+ %1 id=%1 title='%2' status=%3 project_id=p1 version=#1 "
                   "updated_at='2025-12-25 10:00:00+00' deleted_at=null archived_at=null\n")
            .arg(id, title, status);
    }

private slots:
    void initTestCase() { qputenv("TZ", "UTC"); }

    void insertsUpdatesAndDeletesInOneBatch()
    {
        TaskModel model;
        attachTester(&model);
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(text.batch(task("t1", "Fix login", "todo")
                                    + task("t2", "Write docs", "todo")
                                    + task("t3", "Ship it", "in-progress")));
        model.applyBatch(text.batch(QStringLiteral(
            "~ t1 status=in-review version=#2\n"
            "- t2\n"
            "+ t4 id=t4 title='New one' status=done\n"
            "~ t3 title='Ship it now' updated_at='2025-12-25 11:30:00.123456+00'\n")));
        const QStringList expected = {
            "Fix login | In review | p1 |  |  | 2 | 2025-12-25 10:00:00",
            "Ship it now | In progress | p1 |  |  | 1 | 2025-12-25 11:30:00",
            "New one | Done |  |  |  |  | ",
        };
        QCOMPARE(modelText(&model), expected);
        QCOMPARE(model.rowForKey("t3"), 1);
        QCOMPARE(model.rowForId("t4"), 2);
        QCOMPARE(model.rowForKey("t2"), -1);
    }

    void appendingManyRowsEmitsOneInsertion()
    {
        TaskModel model;
        attachTester(&model);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines;
        for (int i = 0; i < 500; ++i)
            lines += task(QStringLiteral("t%1").arg(i), QStringLiteral("Task %1").arg(i), "todo");
        model.applyBatch(text.batch(lines));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 499);

        lines.clear();
        for (int i = 500; i < 600; ++i)
            lines += task(QStringLiteral("t%1").arg(i), QStringLiteral("Task %1").arg(i), "todo");
        model.applyBatch(text.batch(lines));
        QCOMPARE(inserted.count(), 2);
        QCOMPARE(inserted.at(1).at(1).toInt(), 500);
        QCOMPARE(inserted.at(1).at(2).toInt(), 599);
    }

    void removesRunsFromTheBottomUp()
    {
        TaskModel model;
        attachTester(&model);
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines;
        for (int i = 0; i < 8; ++i)
            lines += task(QStringLiteral("t%1").arg(i), QStringLiteral("Task %1").arg(i), "todo");
        model.applyBatch(text.batch(lines));
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
        model.applyBatch(text.batch(QStringLiteral("- t1\n- t6\n- t2\n- t5\n- t7\n")));
        QCOMPARE(removed.count(), 2);
        QCOMPARE(removed.at(0).at(1).toInt(), 5); // rows 5..7 first
        QCOMPARE(removed.at(0).at(2).toInt(), 7);
        QCOMPARE(removed.at(1).at(1).toInt(), 1); // then rows 1..2
        QCOMPARE(removed.at(1).at(2).toInt(), 2);
        QCOMPARE(modelText(&model, {TaskModel::Title}),
                 QStringList({"Task 0", "Task 3", "Task 4"}));
        QCOMPARE(model.rowForKey("t4"), 2);
    }

    void updatesEmitOneDataChangedPerRun()
    {
        TaskModel model;
        attachTester(&model);
        BatchText text(QStringLiteral("shared_tasks"));
        QString lines;
        for (int i = 0; i < 6; ++i)
            lines += task(QStringLiteral("t%1").arg(i), QStringLiteral("Task %1").arg(i), "todo");
        model.applyBatch(text.batch(lines));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
        model.applyBatch(text.batch(QStringLiteral(
            "~ t4 status=done\n~ t0 status=done\n~ t1 status=done\n~ t0 version=#7\n")));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 0);
        QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 1);
        QCOMPARE(changed.at(1).at(0).toModelIndex().row(), 4);
        QCOMPARE(changed.at(1).at(1).toModelIndex().row(), 4);
        QCOMPARE(reset.count(), 0);
        QCOMPARE(layout.count(), 0);
        QCOMPARE(model.statusCounts().value("done"), 3);
    }

    void resetBatchReplacesEveryRowWithOneReset()
    {
        TaskModel model;
        attachTester(&model);
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(text.batch(task("t1", "Old", "todo") + task("t2", "Older", "done")));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.applyBatch(
            text.batch("!reset\n" + task("t9", "Fresh", "in-review") + "~ t9 title='Fresher'\n"));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(inserted.count(), 0);
        QCOMPARE(modelText(&model, {TaskModel::Title, TaskModel::Status}),
                 QStringList({"Fresher | In review"}));
        QCOMPARE(model.rowForKey("t1"), -1);
        QCOMPARE(model.statusCounts(), (QHash<QString, int> {{"in-review", 1}}));

        model.applyBatch(text.batch("!reset\n"));
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.statusCounts().isEmpty());
    }

    // The model keeps copies of its strings, not the batch's: shared, they pinned the sync
    // thread's malloc arena for as long as the rows were shown (docs/benchmarks.md, "Dashboard
    // peak RSS: who holds it").
    void rowsKeepNoStringOfTheBatch()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        const auto batchStrings = [](const ShapeBatch &batch) {
            QSet<const QChar *> data;
            for (const RowChange &change : batch.changes) {
                data.insert(change.key.constData());
                for (const QVariant &value : change.value.values()) {
                    if (value.typeId() == QMetaType::QString)
                        data.insert(static_cast<const QString *>(value.constData())->constData());
                }
            }
            return data;
        };
        const auto expectOwnStrings = [&](const ShapeBatch &batch) {
            const QSet<const QChar *> shared = batchStrings(batch);
            QVERIFY(shared.size() > 10);
            for (int row = 0; row < model.rowCount(); ++row) {
                QVERIFY(!model.key(row).isEmpty());
                QVERIFY(!shared.contains(model.key(row).constData()));
                int strings = 0;
                for (const QVariant &value : model.rowValues(row)) {
                    if (value.typeId() != QMetaType::QString)
                        continue;
                    ++strings;
                    QVERIFY2(!shared.contains(
                                 static_cast<const QString *>(value.constData())->constData()),
                             qPrintable(value.toString()));
                }
                QVERIFY(strings >= 3);
            }
        };
        const ShapeBatch reset = text.batch("!reset\n" + task("t1", "Fix login", "todo")
                                            + task("t2", "Write docs", "done"));
        model.applyBatch(reset);
        QCOMPARE(model.rowCount(), 2);
        expectOwnStrings(reset);
        const ShapeBatch more = text.batch(task("t3", "Ship it", "in-progress")
                                           + "~ t1 title='Fix login now' status=in-review\n");
        model.applyBatch(more);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.field(0, 1).toString(), QStringLiteral("Fix login now"));
        expectOwnStrings(more);
    }

    void electricKeysAreFoundThroughTheRowsId()
    {
        TaskModel model;
        attachTester(&model);
        const auto key = [](const QString &id) {
            return QStringLiteral(R"("public"."shared_tasks"/"%1")").arg(id);
        };
        const auto row = [&](const QString &k, const QString &id, const QString &status) {
            RowChange change;
            change.key = k;
            change.operation = RowChange::Operation::Insert;
            change.value = {{"id", id}, {"title", QString("T " + id)}, {"status", status}};
            return change;
        };
        ShapeBatch batch;
        batch.reset = true;
        batch.changes = {row(key("a"), "a", "todo"), row(key("b"), "b", "todo"),
                         row("odd/b2", "b2", "done"), row(key("c"), "c", "done")};
        RowChange gone;
        gone.key = key("a");
        gone.operation = RowChange::Operation::Delete;
        batch.changes.append(gone);
        model.applyBatch(batch);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowForKey(key("a")), -1);
        QCOMPARE(model.rowForKey(key("b")), 0);
        QCOMPARE(model.rowForKey("odd/b2"), 1);
        QCOMPARE(model.rowForKey(key("b2")), -1); // the odd row is not found under a built key
        QCOMPARE(model.rowForKey(key("c")), 2);
        QCOMPARE(model.rowForId("c"), 2);
        QCOMPARE(model.rowForId("b2"), 1);
        QCOMPARE(model.key(0), key("b"));
        QCOMPARE(model.key(1), QStringLiteral("odd/b2"));

        // Statuses are shared between rows, not copied per row.
        const auto statusData = [&](int r) {
            return static_cast<const QString *>(
                       model.rowValues(r).at(TaskModel::FStatus).constData())
                ->constData();
        };
        QCOMPARE(statusData(1), statusData(2));
        QVERIFY(statusData(0) != statusData(1));

        // A row whose id no longer matches its key keeps the key; rows after a removal move.
        ShapeBatch more;
        RowChange renamed = row(key("b"), "b-new", "done");
        renamed.operation = RowChange::Operation::Update;
        more.changes = {renamed, row(key("d"), "d", "todo")};
        gone.key = "odd/b2";
        more.changes.append(gone);
        model.applyBatch(more);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowForKey(key("b")), 0);
        QCOMPARE(model.key(0), key("b"));
        QCOMPARE(model.rowForId("b-new"), 0);
        QCOMPARE(model.rowForKey(key("b-new")), -1);
        QCOMPARE(model.rowForKey("odd/b2"), -1);
        QCOMPARE(model.rowForId("b2"), -1);
        QCOMPARE(model.rowForKey(key("c")), 1);
        QCOMPARE(model.rowForKey(key("d")), 2);
        QCOMPARE(model.statusCounts().value("done"), 2);
    }

    void unknownStatusIsKeptFlaggedAndCounted()
    {
        TaskModel model;
        attachTester(&model);
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(text.batch(task("t1", "Odd", "blocked")
                                    + task("t2", "Node spelling", "inprogress")
                                    + task("t3", "Plain", "in-progress")));
        QCOMPARE(modelText(&model, {TaskModel::Title, TaskModel::Status}),
                 QStringList({"Odd | unknown: blocked", "Node spelling | In progress",
                              "Plain | In progress"}));
        QVERIFY(model.index(0, 0).data(HiveRoles::UnknownStatusRole).toBool());
        QVERIFY(!model.index(1, 0).data(HiveRoles::UnknownStatusRole).toBool());
        QVERIFY(model.index(0, 0).data(Qt::BackgroundRole).isValid());
        QCOMPARE(model.statusCounts(),
                 (QHash<QString, int> {{"unknown: blocked", 1}, {"in-progress", 2}}));

        HiveFilterProxy unknownOnly;
        attachTester(&unknownOnly);
        unknownOnly.setSourceModel(&model);
        unknownOnly.setStatusFilter("?");
        QCOMPARE(modelText(&unknownOnly, {TaskModel::Title}), QStringList({"Odd"}));
    }

    void softDeletedAndArchivedTasksAreHiddenByDefault()
    {
        TaskModel model;
        attachTester(&model);
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(text.batch(task("t1", "Live", "todo") + task("t2", "Deleted", "todo")
                                    + task("t3", "Archived", "done")));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title);
        QCOMPARE(proxy.rowCount(), 3);
        QSignalSpy counts(&model, &TaskModel::statusCountsChanged);
        model.applyBatch(text.batch("~ t2 deleted_at='2025-12-26 09:00:00+00'\n"
                                    "~ t3 archived_at='2025-12-26 09:00:00+00'\n"));
        QCOMPARE(counts.count(), 1);
        QCOMPARE(modelText(&proxy, {TaskModel::Title}), QStringList({"Live"}));
        QCOMPARE(model.statusCounts(), (QHash<QString, int> {{"todo", 1}}));
        proxy.setShowHidden(true);
        QCOMPARE(modelText(&proxy, {TaskModel::Title}),
                 QStringList({"Archived", "Deleted", "Live"}));
        proxy.setFilterFixedString("arch");
        QCOMPARE(modelText(&proxy, {TaskModel::Title}), QStringList({"Archived"}));
    }

    void proxySortsByTimeNotByText()
    {
        TaskModel model;
        BatchText text(QStringLiteral("shared_tasks"));
        model.applyBatch(
            text.batch("+ a id=a title=A status=todo updated_at='2025-12-25 10:00:00+00'\n"
                       "+ b id=b title=B status=todo updated_at='2025-12-25 09:00:00+00'\n"
                       "+ c id=c title=C status=done updated_at='2025-12-24 23:00:00+00'\n"));
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Updated, Qt::DescendingOrder);
        QCOMPARE(modelText(&proxy, {TaskModel::Title}), QStringList({"A", "B", "C"}));
        model.applyBatch(text.batch("~ c updated_at='2025-12-25 12:00:00+00'\n"));
        QCOMPARE(modelText(&proxy, {TaskModel::Title}), QStringList({"C", "A", "B"}));
        proxy.sort(TaskModel::Status);
        QCOMPARE(modelText(&proxy, {TaskModel::Status}).first(), QStringLiteral("To do"));
    }

    void interleavedSlicesIntoASortedProxyEndUpSorted()
    {
        TaskModel model;
        HiveFilterProxy proxy;
        attachTester(&proxy);
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title, Qt::DescendingOrder);
        BatchText text(QStringLiteral("shared_tasks"));
        for (int slice = 0; slice < 3; ++slice) {
            QString lines;
            for (int i = 0; i < 150; ++i) {
                const int n = i * 3 + slice; // interleaved: each slice lands all over the order
                lines += task(QStringLiteral("t%1").arg(n),
                              QStringLiteral("title %1").arg(n, 4, 10, QLatin1Char('0')), "todo");
            }
            model.applyBatch(text.batch(lines));
        }
        QCOMPARE(proxy.rowCount(), 450);
        QStringList titles = modelText(&proxy, {TaskModel::Title});
        QCOMPARE(titles.first(), QStringLiteral("title 0449"));
        QStringList sorted = titles;
        std::sort(sorted.begin(), sorted.end(), std::greater<QString>());
        QCOMPARE(titles, sorted);
        // Small batches after that are sorted into place at once.
        model.applyBatch(text.batch(task("z", "title 9999", "todo")));
        QCOMPARE(proxy.index(0, TaskModel::Title).data().toString(), QStringLiteral("title 9999"));
    }

    void nodeHeartbeatGoesStaleAsTheClockMoves()
    {
        NodeModel model;
        attachTester(&model);
        QDateTime now = QDateTime::fromString("2025-12-25T10:01:00Z", Qt::ISODate);
        model.setClock([&now] { return now; });
        BatchText text(QStringLiteral("nodes"));
        model.applyBatch(text.batch(
            "+ n1 id=n1 name=alpha status=online last_heartbeat_at='2025-12-25 10:00:30+00' "
            "capabilities={\"executors\":[\"CLAUDE_CODE\",\"GEMINI\"],\"max_concurrent_tasks\":2,"
            "\"os\":\"linux\"} "
            "public_url=http://127.0.0.1:3000\n"
            "+ n2 id=n2 name=beta status=offline last_heartbeat_at='2025-12-25 09:00:00+00'\n"
            "+ n3 id=n3 name=gamma status=busy last_heartbeat_at='2025-12-25 10:00:50+00'\n"
            "+ n4 id=n4 name=delta status=rebooting last_heartbeat_at='2025-12-25 10:00:50+00'\n"));
        const QList<int> columns
            = {NodeModel::Name, NodeModel::Status, NodeModel::Heartbeat, NodeModel::Executors};
        QCOMPARE(modelText(&model, columns),
                 QStringList({"alpha | Online | 30 s ago | CLAUDE_CODE, GEMINI",
                              "beta | Offline | 61 min ago | ", "gamma | Busy | 10 s ago | ",
                              "delta | unknown: rebooting | 10 s ago | "}));
        QCOMPARE(model.capabilitiesText(0),
                 QStringLiteral("executors: CLAUDE_CODE, GEMINI; max tasks: 2; os: linux"));

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        now = now.addSecs(40); // alpha's heartbeat is now 70 s old, gamma's 50 s
        model.refreshClock();
        QCOMPARE(modelText(&model, {NodeModel::Name, NodeModel::Status}),
                 QStringList({"alpha | Online (stale)", "beta | Offline", "gamma | Busy",
                              "delta | unknown: rebooting"}));
        QVERIFY(model.index(0, 0).data(HiveRoles::StaleRole).toBool());
        QVERIFY(!model.index(1, 0).data(HiveRoles::StaleRole).toBool()); // offline: never stale
        QVERIFY(!model.index(2, 0).data(HiveRoles::StaleRole).toBool());
        QCOMPARE(changed.count(), 2); // the age column, then alpha's row
        QCOMPARE(changed.at(1).at(0).toModelIndex().row(), 0);
        QCOMPARE(changed.at(1).at(1).toModelIndex().row(), 0);

        // A fresh heartbeat clears the flag.
        model.applyBatch(text.batch("~ n1 last_heartbeat_at='2025-12-25 10:01:35+00'\n"));
        QVERIFY(!model.index(0, 0).data(HiveRoles::StaleRole).toBool());

        // Kept to the millisecond: 60.5 s of silence is more than 60 s.
        now = QDateTime::fromString("2025-12-25T10:01:50.500Z", Qt::ISODate);
        model.refreshClock();
        QVERIFY(model.index(2, 0).data(HiveRoles::StaleRole).toBool());
        QVERIFY(!model.index(0, 0).data(HiveRoles::StaleRole).toBool());
    }

    void throttleRunsALoneRequestAtOnceAndABurstOncePerInterval()
    {
        int runs = 0;
        Throttle throttle(1000, [&runs] { ++runs; });
        throttle.request();
        QCoreApplication::processEvents(); // a lone request: the next event-loop turn
        QCOMPARE(runs, 1);
        for (int i = 0; i < 5; ++i) { // a burst inside the interval: one run, later
            throttle.request();
            QCoreApplication::processEvents();
        }
        QCOMPARE(runs, 1);
        QVERIFY(throttle.isPending());
        QTRY_COMPARE(runs, 2);
        QTest::qWait(300); // and nothing without a request
        QCOMPARE(runs, 2);
        // A run by other means starts the interval again.
        throttle.request();
        throttle.ran();
        QVERIFY(!throttle.isPending());
        throttle.request();
        QCoreApplication::processEvents();
        QCOMPARE(runs, 2);
        QTRY_COMPARE(runs, 3);
    }

    void assignmentsResolveNamesAndCountActivePerNode()
    {
        TaskModel tasks;
        NodeModel nodes;
        AssignmentModel assignments;
        attachTester(&assignments);
        attachTester(&nodes);
        assignments.setTaskModel(&tasks);
        assignments.setNodeModel(&nodes);
        nodes.setAssignmentModel(&assignments);
        BatchText taskText(QStringLiteral("shared_tasks"));
        BatchText nodeText(QStringLiteral("nodes"));
        BatchText assignmentText(QStringLiteral("node_task_assignments"));

        // Assignments may arrive before the rows they point at.
        assignments.applyBatch(assignmentText.batch(
            "+ a1 id=a1 task_id=t1 node_id=n1 execution_status=running assigned_at='2025-12-25 "
            "10:00:00+00' completed_at=null\n"
            "+ a2 id=a2 task_id=t2 node_id=n1 execution_status=completed assigned_at='2025-12-25 "
            "09:00:00+00' completed_at='2025-12-25 09:30:00+00'\n"
            "+ a3 id=a3 task_id=t2 node_id=n1 execution_status=paused assigned_at='2025-12-25 "
            "10:05:00+00' completed_at=null\n"));
        QCOMPARE(
            modelText(&assignments,
                      {AssignmentModel::Task, AssignmentModel::Node, AssignmentModel::Status}),
            QStringList({"t1 | n1 | Running", "t2 | n1 | Completed", "t2 | n1 | unknown: paused"}));
        QSignalSpy resolved(&assignments, &QAbstractItemModel::dataChanged);
        tasks.applyBatch(
            taskText.batch(task("t1", "Fix login", "in-progress") + task("t2", "Docs", "todo")));
        nodes.applyBatch(nodeText.batch("+ n1 id=n1 name=alpha status=busy\n"));
        QTRY_COMPARE(resolved.count(), 2); // announced together, throttled: one per column
        QCOMPARE(modelText(&assignments, {AssignmentModel::Task, AssignmentModel::Node}),
                 QStringList({"Fix login | alpha", "Docs | alpha", "Docs | alpha"}));
        QCOMPARE(assignments.describe("a1"), QStringLiteral("Fix login (alpha)"));
        QCOMPARE(nodes.index(0, NodeModel::ActiveAssignments).data().toInt(), 2);

        QSignalSpy nodeChanged(&nodes, &QAbstractItemModel::dataChanged);
        assignments.applyBatch(assignmentText.batch(
            "~ a1 execution_status=completed completed_at='2025-12-25 10:40:00+00'\n"));
        QCOMPARE(nodes.index(0, NodeModel::ActiveAssignments).data().toInt(), 1);
        QCOMPARE(nodeChanged.count(), 1);
        QCOMPARE(nodeChanged.at(0).at(0).toModelIndex().column(),
                 int(NodeModel::ActiveAssignments));
        assignments.applyBatch(assignmentText.batch("!reset\n"));
        QCOMPARE(nodes.index(0, NodeModel::ActiveAssignments).data().toInt(), 0);
    }

    void tasksShowProjectNamesAndTheNodeRunningThem()
    {
        // Routed by table name as the shape consumer delivers them, in any order.
        HiveModels models;
        attachTester(models.tasks());
        attachTester(models.projects());
        attachTester(models.nodeProjects());
        BatchText taskText(QStringLiteral("shared_tasks"));
        BatchText projectText(QStringLiteral("projects"));
        BatchText nodeProjectText(QStringLiteral("node_projects"));
        BatchText nodeText(QStringLiteral("nodes"));
        BatchText assignmentText(QStringLiteral("node_task_assignments"));
        models.applyBatch(
            taskText.batch(task("t1", "Fix login", "in-progress") + task("t2", "Docs", "todo")));
        const QList<int> columns = {TaskModel::Title, TaskModel::Project, TaskModel::RunningOn};
        // Before the names arrive: the id's prefix, the full id in the tooltip.
        QCOMPARE(modelText(models.tasks(), columns),
                 QStringList({"Fix login | p1 | ", "Docs | p1 | "}));
        QCOMPARE(models.tasks()->index(0, TaskModel::Project).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("p1"));

        QSignalSpy changed(models.tasks(), &QAbstractItemModel::dataChanged);
        models.applyBatch(projectText.batch("+ p1 id=p1 name='Hive dashboard'\n"));
        models.applyBatch(nodeProjectText.batch(
            "+ np1 id=np1 node_id=n1 project_id=p1 git_repo_path=/srv/hive default_branch=main\n"));
        models.applyBatch(nodeText.batch("+ n1 id=n1 name=alpha status=busy\n"));
        models.applyBatch(assignmentText.batch(
            "+ a1 id=a1 task_id=t1 node_id=n1 node_project_id=np1 execution_status=running "
            "assigned_at='2025-12-25 10:00:00+00' completed_at=null\n"
            "+ a0 id=a0 task_id=t2 node_id=n1 execution_status=completed assigned_at='2025-12-25 "
            "09:00:00+00' completed_at='2025-12-25 09:30:00+00'\n"));
        QTRY_VERIFY(!changed.isEmpty());
        QCOMPARE(modelText(models.tasks(), columns),
                 QStringList({"Fix login | Hive dashboard | alpha", "Docs | Hive dashboard | "}));
        QCOMPARE(models.tasks()->index(0, TaskModel::RunningOn).data(Qt::ToolTipRole).toString(),
                 QStringLiteral("n1"));
        QCOMPARE(models.assignments()->assignmentIdsForTask("t2"), QStringList({"a0"}));
        QCOMPARE(models.nodeProjects()->describe("np1"), QStringLiteral("main @ /srv/hive"));

        // The assignment completes: the task no longer runs anywhere.
        changed.clear();
        models.applyBatch(assignmentText.batch(
            "~ a1 execution_status=completed completed_at='2025-12-25 10:40:00+00'\n"));
        QTRY_VERIFY(!changed.isEmpty());
        QCOMPARE(models.tasks()->index(0, TaskModel::RunningOn).data().toString(), QString());
    }

    void aTaskNamesThePullRequestOfItsNewestAssignment()
    {
        HiveModels models;
        attachTester(models.progressEvents());
        BatchText taskText(QStringLiteral("shared_tasks"));
        BatchText assignmentText(QStringLiteral("node_task_assignments"));
        BatchText eventText(QStringLiteral("node_task_progress_events"));
        models.applyBatch(
            taskText.batch(task("t1", "Fix login", "in-review") + task("t2", "Docs", "todo")));
        models.applyBatch(assignmentText.batch(
            "+ a1 id=a1 task_id=t1 node_id=n1 execution_status=failed assigned_at='2025-12-25 "
            "09:00:00+00' completed_at='2025-12-25 09:30:00+00'\n"
            "+ a2 id=a2 task_id=t1 node_id=n1 execution_status=completed assigned_at='2025-12-25 "
            "10:00:00+00' completed_at='2025-12-25 10:30:00+00'\n"));
        QCOMPARE(models.tasks()->pullRequest(0), QUrl());
        // The first attempt's PR, an event naming none, then the newest attempt's PR (by pr_url,
        // the older link under "url" of the same assignment loses to the later event); only
        // http(s) links count.
        models.applyBatch(eventText.batch(
            "+ e1 id=#1 assignment_id=a1 event_type=pullrequestcreated message=x "
            "timestamp='2025-12-25 09:10:00+00' "
            "metadata={\"url\":\"https://git.example/r/pull/7\"}\n"
            "+ e2 id=#2 assignment_id=a2 event_type=agentstarted message=x "
            "timestamp='2025-12-25 10:01:00+00'\n"
            "+ e3 id=#3 assignment_id=a2 event_type=pullrequestcreated message=x "
            "timestamp='2025-12-25 10:20:00+00' "
            "metadata={\"pr_url\":\"https://git.example/r/pull/12\"}\n"
            "+ e4 id=#4 assignment_id=a2 event_type=note message=x "
            "timestamp='2025-12-25 10:25:00+00' metadata={\"url\":\"file:///etc/passwd\"}\n"));
        QCOMPARE(models.tasks()->pullRequest(0),
                 QUrl(QStringLiteral("https://git.example/r/pull/12")));
        QCOMPARE(models.tasks()->pullRequest(1), QUrl());
        // Without the newest attempt's events, the older attempt's PR is the task's.
        models.applyBatch(eventText.batch("- e3 id=#3\n"));
        QCOMPARE(models.tasks()->pullRequest(0),
                 QUrl(QStringLiteral("https://git.example/r/pull/7")));
    }

    void theBoardProxyFiltersByChipsAndWindow()
    {
        HiveModels models;
        TaskBoardProxy proxy(models.tasks());
        proxy.setSourceModel(models.tasks());
        attachTester(&proxy);
        BatchText taskText(QStringLiteral("shared_tasks"));
        BatchText assignmentText(QStringLiteral("node_task_assignments"));
        models.applyBatch(taskText.batch(
            task("t1", "One", "done") + task("t2", "Two", "done")
            + "+ t3 id=t3 title='Three' status=done project_id=p2 version=#1 "
              "updated_at='2025-12-20 10:00:00+00' deleted_at=null archived_at=null\n"));
        proxy.setStatusFilter(QStringLiteral("done"));
        QCOMPARE(proxy.rowCount(), 3);
        proxy.setProjectFilter({QStringLiteral("p2")});
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setProjectFilter({});
        // Done tasks in a window: t3 is older than the cutoff.
        proxy.setNotBefore(TaskModel::Updated,
                           QDateTime(QDate(2025, 12, 24), QTime(0, 0), Qt::UTC));
        QCOMPARE(proxy.rowCount(), 2);
        // Running on n1: none yet; an assignment arrives and the proxy follows it.
        proxy.setNodeFilter({QStringLiteral("n1")});
        QCOMPARE(proxy.rowCount(), 0);
        models.applyBatch(assignmentText.batch(
            "+ a1 id=a1 task_id=t2 node_id=n1 execution_status=running assigned_at='2025-12-25 "
            "10:00:00+00' completed_at=null\n"));
        QTRY_COMPARE(proxy.rowCount(), 1);
        QCOMPARE(proxy.index(0, TaskModel::Title).data().toString(), QStringLiteral("Two"));
        proxy.setNodeFilter({});
        QCOMPARE(proxy.rowCount(), 2);
    }

    void aSlidingWindowRechecksOnlyTheRowsItShows()
    {
        // The board slides its Done window every minute over 100k tasks: a later cutoff can only
        // hide rows, so only the shown (and held) ones are re-checked; an earlier one looks at all.
        class CountingProxy : public HiveFilterProxy
        {
        public:
            mutable int checks = 0;

        protected:
            bool filterAcceptsRow(int sourceRow) const override
            {
                ++checks;
                return HiveFilterProxy::filterAcceptsRow(sourceRow);
            }
        };
        HiveModels models;
        CountingProxy proxy;
        proxy.setSourceModel(models.tasks());
        proxy.sort(TaskModel::Updated, Qt::DescendingOrder);
        attachTester(&proxy);
        QString rows;
        for (int day = 1; day <= 20; ++day)
            rows += QStringLiteral("+ t%1 id=t%1 title='T%1' status=done project_id=p1 version=#1 "
                                   "updated_at='2025-12-%2 10:00:00+00' deleted_at=null "
                                   "archived_at=null\n")
                        .arg(day)
                        .arg(day, 2, 10, QLatin1Char('0'));
        models.applyBatch(BatchText(QStringLiteral("shared_tasks")).batch(rows));
        auto at = [](int day) {
            return QDateTime(QDate(2025, 12, day), QTime(0, 0), Qt::UTC);
        };
        proxy.setNotBefore(TaskModel::Updated, at(15));
        QCOMPARE(proxy.rowCount(), 6); // the 15th … the 20th
        proxy.checks = 0;
        proxy.setNotBefore(TaskModel::Updated, at(18));
        QCOMPARE(proxy.rowCount(), 3);
        QCOMPARE(proxy.checks, 6);
        QCOMPARE(proxy.index(2, TaskModel::Title).data().toString(), QStringLiteral("T18"));
        // A held row that falls out of the window is no longer waiting to be shown.
        proxy.setHold(true);
        models.applyBatch(BatchText(QStringLiteral("shared_tasks"))
                              .batch("+ t21 id=t21 title='T21' status=done project_id=p1 "
                                     "version=#1 updated_at='2025-12-19 12:00:00+00' "
                                     "deleted_at=null archived_at=null\n"));
        QCOMPARE(proxy.heldCount(), 1);
        proxy.setNotBefore(TaskModel::Updated, at(20));
        QCOMPARE(proxy.heldCount(), 0);
        QCOMPARE(proxy.rowCount(), 1);
        proxy.setHold(false);
        QCOMPARE(proxy.rowCount(), 1);
        // Widening brings back what the narrowing hid, in order.
        proxy.setNotBefore(TaskModel::Updated, at(19));
        QCOMPARE(proxy.rowCount(), 3);
        QCOMPARE(proxy.index(1, TaskModel::Title).data().toString(), QStringLiteral("T21"));
    }

    void progressEventsFormATimelinePerAssignment()
    {
        ProgressEventModel events;
        attachTester(&events);
        BatchText text(QStringLiteral("node_task_progress_events"));
        events.applyBatch(text.batch(
            "+ e1 id=#1 assignment_id=a1 event_type=agentstarted message='Starting' "
            "timestamp='2025-12-25 10:00:00+00'\n"
            "+ e3 id=#3 assignment_id=a1 event_type=pullrequestcreated message='PR #12' "
            "timestamp='2025-12-25 10:20:00+00' metadata={\"url\":\"http://127.0.0.1/pr/12\"}\n"
            "+ e2 id=#2 assignment_id=a1 event_type=branch_created message='hw/fix' "
            "timestamp='2025-12-25 10:05:00+00'\n"
            "+ e4 id=#4 assignment_id=a2 event_type=teleported message=null timestamp='2025-12-25 "
            "10:01:00+00'\n"));
        HiveFilterProxy timeline;
        attachTester(&timeline);
        timeline.setSourceModel(&events);
        timeline.setForeignIdFilter({"a1"});
        timeline.sort(ProgressEventModel::Time);
        QCOMPARE(modelText(&timeline,
                           {ProgressEventModel::Time, ProgressEventModel::Type,
                            ProgressEventModel::Message}),
                 QStringList({"2025-12-25 10:00:00 | Agent started | Starting",
                              "2025-12-25 10:05:00 | Branch created | hw/fix",
                              "2025-12-25 10:20:00 | Pull request created | PR #12"}));
        QVERIFY(timeline.index(2, 0).data(Qt::ToolTipRole).toString().contains("pr/12"));
        timeline.setForeignIdFilter({"a2"});
        QCOMPARE(modelText(&timeline, {ProgressEventModel::Type}),
                 QStringList({"unknown: teleported"}));
        timeline.setForeignIdFilter({});
        QCOMPARE(timeline.rowCount(), 0);
        events.applyBatch(text.batch("- e4\n"));
        QCOMPARE(events.rowCount(), 3);
    }

    void parsesPostgresTimestampsInEveryOffsetForm()
    {
        auto utc = [](const char *text) {
            return HiveValues::timestamp(QString::fromLatin1(text))
                .toDateTime()
                .toString(Qt::ISODateWithMs);
        };
        QCOMPARE(utc("2025-12-25 10:00:00+00"), QStringLiteral("2025-12-25T10:00:00.000Z"));
        QCOMPARE(utc("2025-12-25 10:00:00.123456+00"), QStringLiteral("2025-12-25T10:00:00.123Z"));
        QCOMPARE(utc("2025-12-25 10:00:00.5+05:30"), QStringLiteral("2025-12-25T04:30:00.500Z"));
        QCOMPARE(utc("2025-12-25 01:00:00-03"), QStringLiteral("2025-12-25T04:00:00.000Z"));
        QCOMPARE(utc("2025-12-25T10:00:00Z"), QStringLiteral("2025-12-25T10:00:00.000Z"));
        QVERIFY(HiveValues::timestamp(QStringLiteral("2025-13-25 10:00:00+00")).isNull());
        QVERIFY(HiveValues::timestamp(QStringLiteral("infinity")).isNull());
        QVERIFY(HiveValues::timestamp(QStringLiteral("2025-12-25 10:00:00+00 junk")).isNull());
        QVERIFY(HiveValues::timestamp(QVariant()).isNull());
    }

    // Random batches of inserts, updates and deletes (several per key, in one batch) against a
    // plain map as the reference, with the tester checking every signal on the way.
    void randomBatchesKeepModelEqualToReference()
    {
        TaskModel model;
        attachTester(&model);
        HiveFilterProxy proxy;
        proxy.setSourceModel(&model);
        proxy.sort(TaskModel::Title);
        attachTester(&proxy);
        QRandomGenerator random(42);
        QMap<QString, QString> reference; // key -> title
        int serial = 0;
        for (int round = 0; round < 200; ++round) {
            ShapeBatch batch;
            batch.shapeName = "shared_tasks";
            batch.reset = round % 50 == 49;
            if (batch.reset)
                reference.clear();
            const int changes = random.bounded(1, 30);
            for (int i = 0; i < changes; ++i) {
                RowChange change;
                const int op = random.bounded(3);
                if (op == 0 || reference.isEmpty()) {
                    // Mostly Electric's key form (found by the id), some keys of another form.
                    const int n = serial++;
                    change.key = n % 3 == 0
                        ? QStringLiteral("k%1").arg(n)
                        : QStringLiteral(R"("public"."shared_tasks"/"k%1")").arg(n);
                    change.operation = RowChange::Operation::Insert;
                } else {
                    change.key = reference.keys().at(random.bounded(int(reference.size())));
                    change.operation
                        = op == 1 ? RowChange::Operation::Update : RowChange::Operation::Delete;
                }
                const QString title = QStringLiteral("title %1").arg(random.bounded(1000));
                const QString id = change.key.section(QLatin1Char('"'), -2, -2);
                change.value = {
                    {"id", id.isEmpty() ? change.key : id}, {"title", title}, {"status", "todo"}};
                if (change.operation == RowChange::Operation::Delete)
                    reference.remove(change.key);
                else
                    reference.insert(change.key, title);
                batch.changes.append(change);
            }
            model.applyBatch(batch);
            QCOMPARE(model.rowCount(), reference.size());
            for (auto it = reference.cbegin(); it != reference.cend(); ++it) {
                const int row = model.rowForKey(it.key());
                QVERIFY(row >= 0);
                QCOMPARE(model.key(row), it.key());
                QCOMPARE(model.index(row, TaskModel::Title).data().toString(), it.value());
            }
            QCOMPARE(model.statusCounts().value("todo"), reference.size());
        }
    }
};

QTEST_GUILESS_MAIN(TestHiveModels)
#include "tst_hivemodels.moc"
