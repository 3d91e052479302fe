#include "models/hive/TrendSeries.h"

#include <QObject>

namespace hivewatch {

qint64 trendRangeMs(TrendRange range)
{
    constexpr qint64 hour = 3600 * 1000;
    switch (range) {
    case TrendRange::Hour:
        return hour;
    case TrendRange::Day:
        return 24 * hour;
    case TrendRange::Week:
        return 7 * 24 * hour;
    }
    return hour;
}

qint64 trendBucketMs(TrendRange range)
{
    constexpr qint64 minute = 60 * 1000;
    switch (range) {
    case TrendRange::Hour:
    case TrendRange::Day:
        return 5 * minute;
    case TrendRange::Week:
        return 60 * minute;
    }
    return 5 * minute;
}

QString trendRangeName(TrendRange range)
{
    switch (range) {
    case TrendRange::Hour:
        return QObject::tr("1 h");
    case TrendRange::Day:
        return QObject::tr("24 h");
    case TrendRange::Week:
        return QObject::tr("7 d");
    }
    return {};
}

} // namespace hivewatch
