#pragma once

#include "models/hive/AlertModel.h"

#include <QObject>

class QSystemTrayIcon;

namespace hivewatch {

// Desktop notifications for raised alerts through a tray icon that shows the open-alert count.
// Rules the operator silenced (MonitorSettings::quietRules) stay in the list only. Where the
// desktop has no system tray (or the platform is offscreen) it does nothing, quietly.
class AlertNotifier : public QObject
{
    Q_OBJECT
public:
    explicit AlertNotifier(AlertModel *alerts, QObject *parent = nullptr);

    bool hasTray() const { return m_tray != nullptr; }

signals:
    // The operator clicked the tray icon or a notification: show the alerts.
    void alertsRequested();

private:
    void onRaised(const AlertModel::Alert &alert);
    void updateIcon(int open);

    AlertModel *m_alerts;
    QSystemTrayIcon *m_tray = nullptr;
};

} // namespace hivewatch
