// Fuzzes parseShapeBody (a shape response body) and the stored form of the rows it yields: every
// body must parse or be refused with an error, and a parsed row must come back unchanged from
// rawRowToJson/parseRawRow, since that is how ShapeStore keeps it.
#include "sync/shape/ShapeMessage.h"

#include <QLoggingCategory>

#include <cstdio>
#include <cstdlib>

using namespace hivewatch;

namespace {

void checkRoundTrip(const RawRow &row)
{
    const auto back = parseRawRow(rawRowToJson(row));
    if (!back.ok() || back.value() != row) {
        std::fprintf(stderr, "a parsed row does not survive its stored form: %s\n",
                     back.ok() ? "values differ" : qPrintable(back.error().toString()));
        std::abort();
    }
}

} // namespace

// Skipped messages are logged at debug level; printing millions of them would only slow the run.
extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto parsed = parseShapeBody(body);
    if (!parsed.ok()) {
        if (parsed.error().toString().isEmpty())
            std::abort(); // an error must say what was wrong
        return 0;
    }
    for (const ShapeMessage &change : parsed->changes) {
        checkRoundTrip(change.value);
        checkRoundTrip(change.oldValue);
    }
    // The store-only parse (inserts as their stored form) must accept the same bodies and give
    // the same stored bytes.
    const auto stored = parseShapeBody(body, true);
    if (!stored.ok() || stored->changes.size() != parsed->changes.size()) {
        std::fprintf(stderr, "the store-only parse disagrees with the row parse\n");
        std::abort();
    }
    for (qsizetype i = 0; i < parsed->changes.size(); ++i) {
        const ShapeMessage &change = stored->changes[i];
        if (change.operation == RowChange::Operation::Insert
            && change.json != rawRowToJson(parsed->changes[i].value)) {
            std::fprintf(stderr, "an insert's stored form differs between the two parses\n");
            std::abort();
        }
    }
    // Arbitrary bytes as a stored row must also be read or refused, never crash.
    (void)parseRawRow(body);
    return 0;
}
