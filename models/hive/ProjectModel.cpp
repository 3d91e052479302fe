#include "models/hive/ProjectModel.h"

#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"

namespace hivewatch {

ProjectModel::ProjectModel(QObject *parent)
    : KeyedTableModel({{QStringLiteral("id"), FieldType::Text},
                       {QStringLiteral("name"), FieldType::Text},
                       {QStringLiteral("created_at"), FieldType::DateTime}},
                      parent)
{
}

int ProjectModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString ProjectModel::nameForId(const QString &id) const
{
    const int row = rowForId(id);
    return row < 0 ? QString() : field(row, FName).toString();
}

QVariant ProjectModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Values &v = rowValues(index.row());
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == Name)
            return v.at(FName);
        if (index.column() == Created)
            return HiveValues::displayTime(v.at(FCreated).toDateTime());
        break;
    case Qt::ToolTipRole:
        return v.at(FId);
    case HiveRoles::IdRole:
        return v.at(FId);
    case HiveRoles::HiddenRole:
        return false;
    case HiveRoles::SortRole:
        return index.column() == Created ? v.at(FCreated) : v.at(FName);
    }
    return {};
}

QVariant ProjectModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    return section == Name ? tr("Project") : tr("Created");
}

} // namespace hivewatch
