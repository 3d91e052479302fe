#include "models/hive/AlertModel.h"

#include "models/hive/AssignmentModel.h"
#include "models/hive/FleetSummary.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"
#include "models/hive/NodeModel.h"
#include "models/hive/TaskModel.h"
#include "sync/common/ThreadPriority.h"

#include <QBrush>
#include <QColor>
#include <QtConcurrent/QtConcurrentRun>

namespace hivewatch {

namespace {
QString alertKey(MonitorSettings::Rule rule, const QString &subjectId)
{
    return QString::number(static_cast<int>(rule)) + QLatin1Char('/') + subjectId;
}
} // namespace

AlertModel::AlertModel(const NodeModel *nodes, const AssignmentModel *assignments,
                       const TaskModel *tasks, const FleetSummary *fleet, QObject *parent)
    : QAbstractTableModel(parent)
    , m_nodes(nodes)
    , m_assignments(assignments)
    , m_tasks(tasks)
    , m_fleet(fleet)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
    // Rules scan every assignment and task: at most twice a second, however fast batches come.
    , m_throttle(500, [this] { evaluateInBackground(); })
{
    connect(&m_watcher, &QFutureWatcher<Result>::finished, this, &AlertModel::backgroundFinished);
    connect(fleet, &FleetSummary::changed, this, &AlertModel::schedule);
    // Rows change only through batches (a clear is a batch too).
    connect(assignments, &KeyedTableModel::batchApplied, this, &AlertModel::schedule);
    connect(tasks, &KeyedTableModel::batchApplied, this, &AlertModel::schedule);
    watchRows();
    // The node model's clock ticks every second while it has rows; stuck tasks age with it.
    connect(nodes, &QAbstractItemModel::dataChanged, this, &AlertModel::schedule);
}

int AlertModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_alerts.size());
}

int AlertModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void AlertModel::setSettings(const MonitorSettings &settings)
{
    m_settings = settings;
    schedule();
}

void AlertModel::setClock(std::function<QDateTime()> clock)
{
    m_clock = std::move(clock);
    schedule();
}

void AlertModel::setStderrTallies(const QHash<QString, StderrTally> &tallies)
{
    m_stderrTallies = tallies;
    schedule();
}

bool AlertModel::stderrShareAlerts(const StderrTally &tally, const MonitorSettings &settings)
{
    return AlertRules::stderrShareAlerts(tally, settings);
}

void AlertModel::setLastStatusChanges(const QHash<QString, AlertRules::StatusChange> &changes)
{
    m_lastStatusChange = changes;
    schedule();
}

void AlertModel::schedule()
{
    m_throttle.request();
}

int AlertModel::rowOf(MonitorSettings::Rule rule, const QString &subjectId) const
{
    for (int row = 0; row < m_alerts.size(); ++row) {
        if (m_alerts.at(row).rule == rule && m_alerts.at(row).subjectId == subjectId)
            return row;
    }
    return -1;
}

void AlertModel::watchRows()
{
    // A reset holds the first slice of a snapshot: copied at once, so that the slices after it
    // stay appends; a removal shifts the rows under it, so they are all copied again later.
    connect(m_assignments, &QAbstractItemModel::modelReset, this, [this] {
        m_assignmentFacts.clear();
        m_assignmentsDirty = false;
        copyAssignments(0, m_assignments->rowCount() - 1);
    });
    connect(m_tasks, &QAbstractItemModel::modelReset, this, [this] {
        m_taskFacts.clear();
        m_tasksDirty = false;
        copyTasks(0, m_tasks->rowCount() - 1);
    });
    const auto assignmentsDirty = [this] {
        m_assignmentsDirty = true;
    };
    const auto tasksDirty = [this] {
        m_tasksDirty = true;
    };
    connect(m_assignments, &QAbstractItemModel::rowsRemoved, this, assignmentsDirty);
    connect(m_assignments, &QAbstractItemModel::rowsMoved, this, assignmentsDirty);
    connect(m_assignments, &QAbstractItemModel::layoutChanged, this, assignmentsDirty);
    connect(m_tasks, &QAbstractItemModel::rowsRemoved, this, tasksDirty);
    connect(m_tasks, &QAbstractItemModel::rowsMoved, this, tasksDirty);
    connect(m_tasks, &QAbstractItemModel::layoutChanged, this, tasksDirty);
    connect(m_assignments, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { copyAssignments(first, last); });
    connect(m_tasks, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { copyTasks(first, last); });
    // Names resolved later are announced per column (task, node): none of them is a fact.
    connect(m_assignments, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                if (bottomRight.column() >= AssignmentModel::Status)
                    copyAssignments(topLeft.row(), bottomRight.row());
            });
    // The project and node names are announced over every row: neither is a fact.
    connect(m_tasks, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                if (topLeft.column() <= TaskModel::Status
                    || bottomRight.column() >= TaskModel::Updated)
                    copyTasks(topLeft.row(), bottomRight.row());
            });
}

void AlertModel::copyAssignments(int first, int last)
{
    // Rows past the end of the copy (inserted in the middle) mean the copy is out of step.
    if (first > m_assignmentFacts.size())
        m_assignmentsDirty = true;
    if (m_assignmentsDirty)
        return;
    for (int row = first; row <= last; ++row) {
        AlertRules::Assignment fact {
            m_assignments->field(row, AssignmentModel::FId).toString(),
            m_assignments->field(row, AssignmentModel::FTaskId).toString(),
            m_assignments->field(row, AssignmentModel::FNodeId).toString(),
            m_assignments->field(row, AssignmentModel::FStatus).toString(),
            m_assignments->field(row, AssignmentModel::FAssigned).toDateTime(),
            m_assignments->field(row, AssignmentModel::FCompleted).toDateTime()};
        if (row < m_assignmentFacts.size())
            m_assignmentFacts.replace(row, std::move(fact));
        else
            m_assignmentFacts.append(std::move(fact));
    }
}

void AlertModel::copyTasks(int first, int last)
{
    if (first > m_taskFacts.size())
        m_tasksDirty = true;
    if (m_tasksDirty)
        return;
    for (int row = first; row <= last; ++row) {
        TaskFact fact {{m_tasks->field(row, TaskModel::FId).toString(),
                        m_tasks->field(row, TaskModel::FTitle).toString(),
                        m_tasks->field(row, TaskModel::FStatus).toString(),
                        m_tasks->field(row, TaskModel::FUpdated).toDateTime()},
                       m_tasks->index(row, 0).data(HiveRoles::HiddenRole).toBool()};
        if (row < m_taskFacts.size())
            m_taskFacts.replace(row, std::move(fact));
        else
            m_taskFacts.append(std::move(fact));
    }
}

void AlertModel::copyRows()
{
    if (std::exchange(m_assignmentsDirty, false)) {
        m_assignmentFacts.clear();
        copyAssignments(0, m_assignments->rowCount() - 1);
    }
    if (std::exchange(m_tasksDirty, false)) {
        m_taskFacts.clear();
        copyTasks(0, m_tasks->rowCount() - 1);
    }
}

AlertModel::Input AlertModel::input()
{
    copyRows();
    Input in;
    in.generation = ++m_generation;
    in.now = m_clock();
    in.settings = m_settings;
    for (const QString &nodeId : m_fleet->counts().staleNodeIdsWithWork) {
        const int row = m_nodes->rowForId(nodeId);
        if (row < 0)
            continue;
        in.staleNodes.append({nodeId, m_nodes->nameForId(nodeId),
                              m_nodes->field(row, NodeModel::FHeartbeat).toDateTime(), true});
    }
    for (int row = 0; row < m_nodes->rowCount(); ++row)
        in.nodeNames.insert(m_nodes->field(row, NodeModel::FId).toString(),
                            m_nodes->field(row, NodeModel::FName).toString());
    in.assignments = m_assignmentFacts;
    in.tasks = m_taskFacts;
    in.stderrTallies = m_stderrTallies;
    in.lastStatusChange = m_lastStatusChange;
    return in;
}

AlertModel::Result AlertModel::run(const Input &in)
{
    ThreadPriority::lowerCurrent(); // a pool thread: the GUI thread comes first
    Result result;
    result.generation = in.generation;
    AlertRules::Facts facts;
    facts.nodes = in.staleNodes;
    facts.assignments.reserve(in.assignments.size());
    for (qsizetype i = 0; i < in.assignments.size(); ++i)
        facts.assignments.append(in.assignments.at(i));
    QHash<QString, qsizetype> taskById;
    taskById.reserve(in.tasks.size());
    for (qsizetype i = 0; i < in.tasks.size(); ++i) {
        const TaskFact &fact = in.tasks.at(i);
        taskById.insert(fact.task.id, i);
        // Only the tasks the stuck rule looks at; the failed rule asks for others by id.
        if (fact.hidden || !AlertRules::mayBeStuck(fact.task.status))
            continue;
        result.stuckCandidates.append(fact.task.id);
        facts.tasks.append(fact.task);
    }
    const auto task = [&](const QString &taskId) -> const AlertRules::Task * {
        const qsizetype at = taskById.value(taskId, -1);
        return at < 0 ? nullptr : &in.tasks.at(at).task;
    };
    facts.taskStatus = [&](const QString &taskId) {
        const AlertRules::Task *found = task(taskId);
        return found ? found->status : QString();
    };
    // Assignments are named only in the few alerts raised about them: index them on demand.
    QHash<QString, qsizetype> assignmentById;
    facts.describeAssignment = [&](const QString &id) {
        if (assignmentById.isEmpty()) {
            assignmentById.reserve(facts.assignments.size());
            for (qsizetype i = 0; i < facts.assignments.size(); ++i)
                assignmentById.insert(facts.assignments.at(i).id, i);
        }
        const qsizetype at = assignmentById.value(id, -1);
        if (at < 0)
            return id.left(8);
        const AlertRules::Assignment &assignment = facts.assignments.at(at);
        const AlertRules::Task *found = task(assignment.taskId);
        return AssignmentModel::describe(assignment.taskId, found ? found->title : QString(),
                                         assignment.nodeId, in.nodeNames.value(assignment.nodeId));
    };
    facts.stderrTallies = in.stderrTallies;
    facts.lastStatusChange = in.lastStatusChange;
    result.alerts = AlertRules::evaluate(facts, in.settings, in.now);
    return result;
}

void AlertModel::evaluateInBackground()
{
    m_throttle.ran();
    if (m_running) {
        m_again = true;
        return;
    }
    m_running = true;
    m_watcher.setFuture(
        QtConcurrent::run(ThreadPriority::backgroundPool(), &AlertModel::run, input()));
}

void AlertModel::backgroundFinished()
{
    m_running = false;
    apply(m_watcher.result());
    if (std::exchange(m_again, false))
        schedule();
}

void AlertModel::evaluate()
{
    m_throttle.ran();
    apply(run(input()));
}

void AlertModel::apply(const Result &result)
{
    // An evaluation on this thread may have overtaken one still running on the pool.
    if (result.generation < m_appliedGeneration)
        return;
    m_appliedGeneration = result.generation;
    m_stuckCandidates = result.stuckCandidates;
    const QList<Alert> &current = result.alerts;
    QHash<QString, const Alert *> byKey;
    for (const Alert &alert : current)
        byKey.insert(alertKey(alert.rule, alert.subjectId), &alert);

    const int before = static_cast<int>(m_alerts.size());
    for (int row = static_cast<int>(m_alerts.size()) - 1; row >= 0; --row) {
        const Alert &open = m_alerts.at(row);
        const QString key = alertKey(open.rule, open.subjectId);
        if (const Alert *still = byKey.value(key)) {
            if (still->text != open.text) {
                m_alerts[row].text = still->text;
                emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
            }
            byKey.remove(key);
            continue;
        }
        beginRemoveRows({}, row, row);
        m_alerts.removeAt(row);
        endRemoveRows();
    }
    QList<Alert> raised;
    for (const Alert &alert : current) {
        if (byKey.contains(alertKey(alert.rule, alert.subjectId)))
            raised.append(alert);
    }
    if (!raised.isEmpty()) {
        beginInsertRows({}, 0, static_cast<int>(raised.size()) - 1);
        m_alerts = raised + m_alerts;
        endInsertRows();
        for (const Alert &alert : std::as_const(raised))
            emit alertRaised(alert);
    }
    if (m_alerts.size() != before || !raised.isEmpty())
        emit openCountChanged(static_cast<int>(m_alerts.size()));
}

QVariant AlertModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Alert &alert = m_alerts.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Raised:
            return HiveValues::displayTime(alert.raisedAt);
        case Rule:
            return MonitorSettings::ruleLabel(alert.rule);
        case Subject:
            return alert.text;
        }
        break;
    case Qt::ToolTipRole:
        return tr("Enter or double-click opens the row this alert is about");
    case Qt::BackgroundRole:
        if (alert.rule == MonitorSettings::Rule::StaleNodeWithWork)
            return QBrush(QColor(255, 190, 190));
        break;
    case SubjectIdRole:
        return alert.subjectId;
    case SubjectKindRole:
        return static_cast<int>(alert.kind);
    case RuleRole:
        return static_cast<int>(alert.rule);
    }
    return {};
}

QVariant AlertModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Raised:
        return tr("Raised");
    case Rule:
        return tr("Rule");
    case Subject:
        return tr("About");
    }
    return {};
}

} // namespace hivewatch
