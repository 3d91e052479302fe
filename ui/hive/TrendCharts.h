#pragma once

#include "models/hive/TrendSeries.h"

#include <QPointF>
#include <QWidget>

class QButtonGroup;
class QChart;
class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace hivewatch {

class HistorySource;

// The Overview's trend charts, from the store's history through a HistorySource: tasks created /
// started / done per bucket, running assignments over time, log lines per second with the
// stderr share. A range switch (1 h / 24 h / 7 d) asks the source for new series; live batches
// refresh them through the source's throttle. Embed with `new TrendCharts(source, parent)`.
class TrendCharts : public QWidget
{
    Q_OBJECT
public:
    explicit TrendCharts(HistorySource *source, QWidget *parent = nullptr);

    // The points a chart shows now, by series name: "created", "started", "done", "running",
    // "log lines/s", "stderr share" (tests, screenshots).
    QList<QPointF> seriesPoints(const QString &name) const;
    QString statusText() const;

public slots:
    void showTrends(const hivewatch::TrendSet &trends);

private:
    QLineSeries *addSeries(QChart *chart, const QString &name, QValueAxis *y);

    HistorySource *m_source;
    QButtonGroup *m_ranges;
    QLabel *m_status;
    QList<QLineSeries *> m_series;
    QList<QDateTimeAxis *> m_timeAxes;
    QValueAxis *m_tasksAxis;
    QValueAxis *m_runningAxis;
    QValueAxis *m_linesAxis;
    QValueAxis *m_shareAxis;
};

} // namespace hivewatch
