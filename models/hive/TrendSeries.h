#pragma once

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

namespace hivewatch {

// The spans the trend charts offer; each has its own bucket size so that a chart holds a few
// hundred points at most (7 days in 5-minute buckets would be 2016 per series).
enum class TrendRange { Hour, Day, Week };

qint64 trendRangeMs(TrendRange range);
qint64 trendBucketMs(TrendRange range);
QString trendRangeName(TrendRange range); // "1 h", "24 h", "7 d"

// One point of a series: the time its value describes (a per-bucket count: the bucket's start;
// a level such as running assignments or heartbeat lag: the bucket's end) and the value.
struct TrendPoint
{
    QDateTime at;
    double value = 0;
    bool operator==(const TrendPoint &other) const = default;
};
using TrendPoints = QList<TrendPoint>;

// Every series of the trend charts over one range, read from the store's history in one go and
// handed to the GUI whole (a queued signal carries it; the GUI never reads the disk).
struct TrendSet
{
    TrendRange range = TrendRange::Hour;
    QDateTime from;
    QDateTime to;
    qint64 bucketMs = 0;
    TrendPoints created;
    TrendPoints started;
    TrendPoints done;
    TrendPoints running; // running assignments at each bucket's start
    TrendPoints logLinesPerSecond; // log lines in the bucket / its seconds
    TrendPoints stderrShare; // 0..1, share of the bucket's lines that were stderr
    QMap<QString, TrendPoints> heartbeatLag; // node id → seconds between heartbeats
    QString error; // why the series are empty, if they are
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::TrendSet)
