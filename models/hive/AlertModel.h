#pragma once

#include "models/hive/AlertRules.h"
#include "models/hive/BlockList.h"
#include "models/hive/MonitorSettings.h"
#include "models/hive/StderrShareCounter.h"
#include "models/hive/Throttle.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QFutureWatcher>

#include <functional>

namespace hivewatch {

class AssignmentModel;
class FleetSummary;
class NodeModel;
class TaskModel;

// Open alerts, the rules of AlertRules evaluated on the live models (stale nodes as FleetSummary
// found them; stderr counts from setStderrTallies, e.g. a StderrShareCounter; when tasks entered
// their status from setLastStatusChanges, e.g. HistorySource). An alert is raised once, keeps its
// raised time while the condition holds and is removed when it ends. Newest first.
class AlertModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Raised, Rule, Subject, ColumnCount };
    using SubjectKind = AlertRules::SubjectKind;
    enum Role {
        SubjectIdRole = Qt::UserRole + 40, // the id of the row the alert is about
        SubjectKindRole, // int(SubjectKind)
        RuleRole, // int(MonitorSettings::Rule)
    };
    using Alert = AlertRules::Alert;

    AlertModel(const NodeModel *nodes, const AssignmentModel *assignments, const TaskModel *tasks,
               const FleetSummary *fleet, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    const Alert &alert(int row) const { return m_alerts.at(row); }
    int rowOf(MonitorSettings::Rule rule, const QString &subjectId) const;
    void setSettings(const MonitorSettings &settings);
    const MonitorSettings &settings() const { return m_settings; }
    // The clock is injectable so tests can move time (raised times, stuck tasks).
    void setClock(std::function<QDateTime()> clock);
    // Line counts by execution (= assignment) id; the rule looks only at active assignments.
    void setStderrTallies(const QHash<QString, StderrTally> &tallies);
    // The stderr-share rule on one count: above the share, at or over the minimum line count.
    static bool stderrShareAlerts(const StderrTally &tally, const MonitorSettings &settings);
    // By task id: its last status change in the history (the stuck rule's clock; a task without
    // one is judged by updated_at).
    void setLastStatusChanges(const QHash<QString, AlertRules::StatusChange> &changes);
    // The tasks the last evaluation found in a status they can be stuck in: whose last status
    // changes to ask the history for.
    const QStringList &stuckCandidateIds() const { return m_stuckCandidates; }
    // Evaluates the rules now, on this thread (tests, screenshots). Otherwise they run on a pool
    // thread shortly after the models change: over 100k tasks and 50k assignments one
    // evaluation took 80-170 ms, once a second, which the GUI thread cannot spare.
    void evaluate();

    // A task row as the rules see it, kept for every task (the rules' pass filters them).
    struct TaskFact
    {
        AlertRules::Task task;
        bool hidden = false;
    };
    // What one evaluation reads: copies of the rows (shared, not deep), so it can run anywhere.
    struct Input
    {
        quint64 generation = 0;
        QDateTime now;
        MonitorSettings settings;
        QList<AlertRules::Node> staleNodes;
        QHash<QString, QString> nodeNames;
        BlockList<AlertRules::Assignment> assignments;
        BlockList<TaskFact> tasks;
        QHash<QString, StderrTally> stderrTallies;
        QHash<QString, AlertRules::StatusChange> lastStatusChange;
    };
    struct Result
    {
        quint64 generation = 0;
        QList<Alert> alerts;
        QStringList stuckCandidates;
    };
    static Result run(const Input &input);

signals:
    void alertRaised(const hivewatch::AlertModel::Alert &alert);
    void openCountChanged(int count);

private:
    void schedule();
    void evaluateInBackground();
    void backgroundFinished();
    Input input();
    void apply(const Result &result);
    // The rows are copied as the models announce them (a batch's rows, not the table); a
    // removal copies them all again at the next evaluation.
    void watchRows();
    void copyAssignments(int first, int last);
    void copyTasks(int first, int last);
    void copyRows(); // of the models whose copy is out of step

    const NodeModel *m_nodes;
    const AssignmentModel *m_assignments;
    const TaskModel *m_tasks;
    const FleetSummary *m_fleet;
    MonitorSettings m_settings;
    std::function<QDateTime()> m_clock;
    QHash<QString, StderrTally> m_stderrTallies;
    QHash<QString, AlertRules::StatusChange> m_lastStatusChange;
    QStringList m_stuckCandidates; // of the last evaluation applied
    QList<Alert> m_alerts;
    Throttle m_throttle;
    bool m_assignmentsDirty = true;
    bool m_tasksDirty = true;
    BlockList<AlertRules::Assignment> m_assignmentFacts; // by assignment row
    BlockList<TaskFact> m_taskFacts; // by task row
    QFutureWatcher<Result> m_watcher;
    bool m_running = false;
    bool m_again = false;
    quint64 m_generation = 0;
    quint64 m_appliedGeneration = 0;
};

} // namespace hivewatch
