// FleetSummary, AlertModel and MonitorSettings on the real hive models, fed with shape batches.
// The clock is moved by hand; the end-to-end test (tests/e2e/tst_dashboard_overview) does the
// same with real heartbeats through Postgres.
#include "models/hive/AlertModel.h"
#include "models/hive/AssignmentModel.h"
#include "models/hive/FleetSummary.h"
#include "models/hive/HiveModels.h"
#include "models/hive/MonitorSettings.h"
#include "models/hive/NodeModel.h"
#include "models/hive/StderrShareCounter.h"
#include "models/hive/TaskModel.h"
#include "sync/store/LogStore.h"
#include "tests/models/BatchText.h"

#include <QAbstractItemModelTester>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

class TestHiveAlerts : public QObject
{
    Q_OBJECT

private slots:
    void capacityCountsReportedAssumedAndUnusableValues()
    {
        HiveModels models;
        QDateTime now = QDateTime::fromString("2025-12-25T10:01:00Z", Qt::ISODate);
        models.nodes()->setClock([&now] { return now; });
        FleetSummary fleet(models.nodes(), models.assignments(), models.tasks());
        BatchText nodes("nodes");
        models.nodes()->applyBatch(nodes.batch(
            "+ n1 id=n1 name=two status=online last_heartbeat_at='2025-12-25 10:00:50+00' "
            "capabilities={\"max_concurrent_tasks\":2}\n"
            "+ n2 id=n2 name=none status=busy last_heartbeat_at='2025-12-25 10:00:50+00' "
            "capabilities={}\n"
            "+ n3 id=n3 name=text status=online last_heartbeat_at='2025-12-25 10:00:50+00' "
            "capabilities={\"max_concurrent_tasks\":\"2\"}\n"
            "+ n4 id=n4 name=half status=draining last_heartbeat_at='2025-12-25 10:00:50+00' "
            "capabilities={\"max_concurrent_tasks\":2.5}\n"
            "+ n5 id=n5 name=zero status=online last_heartbeat_at='2025-12-25 10:00:50+00' "
            "capabilities={\"max_concurrent_tasks\":0}\n"
            "+ n6 id=n6 name=gone status=offline capabilities={\"max_concurrent_tasks\":4}\n"
            "+ n7 id=n7 name=old status=online last_heartbeat_at='2025-12-25 09:00:00+00' "
            "capabilities={\"max_concurrent_tasks\":3}\n"
            "+ n8 id=n8 name=new status=pending capabilities={}\n"));
        BatchText assignments("node_task_assignments");
        models.assignments()->applyBatch(assignments.batch(
            "+ a1 id=a1 task_id=t1 node_id=n1 execution_status=running completed_at=null\n"
            "+ a2 id=a2 task_id=t2 node_id=n7 execution_status=running completed_at=null\n"
            "+ a3 id=a3 task_id=t3 node_id=n7 execution_status=completed "
            "completed_at='2025-12-25 09:30:00+00'\n"));
        fleet.refresh();
        const FleetSummary::Counts &c = fleet.counts();
        QCOMPARE(c.online, 3); // two, text, zero
        QCOMPARE(c.busy, 1);
        QCOMPARE(c.draining, 1);
        QCOMPARE(c.stale, 1); // old: an hour without a heartbeat
        QCOMPARE(c.offline, 1);
        QCOMPARE(c.other, 1); // pending
        QCOMPARE(c.capacityTotal, 3); // 2 reported + 1 assumed; text, 2.5 and 0 are not counted
        QCOMPARE(c.capacityUsed, 1); // a2 is on the stale node, a3 is done
        QCOMPARE(c.capacityAssumed, 1);
        QStringList invalid = c.capacityInvalid;
        invalid.sort();
        QCOMPARE(invalid, QStringList({"half", "text", "zero"}));
        QCOMPARE(c.staleAssignments, 1);
        QCOMPARE(fleet.staleAssignmentIds(), QStringList({"a2"}));
        QCOMPARE(c.staleNodeIdsWithWork, QStringList({"n7"}));

        // A longer threshold makes the old node fresh again, everywhere.
        models.nodes()->setStaleAfterSeconds(2 * 3600);
        fleet.refresh();
        QCOMPARE(fleet.counts().stale, 0);
        QCOMPARE(fleet.counts().online, 4);
        QCOMPARE(fleet.counts().staleAssignments, 0);
        QVERIFY(fleet.staleAssignmentIds().isEmpty());
    }

    void alertsAreRaisedOnceAndClearWhenTheConditionEnds()
    {
        HiveModels models;
        QDateTime now = QDateTime::fromString("2025-12-25T10:01:00Z", Qt::ISODate);
        models.nodes()->setClock([&now] { return now; });
        FleetSummary fleet(models.nodes(), models.assignments(), models.tasks());
        AlertModel alerts(models.nodes(), models.assignments(), models.tasks(), &fleet);
        alerts.setClock([&now] { return now; });
        new QAbstractItemModelTester(
            &alerts, QAbstractItemModelTester::FailureReportingMode::QtTest, &alerts);
        QSignalSpy raised(&alerts, &AlertModel::alertRaised);
        BatchText nodes("nodes");
        BatchText tasks("shared_tasks");
        BatchText assignments("node_task_assignments");
        models.nodes()->applyBatch(nodes.batch("+ n1 id=n1 name=alpha status=online "
                                               "last_heartbeat_at='2025-12-25 10:00:50+00'\n"));
        models.tasks()->applyBatch(tasks.batch(
            "+ t1 id=t1 title='Fix login' status=in-progress updated_at='2025-12-25 09:55:00+00'\n"
            "+ t2 id=t2 title='Old work' status=in-review updated_at='2025-12-25 06:00:00+00'\n"
            "+ t3 id=t3 title='Backlog' status=todo updated_at='2025-12-01 06:00:00+00'\n"
            "+ t4 id=t4 title='Closed' status=done updated_at='2025-12-25 06:00:00+00'\n"));
        models.assignments()->applyBatch(assignments.batch(
            "+ a1 id=a1 task_id=t1 node_id=n1 execution_status=running "
            "assigned_at='2025-12-25 09:55:00+00' completed_at=null\n"
            "+ a0 id=a0 task_id=t2 node_id=n1 execution_status=failed "
            "assigned_at='2025-12-25 05:00:00+00' completed_at='2025-12-25 05:30:00+00'\n"
            "+ a4 id=a4 task_id=t4 node_id=n1 execution_status=failed "
            "assigned_at='2025-12-25 05:00:00+00' completed_at='2025-12-25 05:30:00+00'\n"));
        fleet.refresh();
        alerts.evaluate();
        using Rule = MonitorSettings::Rule;
        QCOMPARE(alerts.rowCount(), 2);
        QVERIFY(alerts.rowOf(Rule::AssignmentFailed, "a0") >= 0);
        QVERIFY(alerts.rowOf(Rule::TaskStuck, "t2") >= 0); // 4 h in review > 120 min
        QCOMPARE(alerts.rowOf(Rule::TaskStuck, "t3"), -1); // to do is not a stuck status
        QCOMPARE(alerts.rowOf(Rule::AssignmentFailed, "a4"), -1); // its task was closed since

        // alpha goes silent for more than the threshold while holding a1.
        now = now.addSecs(61);
        models.nodes()->refreshClock();
        fleet.refresh();
        alerts.evaluate();
        const int row = alerts.rowOf(Rule::StaleNodeWithWork, "n1");
        QVERIFY(row >= 0);
        QCOMPARE(alerts.index(row, AlertModel::Subject).data().toString(),
                 QStringLiteral("alpha: no heartbeat for 71 s, 1 active assignment(s)"));
        QCOMPARE(alerts.index(row, 0).data(AlertModel::SubjectIdRole).toString(),
                 QStringLiteral("n1"));
        const QDateTime raisedAt = alerts.alert(row).raisedAt;
        QCOMPARE(raised.count(), 3);

        // Still stale a little later: the same alert, its raised time kept, no new signal.
        now = now.addSecs(5);
        models.nodes()->refreshClock();
        fleet.refresh();
        alerts.evaluate();
        QCOMPARE(alerts.alert(alerts.rowOf(Rule::StaleNodeWithWork, "n1")).raisedAt, raisedAt);
        QCOMPARE(raised.count(), 3);

        // A heartbeat, a retry of t2 and a change to t2: every alert clears.
        models.nodes()->applyBatch(
            nodes.batch("~ n1 last_heartbeat_at='2025-12-25 10:02:05+00'\n"));
        models.assignments()->applyBatch(
            assignments.batch("+ a2 id=a2 task_id=t2 node_id=n1 execution_status=pending "
                              "assigned_at='2025-12-25 10:02:00+00' completed_at=null\n"));
        models.tasks()->applyBatch(tasks.batch("~ t2 updated_at='2025-12-25 10:02:00+00'\n"));
        fleet.refresh();
        alerts.evaluate();
        QCOMPARE(alerts.rowCount(), 0);
    }

    void aRuleWithMoreSubjectsThanAListIsWorthIsOneSummary()
    {
        HiveModels models;
        const QDateTime now = QDateTime::fromString("2025-12-25T10:01:00Z", Qt::ISODate);
        models.nodes()->setClock([now] { return now; });
        FleetSummary fleet(models.nodes(), models.assignments(), models.tasks());
        AlertModel alerts(models.nodes(), models.assignments(), models.tasks(), &fleet);
        alerts.setClock([now] { return now; });
        BatchText tasks("shared_tasks");
        auto stuck = [](int from, int to) {
            QString text;
            for (int i = from; i < to; ++i)
                text += QStringLiteral("+ s%1 id=s%1 title='Work %1' status=in-progress "
                                       "updated_at='2025-12-25 06:00:00+00'\n")
                            .arg(i);
            return text;
        };
        using Rule = MonitorSettings::Rule;
        // 100 stuck tasks: each its own alert, with its own link.
        models.tasks()->applyBatch(tasks.batch(stuck(0, 100)));
        fleet.refresh();
        alerts.evaluate();
        QCOMPARE(alerts.rowCount(), 100);
        QVERIFY(alerts.rowOf(Rule::TaskStuck, "s42") >= 0);
        // One more: a single alert that says how many, about the tasks at large (no subject).
        models.tasks()->applyBatch(tasks.batch(stuck(100, 101)));
        fleet.refresh();
        alerts.evaluate();
        QCOMPARE(alerts.rowCount(), 1);
        const int row = alerts.rowOf(Rule::TaskStuck, QString());
        QVERIFY(row >= 0);
        QVERIFY2(alerts.index(row, AlertModel::Subject).data().toString().startsWith("101 task"),
                 qPrintable(alerts.index(row, AlertModel::Subject).data().toString()));
        // Back under the limit: the single alerts return and the summary clears.
        models.tasks()->applyBatch(tasks.batch("~ s0 status=done\n"));
        fleet.refresh();
        alerts.evaluate();
        QCOMPARE(alerts.rowCount(), 100);
        QCOMPARE(alerts.rowOf(Rule::TaskStuck, QString()), -1);
    }

    // The row rules keep what they found between batches; the clock alone must still age tasks,
    // and every kind of batch (update, insert, delete, clear) must be seen.
    void rowRulesFollowTheClockAndEveryBatch()
    {
        HiveModels models;
        QDateTime now = QDateTime::fromString("2025-12-25T10:00:00Z", Qt::ISODate);
        models.nodes()->setClock([&now] { return now; });
        FleetSummary fleet(models.nodes(), models.assignments(), models.tasks());
        AlertModel alerts(models.nodes(), models.assignments(), models.tasks(), &fleet);
        alerts.setClock([&now] { return now; });
        BatchText tasks("shared_tasks");
        BatchText assignments("node_task_assignments");
        using Rule = MonitorSettings::Rule;
        models.tasks()->applyBatch(tasks.batch(
            "+ t1 id=t1 title='Fix login' status=in-progress updated_at='2025-12-25 09:00:00+00'\n"
            "+ t2 id=t2 title='Review' status=in-review updated_at='2025-12-25 09:30:00+00'\n"));
        fleet.refresh();
        alerts.evaluate();
        QCOMPARE(alerts.rowCount(), 0); // 60 and 30 min: under the default 120

        // Time passes, no batch: t1 is stuck at 120 min + 1 s, not at exactly 120 min.
        now = QDateTime::fromString("2025-12-25T11:00:00Z", Qt::ISODate);
        alerts.evaluate();
        QCOMPARE(alerts.rowCount(), 0);
        now = now.addSecs(1);
        alerts.evaluate();
        QVERIFY(alerts.rowOf(Rule::TaskStuck, "t1") >= 0);
        QCOMPARE(alerts.rowCount(), 1);

        // An update moves t1 on; an insert is stuck itself; deleting t1 shifts the rows under
        // it, and the alert still names its own task.
        models.tasks()->applyBatch(tasks.batch("~ t1 updated_at='2025-12-25 11:00:00+00'\n"));
        alerts.evaluate();
        QCOMPARE(alerts.rowCount(), 0);
        models.tasks()->applyBatch(tasks.batch(
            "+ t0 id=t0 title='Old' status=in-progress updated_at='2025-12-24 11:00:00+00'\n"));
        alerts.evaluate();
        QVERIFY(alerts.rowOf(Rule::TaskStuck, "t0") >= 0);
        models.tasks()->applyBatch(tasks.batch("- t1\n"));
        now = now.addSecs(60); // the text's age changes, so it is written again
        alerts.evaluate();
        QCOMPARE(alerts.rowCount(), 1);
        QCOMPARE(alerts.index(alerts.rowOf(Rule::TaskStuck, "t0"), AlertModel::Subject)
                     .data()
                     .toString()
                     .left(5),
                 QStringLiteral("Old: "));

        // A failed assignment arrives: raised; deleting its task's row does not hide it (the task
        // is unknown, not closed), deleting the assignment clears it.
        models.assignments()->applyBatch(
            assignments.batch("+ a1 id=a1 task_id=t2 node_id=n1 execution_status=failed "
                              "assigned_at='2025-12-25 11:00:00+00' "
                              "completed_at='2025-12-25 11:00:01+00'\n"));
        alerts.evaluate();
        QVERIFY(alerts.rowOf(Rule::AssignmentFailed, "a1") >= 0);
        models.assignments()->applyBatch(assignments.batch("- a1\n"));
        alerts.evaluate();
        QCOMPARE(alerts.rowOf(Rule::AssignmentFailed, "a1"), -1);

        // A clear empties every rule that reads rows.
        models.tasks()->clear();
        alerts.evaluate();
        QCOMPARE(alerts.rowCount(), 0);
    }

    // Without evaluate(), the timer runs the rules on a pool thread over copies of the rows the
    // model keeps as batches come (in blocks of 4,096): they must raise and clear what
    // evaluate() does, for rows in any block, after inserts, updates and a clear.
    void theTimersEvaluationOffTheGuiThreadFollowsEveryBatch()
    {
        HiveModels models;
        const QDateTime now = QDateTime::fromString("2025-12-25T10:00:00Z", Qt::ISODate);
        models.nodes()->setClock([now] { return now; });
        FleetSummary fleet(models.nodes(), models.assignments(), models.tasks());
        AlertModel alerts(models.nodes(), models.assignments(), models.tasks(), &fleet);
        alerts.setClock([now] { return now; });
        BatchText tasks("shared_tasks");
        BatchText assignments("node_task_assignments");
        using Rule = MonitorSettings::Rule;
        QString first;
        QString second;
        for (int i = 0; i < 9000; ++i)
            (i < 3000 ? first : second)
                += QStringLiteral("+ t%1 id=t%1 title='Task %1' status=todo "
                                  "updated_at='2025-12-25 09:00:00+00'\n")
                       .arg(i);
        models.tasks()->applyBatch(tasks.batch(first));
        models.tasks()->applyBatch(tasks.batch(second));

        // Rows in the third block (8,500) and the first (10) move on; only the long one sticks.
        models.tasks()->applyBatch(
            tasks.batch("~ t8500 status=in-progress updated_at='2025-12-25 06:00:00+00'\n"
                        "~ t10 status=in-review updated_at='2025-12-25 09:59:00+00'\n"));
        QTRY_VERIFY_WITH_TIMEOUT(alerts.rowOf(Rule::TaskStuck, "t8500") >= 0, 5000);
        QCOMPARE(alerts.rowCount(), 1);
        QCOMPARE(alerts.alert(0).text,
                 QStringLiteral("Task 8500: In progress for 4 h without a change (updated_at; no "
                                "status change recorded)"));
        QStringList candidates = alerts.stuckCandidateIds();
        candidates.sort();
        QCOMPARE(candidates, QStringList({"t10", "t8500"}));

        // A failed assignment is named from the copies: its task's title and the node's id.
        models.assignments()->applyBatch(
            assignments.batch("+ a1 id=a1 task_id=t8999 node_id=n1 execution_status=failed "
                              "assigned_at='2025-12-25 09:00:00+00' completed_at=null\n"));
        QTRY_VERIFY_WITH_TIMEOUT(alerts.rowOf(Rule::AssignmentFailed, "a1") >= 0, 5000);
        QCOMPARE(alerts.alert(alerts.rowOf(Rule::AssignmentFailed, "a1")).text,
                 QStringLiteral("Task 8999 (n1) failed"));

        // Closing its task clears it; a clear of the tasks clears the stuck one, and a1 is back:
        // its task is unknown now, not closed.
        models.tasks()->applyBatch(tasks.batch("~ t8999 status=done\n"));
        QTRY_COMPARE_WITH_TIMEOUT(alerts.rowOf(Rule::AssignmentFailed, "a1"), -1, 5000);
        QCOMPARE(alerts.rowCount(), 1);
        models.tasks()->clear();
        QTRY_COMPARE_WITH_TIMEOUT(alerts.rowOf(Rule::TaskStuck, "t8500"), -1, 5000);
        QVERIFY(alerts.stuckCandidateIds().isEmpty());
        QCOMPARE(alerts.rowCount(), 1);
        QVERIFY(alerts.rowOf(Rule::AssignmentFailed, "a1") >= 0);
    }

    void aTaskIsStuckByTheTimeItEnteredItsStatus()
    {
        HiveModels models;
        const QDateTime now = QDateTime::fromString("2025-12-25T10:00:00Z", Qt::ISODate);
        models.nodes()->setClock([now] { return now; });
        FleetSummary fleet(models.nodes(), models.assignments(), models.tasks());
        AlertModel alerts(models.nodes(), models.assignments(), models.tasks(), &fleet);
        alerts.setClock([now] { return now; });
        BatchText tasks("shared_tasks");
        // t1 was edited (title) 10 minutes ago but has been in progress for 3 hours; t2 was
        // moved to review 30 minutes ago, after an old edit; t3's recorded change is to another
        // status than its row's (pruned or missed), t4 has no recorded change (a first snapshot).
        models.tasks()->applyBatch(tasks.batch(
            "+ t1 id=t1 title='Edited' status=in-progress updated_at='2025-12-25 09:50:00+00'\n"
            "+ t2 id=t2 title='Reviewed' status=in-review updated_at='2025-12-25 06:00:00+00'\n"
            "+ t3 id=t3 title='Other' status=in-review updated_at='2025-12-25 09:00:00+00'\n"
            "+ t4 id=t4 title='Snapshot' status=in-progress updated_at='2025-12-25 "
            "07:00:00+00'\n"));
        fleet.refresh();
        alerts.evaluate();
        using Rule = MonitorSettings::Rule;
        // Without any history: updated_at for all, and the text says so.
        QCOMPARE(alerts.rowOf(Rule::TaskStuck, "t1"), -1);
        QVERIFY(alerts.rowOf(Rule::TaskStuck, "t2") >= 0);
        QVERIFY(alerts.rowOf(Rule::TaskStuck, "t4") >= 0);
        QStringList candidates = alerts.stuckCandidateIds();
        candidates.sort();
        QCOMPARE(candidates, QStringList({"t1", "t2", "t3", "t4"}));

        const auto ms = [](const char *iso) {
            return QDateTime::fromString(iso, Qt::ISODate).toMSecsSinceEpoch();
        };
        alerts.setLastStatusChanges({{"t1", {"in-progress", ms("2025-12-25T07:00:00Z")}},
                                     {"t2", {"in-review", ms("2025-12-25T09:30:00Z")}},
                                     {"t3", {"in-progress", ms("2025-12-25T06:00:00Z")}}});
        alerts.evaluate();
        const int t1 = alerts.rowOf(Rule::TaskStuck, "t1");
        QVERIFY(t1 >= 0);
        QCOMPARE(alerts.alert(t1).text,
                 QStringLiteral("Edited: In progress for 3 h (since its last status change)"));
        QCOMPARE(alerts.rowOf(Rule::TaskStuck, "t2"), -1); // 30 min in review
        QCOMPARE(alerts.rowOf(Rule::TaskStuck, "t3"), -1); // updated_at: 1 h
        const int t4 = alerts.rowOf(Rule::TaskStuck, "t4");
        QVERIFY(t4 >= 0);
        QVERIFY2(alerts.alert(t4).text.contains("updated_at; no status change recorded"),
                 qPrintable(alerts.alert(t4).text));
    }

    void stderrShareRuleNeedsTheMinimumAndMoreThanTheThreshold()
    {
        MonitorSettings settings; // 20 %, at least 20 lines
        QVERIFY(!AlertModel::stderrShareAlerts({0, 0}, settings));
        QVERIFY(!AlertModel::stderrShareAlerts({19, 19}, settings)); // all stderr, too few lines
        QVERIFY(!AlertModel::stderrShareAlerts({20, 4}, settings)); // exactly 20 %: not above
        QVERIFY(AlertModel::stderrShareAlerts({20, 5}, settings));
        QVERIFY(!AlertModel::stderrShareAlerts({1000, 200}, settings));
        QVERIFY(AlertModel::stderrShareAlerts({1000, 201}, settings));
        settings.stderrMinLines = 1;
        settings.stderrSharePercent = 50;
        QVERIFY(!AlertModel::stderrShareAlerts({2, 1}, settings));
        QVERIFY(AlertModel::stderrShareAlerts({1, 1}, settings));
    }

    void stderrShareAlertFollowsTheRunningExecution()
    {
        HiveModels models;
        FleetSummary fleet(models.nodes(), models.assignments(), models.tasks());
        AlertModel alerts(models.nodes(), models.assignments(), models.tasks(), &fleet);
        new QAbstractItemModelTester(
            &alerts, QAbstractItemModelTester::FailureReportingMode::QtTest, &alerts);
        const QString running = "5a1f3c2e-0000-4000-8000-000000000001";
        const QString finished = "5a1f3c2e-0000-4000-8000-000000000002";
        BatchText tasks("shared_tasks");
        BatchText assignments("node_task_assignments");
        models.tasks()->applyBatch(tasks.batch("+ t1 id=t1 title='Build' status=in-progress "
                                               "updated_at='2025-12-25 09:55:00+00'\n"
                                               "+ t2 id=t2 title='Old' status=done "
                                               "updated_at='2025-12-25 09:55:00+00'\n"));
        models.assignments()->applyBatch(assignments.batch(
            "+ a1 id=" + running
            + " task_id=t1 node_id=n1 execution_status=running "
              "assigned_at='2025-12-25 09:55:00+00' completed_at=null\n"
              "+ a2 id="
            + finished
            + " task_id=t2 node_id=n1 execution_status=completed "
              "assigned_at='2025-12-25 09:00:00+00' completed_at='2025-12-25 09:30:00+00'\n"));
        using Rule = MonitorSettings::Rule;
        // t1 in progress since 2025 is also stuck: only this rule's alerts are counted.
        auto stderrAlerts = [&alerts] {
            int n = 0;
            for (int row = 0; row < alerts.rowCount(); ++row)
                n += alerts.alert(row).rule == Rule::StderrShare;
            return n;
        };
        // A finished execution full of stderr is history; the running one is exactly at 20 %.
        alerts.setStderrTallies({{running, {40, 8}}, {finished, {40, 40}}});
        alerts.evaluate();
        QCOMPARE(stderrAlerts(), 0);

        alerts.setStderrTallies({{running, {40, 9}}, {finished, {40, 40}}});
        alerts.evaluate();
        const int row = alerts.rowOf(Rule::StderrShare, running);
        QVERIFY(row >= 0);
        QCOMPARE(stderrAlerts(), 1);
        QCOMPARE(alerts.index(row, 0).data(AlertModel::SubjectKindRole).toInt(),
                 int(AlertModel::SubjectKind::Assignment));
        QVERIFY2(alerts.alert(row).text.contains("22 % of 40 lines"),
                 qPrintable(alerts.alert(row).text));

        // A stricter threshold elsewhere, then the share falls: the alert clears both times.
        MonitorSettings settings;
        settings.stderrSharePercent = 30;
        alerts.setSettings(settings);
        alerts.evaluate();
        QCOMPARE(stderrAlerts(), 0);
        alerts.setSettings(MonitorSettings());
        alerts.evaluate();
        QCOMPARE(stderrAlerts(), 1);
        alerts.setStderrTallies({{running, {100, 9}}});
        alerts.evaluate();
        QCOMPARE(stderrAlerts(), 0);

        // Raised again, then the execution ends: cleared with the tallies unchanged.
        alerts.setStderrTallies({{running, {100, 50}}});
        alerts.evaluate();
        QCOMPARE(stderrAlerts(), 1);
        models.assignments()->applyBatch(assignments.batch(
            "~ a1 execution_status=completed completed_at='2025-12-25 10:30:00+00'\n"));
        alerts.evaluate();
        QCOMPARE(stderrAlerts(), 0);
    }

    void stderrShareCounterCountsTheActiveExecutionsInTheStore()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath("store.sqlite");
        const QUuid running("5a1f3c2e-0000-4000-8000-000000000001");
        const QUuid finished("5a1f3c2e-0000-4000-8000-000000000002");
        auto store = LogStore::open(path, LogStore::Access::ReadWrite);
        QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
        auto append = [&](const QUuid &execution, const QString &type, int n) {
            QList<NewLogEntry> rows;
            for (int i = 0; i < n; ++i)
                rows.append({execution, type, QStringLiteral("line %1").arg(i), {}, {}});
            auto written = store.value()->append(rows);
            QVERIFY2(written, qPrintable(written ? QString() : written.error().toString()));
        };
        append(running, "stdout", 10);
        append(running, "stderr", 3);
        append(finished, "stderr", 7);

        HiveModels models;
        BatchText assignments("node_task_assignments");
        models.assignments()->applyBatch(assignments.batch(
            "+ a1 id=" + running.toString(QUuid::WithoutBraces)
            + " task_id=t1 node_id=n1 execution_status=running completed_at=null\n"
              "+ a2 id="
            + finished.toString(QUuid::WithoutBraces)
            + " task_id=t2 node_id=n1 execution_status=failed "
              "completed_at='2025-12-25 09:30:00+00'\n"));
        StderrShareCounter counter(models.assignments());
        counter.setInterval(0);
        counter.setStorePath(path);
        const QString key = running.toString(QUuid::WithoutBraces);
        QTRY_COMPARE_WITH_TIMEOUT(counter.tallies().value(key), (StderrTally {13, 3}), 10000);
        QCOMPARE(counter.tallies().size(), 1); // the finished execution is not counted

        // Later lines add to the running sums (read past the last counted id).
        append(running, "stderr", 5);
        append(running, "system", 2);
        counter.scheduleRefresh();
        QTRY_COMPARE_WITH_TIMEOUT(counter.tallies().value(key), (StderrTally {20, 8}), 10000);

        // Another store: the old counts go at once; the new store has none of these lines.
        counter.setStorePath(dir.filePath("empty.sqlite"));
        QVERIFY(counter.tallies().isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(counter.tallies().value(key), (StderrTally {}), 10000);
    }

    void settingsFallBackToDefaultsOnBadValues()
    {
        QTemporaryDir dir;
        QSettings settings(dir.filePath("s.ini"), QSettings::IniFormat);
        settings.setValue("monitor/staleAfterSeconds", "soon");
        settings.setValue("monitor/stuckAfterMinutes", -5);
        settings.setValue("monitor/stderrSharePercent", 100); // could never be exceeded
        settings.setValue("monitor/stderrMinLines", "many");
        settings.setValue("monitor/quietRules", QStringList({"task-stuck", "no-such-rule"}));
        const MonitorSettings loaded = MonitorSettings::load(settings);
        QCOMPARE(loaded.staleAfterSeconds, 60);
        QCOMPARE(loaded.stuckAfterMinutes, MonitorSettings::kDefaultStuckAfterMinutes);
        QCOMPARE(loaded.stderrSharePercent, MonitorSettings::kDefaultStderrSharePercent);
        QCOMPARE(loaded.stderrMinLines, MonitorSettings::kDefaultStderrMinLines);
        QVERIFY(!loaded.notifies(MonitorSettings::Rule::TaskStuck));
        QVERIFY(loaded.notifies(MonitorSettings::Rule::StaleNodeWithWork));

        MonitorSettings changed = loaded;
        changed.staleAfterSeconds = 15;
        changed.stderrSharePercent = 35;
        changed.stderrMinLines = 5;
        changed.quietRules.clear();
        changed.save(settings);
        QCOMPARE(MonitorSettings::load(settings), changed);
    }
};

QTEST_MAIN(TestHiveAlerts)
#include "tst_hivealerts.moc"
