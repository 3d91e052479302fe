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

    // How long an online or busy node may go without a heartbeat (MonitorSettings; default 60 s).
    int staleAfterSeconds() const { return m_staleAfterSeconds; }
    void setStaleAfterSeconds(int seconds);
    // max_concurrent_tasks from the node's capabilities. The hive's default is 1 when the key is
    // missing (CapacitySource::Assumed); a value that is not a positive integer counts as nothing
    // and is reported (CapacitySource::Invalid) rather than guessed.
    enum class CapacitySource { Reported, Assumed, Invalid };
    struct Capacity
    {
        int maxTasks = 0;
        CapacitySource source = CapacitySource::Reported;
    };
    Capacity capacity(int row) const;
    // The clock is injectable so tests can move time; refreshClock() re-reads it and emits the
    // changes (a timer calls it every second, and again the moment a node crosses the threshold).
    void setClock(std::function<QDateTime()> clock);
    void refreshClock();

private:
    void onAssignmentsChanged(const QStringList &nodeIds);
    void scheduleStaleCrossing();

    const AssignmentModel *m_assignments = nullptr;
    std::function<QDateTime()> m_clock;
    QDateTime m_now;
    QTimer m_timer;
    QTimer m_crossing; // fires when the next fresh node goes stale
    int m_staleAfterSeconds = 60;
};

} // namespace hivewatch
