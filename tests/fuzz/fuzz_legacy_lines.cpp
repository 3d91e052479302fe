// Fuzzes the legacy line splitter (chunked input, oversized lines) and the inserted_at
// normaliser. The first byte sets the chunk size, the second the line limit; the rest is both the
// row's timestamp candidate and its content.
#include "sync/legacy/LegacyLineSplitter.h"
#include "sync/legacy/LegacyTimestamp.h"

#include <algorithm>
#include <cstdlib>

using namespace hivewatch;

namespace {

class CheckingSink : public LegacyLineSink
{
public:
    explicit CheckingSink(qint64 maxLineBytes)
        : m_max(maxLineBytes)
    {
    }
    bool acceptLine(const LegacyLine &line) override
    {
        // Memory stays bounded: no line handed on is longer than the limit.
        if (qint64(line.text.size()) > m_max || line.lineNumber != ++m_expected)
            std::abort();
        if (line.fullBytes != 0 && line.fullBytes <= m_max)
            std::abort();
        return true;
    }

private:
    qint64 m_max;
    qint64 m_expected = 0;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const size_t chunk = 1 + data[0] % 64;
    const qint64 maxLine = 1 + data[1] % 200;
    const std::string_view rest(reinterpret_cast<const char *>(data + 2), size - 2);

    std::string timestamp;
    const bool haveTime = normalizeLegacyTimestamp(rest.substr(0, 40), timestamp);
    if (haveTime && timestamp.size() != 23)
        std::abort(); // always "YYYY-MM-DD HH:MM:SS.sss"

    CheckingSink sink(maxLine);
    LegacyLineSplitter splitter(sink, maxLine);
    splitter.beginRow(1, timestamp, haveTime ? std::string_view() : "no time");
    for (size_t at = 0; at < rest.size(); at += chunk)
        splitter.feed(rest.substr(at, std::min(chunk, rest.size() - at)));
    splitter.endRow();
    return 0;
}
