#pragma once

#include "sync/shape/ShapeRowSink.h"

#include <QByteArray>
#include <QHash>
#include <QList>

#include <cstdint>
#include <memory>
#include <vector>

namespace hivewatch {

// The applied changes of a batch in progress, held by ShapeWorker from the part that stored them
// until the up-to-date that closes the batch, when they are typed and handed on. A snapshot of
// 100k tasks is held for seconds while it streams in; as AppliedChange (a RawRow: a QByteArray
// per column plus the field list, and a QString key) that was ~1.7 KB a task, the largest single
// part of the dashboard's peak RSS (docs/benchmarks.md, "What the peak RSS is made of").
// Here a change is its bytes only: the key and the column texts, end to end in large blocks, with
// a length per field; column names are kept once per distinct column list.
class PendingChanges
{
public:
    PendingChanges();
    ~PendingChanges();
    PendingChanges(PendingChanges &&) noexcept;
    PendingChanges &operator=(PendingChanges &&) noexcept;

    void append(const AppliedChange &change);
    qsizetype size() const { return qsizetype(m_rows.size()); }
    bool isEmpty() const { return m_rows.empty(); }
    void clear();

    // Hands every change to `visit` in the order appended, as an AppliedChange whose row's texts
    // point into this list's blocks (valid during the call only), and frees each block once
    // passed. Leaves the list empty.
    template<typename Visit> void drain(Visit &&visit)
    {
        AppliedChange change;
        for (size_t i = 0; i < m_rows.size(); ++i) {
            unpack(m_rows[i], change);
            visit(change);
            releaseBlocksBefore(i + 1 < m_rows.size() ? m_rows[i + 1].block : m_blocks.size());
        }
        clear();
    }

private:
    struct Where
    {
        size_t block;
        size_t offset;
    };
    char *reserve(size_t bytes);
    quint32 columnListOf(const RawRow &row);
    void unpack(Where where, AppliedChange &change) const;
    void releaseBlocksBefore(size_t block);

    std::vector<std::unique_ptr<char[]>> m_blocks; // in order; freed from the front on drain
    size_t m_lastBlockSize = 0;
    size_t m_used = 0; // bytes used in the last block
    std::vector<Where> m_rows; // where each change starts
    QList<QList<QByteArray>> m_columnLists;
    // By the names joined with NULs: a server whose rows keep changing their columns costs a
    // lookup a row, not a scan of every list seen.
    QHash<QByteArray, quint32> m_columnListIndex;
    qsizetype m_lastColumnList = -1;
};

} // namespace hivewatch
