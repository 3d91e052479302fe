#pragma once

#include "models/hive/KeyedTableModel.h"

#include <QDateTime>
#include <QTimer>
#include <functional>

namespace hivewatch {

class AssignmentModel;

// nodes. The heartbeat age and the stale flag (an online or busy node silent for more than
// staleAfterSeconds()) depend on the clock, so a timer re-evaluates them; the hive's own monitor
// only marks such nodes offline every 30 s, which is exactly the window an operator wants to see.
class NodeModel : public KeyedTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Status, Heartbeat, Executors, PublicUrl, ActiveAssignments, ColumnCount };
    enum FieldIndex {
        FId,
        FName,
        FStatus,
        FCapabilities,
        FPublicUrl,
        FHeartbeat,
        FMachineId,
        FConnected
    };

    explicit NodeModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setAssignmentModel(const AssignmentModel *assignments);
    QString nameForId(const QString &id) const;
    bool isStale(int row) const;
    // "executors: CLAUDE_CODE, GEMINI; max tasks: 2; os: linux; arch: x86_64; version: 0.3"
    QString capabilitiesText(int row) const;

    static constexpr int staleAfterSeconds() { return 60; }
    // The clock is injectable so tests can move time; refreshClock() re-reads it and emits the
    // changes (the timer calls it every second).
    void setClock(std::function<QDateTime()> clock);
    void refreshClock();

private:
    void onAssignmentsChanged(const QStringList &nodeIds);

    const AssignmentModel *m_assignments = nullptr;
    std::function<QDateTime()> m_clock;
    QDateTime m_now;
    QTimer m_timer;
};

} // namespace hivewatch
