#include "ui/hive/HeartbeatSparklineDelegate.h"

#include "models/hive/HiveRoles.h"
#include "ui/hive/AlertColor.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace hivewatch {

void HeartbeatSparklineDelegate::setSeries(const QMap<QString, TrendPoints> &lagByNode,
                                           qint64 fromMs, qint64 toMs)
{
    m_lag = lagByNode;
    m_fromMs = fromMs;
    m_toMs = toMs;
}

void HeartbeatSparklineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                       const QModelIndex &index) const
{
    QStyleOptionViewItem textOption = option;
    textOption.rect.setRight(option.rect.right() - sparkWidth());
    QStyledItemDelegate::paint(painter, textOption, index);

    const TrendPoints points = m_lag.value(index.data(HiveRoles::IdRole).toString());
    if (points.isEmpty() || m_toMs <= m_fromMs)
        return;
    const QRectF area = QRectF(option.rect.right() - sparkWidth() + 4, option.rect.top() + 3,
                               sparkWidth() - 8, option.rect.height() - 6);
    double top = m_staleSeconds; // the stale threshold is always on the scale
    for (const TrendPoint &point : points)
        top = std::max(top, point.value);
    auto toPoint = [&](const TrendPoint &point) {
        const double x
            = double(point.at.toMSecsSinceEpoch() - m_fromMs) / double(m_toMs - m_fromMs);
        return QPointF(area.left() + std::clamp(x, 0.0, 1.0) * area.width(),
                       area.bottom() - point.value / top * area.height());
    };
    QPainterPath path(toPoint(points.first()));
    bool stale = false;
    for (const TrendPoint &point : points) {
        path.lineTo(toPoint(point));
        stale = stale || point.value > m_staleSeconds;
    }
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const double thresholdY = area.bottom() - m_staleSeconds / top * area.height();
    painter->setPen(QPen(option.palette.color(QPalette::Mid), 1, Qt::DotLine));
    painter->drawLine(QPointF(area.left(), thresholdY), QPointF(area.right(), thresholdY));
    painter->setPen(QPen(stale ? alertColor() : option.palette.color(QPalette::Highlight), 1.5));
    painter->drawPath(path);
    if (points.size() == 1) // a fresh history: one bucket, a dot rather than nothing
        painter->drawEllipse(toPoint(points.first()), 1.5, 1.5);
    painter->restore();
}

QSize HeartbeatSparklineDelegate::sizeHint(const QStyleOptionViewItem &option,
                                           const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.rwidth() += sparkWidth();
    return size;
}

} // namespace hivewatch
