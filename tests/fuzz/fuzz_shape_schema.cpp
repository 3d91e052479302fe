// Fuzzes the electric-schema header parser and typing by whatever schema it accepts. The input is
// the header JSON, a newline, then one value's text that is typed as every column of the schema
// (so odd dims, pk_index or types meet real values).
#include "sync/shape/ShapeSchema.h"
#include "sync/shape/ShapeValue.h"

#include <cstdlib>

using namespace hivewatch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype newline = input.indexOf('\n');
    const QByteArray header = newline < 0 ? input : input.left(newline);
    const QByteArray text = newline < 0 ? QByteArray() : input.mid(newline + 1);
    const auto schema = ShapeSchema::parse(header);
    if (!schema.ok()) {
        if (schema.error().toString().isEmpty())
            std::abort(); // an error must say what was wrong
        return 0;
    }
    if (schema->json() != header)
        std::abort(); // the header is kept verbatim for the store
    (void)schema->primaryKey();
    RawRow row;
    for (const QString &name : schema->columnNames())
        row.append(RawField {name.toUtf8(), text, false});
    QStringList problems;
    const QVariantHash typed = ShapeValue::typedRow(schema.value(), row, &problems);
    for (const QVariant &value : typed)
        (void)ShapeValue::toDumpJson(value);
    (void)ShapeValue::notNullViolations(schema.value(), QStringLiteral("k"), row);
    return 0;
}
