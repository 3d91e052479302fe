#pragma once

#include "models/hive/AlertRules.h"
#include "models/hive/MonitorSettings.h"
#include "models/hive/StderrShareCounter.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QTimer>

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
    // Evaluates the rules now (tests, screenshots); otherwise shortly after the models change.
    void evaluate();

signals:
    void alertRaised(const hivewatch::AlertModel::Alert &alert);
    void openCountChanged(int count);

private:
    void schedule();
    void rowsChanged();
    QList<Alert> currentAlerts() const;
    // The models' rows as AlertRules' facts, copied again only after a batch changed them: the
    // node clock asks for an evaluation every second, and copying 100k tasks and 50k assignments
    // out of their QVariants each time held the GUI thread 80-300 ms a second through a sync.
    void copyRows() const;

    const NodeModel *m_nodes;
    const AssignmentModel *m_assignments;
    const TaskModel *m_tasks;
    const FleetSummary *m_fleet;
    MonitorSettings m_settings;
    std::function<QDateTime()> m_clock;
    QHash<QString, StderrTally> m_stderrTallies;
    QHash<QString, AlertRules::StatusChange> m_lastStatusChange;
    mutable QStringList m_stuckCandidates; // kept by currentAlerts()
    QList<Alert> m_alerts;
    QTimer m_timer;
    mutable bool m_rowsDirty = true;
    mutable QList<AlertRules::Assignment> m_assignmentFacts;
    mutable QList<AlertRules::Task> m_taskFacts;
};

} // namespace hivewatch
