#include "domain/Vocabulary.h"

namespace hivewatch {

Vocabulary::Vocabulary(QString field, QList<Term> terms)
    : m_field(std::move(field))
    , m_terms(std::move(terms))
{
}

std::optional<int> Vocabulary::lookup(QStringView raw) const
{
    for (const Term &t : m_terms) {
        if (raw == t.canonical)
            return t.code;
        for (const QString &s : t.otherSpellings) {
            if (raw == s)
                return t.code;
        }
    }
    return std::nullopt;
}

Result<int> Vocabulary::validate(QStringView raw) const
{
    if (const auto code = lookup(raw))
        return *code;
    return Error(QStringLiteral("Invalid %1 \"%2\": expected one of %3")
                     .arg(m_field, raw.toString(), allowedSpellings().join(QStringLiteral(", "))));
}

const Vocabulary::Term *Vocabulary::term(int code) const
{
    for (const Term &t : m_terms) {
        if (t.code == code)
            return &t;
    }
    return nullptr;
}

QStringList Vocabulary::allowedSpellings() const
{
    QStringList all;
    for (const Term &t : m_terms)
        all << t.canonical;
    for (const Term &t : m_terms)
        all << t.otherSpellings;
    return all;
}

} // namespace hivewatch
