#include "models/hive/AlertRules.h"

#include "domain/StatusVocabularies.h"
#include "models/hive/HiveValues.h"

#include <QCoreApplication>
#include <QTimeZone>
#include <QUuid>

namespace hivewatch {

namespace {
QString tr(const char *text, int n = -1)
{
    return QCoreApplication::translate("AlertRules", text, nullptr, n);
}
} // namespace

bool AlertRules::nodeIsStale(const QString &status, const QDateTime &heartbeat,
                             const QDateTime &now, int staleAfterSeconds)
{
    if (!mayGoStale(status))
        return false;
    // In milliseconds: whole seconds would let a node look fresh for up to a second too long.
    return !heartbeat.isValid() || heartbeat.msecsTo(now) > qint64(staleAfterSeconds) * 1000;
}

bool AlertRules::mayGoStale(const QString &status)
{
    const QString canonical = HiveValues::nodeStatus(status).canonical;
    return canonical == QLatin1String("online") || canonical == QLatin1String("busy");
}

bool AlertRules::mayBeStuck(const QString &status)
{
    const auto parsed = TaskStatusValue::parse(status);
    return parsed == TaskStatus::InProgress || parsed == TaskStatus::InReview;
}

bool AlertRules::stderrShareAlerts(const StderrTally &tally, const MonitorSettings &settings)
{
    // Integer arithmetic: exactly at the threshold is not above it, whatever the rounding.
    return tally.lines >= settings.stderrMinLines
        && tally.stderrLines * 100 > qint64(settings.stderrSharePercent) * tally.lines;
}

std::pair<QDateTime, bool> AlertRules::statusSince(const Task &task, const Facts &facts)
{
    // A recorded change to another status than the row's (history pruned, or not recorded while
    // Hivewatch was closed) says nothing about the current one: updated_at is all there is.
    const auto change = facts.lastStatusChange.constFind(task.id);
    if (change != facts.lastStatusChange.cend()
        && TaskStatusValue::parse(change->status) == TaskStatusValue::parse(task.status))
        return {QDateTime::fromMSecsSinceEpoch(change->atMs, QTimeZone::utc()), true};
    return {task.updatedAt, false};
}

QList<AlertRules::Alert> AlertRules::evaluate(const Facts &facts, const MonitorSettings &settings,
                                              const QDateTime &now)
{
    using Rule = MonitorSettings::Rule;
    const auto describe = [&](const QString &id) {
        return facts.describeAssignment ? facts.describeAssignment(id) : id;
    };
    QList<Alert> alerts;

    QHash<QString, int> activeByNode;
    for (const Assignment &assignment : facts.assignments) {
        if (!assignment.completedAt.isValid())
            ++activeByNode[assignment.nodeId];
    }
    for (const Node &node : facts.nodes) {
        const int active = activeByNode.value(node.id);
        if (!node.stale || active == 0)
            continue;
        const QString silent = node.heartbeat.isValid()
            ? tr("no heartbeat for %1").arg(HiveValues::displayAge(node.heartbeat.secsTo(now)))
            : tr("no heartbeat ever");
        alerts.append({Rule::StaleNodeWithWork, SubjectKind::Node, node.id, now,
                       tr("%1: %2, %n active assignment(s)", active).arg(node.name, silent)});
    }

    // A failed assignment matters until its task is assigned again (retried) or goes away.
    QHash<QString, const Assignment *> newestByTask;
    for (const Assignment &assignment : facts.assignments) {
        const auto it = newestByTask.find(assignment.taskId);
        if (it == newestByTask.end())
            newestByTask.insert(assignment.taskId, &assignment);
        else if (assignment.assignedAt > (*it)->assignedAt)
            *it = &assignment;
    }
    QList<const Assignment *> failed;
    for (auto it = newestByTask.cbegin(); it != newestByTask.cend(); ++it) {
        if (AssignmentStatusValue::parse((*it)->status) != AssignmentStatus::Failed)
            continue;
        // A task since closed by hand (done, cancelled) needs nothing more from anyone.
        if (facts.taskStatus) {
            const auto taskStatus = TaskStatusValue::parse(facts.taskStatus(it.key()));
            if (taskStatus == TaskStatus::Done || taskStatus == TaskStatus::Cancelled)
                continue;
        }
        failed.append(*it);
    }
    if (failed.size() > kAlertsPerRule) {
        alerts.append({Rule::AssignmentFailed, SubjectKind::Assignment, QString(), now,
                       tr("%n failed assignment(s) whose task was neither retried nor closed",
                          int(failed.size()))});
        failed.clear();
    }
    for (const Assignment *assignment : std::as_const(failed)) {
        alerts.append({Rule::AssignmentFailed, SubjectKind::Assignment, assignment->id, now,
                       assignment->completedAt.isValid()
                           ? tr("%1 failed at %2")
                                 .arg(describe(assignment->id),
                                      HiveValues::displayTime(assignment->completedAt))
                           : tr("%1 failed").arg(describe(assignment->id))});
    }

    const qint64 stuckSeconds = qint64(settings.stuckAfterMinutes) * 60;
    struct Stuck
    {
        const Task *task;
        QDateTime since;
        bool fromHistory;
    };
    QList<Stuck> stuck;
    for (const Task &task : facts.tasks) {
        if (!mayBeStuck(task.status))
            continue;
        const auto [since, fromHistory] = statusSince(task, facts);
        if (!since.isValid() || since.secsTo(now) <= stuckSeconds)
            continue;
        stuck.append({&task, since, fromHistory});
    }
    if (stuck.size() > kAlertsPerRule) {
        alerts.append(
            {Rule::TaskStuck, SubjectKind::Task, QString(), now,
             tr("%n task(s) in progress or in review for over %1 in that status", int(stuck.size()))
                 .arg(HiveValues::displayAge(stuckSeconds))});
        stuck.clear();
    }
    for (const Stuck &s : std::as_const(stuck)) {
        const QString status = TaskStatusValue::parse(s.task->status).displayText();
        const QString age = HiveValues::displayAge(s.since.secsTo(now));
        alerts.append({Rule::TaskStuck, SubjectKind::Task, s.task->id, now,
                       s.fromHistory
                           ? tr("%1: %2 for %3 (since its last status change)")
                                 .arg(s.task->title, status, age)
                           : tr("%1: %2 for %3 without a change (updated_at; no status change "
                                "recorded)")
                                 .arg(s.task->title, status, age)});
    }

    // Only running executions: a finished one's share is history, its alert clears as it ends.
    for (const Assignment &assignment : facts.assignments) {
        if (assignment.completedAt.isValid())
            continue;
        const auto tally
            = facts.stderrTallies.constFind(QUuid(assignment.id).toString(QUuid::WithoutBraces));
        if (tally == facts.stderrTallies.cend() || !stderrShareAlerts(*tally, settings))
            continue;
        alerts.append({Rule::StderrShare, SubjectKind::Assignment, assignment.id, now,
                       tr("%1: %2 % of %3 lines on stderr")
                           .arg(describe(assignment.id))
                           .arg(tally->stderrLines * 100 / tally->lines)
                           .arg(tally->lines)});
    }
    return alerts;
}

} // namespace hivewatch
