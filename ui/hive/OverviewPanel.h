#pragma once

#include "models/hive/MonitorSettings.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QLabel;
class QSpinBox;
class QTableView;
class QVBoxLayout;

namespace hivewatch {

class AlertModel;
class CapacityMeter;
class FleetSummary;

// The first tab: is the fleet healthy? A strip of node counts by state, capacity in use, tasks
// per status, the assignments stranded on stale nodes (a link), the open alerts, and the
// thresholds that decide what is stale or stuck. Everything comes from the models, live.
class OverviewPanel : public QWidget
{
    Q_OBJECT
public:
    OverviewPanel(FleetSummary *fleet, AlertModel *alerts, QWidget *parent = nullptr);

    void setSettings(const MonitorSettings &settings);
    MonitorSettings settings() const;

    // The number shown for a node bucket: "online", "busy", "draining", "stale", "offline".
    int shownNodeCount(const QString &bucket) const;
    QString capacityText() const;
    CapacityMeter *capacityMeter() const { return m_capacityMeter; }
    QString tasksText() const;
    QLabel *staleAssignmentsLink() const { return m_staleLink; }
    QTableView *alertTable() const { return m_alertTable; }
    QSpinBox *staleThresholdBox() const { return m_staleBox; }
    // Where the trend charts of issue 17 go (branch h/charts): add the TrendCharts widget here.
    QVBoxLayout *chartsSlot() const { return m_chartsSlot; }

signals:
    void settingsChanged(const hivewatch::MonitorSettings &settings);
    void staleAssignmentsRequested();
    // int(AlertModel::SubjectKind) and the id of the row the alert is about.
    void alertActivated(int subjectKind, const QString &subjectId);

private:
    void updateFleet();
    void updateAlertTitle();
    void emitSettings();

    FleetSummary *m_fleet;
    AlertModel *m_alerts;
    QHash<QString, QLabel *> m_nodeCounts;
    QLabel *m_otherNodes;
    QLabel *m_capacity;
    CapacityMeter *m_capacityMeter;
    QLabel *m_capacityNote;
    QLabel *m_tasks;
    QLabel *m_staleLink;
    QVBoxLayout *m_chartsSlot;
    QLabel *m_alertTitle;
    QTableView *m_alertTable;
    QSpinBox *m_staleBox;
    QSpinBox *m_stuckBox;
    QSpinBox *m_stderrShareBox;
    QSpinBox *m_stderrMinLinesBox;
    QHash<MonitorSettings::Rule, QCheckBox *> m_notify;
    bool m_applying = false;
};

} // namespace hivewatch
