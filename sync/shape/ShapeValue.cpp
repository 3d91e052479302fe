#include "sync/shape/ShapeValue.h"

#include "sync/shape/ShapeMessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace hivewatch {

namespace ShapeValue {

namespace {

enum class Kind { Integer, Float, Bool, Json, Text };

Kind kindOf(const QString &type)
{
    if (type == QLatin1String("int2") || type == QLatin1String("int4")
        || type == QLatin1String("int8"))
        return Kind::Integer;
    if (type == QLatin1String("float4") || type == QLatin1String("float8"))
        return Kind::Float;
    if (type == QLatin1String("bool"))
        return Kind::Bool;
    if (type == QLatin1String("json") || type == QLatin1String("jsonb"))
        return Kind::Json;
    return Kind::Text;
}

QString quoteForError(QByteArrayView text)
{
    QString shown = QString::fromUtf8(text.first(std::min<qsizetype>(60, text.size())));
    if (text.size() > 60)
        shown += QStringLiteral("…");
    return shown;
}

Result<QVariant> scalar(Kind kind, const QString &type, QByteArrayView text)
{
    switch (kind) {
    case Kind::Integer: {
        qlonglong number = 0;
        const auto [end, ec] = std::from_chars(text.begin(), text.end(), number);
        if (ec != std::errc() || end != text.end() || text.isEmpty()) {
            return Error(
                QStringLiteral("`%1` is not a valid %2 value").arg(quoteForError(text), type));
        }
        return QVariant(number);
    }
    case Kind::Float: {
        if (text == "NaN")
            return QVariant(std::numeric_limits<double>::quiet_NaN());
        if (text == "Infinity")
            return QVariant(std::numeric_limits<double>::infinity());
        if (text == "-Infinity")
            return QVariant(-std::numeric_limits<double>::infinity());
        double number = 0;
        const auto [end, ec] = std::from_chars(text.begin(), text.end(), number);
        if (ec != std::errc() || end != text.end() || text.isEmpty())
            return Error(
                QStringLiteral("`%1` is not a valid %2 value").arg(quoteForError(text), type));
        return QVariant(number);
    }
    case Kind::Bool:
        if (text == "t" || text == "true")
            return QVariant(true);
        if (text == "f" || text == "false")
            return QVariant(false);
        return Error(QStringLiteral("`%1` is not a valid bool value (expected t, true, f or false)")
                         .arg(quoteForError(text)));
    case Kind::Json: {
        // QJsonDocument only holds arrays and objects: wrap so scalars (`1`, `"x"`, `null`) parse.
        QJsonParseError error;
        const QByteArray wrapped = '[' + text.toByteArray() + ']';
        const QJsonDocument document = QJsonDocument::fromJson(wrapped, &error);
        if (error.error != QJsonParseError::NoError || document.array().size() != 1) {
            return Error(QStringLiteral("`%1` is not valid %2").arg(quoteForError(text), type),
                         error.errorString());
        }
        return QVariant::fromValue(document.array().at(0));
    }
    case Kind::Text:
        break;
    }
    return QVariant(QString::fromUtf8(text));
}

// Types the leaves of a parsed array literal in place.
Result<void> typeLeaves(QVariantList &list, Kind kind, const QString &type)
{
    for (QVariant &element : list) {
        if (element.isNull())
            continue;
        if (element.typeId() == QMetaType::QVariantList) {
            QVariantList inner = element.toList();
            if (auto typedInner = typeLeaves(inner, kind, type); !typedInner)
                return typedInner;
            element = inner;
            continue;
        }
        auto value = scalar(kind, type, element.toByteArray());
        if (!value)
            return value.error();
        element = std::move(value).value();
    }
    return {};
}

constexpr int kMaxDimensions = 6;

class ArrayLiteralParser
{
public:
    explicit ArrayLiteralParser(QByteArrayView text)
        : m_text(text)
    {
    }

    Result<QVariantList> parse()
    {
        // Arrays with non-default lower bounds start with a dimension decoration: [0:2]={…}
        if (m_pos < m_text.size() && m_text[m_pos] == '[') {
            const qsizetype equals = m_text.indexOf('=');
            if (equals < 0)
                return fail("a dimension decoration without '='");
            m_pos = equals + 1;
        }
        skipSpace();
        if (m_pos >= m_text.size() || m_text[m_pos] != '{')
            return fail("it does not start with '{'");
        QVariantList list;
        if (auto result = parseList(list); !result)
            return result.error();
        skipSpace();
        if (m_pos != m_text.size())
            return fail("unexpected text after the closing '}'");
        return list;
    }

private:
    Result<void> parseList(QVariantList &out, int depth = 1)
    {
        // Postgres refuses more than MAXDIM (6) dimensions; without a bound, a literal of
        // thousands of '{' overflowed the stack here (found by fuzzing).
        if (depth > kMaxDimensions)
            return fail("it nests deeper than the 6 dimensions Postgres allows");
        ++m_pos; // '{'
        skipSpace();
        if (m_pos < m_text.size() && m_text[m_pos] == '}') {
            ++m_pos;
            return {};
        }
        while (true) {
            skipSpace();
            if (m_pos >= m_text.size())
                return fail("it ends inside the array");
            const char c = m_text[m_pos];
            if (c == '{') {
                QVariantList inner;
                if (auto result = parseList(inner, depth + 1); !result)
                    return result;
                out.append(QVariant(inner));
            } else if (c == '"') {
                ++m_pos;
                QByteArray element;
                bool closed = false;
                while (m_pos < m_text.size()) {
                    const char e = m_text[m_pos++];
                    if (e == '\\' && m_pos < m_text.size()) {
                        element.append(m_text[m_pos++]);
                    } else if (e == '"') {
                        closed = true;
                        break;
                    } else {
                        element.append(e);
                    }
                }
                if (!closed)
                    return fail("a quoted element is not closed");
                out.append(QVariant(element));
            } else {
                const qsizetype start = m_pos;
                while (m_pos < m_text.size() && m_text[m_pos] != ',' && m_text[m_pos] != '}')
                    ++m_pos;
                QByteArrayView element = m_text.sliced(start, m_pos - start).trimmed();
                if (element.isEmpty())
                    return fail("an element is empty");
                // Only the unquoted word NULL is SQL NULL; "NULL" in quotes is a string.
                if (element.compare("NULL", Qt::CaseInsensitive) == 0)
                    out.append(QVariant());
                else
                    out.append(QVariant(element.toByteArray()));
            }
            skipSpace();
            if (m_pos >= m_text.size())
                return fail("it ends inside the array");
            if (m_text[m_pos] == ',') {
                ++m_pos;
                continue;
            }
            if (m_text[m_pos] == '}') {
                ++m_pos;
                return {};
            }
            return fail("elements are not separated by ','");
        }
    }

    void skipSpace()
    {
        while (m_pos < m_text.size()
               && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' || m_text[m_pos] == '\n'))
            ++m_pos;
    }

    Error fail(const char *why) const
    {
        return Error(QStringLiteral("`%1` is not a valid Postgres array literal: %2")
                         .arg(quoteForError(m_text), QLatin1String(why)));
    }

    QByteArrayView m_text;
    qsizetype m_pos = 0;
};

} // namespace

Result<QVariantList> parseArrayLiteral(QByteArrayView literal)
{
    return ArrayLiteralParser(literal).parse();
}

Result<QVariant> typed(const ColumnType *type, const RawField &field)
{
    if (field.isNull)
        return QVariant();
    if (!type)
        return QVariant(QString::fromUtf8(field.text));
    const Kind kind = kindOf(type->type);
    if (type->dims > 0) {
        auto list = parseArrayLiteral(field.text);
        if (!list)
            return list.error();
        if (auto typedList = typeLeaves(list.value(), kind, type->type); !typedList)
            return typedList.error();
        return QVariant(list.value());
    }
    return scalar(kind, type->type, field.text);
}

QVariantHash typedRow(const ShapeSchema &schema, const RawRow &row, QStringList *problems)
{
    QVariantHash out;
    out.reserve(row.size());
    for (const RawField &field : row) {
        const QString column = QString::fromUtf8(field.column);
        auto value = typed(schema.column(column), field);
        if (value) {
            out.insert(column, std::move(value).value());
        } else {
            if (problems)
                *problems << QStringLiteral("column `%1`: %2").arg(column, value.error().message);
            out.insert(column, QString::fromUtf8(field.text));
        }
    }
    return out;
}

ShapeRow typedShapeRow(const ShapeSchema &schema, const RawRow &row, ShapeRow::Columns &columns,
                       QStringList *problems)
{
    bool same = columns && columns->size() == row.size();
    for (qsizetype i = 0; same && i < row.size(); ++i)
        same = QAnyStringView::equal(columns->at(i), QUtf8StringView(row.at(i).column));
    if (!same) {
        QStringList names;
        names.reserve(row.size());
        for (const RawField &field : row)
            names.append(QString::fromUtf8(field.column));
        columns = std::make_shared<const QStringList>(std::move(names));
    }
    QVariantList values;
    values.reserve(row.size());
    for (qsizetype i = 0; i < row.size(); ++i) {
        const RawField &field = row.at(i);
        const QString &column = columns->at(i);
        auto value = typed(schema.column(column), field);
        if (value) {
            values.append(std::move(value).value());
        } else {
            if (problems)
                *problems << QStringLiteral("column `%1`: %2").arg(column, value.error().message);
            values.append(QString::fromUtf8(field.text));
        }
    }
    return ShapeRow(columns, std::move(values));
}

QStringList notNullViolations(const ShapeSchema &schema, const QString &key, const RawRow &row)
{
    QStringList problems;
    for (const RawField &field : row) {
        if (!field.isNull)
            continue;
        const QString column = QString::fromUtf8(field.column);
        const ColumnType *type = schema.column(column);
        if (type && type->notNull) {
            problems << QStringLiteral("column `%1` is declared NOT NULL but row %2 has NULL in it")
                            .arg(column, key);
        }
    }
    return problems;
}

QByteArray jsNumber(double value)
{
    if (value == 0)
        return QByteArrayLiteral("0"); // also -0, as JavaScript prints it
    if (value < 0)
        return '-' + jsNumber(-value);
    char buffer[64];
    const auto result
        = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    const std::string_view sci(buffer, size_t(result.ptr - buffer));
    const size_t e = sci.find('e');
    QByteArray digits;
    digits.append(sci[0]);
    if (e > 2)
        digits.append(sci.data() + 2, qsizetype(e - 2)); // skip "d."
    int exponent = 0;
    std::from_chars(sci.data() + e + 1 + (sci[e + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                    exponent);
    const int k = int(digits.size());
    const int n = exponent + 1; // value = 0.digits * 10^n
    if (k <= n && n <= 21)
        return digits + QByteArray(n - k, '0');
    if (0 < n && n <= 21)
        return digits.left(n) + '.' + digits.mid(n);
    if (-6 < n && n <= 0)
        return "0." + QByteArray(-n, '0') + digits;
    QByteArray out = digits.left(1);
    if (k > 1)
        out += '.' + digits.mid(1);
    out += 'e';
    out += (n - 1 >= 0) ? '+' : '-';
    out += QByteArray::number(std::abs(n - 1));
    return out;
}

namespace {

void appendString(QByteArray &out, const QString &text)
{
    appendJsonString(out, text.toUtf8());
}

void appendDouble(QByteArray &out, double value)
{
    if (std::isnan(value))
        out.append("\"NaN\"");
    else if (std::isinf(value))
        out.append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    else
        out.append(jsNumber(value));
}

void appendJson(QByteArray &out, const QJsonValue &value);
void appendVariant(QByteArray &out, const QVariant &value);

template<typename Map, typename Append>
void appendObject(QByteArray &out, const Map &map, Append append)
{
    QStringList keys = map.keys();
    keys.sort();
    out.append('{');
    for (qsizetype i = 0; i < keys.size(); ++i) {
        if (i)
            out.append(", ");
        appendString(out, keys[i]);
        out.append(": ");
        append(out, map.value(keys[i]));
    }
    out.append('}');
}

void appendJson(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out.append("null");
        break;
    case QJsonValue::Bool:
        out.append(value.toBool() ? "true" : "false");
        break;
    case QJsonValue::Double:
        appendDouble(out, value.toDouble());
        break;
    case QJsonValue::String:
        appendString(out, value.toString());
        break;
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        out.append('[');
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (i)
                out.append(", ");
            appendJson(out, array.at(i));
        }
        out.append(']');
        break;
    }
    case QJsonValue::Object:
        appendObject(out, value.toObject(),
                     [](QByteArray &o, const QJsonValue &v) { appendJson(o, v); });
        break;
    }
}

void appendVariant(QByteArray &out, const QVariant &value)
{
    if (value.isNull() && value.typeId() != QMetaType::QJsonValue) {
        out.append("null");
        return;
    }
    switch (value.typeId()) {
    case QMetaType::Bool:
        out.append(value.toBool() ? "true" : "false");
        break;
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        out.append(value.toByteArray());
        break;
    case QMetaType::Double:
    case QMetaType::Float:
        appendDouble(out, value.toDouble());
        break;
    case QMetaType::QJsonValue:
        appendJson(out, value.value<QJsonValue>());
        break;
    case QMetaType::QVariantList: {
        const QVariantList list = value.toList();
        out.append('[');
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i)
                out.append(", ");
            appendVariant(out, list[i]);
        }
        out.append(']');
        break;
    }
    case QMetaType::QVariantHash:
        appendObject(out, value.toHash(),
                     [](QByteArray &o, const QVariant &v) { appendVariant(o, v); });
        break;
    case QMetaType::QVariantMap:
        appendObject(out, value.toMap(),
                     [](QByteArray &o, const QVariant &v) { appendVariant(o, v); });
        break;
    default:
        appendString(out, value.toString());
        break;
    }
}

} // namespace

QByteArray toDumpJson(const QVariant &value)
{
    QByteArray out;
    appendVariant(out, value);
    return out;
}

} // namespace ShapeValue

} // namespace hivewatch
