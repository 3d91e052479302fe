// Fuzzes the Electric offset grammar (LogOffset::parse, as the test shape server validates the
// `offset` parameter). Whatever parses must print back to text that parses to the same offset.
#include "tools/shape-server/LogOffset.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto offset = LogOffset::parse(text);
    if (!offset)
        return 0;
    const auto again = LogOffset::parse(offset->toString());
    if (!again || *again != *offset)
        std::abort();
    return 0;
}
