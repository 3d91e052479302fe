#pragma once

#include "LegacyLine.h"

#include <string>

// Splits a byte stream fed in chunks into lines, across chunk borders, holding at most one line
// of up to maxLineBytes. Longer lines are not kept: they reach the sink with a problem set, so
// they are reported rather than dropped, and memory stays bounded whatever the input.
class LegacyLineSplitter
{
public:
    LegacyLineSplitter(LegacyLineSink &sink, qint64 maxLineBytes);

    // Starts a new row (or file). Line numbers continue across rows of an execution.
    void beginRow(qint64 rowId, std::string_view timestamp, std::string_view rowProblem);
    // False when the sink asked to stop.
    bool feed(std::string_view chunk);
    // Flushes a last line that had no trailing newline.
    bool endRow();

    qint64 lineCount() const { return m_lineNumber; }

private:
    bool emitLine(std::string_view text, std::string_view problem);
    bool emitOversized();

    LegacyLineSink &m_sink;
    qint64 m_maxLineBytes;
    qint64 m_rowId = 0;
    qint64 m_lineNumber = 0;
    std::string_view m_timestamp;
    std::string_view m_rowProblem;
    std::string m_pending;
    qint64 m_oversizedBytes = -1; // >= 0 while skipping an oversized line
    std::string m_problemText;
};
