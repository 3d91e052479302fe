#pragma once

#include "sync/common/WorkerThread.h"
#include "sync/store/LogSearch.h"

#include <QAbstractItemModel>
#include <QPointer>

#include <atomic>
#include <memory>

namespace hivewatch {

class LogExecutionModel;
class LogLineReader;

// A search across every execution of a store (issue 16), as a tree: one top-level row per
// execution with hits ("task · node · … — 12 hits", labelled as the executions list labels it),
// its hit lines below ("1234  the line"). LogSearch runs on the model's own worker over a
// connection of its own; a newer search interrupts the running one, whose answer is dropped.
// Hit lines are materialized up to MaxLines over all executions; counts are always full.
class LogSearchResultsModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Role {
        ExecutionIdRole = Qt::UserRole + 1, // QUuid, on both levels
        LineNumberRole, // qint64, 1-based within the execution; 0 on an execution row
        HitsRole, // qint64, on an execution row
    };
    static constexpr int MaxLines = 5000;

    explicit LogSearchResultsModel(QObject *parent = nullptr);
    ~LogSearchResultsModel() override;

    // Labels executions as the list does (optional; otherwise by id).
    void setExecutionModel(const LogExecutionModel *executions);
    bool isSearching() const { return m_searching; }
    qint64 totalHits() const { return m_result.totalHits; }
    const LogSearchResult &result() const { return m_result; }
    QString lastError() const { return m_lastError; }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

public slots:
    void setStorePath(const QString &path);
    // Searches every execution (query.executionId is ignored); an empty text clears.
    void setSearch(const LogSearchQuery &query);

signals:
    void searchingChanged(bool searching);
    void searchFinished();

private:
    void onSearch(quint64 token, const LogSearchResult &result, const QString &error);
    QString label(const QUuid &executionId) const;

    std::unique_ptr<LogLineReader> m_reader; // lives on m_worker
    WorkerThread m_worker;
    std::atomic<quint64> m_token = 0;
    QPointer<const LogExecutionModel> m_executions;
    LogSearchResult m_result;
    bool m_searching = false;
    QString m_lastError;
};

} // namespace hivewatch
