#pragma once

#include "domain/Result.h"

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <string_view>

namespace hivewatch {

struct LogSearchQuery;

// The exact rule a line must meet for a search (LogSearchQuery's text, regex, case and exclude
// terms); the SQL in front of it only narrows the candidates. matchesUtf8() gives the same
// answer as matches() on the stored bytes without making a QString when the line and the terms
// are ASCII (where Qt's case folding is ASCII's): the counting pass reads a million hits, and a
// QString per hit was most of its time.
class LogLineMatcher
{
public:
    static Result<LogLineMatcher> make(const LogSearchQuery &query);

    bool matches(const QString &content) const;
    // textKnown: the caller knows an ASCII line contains the text (case-insensitively), e.g. the
    // trigram index said so; only the exclude terms are then checked. A line that is not ASCII
    // is always checked in full.
    bool matchesUtf8(std::string_view content, bool textKnown = false) const;
    // The text is a case-insensitive ASCII literal: on an ASCII line the trigram phrase is
    // exactly it, so an index hit needs no recheck of the text.
    bool indexAnswersText() const { return m_indexExact; }
    // Nothing but the text to check (no exclude terms): an index hit is a hit where the index
    // answers the text.
    bool textOnly() const { return m_exclude.isEmpty(); }
    static bool isAscii(std::string_view utf8);
    static bool isAscii(const QString &text);

private:
    QString m_text;
    QStringList m_exclude;
    Qt::CaseSensitivity m_case = Qt::CaseInsensitive;
    QRegularExpression m_regex;
    bool m_useRegex = false;
    bool m_asciiTerms = false; // the text and every exclude term are ASCII
    bool m_indexExact = false;
    QByteArray m_textBytes;
    QList<QByteArray> m_excludeBytes;
};

} // namespace hivewatch
