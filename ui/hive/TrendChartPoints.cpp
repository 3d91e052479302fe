#include "ui/hive/TrendChartPoints.h"

#include <QChart>
#include <QChartView>
#include <QPainter>

namespace hivewatch {

QList<QPointF> trendChartPoints(const TrendPoints &points)
{
    QList<QPointF> result;
    result.reserve(points.size());
    for (const TrendPoint &point : points)
        result.append(QPointF(double(point.at.toMSecsSinceEpoch()), point.value));
    return result;
}

QChartView *makeTrendChartView(QChart *chart, QWidget *parent)
{
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    // Live updates replace whole series; animating each would redraw for a second every time.
    chart->setAnimationOptions(QChart::NoAnimation);
    auto *view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(180);
    return view;
}

} // namespace hivewatch
