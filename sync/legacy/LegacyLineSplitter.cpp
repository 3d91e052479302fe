#include "sync/legacy/LegacyLineSplitter.h"

#include <cstring>

namespace hivewatch {

namespace {

constexpr size_t kTailBytes = 16;

} // namespace

LegacyLineSplitter::LegacyLineSplitter(LegacyLineSink &sink, qint64 maxLineBytes)
    : m_sink(sink)
    , m_maxLineBytes(maxLineBytes)
{
}

void LegacyLineSplitter::beginRow(qint64 rowId, std::string_view timestamp,
                                  std::string_view rowProblem, std::string_view rowNote)
{
    m_rowId = rowId;
    m_timestamp = timestamp;
    m_rowProblem = rowProblem;
    m_rowNote = rowNote;
    m_pending.clear();
    m_oversizedBytes = -1;
}

bool LegacyLineSplitter::emitLine(std::string_view text, std::string_view problem, qint64 fullBytes)
{
    LegacyLine line;
    line.rowId = m_rowId;
    line.lineNumber = ++m_lineNumber;
    line.text = text;
    line.problem = problem.empty() ? m_rowProblem : problem;
    line.timestamp = line.problem.empty() ? m_timestamp : std::string_view();
    line.note = line.problem.empty() ? m_rowNote : std::string_view();
    line.fullBytes = fullBytes;
    return m_sink.acceptLine(line);
}

void LegacyLineSplitter::keepTail(std::string_view piece)
{
    m_tail.append(piece.substr(piece.size() > kTailBytes ? piece.size() - kTailBytes : 0));
    if (m_tail.size() > kTailBytes)
        m_tail.erase(0, m_tail.size() - kTailBytes);
}

bool LegacyLineSplitter::emitOversized()
{
    // Only the line's ends are known now; every LogMsg that can be this long is an object.
    std::string_view tail = m_tail;
    while (!tail.empty() && (tail.back() == ' ' || tail.back() == '\t' || tail.back() == '\r'))
        tail.remove_suffix(1);
    const bool endsLikeLogMsg = !tail.empty() && tail.back() == '}';
    m_problemText = endsLikeLogMsg ? std::string()
                                   : "over-long line: " + std::to_string(m_oversizedBytes)
            + " bytes, more than the " + std::to_string(m_maxLineBytes)
            + "-byte limit, and it does not end like a LogMsg line";
    const qint64 fullBytes = m_oversizedBytes;
    m_oversizedBytes = -1;
    const bool go = emitLine(m_pending, m_problemText, fullBytes);
    m_pending.clear();
    m_pending.shrink_to_fit();
    m_tail.clear();
    return go;
}

bool LegacyLineSplitter::feed(std::string_view chunk)
{
    while (!chunk.empty()) {
        const void *hit = std::memchr(chunk.data(), '\n', chunk.size());
        const size_t end
            = hit ? size_t(static_cast<const char *>(hit) - chunk.data()) : chunk.size();
        const std::string_view piece = chunk.substr(0, end);
        chunk.remove_prefix(hit ? end + 1 : end);

        if (m_oversizedBytes >= 0) {
            m_oversizedBytes += qint64(piece.size());
            keepTail(piece);
        } else if (qint64(m_pending.size() + piece.size()) > m_maxLineBytes) {
            m_oversizedBytes = qint64(m_pending.size() + piece.size());
            m_tail.clear();
            keepTail(m_pending);
            keepTail(piece);
            m_pending.append(piece.substr(0, size_t(m_maxLineBytes) - m_pending.size()));
        } else if (!hit) {
            m_pending.append(piece);
        } else if (m_pending.empty()) {
            // The common case: the whole line is inside this chunk, no copy.
            if (!emitLine(piece, {}))
                return false;
            continue;
        } else {
            m_pending.append(piece);
            const bool go = emitLine(m_pending, {});
            m_pending.clear();
            if (!go)
                return false;
            continue;
        }
        if (hit && m_oversizedBytes >= 0 && !emitOversized())
            return false;
    }
    return true;
}

bool LegacyLineSplitter::endRow()
{
    if (m_oversizedBytes >= 0)
        return emitOversized();
    if (m_pending.empty())
        return true;
    const bool go = emitLine(m_pending, {});
    m_pending.clear();
    return go;
}

} // namespace hivewatch
