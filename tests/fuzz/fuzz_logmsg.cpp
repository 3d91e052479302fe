// Fuzzes the legacy LogMsg line parser, whole lines and the truncated-prefix path used for lines
// longer than the migration limit. A refusal must always say why.
#include "sync/legacy/LogMsgParser.h"

#include <cstdlib>

using namespace hivewatch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static LogMsgParser parser; // reused across lines, as the migration does
    const std::string_view line(reinterpret_cast<const char *>(data), size);
    MappedLogMsg out;
    std::string reason;
    if (!parser.parse(line, out, reason) && reason.empty())
        std::abort();
    reason.clear();
    // The same bytes as the kept prefix of a longer line.
    if (!parser.parseTruncated(line, qint64(size) * 2 + 1, out, reason) && reason.empty())
        std::abort();
    return 0;
}
