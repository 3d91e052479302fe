#pragma once

#include "models/hive/KeyedTableModel.h"

namespace hivewatch {

// projects: what a task's project_id names. Only the name matters to the views; a project the
// hive dropped (its table left the publication after E) leaves tasks showing their id.
class ProjectModel : public KeyedTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Created, ColumnCount };
    enum FieldIndex { FId, FName, FCreated };

    explicit ProjectModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    QString nameForId(const QString &id) const;
};

} // namespace hivewatch
