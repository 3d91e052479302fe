#pragma once

#include "KeyedTableModel.h"

#include <QHash>

// shared_tasks. Soft-deleted and archived rows stay in the model (HiddenRole) and are hidden by
// TaskFilterProxy; a status outside the vocabulary is kept and flagged, never dropped.
class TaskModel : public KeyedTableModel
{
    Q_OBJECT
public:
    enum Column { Title, Status, Project, Assignee, Version, Updated, ColumnCount };
    enum FieldIndex {
        FId,
        FTitle,
        FStatus,
        FProject,
        FAssignee,
        FVersion,
        FUpdated,
        FDeleted,
        FArchived,
        FDescription
    };

    explicit TaskModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Visible (not deleted, not archived) tasks per status: keyed by canonical status
    // ("in-progress"), and by "unknown: <raw>" for each unknown value seen.
    QHash<QString, int> statusCounts() const { return m_counts; }
    QString titleForId(const QString &id) const;

signals:
    void statusCountsChanged();

protected:
    void rowChanged(const Values *before, const Values *after) override;
    void rowsCleared() override;

private:
    void count(const Values &values, int delta);

    QHash<QString, int> m_counts;
    bool m_countsDirty = false;
};
