#pragma once

#include <QtGlobal>

#include <string_view>

namespace hivewatch {

// One line of a legacy source, as a reader hands it to the migration. Views are valid only
// during the call that receives them.
struct LegacyLine
{
    qint64 rowId = 0; // rowid in execution_process_logs; 0 for a JSONL file
    qint64 lineNumber = 0; // 1-based across all rows of the execution
    std::string_view text; // without the trailing newline
    std::string_view timestamp; // normalised "YYYY-MM-DD HH:MM:SS.sss"; empty when problem is set
    std::string_view problem; // set when the reader already knows the line cannot be migrated
    // Set when the line is migrated, but not as it was (its row's time could not be read).
    std::string_view note;
    // Non-zero when the line was longer than the limit: `text` holds only its first bytes, and
    // this is its full length.
    qint64 fullBytes = 0;
};

// Receives the lines of one execution in their original order.
class LegacyLineSink
{
public:
    virtual ~LegacyLineSink() = default;
    // Return false to stop reading (cancellation).
    virtual bool acceptLine(const LegacyLine &line) = 0;
    // Called after each source row (for progress).
    virtual void rowRead(qint64 bytes) { Q_UNUSED(bytes) }
};

} // namespace hivewatch
