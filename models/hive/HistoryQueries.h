#pragma once

#include "models/hive/TrendSeries.h"

#include <QString>

#include <functional>
#include <memory>

namespace hivewatch {

// What the views ask of the store's history. An implementation is made, used and dropped on one
// worker thread (HistorySource's): it may hold a SQLite connection.
class HistoryQueries
{
public:
    virtual ~HistoryQueries() = default;
    // Every trend series over [to - range, to), in the range's buckets.
    virtual TrendSet trends(TrendRange range, const QDateTime &to) = 0;
};

// Opens the queries on a store file; called on the worker thread.
using HistoryQueriesFactory = std::function<std::unique_ptr<HistoryQueries>(const QString &path)>;

} // namespace hivewatch
