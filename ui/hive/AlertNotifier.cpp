#include "ui/hive/AlertNotifier.h"

#include "ui/hive/AlertColor.h"

#include <QFont>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QSystemTrayIcon>

namespace hivewatch {

AlertNotifier::AlertNotifier(AlertModel *alerts, QObject *parent)
    : QObject(parent)
    , m_alerts(alerts)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(this);
    connect(alerts, &AlertModel::alertRaised, this, &AlertNotifier::onRaised);
    connect(alerts, &AlertModel::openCountChanged, this, &AlertNotifier::updateIcon);
    connect(m_tray, &QSystemTrayIcon::activated, this, &AlertNotifier::alertsRequested);
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &AlertNotifier::alertsRequested);
    updateIcon(alerts->rowCount());
    m_tray->show();
}

void AlertNotifier::onRaised(const AlertModel::Alert &alert)
{
    if (!m_alerts->settings().notifies(alert.rule))
        return;
    m_tray->showMessage(MonitorSettings::ruleLabel(alert.rule), alert.text,
                        QSystemTrayIcon::Warning);
}

void AlertNotifier::updateIcon(int open)
{
    // The count is painted into the icon: trays show no badge of their own.
    QPixmap pixmap(64, 64);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(open > 0 ? alertColor() : QColor(0x2e, 0x7d, 0x32));
    painter.drawEllipse(pixmap.rect().adjusted(2, 2, -2, -2));
    QFont font = painter.font();
    font.setBold(true);
    font.setPixelSize(open > 99 ? 24 : 34);
    painter.setFont(font);
    painter.setPen(Qt::white);
    painter.drawText(pixmap.rect(), Qt::AlignCenter,
                     open > 0 ? QString::number(qMin(open, 999)) : QStringLiteral("✓"));
    painter.end();
    m_tray->setIcon(QIcon(pixmap));
    m_tray->setToolTip(open == 0 ? tr("Hivewatch: no open alerts")
                                 : tr("Hivewatch: %n open alert(s)", nullptr, open));
}

} // namespace hivewatch
