#pragma once

#include <QList>
#include <QVariant>

#include <limits>

namespace hivewatch {

// Per source row, the key SortedFilterProxy placed the row with. Keys are timestamps as msecs
// or integers in every dashboard view, kept here as 8-byte numbers rather than 32-byte QVariants
// (six task proxies over 100k rows held 19 MiB of keys); the first key of another kind turns
// the list into QVariants, so any key still sorts as before.
class SortKeyList
{
public:
    qsizetype size() const { return m_general ? m_variants.size() : m_numbers.size(); }
    QVariant at(qsizetype i) const
    {
        if (m_general)
            return m_variants.at(i);
        const qint64 number = m_numbers.at(i);
        return number == kNone ? QVariant() : QVariant(number);
    }
    void set(qsizetype i, const QVariant &key)
    {
        if (!m_general && !key.isValid())
            m_numbers[i] = kNone;
        else if (!m_general && isNumber(key))
            m_numbers[i] = *static_cast<const qint64 *>(key.constData());
        else {
            makeGeneral();
            m_variants[i] = key;
        }
    }
    void clear()
    {
        m_numbers = {};
        m_variants = {};
        m_general = false;
    }
    void resize(qsizetype size)
    {
        if (m_general)
            m_variants.resize(size);
        else
            m_numbers.resize(size, kNone);
    }
    // `count` rows without a key at `first`.
    void insert(qsizetype first, qsizetype count)
    {
        if (m_general)
            m_variants.insert(first, count, QVariant());
        else
            m_numbers.insert(first, count, kNone);
    }
    void remove(qsizetype first, qsizetype count)
    {
        if (m_general)
            m_variants.remove(first, count);
        else
            m_numbers.remove(first, count);
    }

private:
    static constexpr qint64 kNone = std::numeric_limits<qint64>::min();
    static bool isNumber(const QVariant &key)
    {
        return key.typeId() == QMetaType::LongLong
            && *static_cast<const qint64 *>(key.constData()) != kNone;
    }
    void makeGeneral()
    {
        if (m_general)
            return;
        m_variants.reserve(m_numbers.size());
        for (qint64 number : std::as_const(m_numbers))
            m_variants.append(number == kNone ? QVariant() : QVariant(number));
        m_numbers = {};
        m_general = true;
    }

    QList<qint64> m_numbers;
    QList<QVariant> m_variants;
    bool m_general = false;
};

} // namespace hivewatch
