#pragma once

#include "models/hive/KeyedTableModel.h"

namespace hivewatch {

class AssignmentModel;

// node_task_progress_events: what an agent reported while working on an assignment. Shown as a
// timeline per assignment through HiveFilterProxy (foreign-id filter, sorted by time).
class ProgressEventModel : public KeyedTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Assignment, Type, Message, ColumnCount };
    enum FieldIndex { FId, FAssignmentId, FType, FMessage, FMetadata, FTimestamp };

    explicit ProgressEventModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setAssignmentModel(const AssignmentModel *assignments);

private:
    const AssignmentModel *m_assignments = nullptr;
};

} // namespace hivewatch
