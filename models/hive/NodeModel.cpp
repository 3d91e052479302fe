#include "models/hive/NodeModel.h"

#include "models/hive/AlertRules.h"
#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"

#include <QBrush>
#include <QColor>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>

namespace hivewatch {

NodeModel::NodeModel(QObject *parent)
    : KeyedTableModel({{QStringLiteral("id"), FieldType::Text},
                       {QStringLiteral("name"), FieldType::Text},
                       {QStringLiteral("status"), FieldType::Symbol},
                       {QStringLiteral("capabilities"), FieldType::Raw},
                       {QStringLiteral("public_url"), FieldType::Text},
                       {QStringLiteral("last_heartbeat_at"), FieldType::DateTime},
                       {QStringLiteral("machine_id"), FieldType::Text},
                       {QStringLiteral("connected_at"), FieldType::DateTime}},
                      parent)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
    , m_now(m_clock())
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &NodeModel::refreshClock);
    m_timer.start();
    // The ages may move once a second, but an alert promises to follow a node going stale within
    // one heartbeat period, which may be short: the flag flips on time, not on the next tick.
    m_crossing.setSingleShot(true);
    m_crossing.setTimerType(Qt::PreciseTimer);
    connect(&m_crossing, &QTimer::timeout, this, &NodeModel::refreshClock);
    connect(this, &KeyedTableModel::batchApplied, this, &NodeModel::scheduleStaleCrossing);
}

int NodeModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void NodeModel::setAssignmentModel(const AssignmentModel *assignments)
{
    m_assignments = assignments;
    connect(assignments, &AssignmentModel::activeAssignmentsChanged, this,
            &NodeModel::onAssignmentsChanged);
}

void NodeModel::onAssignmentsChanged(const QStringList &nodeIds)
{
    QList<int> rows;
    for (const QString &id : nodeIds) {
        const int row = rowForId(id);
        if (row >= 0)
            rows.append(row);
    }
    emitRowsChanged(rows, ActiveAssignments, ActiveAssignments);
}

QString NodeModel::nameForId(const QString &id) const
{
    const int row = rowForId(id);
    return row < 0 ? QString() : field(row, FName).toString();
}

bool NodeModel::isStale(int row) const
{
    return AlertRules::nodeIsStale(field(row, FStatus).toString(),
                                   field(row, FHeartbeat).toDateTime(), m_now, staleAfterSeconds());
}

void NodeModel::setStaleAfterSeconds(int seconds)
{
    if (seconds < 1 || seconds == m_staleAfterSeconds)
        return;
    m_staleAfterSeconds = seconds;
    if (rowCount() > 0)
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    scheduleStaleCrossing();
}

void NodeModel::scheduleStaleCrossing()
{
    qint64 next = -1;
    for (int row = 0; row < rowCount(); ++row) {
        const QDateTime heartbeat = field(row, FHeartbeat).toDateTime();
        if (!heartbeat.isValid() || isStale(row)
            || !AlertRules::mayGoStale(field(row, FStatus).toString()))
            continue;
        const qint64 due = heartbeat.toMSecsSinceEpoch() + qint64(m_staleAfterSeconds) * 1000 + 1;
        if (next < 0 || due < next)
            next = due;
    }
    if (next < 0) {
        m_crossing.stop();
        return;
    }
    const qint64 wait = next - m_clock().toMSecsSinceEpoch();
    m_crossing.start(int(std::clamp<qint64>(wait, 1, 24 * 3600 * 1000)));
}

void NodeModel::setClock(std::function<QDateTime()> clock)
{
    m_clock = std::move(clock);
    refreshClock();
}

void NodeModel::refreshClock()
{
    QList<int> staleChanged;
    const QDateTime before = m_now;
    QList<bool> wasStale;
    wasStale.reserve(rowCount());
    for (int row = 0; row < rowCount(); ++row)
        wasStale.append(isStale(row));
    m_now = m_clock();
    if (rowCount() == 0 || before == m_now)
        return;
    for (int row = 0; row < rowCount(); ++row) {
        if (isStale(row) != wasStale.at(row))
            staleChanged.append(row);
    }
    // Ages move for every row: one signal for the column; whole rows only where the flag flipped.
    emit dataChanged(index(0, Heartbeat), index(rowCount() - 1, Heartbeat),
                     {Qt::DisplayRole, HiveRoles::SortRole});
    emitRowsChanged(staleChanged, 0, ColumnCount - 1);
    scheduleStaleCrossing();
}

namespace {
QJsonObject capabilitiesObject(const QVariant &raw)
{
    switch (raw.metaType().id()) {
    case QMetaType::QJsonValue:
        return raw.toJsonValue().toObject();
    case QMetaType::QJsonObject:
        return raw.toJsonObject();
    case QMetaType::QString:
        return QJsonDocument::fromJson(raw.toString().toUtf8()).object();
    default:
        return {};
    }
}

QStringList executorsOf(const QJsonObject &caps)
{
    QStringList executors;
    for (const QJsonValue &e : caps.value(QLatin1String("executors")).toArray())
        executors.append(e.toString());
    return executors;
}
} // namespace

NodeModel::Capacity NodeModel::capacity(int row) const
{
    const QJsonObject caps = capabilitiesObject(field(row, FCapabilities));
    const QJsonValue value = caps.value(QLatin1String("max_concurrent_tasks"));
    if (value.isUndefined() || value.isNull())
        return {1, CapacitySource::Assumed};
    const double maxTasks = value.toDouble(-1);
    if (!value.isDouble() || maxTasks < 1 || maxTasks != static_cast<int>(maxTasks))
        return {0, CapacitySource::Invalid};
    return {static_cast<int>(maxTasks), CapacitySource::Reported};
}

QString NodeModel::capabilitiesText(int row) const
{
    const QJsonObject caps = capabilitiesObject(field(row, FCapabilities));
    QStringList parts;
    const QStringList executors = executorsOf(caps);
    if (!executors.isEmpty())
        parts.append(tr("executors: %1").arg(executors.join(QLatin1String(", "))));
    if (caps.contains(QLatin1String("max_concurrent_tasks")))
        parts.append(
            tr("max tasks: %1").arg(caps.value(QLatin1String("max_concurrent_tasks")).toInt()));
    for (const char *keyName : {"os", "arch", "version"}) {
        const QString key = QLatin1String(keyName);
        if (caps.contains(key))
            parts.append(QStringLiteral("%1: %2").arg(key, caps.value(key).toString()));
    }
    return parts.join(QLatin1String("; "));
}

QVariant NodeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const Values &v = rowValues(row);
    const HiveValues::Status status = HiveValues::nodeStatus(v.at(FStatus));
    const QDateTime heartbeat = v.at(FHeartbeat).toDateTime();
    const bool stale = isStale(row);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return v.at(FName);
        case Status:
            return stale ? tr("%1 (stale)").arg(status.label) : status.label;
        case Heartbeat:
            return heartbeat.isValid()
                ? tr("%1 ago").arg(HiveValues::displayAge(heartbeat.secsTo(m_now)))
                : tr("never");
        case Executors:
            return executorsOf(capabilitiesObject(v.at(FCapabilities))).join(QLatin1String(", "));
        case PublicUrl:
            return v.at(FPublicUrl);
        case ActiveAssignments:
            return m_assignments ? m_assignments->activeCountForNode(v.at(FId).toString()) : 0;
        }
        break;
    case Qt::ToolTipRole:
        if (stale)
            return tr("No heartbeat for more than %1 s while %2")
                .arg(staleAfterSeconds())
                .arg(status.label);
        if (!status.known)
            return tr("Status \"%1\" is not one of the hive's node statuses").arg(status.canonical);
        if (index.column() == Executors)
            return capabilitiesText(row);
        break;
    case Qt::BackgroundRole:
        if (!status.known)
            return QBrush(QColor(255, 214, 153));
        if (stale)
            return QBrush(QColor(255, 190, 190));
        break;
    case HiveRoles::SortRole:
        if (index.column() == Heartbeat)
            return heartbeat;
        if (index.column() == ActiveAssignments)
            return data(index, Qt::DisplayRole);
        return data(index, Qt::DisplayRole).toString();
    case HiveRoles::IdRole:
        return v.at(FId);
    case HiveRoles::StatusRole:
        return status.canonical;
    case HiveRoles::UnknownStatusRole:
        return !status.known;
    case HiveRoles::StaleRole:
        return stale;
    case HiveRoles::HiddenRole:
        return false;
    }
    return {};
}

QVariant NodeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name:
        return tr("Name");
    case Status:
        return tr("Status");
    case Heartbeat:
        return tr("Last heartbeat");
    case Executors:
        return tr("Executors");
    case PublicUrl:
        return tr("Public URL");
    case ActiveAssignments:
        return tr("Active");
    }
    return {};
}

} // namespace hivewatch
