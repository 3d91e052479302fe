#include "tools/shape-server/JsonText.h"

#include "sync/common/JsonString.h"

using namespace hivewatch;

namespace JsonText {

void appendString(QByteArray &out, QByteArrayView text)
{
    appendJsonString(out, text);
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
