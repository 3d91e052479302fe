#pragma once

#include "models/hive/TrendSeries.h"

#include <QMap>
#include <QStyledItemDelegate>

namespace hivewatch {

// Paints the cell as usual and, at its right, the node's heartbeat lag over the trend range as a
// sparkline (the node is the row's HiveRoles::IdRole); the line turns red above the stale
// threshold. The series come whole from the history (HistorySource::trendsReady).
class HeartbeatSparklineDelegate : public QStyledItemDelegate
{
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void setSeries(const QMap<QString, TrendPoints> &lagByNode, qint64 fromMs, qint64 toMs);
    void setStaleSeconds(double seconds) { m_staleSeconds = seconds; }
    TrendPoints seriesFor(const QString &nodeId) const { return m_lag.value(nodeId); }
    static constexpr int sparkWidth() { return 72; }

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    QMap<QString, TrendPoints> m_lag;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    double m_staleSeconds = 60;
};

} // namespace hivewatch
