#pragma once

#include <QtGlobal>

#include <memory>
#include <string>
#include <string_view>

namespace hivewatch {

// One legacy JSONL line mapped to a log_entries row.
struct MappedLogMsg
{
    std::string_view outputType; // one of the node's log_entries output types
    std::string_view content; // valid until the next parse()
};

// Parses one line of serde's externally tagged `LogMsg` (docs/hive-schema.md §4.2) and maps it the
// way the node's migration does (§4.3): Stdout → stdout, Stderr → stderr, JsonPatch → json_patch
// (the patch array as compact JSON), SessionId → session_id, Finished → finished (empty content),
// RefreshRequired → refresh_required (the reason). Anything else is refused with a reason that
// names what was wrong, never guessed at.
class LogMsgParser
{
public:
    LogMsgParser();
    ~LogMsgParser();
    LogMsgParser(const LogMsgParser &) = delete;
    LogMsgParser &operator=(const LogMsgParser &) = delete;

    // True and `out` filled when the line is a LogMsg; false and `reason` set otherwise.
    bool parse(std::string_view line, MappedLogMsg &out, std::string &reason);
    // `prefix` is the start of a line of fullBytes bytes, too long to migrate whole. A Stdout,
    // Stderr or SessionId line (serde's compact form) maps to its row with the text that fits in
    // the prefix, ending in a marker that says it was truncated: true, and `reason` says so. Any
    // other line: false and `reason` says why it cannot be stored.
    bool parseTruncated(std::string_view prefix, qint64 fullBytes, MappedLogMsg &out,
                        std::string &reason);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace hivewatch
