#include "ShapeDefinition.h"

#include "LogTable.h"

namespace {

// The bare table name as Postgres sees it: `public."node_task_output_logs"` and
// `Node_Task_Output_Logs` both name node_task_output_logs (unquoted identifiers fold to lower
// case).
QString bareTableName(const QString &table)
{
    const QString t = table.trimmed();
    if (t.endsWith(QLatin1Char('"'))) {
        qsizetype open = t.size() - 2;
        while (open >= 0) {
            if (t[open] == QLatin1Char('"')) {
                if (open > 0 && t[open - 1] == QLatin1Char('"')) {
                    open -= 2; // a doubled quote inside the identifier
                    continue;
                }
                break;
            }
            --open;
        }
        return t.mid(open + 1, t.size() - open - 2)
            .replace(QLatin1String("\"\""), QLatin1String("\""));
    }
    return t.mid(t.lastIndexOf(QLatin1Char('.')) + 1).toLower();
}

} // namespace

bool ShapeDefinition::isLogTable() const
{
    return bareTableName(table) == LogTable::Name;
}

ShapeEndpoint ShapeEndpoint::electric(const QUrl &url, const QString &secret)
{
    ShapeEndpoint endpoint;
    endpoint.style = Style::Electric;
    endpoint.url = url;
    endpoint.secret = secret;
    return endpoint;
}

ShapeEndpoint ShapeEndpoint::proxy(const QUrl &url, const QString &bearerToken)
{
    ShapeEndpoint endpoint;
    endpoint.style = Style::Proxy;
    endpoint.url = url;
    endpoint.bearerToken = bearerToken;
    return endpoint;
}

ShapeEndpoint ShapeEndpoint::fromUrl(const QUrl &url)
{
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    ShapeEndpoint endpoint;
    endpoint.url = url;
    endpoint.style = path.endsWith(QLatin1String("/v1/shape")) || path.isEmpty() ? Style::Electric
                                                                                 : Style::Proxy;
    return endpoint;
}

QString ShapeEndpoint::proxyTable() const
{
    if (style != Style::Proxy)
        return {};
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return path.mid(path.lastIndexOf(QLatin1Char('/')) + 1);
}
