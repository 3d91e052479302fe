#include "sync/shape/PendingChanges.h"

#include <algorithm>
#include <cstring>

namespace hivewatch {

namespace {
// Large enough that the blocks cost nothing per row, small enough that draining a snapshot
// gives its memory back as it goes.
constexpr size_t kBlockBytes = 256 * 1024;
constexpr quint32 kNullBit = 0x80000000u;

// A change's layout, unaligned: operation (1), column list (4), key length (4), field count (4),
// one length per field (4, kNullBit for NULL), the key's UTF-8, the fields' texts.
constexpr size_t kHeaderBytes = 1 + 4 + 4 + 4;

template<typename T> void put(char *&at, T value)
{
    std::memcpy(at, &value, sizeof value);
    at += sizeof value;
}

template<typename T> T take(const char *&at)
{
    T value;
    std::memcpy(&value, at, sizeof value);
    at += sizeof value;
    return value;
}
} // namespace

PendingChanges::PendingChanges() = default;
PendingChanges::~PendingChanges() = default;
PendingChanges::PendingChanges(PendingChanges &&) noexcept = default;
PendingChanges &PendingChanges::operator=(PendingChanges &&) noexcept = default;

void PendingChanges::clear()
{
    m_blocks.clear();
    m_lastBlockSize = 0;
    m_used = 0;
    m_rows.clear();
    m_columnLists.clear();
    m_columnListIndex.clear();
    m_lastColumnList = -1;
}

char *PendingChanges::reserve(size_t bytes)
{
    if (m_blocks.empty() || m_used + bytes > m_lastBlockSize) {
        m_lastBlockSize = std::max(bytes, kBlockBytes);
        m_blocks.push_back(std::make_unique_for_overwrite<char[]>(m_lastBlockSize));
        m_used = 0;
    }
    char *at = m_blocks.back().get() + m_used;
    m_used += bytes;
    return at;
}

quint32 PendingChanges::columnListOf(const RawRow &row)
{
    if (m_lastColumnList >= 0) {
        // Rows of a shape share their column list, and the parser one QByteArray per name:
        // mostly pointer comparisons.
        const QList<QByteArray> &last = m_columnLists.at(m_lastColumnList);
        bool same = last.size() == row.size();
        for (qsizetype i = 0; same && i < row.size(); ++i) {
            const QByteArray &column = row.at(i).column;
            same = last.at(i).constData() == column.constData() || last.at(i) == column;
        }
        if (same)
            return quint32(m_lastColumnList);
    }
    QByteArray joined;
    for (const RawField &field : row)
        joined += field.column + '\0';
    auto it = m_columnListIndex.constFind(joined);
    if (it == m_columnListIndex.cend()) {
        QList<QByteArray> names;
        names.reserve(row.size());
        for (const RawField &field : row)
            names.append(field.column);
        m_columnLists.append(std::move(names));
        it = m_columnListIndex.insert(joined, quint32(m_columnLists.size() - 1));
    }
    m_lastColumnList = *it;
    return *it;
}

void PendingChanges::append(const AppliedChange &change)
{
    const QByteArray key = change.key.toUtf8();
    size_t bytes = kHeaderBytes + 4 * size_t(change.row.size()) + size_t(key.size());
    for (const RawField &field : change.row)
        bytes += field.isNull ? 0 : size_t(field.text.size());
    const quint32 columns = columnListOf(change.row);
    char *at = reserve(bytes);
    m_rows.push_back({m_blocks.size() - 1, size_t(at - m_blocks.back().get())});
    put<quint8>(at, quint8(change.operation));
    put<quint32>(at, columns);
    put<quint32>(at, quint32(key.size()));
    put<quint32>(at, quint32(change.row.size()));
    for (const RawField &field : change.row)
        put<quint32>(at, field.isNull ? kNullBit : quint32(field.text.size()));
    std::memcpy(at, key.constData(), size_t(key.size()));
    at += key.size();
    for (const RawField &field : change.row) {
        if (field.isNull)
            continue;
        std::memcpy(at, field.text.constData(), size_t(field.text.size()));
        at += field.text.size();
    }
}

void PendingChanges::unpack(Where where, AppliedChange &change) const
{
    const char *at = m_blocks[where.block].get() + where.offset;
    change.operation = RowChange::Operation(take<quint8>(at));
    const QList<QByteArray> &names = m_columnLists.at(take<quint32>(at));
    const quint32 keyBytes = take<quint32>(at);
    const quint32 fields = take<quint32>(at);
    const char *lengths = at;
    const char *text = at + 4 * size_t(fields);
    change.key = QString::fromUtf8(text, qsizetype(keyBytes));
    text += keyBytes;
    change.row.resize(fields);
    for (quint32 i = 0; i < fields; ++i) {
        const quint32 length = take<quint32>(lengths);
        RawField &field = change.row[i];
        field.column = names.at(i);
        field.isNull = length & kNullBit;
        // No copy: typing reads the text and makes its own value.
        field.text = field.isNull ? QByteArray() : QByteArray::fromRawData(text, qsizetype(length));
        text += field.isNull ? 0 : length;
    }
}

void PendingChanges::releaseBlocksBefore(size_t block)
{
    for (size_t i = block; i-- > 0 && m_blocks[i];)
        m_blocks[i].reset();
}

} // namespace hivewatch
