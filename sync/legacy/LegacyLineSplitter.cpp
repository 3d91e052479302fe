#include "LegacyLineSplitter.h"

#include <cstring>

LegacyLineSplitter::LegacyLineSplitter(LegacyLineSink &sink, qint64 maxLineBytes)
    : m_sink(sink)
    , m_maxLineBytes(maxLineBytes)
{
}

void LegacyLineSplitter::beginRow(qint64 rowId, std::string_view timestamp,
                                  std::string_view rowProblem)
{
    m_rowId = rowId;
    m_timestamp = timestamp;
    m_rowProblem = rowProblem;
    m_pending.clear();
    m_oversizedBytes = -1;
}

bool LegacyLineSplitter::emitLine(std::string_view text, std::string_view problem)
{
    LegacyLine line;
    line.rowId = m_rowId;
    line.lineNumber = ++m_lineNumber;
    line.text = text;
    line.problem = problem.empty() ? m_rowProblem : problem;
    line.timestamp = line.problem.empty() ? m_timestamp : std::string_view();
    return m_sink.acceptLine(line);
}

bool LegacyLineSplitter::emitOversized()
{
    m_problemText = "line is " + std::to_string(m_oversizedBytes)
        + " bytes long, more than the limit of " + std::to_string(m_maxLineBytes) + " bytes";
    m_oversizedBytes = -1;
    return emitLine({}, m_problemText);
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
        } else if (qint64(m_pending.size() + piece.size()) > m_maxLineBytes) {
            m_oversizedBytes = qint64(m_pending.size() + piece.size());
            m_pending.clear();
            m_pending.shrink_to_fit();
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
