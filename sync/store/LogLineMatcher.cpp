#include "sync/store/LogLineMatcher.h"

#include "sync/store/LogSearch.h"

#include <cstdint>
#include <cstring>

namespace hivewatch {

bool LogLineMatcher::isAscii(std::string_view s)
{
    size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, s.data() + i, 8);
        if (word & 0x8080808080808080ULL)
            return false;
    }
    for (; i < s.size(); ++i) {
        if (static_cast<unsigned char>(s[i]) >= 0x80)
            return false;
    }
    return true;
}

namespace {

char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

// `needle` in `haystack`, both ASCII; the needle is lower-cased already when !caseSensitive.
bool containsAscii(std::string_view haystack, std::string_view needle, bool caseSensitive)
{
    if (needle.empty())
        return true;
    if (caseSensitive)
        return haystack.find(needle) != std::string_view::npos;
    if (needle.size() > haystack.size())
        return false;
    const char first = needle[0];
    const char firstUpper = first >= 'a' && first <= 'z' ? char(first - 'a' + 'A') : first;
    const size_t last = haystack.size() - needle.size();
    for (size_t i = 0; i <= last; ++i) {
        if (haystack[i] != first && haystack[i] != firstUpper)
            continue;
        size_t k = 1;
        while (k < needle.size() && lower(haystack[i + k]) == needle[k])
            ++k;
        if (k == needle.size())
            return true;
    }
    return false;
}

} // namespace

Result<LogLineMatcher> LogLineMatcher::make(const LogSearchQuery &query)
{
    LogLineMatcher m;
    m.m_text = query.text;
    m.m_exclude = query.exclude;
    m.m_exclude.removeAll(QString());
    m.m_case = query.caseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive;
    if (query.regex) {
        m.m_regex.setPattern(query.text);
        m.m_regex.setPatternOptions(query.caseSensitive
                                        ? QRegularExpression::NoPatternOption
                                        : QRegularExpression::CaseInsensitiveOption);
        if (!m.m_regex.isValid())
            return Error(QStringLiteral("Invalid regular expression \"%1\": %2 at offset %3")
                             .arg(query.text, m.m_regex.errorString())
                             .arg(m.m_regex.patternErrorOffset()));
        m.m_useRegex = true;
        m.m_regex.optimize();
    }
    m.m_asciiTerms = !m.m_useRegex && isAscii(m.m_text);
    for (const QString &term : std::as_const(m.m_exclude))
        m.m_asciiTerms = m.m_asciiTerms && isAscii(term);
    const auto bytes = [&m](const QString &s) {
        return m.m_case == Qt::CaseSensitive ? s.toLatin1() : s.toLatin1().toLower();
    };
    if (m.m_asciiTerms) {
        m.m_textBytes = bytes(m.m_text);
        for (const QString &term : std::as_const(m.m_exclude))
            m.m_excludeBytes.append(bytes(term));
    }
    m.m_indexExact = m.m_asciiTerms && !query.caseSensitive && m.m_text.size() >= 3;
    return m;
}

bool LogLineMatcher::matches(const QString &content) const
{
    if (m_useRegex ? !m_regex.match(content).hasMatch() : !content.contains(m_text, m_case))
        return false;
    for (const QString &term : m_exclude) {
        if (content.contains(term, m_case))
            return false;
    }
    return true;
}

bool LogLineMatcher::matchesUtf8(std::string_view content, bool textKnown) const
{
    if (!m_asciiTerms || !LogLineMatcher::isAscii(content))
        return matches(QString::fromUtf8(content.data(), qsizetype(content.size())));
    const bool caseSensitive = m_case == Qt::CaseSensitive;
    if (!textKnown
        && !containsAscii(content, std::string_view(m_textBytes.data(), m_textBytes.size()),
                          caseSensitive))
        return false;
    for (const QByteArray &term : m_excludeBytes) {
        if (containsAscii(content, std::string_view(term.data(), term.size()), caseSensitive))
            return false;
    }
    return true;
}

bool LogLineMatcher::isAscii(const QString &text)
{
    for (QChar c : text) {
        if (c.unicode() >= 0x80)
            return false;
    }
    return true;
}

} // namespace hivewatch
