#pragma once

#include "models/hive/TrendSeries.h"

#include <QList>
#include <QPointF>

class QChart;
class QChartView;

namespace hivewatch {

// A series as chart points: x is the bucket start in ms since the epoch (what QDateTimeAxis
// reads), y the value.
QList<QPointF> trendChartPoints(const TrendPoints &points);
// A compact chart for a dashboard: no margins to speak of, legend at the bottom, antialiased.
QChartView *makeTrendChartView(QChart *chart, QWidget *parent);

} // namespace hivewatch
