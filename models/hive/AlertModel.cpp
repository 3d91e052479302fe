#include "models/hive/AlertModel.h"

#include "models/hive/AssignmentModel.h"
#include "models/hive/FleetSummary.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"
#include "models/hive/NodeModel.h"
#include "models/hive/TaskModel.h"

#include <QBrush>
#include <QColor>

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
{
    // Rules scan every assignment and task: at most twice a second, however fast batches come.
    m_timer.setSingleShot(true);
    m_timer.setInterval(500);
    connect(&m_timer, &QTimer::timeout, this, &AlertModel::evaluate);
    connect(fleet, &FleetSummary::changed, this, &AlertModel::schedule);
    // Rows change only through batches (a clear is a batch too).
    connect(assignments, &KeyedTableModel::batchApplied, this, &AlertModel::rowsChanged);
    connect(tasks, &KeyedTableModel::batchApplied, this, &AlertModel::rowsChanged);
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

void AlertModel::rowsChanged()
{
    m_rowsDirty = true;
    schedule();
}

void AlertModel::schedule()
{
    if (!m_timer.isActive())
        m_timer.start();
}

int AlertModel::rowOf(MonitorSettings::Rule rule, const QString &subjectId) const
{
    for (int row = 0; row < m_alerts.size(); ++row) {
        if (m_alerts.at(row).rule == rule && m_alerts.at(row).subjectId == subjectId)
            return row;
    }
    return -1;
}

QList<AlertModel::Alert> AlertModel::currentAlerts() const
{
    AlertRules::Facts facts;
    const QDateTime now = m_clock();
    for (const QString &nodeId : m_fleet->counts().staleNodeIdsWithWork) {
        const int row = m_nodes->rowForId(nodeId);
        if (row < 0)
            continue;
        facts.nodes.append({nodeId, m_nodes->nameForId(nodeId),
                            m_nodes->field(row, NodeModel::FHeartbeat).toDateTime(), true});
    }
    if (m_rowsDirty)
        copyRows();
    facts.assignments = m_assignmentFacts;
    facts.tasks = m_taskFacts;
    facts.taskStatus = [this](const QString &taskId) {
        const int row = m_tasks->rowForId(taskId);
        return row < 0 ? QString() : m_tasks->field(row, TaskModel::FStatus).toString();
    };
    facts.describeAssignment = [this](const QString &id) {
        return m_assignments->describe(id);
    };
    facts.stderrTallies = m_stderrTallies;
    facts.lastStatusChange = m_lastStatusChange;
    return AlertRules::evaluate(facts, m_settings, now);
}

void AlertModel::copyRows() const
{
    m_rowsDirty = false;
    m_assignmentFacts.clear();
    m_assignmentFacts.reserve(m_assignments->rowCount());
    for (int row = 0; row < m_assignments->rowCount(); ++row) {
        m_assignmentFacts.append(
            {m_assignments->field(row, AssignmentModel::FId).toString(),
             m_assignments->field(row, AssignmentModel::FTaskId).toString(),
             m_assignments->field(row, AssignmentModel::FNodeId).toString(),
             m_assignments->field(row, AssignmentModel::FStatus).toString(),
             m_assignments->field(row, AssignmentModel::FAssigned).toDateTime(),
             m_assignments->field(row, AssignmentModel::FCompleted).toDateTime()});
    }
    // Only the tasks the stuck rule looks at; the failed rule asks for others by id.
    m_stuckCandidates.clear();
    m_taskFacts.clear();
    for (int row = 0; row < m_tasks->rowCount(); ++row) {
        const QString status = m_tasks->field(row, TaskModel::FStatus).toString();
        if (!AlertRules::mayBeStuck(status)
            || m_tasks->index(row, 0).data(HiveRoles::HiddenRole).toBool())
            continue;
        m_stuckCandidates.append(m_tasks->field(row, TaskModel::FId).toString());
        m_taskFacts.append({m_stuckCandidates.constLast(),
                            m_tasks->field(row, TaskModel::FTitle).toString(), status,
                            m_tasks->field(row, TaskModel::FUpdated).toDateTime()});
    }
}

void AlertModel::evaluate()
{
    m_timer.stop();
    const QList<Alert> current = currentAlerts();
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
