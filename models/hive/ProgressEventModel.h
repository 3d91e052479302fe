#pragma once

#include "models/hive/KeyedTableModel.h"

#include <QDateTime>
#include <QHash>
#include <QUrl>

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

    // The pull request an event's metadata names (pr_url, pull_request_url, pr or url; http(s)
    // only, as the node reports it, hive-schema §1.8), or an empty URL.
    static QUrl pullRequestUrl(const QVariant &metadata);
    // An assignment's pull request: the one its latest event naming one names.
    QUrl pullRequestForAssignment(const QString &assignmentId) const;

private:
    const AssignmentModel *m_assignments = nullptr;
    // By assignment: its latest event naming a PR. Rebuilt on first use after a batch, so a
    // burst of batches costs one pass over the events, and only when someone asks.
    struct LatestPr
    {
        QDateTime at;
        QUrl url;
    };
    mutable QHash<QString, LatestPr> m_pullRequests;
    mutable bool m_pullRequestsStale = true;
};

} // namespace hivewatch
