#pragma once

#include "domain/Vocabulary.h"

#include <QMetaType>

namespace hivewatch {

// Maps an enum to its Vocabulary; specialised for each status enum in StatusVocabularies.cpp.
template<typename E> const Vocabulary &vocabularyFor();

// A status as read from a row: the raw string is always kept, so a value the vocabulary does not
// know (a newer hive, a typo in a hand-edited database) is shown as "unknown: <raw>" instead of
// being dropped or crashing a parser.
template<typename E> class VocabularyValue
{
public:
    VocabularyValue() = default;

    // Never fails: an unknown string gives an unknown value that keeps the string.
    static VocabularyValue parse(QStringView raw)
    {
        VocabularyValue v;
        v.m_raw = raw.toString();
        if (const auto code = vocabularyFor<E>().lookup(raw))
            v.m_value = static_cast<E>(*code);
        return v;
    }
    // Fails on an unknown string; the error names the field, the value and the allowed set.
    static Result<VocabularyValue> validate(QStringView raw)
    {
        VocabularyValue v = parse(raw);
        if (!v.isKnown())
            return vocabularyFor<E>().validate(raw).error();
        return v;
    }
    static VocabularyValue of(E value)
    {
        VocabularyValue v;
        v.m_value = value;
        v.m_raw = vocabularyFor<E>().term(static_cast<int>(value))->canonical;
        return v;
    }

    bool isKnown() const { return m_value.has_value(); }
    std::optional<E> value() const { return m_value; }
    E valueOr(E fallback) const { return m_value.value_or(fallback); }
    // The string as it was read.
    const QString &raw() const { return m_raw; }
    // The canonical spelling; the raw string when unknown.
    QString canonical() const
    {
        return m_value ? vocabularyFor<E>().term(static_cast<int>(*m_value))->canonical : m_raw;
    }
    // For people: the term's label, or "unknown: <raw>".
    QString displayText() const
    {
        return m_value ? vocabularyFor<E>().term(static_cast<int>(*m_value))->label
                       : QStringLiteral("unknown: ") + m_raw;
    }

    // Two values are equal when they mean the same status (any spelling), or, when unknown,
    // carry the same raw string.
    friend bool operator==(const VocabularyValue &a, const VocabularyValue &b)
    {
        return a.m_value == b.m_value && (a.m_value || a.m_raw == b.m_raw);
    }
    friend bool operator==(const VocabularyValue &a, E b) { return a.m_value == b; }

private:
    std::optional<E> m_value;
    QString m_raw;
};

} // namespace hivewatch
