// Fuzzes value typing (ShapeValue::typed) and the --dump JSON of the result. The first byte picks
// a Postgres type, the second the array dimensions; the rest is the value's text form.
#include "sync/shape/ShapeValue.h"

#include <array>
#include <cstdlib>

using namespace hivewatch;

namespace {

constexpr std::array kTypes {"int2", "int4",  "int8", "float4", "float8",      "numeric", "bool",
                             "json", "jsonb", "text", "uuid",   "timestamptz", "varchar"};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    ColumnType type;
    type.type = QString::fromLatin1(kTypes[data[0] % kTypes.size()]);
    type.dims = data[1] % 4;
    type.notNull = data[1] & 0x80;
    RawField field {"c", QByteArray(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2)),
                    false};
    const auto value = ShapeValue::typed(&type, field);
    if (value.ok())
        (void)ShapeValue::toDumpJson(value.value());
    else if (value.error().toString().isEmpty())
        std::abort(); // an error must say what was wrong
    (void)ShapeValue::parseArrayLiteral(field.text);
    return 0;
}
