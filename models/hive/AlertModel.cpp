#include "models/hive/AlertModel.h"

#include "domain/StatusVocabularies.h"
#include "models/hive/AssignmentModel.h"
#include "models/hive/FleetSummary.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"
#include "models/hive/NodeModel.h"
#include "models/hive/TaskModel.h"

#include <QBrush>
#include <QColor>
#include <QUuid>

namespace hivewatch {

namespace {
// Past this many subjects a rule raises one summary alert instead: 40,000 stuck tasks are one
// fact for an operator, not a list to read, and formatting and diffing that many rows at every
// evaluation held the GUI thread for ~300 ms in bench_ui_stall.
constexpr qsizetype kAlertsPerRule = 100;

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
    // Integer arithmetic: exactly at the threshold is not above it, whatever the rounding.
    return tally.lines >= settings.stderrMinLines
        && tally.stderrLines * 100 > qint64(settings.stderrSharePercent) * tally.lines;
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
    using Rule = MonitorSettings::Rule;
    const QDateTime now = m_clock();
    QList<Alert> alerts;
    for (const QString &nodeId : m_fleet->counts().staleNodeIdsWithWork) {
        const int row = m_nodes->rowForId(nodeId);
        if (row < 0)
            continue;
        const QDateTime heartbeat = m_nodes->field(row, NodeModel::FHeartbeat).toDateTime();
        const QString silent = heartbeat.isValid()
            ? tr("no heartbeat for %1").arg(HiveValues::displayAge(heartbeat.secsTo(now)))
            : tr("no heartbeat ever");
        alerts.append({Rule::StaleNodeWithWork, SubjectKind::Node, nodeId, now,
                       tr("%1: %2, %n active assignment(s)", nullptr,
                          m_assignments->activeCountForNode(nodeId))
                           .arg(m_nodes->nameForId(nodeId), silent)});
    }

    if (m_rowsDirty)
        rescanRows();
    QList<int> failedRows = m_failedRows;
    if (failedRows.size() > kAlertsPerRule) {
        alerts.append({Rule::AssignmentFailed, SubjectKind::Assignment, QString(), now,
                       tr("%n failed assignment(s) whose task was neither retried nor closed",
                          nullptr, static_cast<int>(failedRows.size()))});
        failedRows.clear();
    }
    for (const int row : std::as_const(failedRows)) {
        const QString id = m_assignments->field(row, AssignmentModel::FId).toString();
        const QDateTime at = m_assignments->field(row, AssignmentModel::FCompleted).toDateTime();
        alerts.append({Rule::AssignmentFailed, SubjectKind::Assignment, id, now,
                       at.isValid()
                           ? tr("%1 failed at %2")
                                 .arg(m_assignments->describe(id), HiveValues::displayTime(at))
                           : tr("%1 failed").arg(m_assignments->describe(id))});
    }

    // updated_at is the last change of any kind: a task that moved on, or was edited, is not stuck.
    const qint64 stuckSeconds = qint64(m_settings.stuckAfterMinutes) * 60;
    const qint64 nowMs = now.toMSecsSinceEpoch();
    QList<int> stuckRows;
    for (const OpenTask &task : std::as_const(m_openTasks)) {
        // As QDateTime::secsTo counts: whole seconds, truncated.
        if ((nowMs - task.updatedMs) / 1000 > stuckSeconds)
            stuckRows.append(task.row);
    }
    if (stuckRows.size() > kAlertsPerRule) {
        alerts.append({Rule::TaskStuck, SubjectKind::Task, QString(), now,
                       tr("%n task(s) in progress or in review without a change for over %1",
                          nullptr, static_cast<int>(stuckRows.size()))
                           .arg(HiveValues::displayAge(stuckSeconds))});
        stuckRows.clear();
    }
    for (const int row : std::as_const(stuckRows)) {
        const auto status
            = TaskStatusValue::parse(m_tasks->field(row, TaskModel::FStatus).toString());
        const QDateTime updated = m_tasks->field(row, TaskModel::FUpdated).toDateTime();
        alerts.append(
            {Rule::TaskStuck, SubjectKind::Task, m_tasks->field(row, TaskModel::FId).toString(),
             now,
             tr("%1: %2 for %3 without a change")
                 .arg(m_tasks->field(row, TaskModel::FTitle).toString(), status.displayText(),
                      HiveValues::displayAge(updated.secsTo(now)))});
    }

    // Only running executions: a finished one's share is history, its alert clears as it ends.
    for (const ActiveAssignment &active : std::as_const(m_activeAssignments)) {
        const QString &id = active.id;
        const auto tally = m_stderrTallies.constFind(active.tallyKey);
        if (tally == m_stderrTallies.cend() || !stderrShareAlerts(*tally, m_settings))
            continue;
        alerts.append({Rule::StderrShare, SubjectKind::Assignment, id, now,
                       tr("%1: %2 % of %3 lines on stderr")
                           .arg(m_assignments->describe(id))
                           .arg(tally->stderrLines * 100 / tally->lines)
                           .arg(tally->lines)});
    }
    return alerts;
}

void AlertModel::rescanRows() const
{
    m_rowsDirty = false;
    // A failed assignment matters until its task is assigned again (retried) or goes away.
    m_failedRows.clear();
    QHash<QString, int> newestByTask;
    for (int row = 0; row < m_assignments->rowCount(); ++row) {
        const QString task = m_assignments->field(row, AssignmentModel::FTaskId).toString();
        const auto it = newestByTask.constFind(task);
        if (it == newestByTask.cend()
            || m_assignments->field(row, AssignmentModel::FAssigned).toDateTime()
                > m_assignments->field(*it, AssignmentModel::FAssigned).toDateTime())
            newestByTask.insert(task, row);
    }
    for (auto it = newestByTask.cbegin(); it != newestByTask.cend(); ++it) {
        const int row = it.value();
        const auto status = AssignmentStatusValue::parse(
            m_assignments->field(row, AssignmentModel::FStatus).toString());
        if (status != AssignmentStatus::Failed)
            continue;
        // A task since closed by hand (done, cancelled) needs nothing more from anyone.
        const int task = m_tasks->rowForId(it.key());
        if (task >= 0) {
            const auto taskStatus
                = TaskStatusValue::parse(m_tasks->field(task, TaskModel::FStatus).toString());
            if (taskStatus == TaskStatus::Done || taskStatus == TaskStatus::Cancelled)
                continue;
        }
        m_failedRows.append(row);
    }

    m_openTasks.clear();
    for (int row = 0; row < m_tasks->rowCount(); ++row) {
        const auto status
            = TaskStatusValue::parse(m_tasks->field(row, TaskModel::FStatus).toString());
        if (status != TaskStatus::InProgress && status != TaskStatus::InReview)
            continue;
        if (m_tasks->index(row, 0).data(HiveRoles::HiddenRole).toBool())
            continue;
        const QDateTime updated = m_tasks->field(row, TaskModel::FUpdated).toDateTime();
        if (updated.isValid())
            m_openTasks.append({row, updated.toMSecsSinceEpoch()});
    }

    m_activeAssignments.clear();
    for (const QString &id : m_assignments->activeAssignmentIds())
        m_activeAssignments.append({id, QUuid(id).toString(QUuid::WithoutBraces)});
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
