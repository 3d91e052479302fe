#pragma once

#include "sync/legacy/LegacyLine.h"

#include <string>

namespace hivewatch {

// Splits a byte stream fed in chunks into lines, across chunk borders, holding at most one line
// of up to maxLineBytes. Of a longer line only the first maxLineBytes are kept: it reaches the
// sink with fullBytes set (or a problem, when it does not even end like a LogMsg line), so it is
// stored truncated or reported rather than dropped, and memory stays bounded whatever the input.
class LegacyLineSplitter
{
public:
    LegacyLineSplitter(LegacyLineSink &sink, qint64 maxLineBytes);

    // Starts a new row (or file). Line numbers continue across rows of an execution.
    // rowNote is passed on with every line of the row (see LegacyLine::note).
    void beginRow(qint64 rowId, std::string_view timestamp, std::string_view rowProblem,
                  std::string_view rowNote = {});
    // False when the sink asked to stop.
    bool feed(std::string_view chunk);
    // Flushes a last line that had no trailing newline.
    bool endRow();

    qint64 lineCount() const { return m_lineNumber; }

private:
    bool emitLine(std::string_view text, std::string_view problem, qint64 fullBytes = 0);
    void keepTail(std::string_view piece);
    bool emitOversized();

    LegacyLineSink &m_sink;
    qint64 m_maxLineBytes;
    qint64 m_rowId = 0;
    qint64 m_lineNumber = 0;
    std::string_view m_timestamp;
    std::string_view m_rowProblem;
    std::string_view m_rowNote;
    std::string m_pending; // an oversized line's first maxLineBytes while it is being read
    qint64 m_oversizedBytes = -1; // >= 0 while reading past the limit of an oversized line
    std::string m_tail; // the last bytes of an oversized line
    std::string m_problemText;
};

} // namespace hivewatch
