#include "JsonText.h"

namespace JsonText {

void appendString(QByteArray &out, QByteArrayView text)
{
    static const char hex[] = "0123456789abcdef";
    out.reserve(out.size() + text.size() + 2);
    out.append('"');
    const char *begin = text.data();
    const char *run = begin;
    const char *end = begin + text.size();
    for (const char *p = begin; p != end; ++p) {
        const unsigned char c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        run = p + 1;
        switch (c) {
        case '"':
            out.append("\\\"", 2);
            break;
        case '\\':
            out.append("\\\\", 2);
            break;
        case '\n':
            out.append("\\n", 2);
            break;
        case '\r':
            out.append("\\r", 2);
            break;
        case '\t':
            out.append("\\t", 2);
            break;
        case '\b':
            out.append("\\b", 2);
            break;
        case '\f':
            out.append("\\f", 2);
            break;
        default: {
            const char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
            out.append(esc, 6);
        }
        }
    }
    out.append(run, end - run);
    out.append('"');
}

QByteArray quoted(QByteArrayView text)
{
    QByteArray out;
    appendString(out, text);
    return out;
}

QByteArray invalidRequest(const QString &field, const QString &message)
{
    QByteArray out("{\"message\":\"Invalid request\",\"errors\":{");
    appendString(out, field);
    out.append(":[");
    appendString(out, message);
    out.append("]}}");
    return out;
}

QByteArray message(const QString &message)
{
    QByteArray out("{\"message\":");
    appendString(out, message);
    out.append('}');
    return out;
}

} // namespace JsonText
