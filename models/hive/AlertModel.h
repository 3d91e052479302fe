#pragma once

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

// Open alerts, evaluated from the live models: a node stale while it holds active assignments, a
// task's latest assignment failed (not retried since, the task still open), a task in progress or
// in review with no change for longer than MonitorSettings::stuckAfterMinutes, an active
// assignment whose execution wrote more than stderrSharePercent of at least stderrMinLines lines
// to stderr (counts from setStderrTallies, e.g. a StderrShareCounter). An alert is raised
// once, keeps its raised time while the condition holds and is removed when it ends. Newest first.
class AlertModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Raised, Rule, Subject, ColumnCount };
    enum class SubjectKind { Node, Assignment, Task };
    enum Role {
        SubjectIdRole = Qt::UserRole + 40, // the id of the row the alert is about
        SubjectKindRole, // int(SubjectKind)
        RuleRole, // int(MonitorSettings::Rule)
    };
    struct Alert
    {
        MonitorSettings::Rule rule = MonitorSettings::Rule::StaleNodeWithWork;
        SubjectKind kind = SubjectKind::Node;
        QString subjectId;
        QDateTime raisedAt;
        QString text; // "alpha: no heartbeat for 75 s, 2 active assignments"
    };

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
    // Evaluates the rules now (tests, screenshots); otherwise shortly after the models change.
    void evaluate();

signals:
    void alertRaised(const hivewatch::AlertModel::Alert &alert);
    void openCountChanged(int count);

private:
    void schedule();
    void rowsChanged();
    QList<Alert> currentAlerts() const;
    // What the row-scanning rules found at the models' last change; the clock and the tallies
    // only filter it. Rescanning 100k tasks and 50k assignments at every evaluation (the node
    // clock asks for one every second) held the GUI thread 80-300 ms a second through a sync.
    void rescanRows() const;

    struct OpenTask
    {
        int row;
        qint64 updatedMs;
    };
    struct ActiveAssignment
    {
        QString id;
        QString tallyKey; // the id as StderrShareCounter writes it
    };

    const NodeModel *m_nodes;
    const AssignmentModel *m_assignments;
    const TaskModel *m_tasks;
    const FleetSummary *m_fleet;
    MonitorSettings m_settings;
    std::function<QDateTime()> m_clock;
    QHash<QString, StderrTally> m_stderrTallies;
    QList<Alert> m_alerts;
    QTimer m_timer;
    mutable bool m_rowsDirty = true;
    mutable QList<int> m_failedRows; // each task's newest assignment, failed, task still open
    mutable QList<OpenTask> m_openTasks; // visible, in progress or in review, with a time
    mutable QList<ActiveAssignment> m_activeAssignments;
};

} // namespace hivewatch
