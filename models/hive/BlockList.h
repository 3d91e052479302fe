#pragma once

#include <QList>

namespace hivewatch {

// A list kept in blocks of 4,096 values. A copy shares the blocks, so one handed to a pool
// thread costs nothing, and a change made after it copies one block rather than the whole
// list: a QList of 100k rows shared that way was copied whole by the next append, 10-40 ms
// on the GUI thread.
template<typename T> class BlockList
{
public:
    qsizetype size() const { return m_size; }
    const T &at(qsizetype i) const { return m_blocks.at(i / kBlock).at(i % kBlock); }
    void append(T value)
    {
        if (m_size % kBlock == 0) {
            m_blocks.append(QList<T>());
            m_blocks.last().reserve(kBlock);
        }
        m_blocks.last().append(std::move(value));
        ++m_size;
    }
    void replace(qsizetype i, T value) { m_blocks[i / kBlock][i % kBlock] = std::move(value); }
    void clear()
    {
        m_blocks.clear();
        m_size = 0;
    }

private:
    static constexpr qsizetype kBlock = 4096;
    QList<QList<T>> m_blocks;
    qsizetype m_size = 0;
};

} // namespace hivewatch
