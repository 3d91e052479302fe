#pragma once

#include "models/hive/HistoryQueries.h"
#include "sync/hive/HistoryReader.h"

#include <optional>

namespace hivewatch {

// HistoryQueries over the store's own history (HistoryReader, sync/hive): the series, rows and
// changes in the views' terms. The reader opens on first use and again after a failure, so a
// store whose history the sync has not created yet gets it once it is there.
class StoreHistoryQueries : public HistoryQueries
{
public:
    explicit StoreHistoryQueries(QString storePath);

    // The factory HistorySource takes in the app.
    static HistoryQueriesFactory factory();

    TrendSet trends(TrendRange range, const QDateTime &to) override;
    HistoryExtent extent() override;
    RowState rowAsOf(const QString &table, const QString &key, const QDateTime &at) override;
    HistoryEvents changesBetween(const QDateTime &from, const QDateTime &to, const QString &table,
                                 const QString &key) override;
    StatusChanges lastStatusChanges(const QString &table, const QStringList &keys) override;

    // The buckets trends() asks the reader for: [from, to) with from on a bucket boundary, so a
    // 5-minute bucket is 10:05–10:10 whenever it is read; the last one ends at `to`.
    static std::pair<qint64, qint64> trendWindow(TrendRange range, qint64 toMs);

private:
    HistoryReader *reader(QString *error);

    QString m_storePath;
    std::optional<HistoryReader> m_reader;
};

} // namespace hivewatch
