#include "models/hive/ProgressEventModel.h"

#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"

#include <QBrush>
#include <QColor>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

namespace hivewatch {

ProgressEventModel::ProgressEventModel(QObject *parent)
    : KeyedTableModel({{QStringLiteral("id"), FieldType::Text},
                       {QStringLiteral("assignment_id"), FieldType::Text},
                       {QStringLiteral("event_type"), FieldType::Symbol},
                       {QStringLiteral("message"), FieldType::Text},
                       {QStringLiteral("metadata"), FieldType::Raw},
                       {QStringLiteral("timestamp"), FieldType::DateTime}},
                      parent)
{
    connect(this, &KeyedTableModel::batchApplied, this, [this] { m_pullRequestsStale = true; });
}

QUrl ProgressEventModel::pullRequestUrl(const QVariant &metadata)
{
    if (metadata.metaType().id() != QMetaType::QJsonValue || !metadata.toJsonValue().isObject())
        return {};
    const QJsonObject object = metadata.toJsonValue().toObject();
    for (const char *key : {"pr_url", "pull_request_url", "pr", "url"}) {
        const QUrl url(object.value(QLatin1String(key)).toString());
        if (url.isValid() && (url.scheme() == u"https" || url.scheme() == u"http"))
            return url;
    }
    return {};
}

QUrl ProgressEventModel::pullRequestForAssignment(const QString &assignmentId) const
{
    if (m_pullRequestsStale) {
        m_pullRequests.clear();
        for (int row = 0; row < rowCount(); ++row) {
            const QUrl url = pullRequestUrl(field(row, FMetadata));
            if (url.isEmpty())
                continue;
            const QDateTime at = field(row, FTimestamp).toDateTime();
            LatestPr &latest = m_pullRequests[field(row, FAssignmentId).toString()];
            if (latest.url.isEmpty() || at >= latest.at)
                latest = {at, url};
        }
        m_pullRequestsStale = false;
    }
    return m_pullRequests.value(assignmentId).url;
}

int ProgressEventModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void ProgressEventModel::setAssignmentModel(const AssignmentModel *assignments)
{
    m_assignments = assignments;
    auto refresh = [this] {
        if (rowCount() > 0)
            // Only the shown name changes: proxies need not re-filter 20k events for it.
            emit dataChanged(index(0, Assignment), index(rowCount() - 1, Assignment),
                             {Qt::DisplayRole, HiveRoles::SortRole});
    };
    // Throttled by AssignmentModel: after its own batches and after task or node names changed.
    connect(assignments, &AssignmentModel::namesResolved, this, refresh);
}

QVariant ProgressEventModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Values &v = rowValues(index.row());
    // Roles proxies ask of every row first, before the (costlier) event type lookup.
    switch (role) {
    case HiveRoles::HiddenRole:
        return false;
    case HiveRoles::IdRole:
        return v.at(FId);
    case HiveRoles::ForeignIdRole:
        return v.at(FAssignmentId);
    }
    const HiveValues::Status type = HiveValues::progressEventType(v.at(FType));
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return HiveValues::displayTime(v.at(FTimestamp).toDateTime());
        case Assignment:
            return m_assignments ? m_assignments->describe(v.at(FAssignmentId).toString())
                                 : v.at(FAssignmentId).toString().left(8);
        case Type:
            return type.label;
        case Message:
            return v.at(FMessage);
        }
        break;
    case Qt::ToolTipRole: {
        const QVariant metadata = v.at(FMetadata);
        if (metadata.metaType().id() == QMetaType::QJsonValue && metadata.toJsonValue().isObject())
            return QString::fromUtf8(
                QJsonDocument(metadata.toJsonValue().toObject()).toJson(QJsonDocument::Indented));
        break;
    }
    case Qt::BackgroundRole:
        if (!type.known)
            return QBrush(QColor(255, 214, 153));
        break;
    case HiveRoles::SortRole:
        if (index.column() == Time)
            return v.at(FTimestamp);
        return data(index, Qt::DisplayRole);
    case HiveRoles::StatusRole:
        return type.canonical;
    case HiveRoles::UnknownStatusRole:
        return !type.known;
    }
    return {};
}

QVariant ProgressEventModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time:
        return tr("Time");
    case Assignment:
        return tr("Assignment");
    case Type:
        return tr("Event");
    case Message:
        return tr("Message");
    }
    return {};
}

} // namespace hivewatch
