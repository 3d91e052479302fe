#pragma once

#include "domain/Result.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

namespace hivewatch {

// A closed set of strings that one hive or node column may hold (docs/hive-schema.md §2). Each term
// has a canonical spelling, the other spellings that mean the same (the hive and the node spell
// some values differently) and a label for people. Matching is exact and case-sensitive, as the
// node's validators are: "TODO" is not "todo".
class Vocabulary
{
public:
    struct Term
    {
        int code = 0; // the enum value it stands for
        QString canonical; // the spelling Hivewatch writes and shows in tooltips
        QStringList otherSpellings; // accepted on input, mapped to the same code
        QString label; // for people ("In progress")
    };

    Vocabulary(QString field, QList<Term> terms);

    // The column the values come from, as errors name it ("task status").
    const QString &field() const { return m_field; }
    const QList<Term> &terms() const { return m_terms; }

    // The code of `raw` in any accepted spelling, or nothing when it is not in the vocabulary.
    std::optional<int> lookup(QStringView raw) const;
    // The same, as a validation: the error names the field, the value and the allowed set.
    Result<int> validate(QStringView raw) const;

    const Term *term(int code) const;
    // Every accepted spelling, canonical ones first.
    QStringList allowedSpellings() const;

private:
    QString m_field;
    QList<Term> m_terms;
};

} // namespace hivewatch
