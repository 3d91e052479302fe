#include "ui/hive/TrendCharts.h"

#include "models/hive/HistorySource.h"
#include "ui/hive/TrendChartPoints.h"

#include <QButtonGroup>
#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QToolButton>
#include <QValueAxis>

#include <algorithm>

namespace hivewatch {

namespace {

double maxValue(const TrendPoints &points, double floor)
{
    double result = floor;
    for (const TrendPoint &point : points)
        result = std::max(result, point.value);
    return result;
}

} // namespace

TrendCharts::TrendCharts(HistorySource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_ranges(new QButtonGroup(this))
    , m_status(new QLabel(this))
    , m_tasksAxis(new QValueAxis(this))
    , m_runningAxis(new QValueAxis(this))
    , m_linesAxis(new QValueAxis(this))
    , m_shareAxis(new QValueAxis(this))
{
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("<b>Trends</b>"), this));
    for (TrendRange range : {TrendRange::Hour, TrendRange::Day, TrendRange::Week}) {
        auto *button = new QToolButton(this);
        button->setText(trendRangeName(range));
        button->setCheckable(true);
        button->setChecked(range == source->range());
        m_ranges->addButton(button, int(range));
        bar->addWidget(button);
    }
    bar->addWidget(m_status, 1);
    connect(m_ranges, &QButtonGroup::idClicked, this,
            [this](int id) { m_source->setRange(TrendRange(id)); });

    auto *tasks = new QChart;
    tasks->setTitle(tr("Tasks per bucket"));
    auto *running = new QChart;
    running->setTitle(tr("Running assignments"));
    auto *lines = new QChart;
    lines->setTitle(tr("Log lines per second and stderr share"));
    m_tasksAxis->setLabelFormat(QStringLiteral("%d"));
    m_runningAxis->setLabelFormat(QStringLiteral("%d"));
    m_linesAxis->setLabelFormat(QStringLiteral("%.1f"));
    m_shareAxis->setRange(0, 1);
    m_shareAxis->setLabelFormat(QStringLiteral("%.2f"));
    // With two value axes Qt Charts sizes the left one's labels from too small a margin and
    // shows "…" for every label; short numbers never need eliding.
    for (QValueAxis *axis : {m_tasksAxis, m_runningAxis, m_linesAxis, m_shareAxis})
        axis->setTruncateLabels(false);
    tasks->addAxis(m_tasksAxis, Qt::AlignLeft);
    running->addAxis(m_runningAxis, Qt::AlignLeft);
    lines->addAxis(m_linesAxis, Qt::AlignLeft);
    lines->addAxis(m_shareAxis, Qt::AlignRight);
    for (QChart *chart : {tasks, running, lines}) {
        auto *axis = new QDateTimeAxis(this);
        axis->setFormat(QStringLiteral("HH:mm"));
        axis->setTickCount(5);
        chart->addAxis(axis, Qt::AlignBottom);
        m_timeAxes.append(axis);
    }
    addSeries(tasks, tr("created"), m_tasksAxis);
    addSeries(tasks, tr("started"), m_tasksAxis);
    addSeries(tasks, tr("done"), m_tasksAxis);
    addSeries(running, tr("running"), m_runningAxis);
    addSeries(lines, tr("log lines/s"), m_linesAxis);
    addSeries(lines, tr("stderr share"), m_shareAxis);
    running->legend()->hide();

    auto *charts = new QHBoxLayout;
    charts->addWidget(makeTrendChartView(tasks, this));
    charts->addWidget(makeTrendChartView(running, this));
    charts->addWidget(makeTrendChartView(lines, this));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addLayout(charts, 1);

    connect(source, &HistorySource::trendsReady, this, &TrendCharts::showTrends);
    m_status->setText(tr("reading history…"));
    if (source->trends().to.isValid())
        showTrends(source->trends());
}

QLineSeries *TrendCharts::addSeries(QChart *chart, const QString &name, QValueAxis *y)
{
    auto *series = new QLineSeries(this);
    series->setName(name);
    chart->addSeries(series);
    series->attachAxis(chart->axes(Qt::Horizontal).constFirst());
    series->attachAxis(y);
    m_series.append(series);
    return series;
}

void TrendCharts::showTrends(const TrendSet &trends)
{
    m_ranges->button(int(trends.range))->setChecked(true);
    const QList<const TrendPoints *> all
        = {&trends.created, &trends.started,           &trends.done,
           &trends.running, &trends.logLinesPerSecond, &trends.stderrShare};
    for (int i = 0; i < m_series.size(); ++i)
        m_series.at(i)->replace(trendChartPoints(*all.at(i)));
    const QString format
        = trends.range == TrendRange::Week ? QStringLiteral("ddd HH:mm") : QStringLiteral("HH:mm");
    for (QDateTimeAxis *axis : m_timeAxes) {
        axis->setFormat(format);
        axis->setRange(trends.from.toLocalTime(), trends.to.toLocalTime());
    }
    m_tasksAxis->setRange(0,
                          std::max({maxValue(trends.created, 1), maxValue(trends.started, 1),
                                    maxValue(trends.done, 1)}));
    m_runningAxis->setRange(0, maxValue(trends.running, 1));
    m_linesAxis->setRange(0, maxValue(trends.logLinesPerSecond, 1));
    m_tasksAxis->applyNiceNumbers();
    m_runningAxis->applyNiceNumbers();
    m_linesAxis->applyNiceNumbers();
    if (!trends.error.isEmpty())
        m_status->setText(tr("no history: %1").arg(trends.error));
    else
        m_status->setText(
            tr("last %1 in %2-minute buckets, until %3")
                .arg(trendRangeName(trends.range))
                .arg(trends.bucketMs / 60000)
                .arg(QLocale().toString(trends.to.toLocalTime().time(), QLocale::ShortFormat)));
}

QList<QPointF> TrendCharts::seriesPoints(const QString &name) const
{
    for (const QLineSeries *series : m_series) {
        if (series->name() == name)
            return series->points();
    }
    return {};
}

QString TrendCharts::statusText() const
{
    return m_status->text();
}

} // namespace hivewatch
