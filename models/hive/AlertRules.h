#pragma once

#include "models/hive/MonitorSettings.h"
#include "models/hive/StderrShareCounter.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace hivewatch {

// The alert rules, once, on plain facts (Qt Core only): the Overview's AlertModel feeds them from
// the live models, `hivectl alerts` from a store's rows and history, so both raise the same
// alerts with the same words.
//   - a node stale (nodeIsStale) while it holds active assignments (completed_at null);
//   - a task's latest assignment failed, not retried since, the task not done or cancelled;
//   - a task in progress or in review for longer than stuckAfterMinutes in that status: since its
//     last recorded status change, or since updated_at when the history has none for it;
//   - an active assignment whose execution wrote more than stderrSharePercent of at least
//     stderrMinLines lines to stderr.
// Past kAlertsPerRule subjects a rule raises one summary alert (no subject) instead.
class AlertRules
{
public:
    enum class SubjectKind { Node, Assignment, Task };
    struct Alert
    {
        MonitorSettings::Rule rule = MonitorSettings::Rule::StaleNodeWithWork;
        SubjectKind kind = SubjectKind::Node;
        QString subjectId; // empty: a summary of many
        QDateTime raisedAt;
        QString text; // "alpha: no heartbeat for 75 s, 2 active assignments"
    };
    struct Node
    {
        QString id;
        QString name;
        QDateTime heartbeat; // invalid: never
        bool stale = false; // nodeIsStale, by the caller's clock and threshold
    };
    struct Assignment
    {
        QString id;
        QString taskId;
        QString nodeId;
        QString status; // execution_status as sent
        QDateTime assignedAt;
        QDateTime completedAt; // invalid: active
    };
    struct Task
    {
        QString id;
        QString title;
        QString status;
        QDateTime updatedAt;
    };
    // A task's last status change in the history: the status it set and when.
    struct StatusChange
    {
        QString status;
        qint64 atMs = 0;
    };
    struct Facts
    {
        QList<Node> nodes;
        QList<Assignment> assignments;
        // Every task that mayBeStuck (others may be left out: the stuck rule skips them).
        QList<Task> tasks;
        // Any task's status (the failed rule skips closed tasks); empty when unknown.
        std::function<QString(const QString &taskId)> taskStatus;
        // How an assignment is named in a text ("Fix login on alpha"); the id when unset.
        std::function<QString(const QString &assignmentId)> describeAssignment;
        // Stderr counts by execution (= assignment) id, without braces.
        QHash<QString, StderrTally> stderrTallies;
        // By task id, from the history; a task without one falls back to its updated_at.
        QHash<QString, StatusChange> lastStatusChange;
    };

    static constexpr qsizetype kAlertsPerRule = 100;

    static QList<Alert> evaluate(const Facts &facts, const MonitorSettings &settings,
                                 const QDateTime &now);

    // Online or busy and no heartbeat for more than staleAfterSeconds (or none ever).
    static bool nodeIsStale(const QString &status, const QDateTime &heartbeat, const QDateTime &now,
                            int staleAfterSeconds);
    // Online or busy: the statuses in which a silent node is stale.
    static bool mayGoStale(const QString &status);
    // In progress or in review: the statuses a task can be stuck in.
    static bool mayBeStuck(const QString &status);
    static bool stderrShareAlerts(const StderrTally &tally, const MonitorSettings &settings);
    // When the task entered its current status, and whether the history said so (false: its
    // updated_at, the history has no status change for it or one that disagrees).
    static std::pair<QDateTime, bool> statusSince(const Task &task, const Facts &facts);
};

} // namespace hivewatch
