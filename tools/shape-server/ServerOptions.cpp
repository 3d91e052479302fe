#include "tools/shape-server/ServerOptions.h"

#include "tools/shape-server/JsonText.h"
#include "tools/shape-server/TableInfo.h"

#include <QHostAddress>

Result<FaultSpec> FaultSpec::parse(const QString &spec)
{
    const QStringList parts = spec.split(QLatin1Char(':'));
    FaultSpec f;
    const QString kind = parts.value(0).trimmed();
    if (kind == QLatin1String("latency")) {
        f.kind = Kind::Latency;
        f.remaining = -1;
    } else if (kind == QLatin1String("unavailable") || kind == QLatin1String("503")) {
        f.kind = Kind::Unavailable;
    } else if (kind == QLatin1String("drop")) {
        f.kind = Kind::Drop;
    } else if (kind == QLatin1String("malformed")) {
        f.kind = Kind::Malformed;
    } else if (kind == QLatin1String("status")) {
        f.kind = Kind::Status;
    } else {
        return Error(
            QStringLiteral("Unknown fault kind '%1' in '%2' (expected latency, unavailable, "
                           "drop, malformed or status)")
                .arg(kind, spec));
    }
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QString key = parts[i].section(QLatin1Char('='), 0, 0).trimmed();
        const QString value = parts[i].section(QLatin1Char('='), 1).trimmed();
        bool ok = true;
        if (key == QLatin1String("count"))
            f.remaining = value == QLatin1String("always") ? -1 : value.toInt(&ok);
        else if (key == QLatin1String("ms") && f.kind == Kind::Latency)
            f.latencyMs = value.toInt(&ok);
        else if (key == QLatin1String("retry-after")
                 && (f.kind == Kind::Unavailable || f.kind == Kind::Status))
            f.retryAfterSeconds = value.toInt(&ok);
        else if (key == QLatin1String("code") && f.kind == Kind::Status)
            f.statusCode = value.toInt(&ok);
        else if (key == QLatin1String("skip"))
            f.skip = value.toInt(&ok);
        else if (key == QLatin1String("table")) {
            f.table = value;
            ok = parseTableName(value).ok();
        } else {
            ok = false;
        }
        if (!ok || (key == QLatin1String("count") && f.remaining == 0) || f.skip < 0
            || (key == QLatin1String("code") && (f.statusCode < 200 || f.statusCode > 599)))
            return Error(QStringLiteral("Bad fault option '%1' in '%2'").arg(parts[i], spec));
    }
    if (f.kind == Kind::Status && f.statusCode == 0)
        return Error(
            QStringLiteral("Fault '%1' needs code=N (the HTTP status to answer)").arg(spec));
    return f;
}

bool FaultSpec::matchesTable(const QString &requestTable) const
{
    if (table.isEmpty())
        return true;
    const auto wanted = parseTableName(table);
    const auto got = parseTableName(requestTable);
    return wanted.ok() && got.ok() && wanted.value() == got.value();
}

QByteArray FaultSpec::electricBody(int status)
{
    switch (status) {
    case 400:
        return JsonText::invalidRequest(QStringLiteral("offset"), QStringLiteral("injected fault"));
    case 401:
        return JsonText::message(QStringLiteral("Unauthorized - Invalid API secret"));
    case 404:
        return JsonText::message(QStringLiteral("Not found"));
    case 405:
        return JsonText::message(QStringLiteral("DELETE not allowed"));
    case 409:
        return "[{\"headers\":{\"control\":\"must-refetch\"}}]";
    case 413:
        return "{\"error\":\"Request body too large\"}";
    case 429:
        return JsonText::message(QStringLiteral("Too many requests"));
    case 500:
        return "{\"error\":\"Internal server error\"}";
    case 503:
        return "{\"code\":\"concurrent_request_limit_exceeded\",\"message\":\"Concurrent "
               "existing request limit exceeded (limit: 10000), please retry\"}";
    default:
        return JsonText::message(QStringLiteral("Injected status %1").arg(status));
    }
}

QString ServerOptions::usage()
{
    return QStringLiteral(
        "usage: hive-shape-server --dsn CONNINFO [--host 127.0.0.1] [--port N|0]\n"
        "                         [--long-poll-ms 20000] [--chunk-bytes 10485760] [--secret S]\n"
        "                         [--publication electric_publication_default]\n"
        "                         [--proxy-jwt-key K [--proxy-tables shared_tasks,…]\n"
        "                          [--proxy-unconfigured]] [--fault SPEC]... [--enable-delete]\n"
        "                         [--live-409-with-handle]\n"
        "       hive-shape-server mint-token --jwt-key K --sub USER_UUID [--ttl-s 3600]\n"
        "An ElectricSQL Shape API test server over a real PostgreSQL (logical replication).\n"
        "Fault SPEC: latency:ms=N | unavailable[:retry-after=S] | drop | malformed |\n"
        "            status:code=N, each with optional :count=N|always, :table=T, :skip=N.\n");
}

Result<ServerOptions> ServerOptions::parse(const QStringList &arguments)
{
    ServerOptions o;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &arg = arguments[i];
        if (arg == QLatin1String("--enable-delete")) {
            o.enableDelete = true;
            continue;
        }
        if (arg == QLatin1String("--live-409-with-handle")) {
            o.live409WithHandle = true;
            continue;
        }
        if (arg == QLatin1String("--proxy-unconfigured")) {
            o.proxyUnconfigured = true;
            continue;
        }
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h"))
            return Error(usage());
        if (i + 1 >= arguments.size())
            return Error(QStringLiteral("%1 needs a value (or is unknown)\n").arg(arg) + usage());
        const QString value = arguments[++i];
        bool ok = true;
        if (arg == QLatin1String("--dsn")) {
            o.dsn = value;
        } else if (arg == QLatin1String("--host")) {
            if (QHostAddress(value).isNull() || !QHostAddress(value).isLoopback())
                return Error(
                    QStringLiteral("--host '%1': only loopback addresses are allowed").arg(value));
            o.host = value;
        } else if (arg == QLatin1String("--port")) {
            const uint port = value.toUInt(&ok);
            ok = ok && port <= 65535;
            o.port = quint16(port);
        } else if (arg == QLatin1String("--long-poll-ms")) {
            o.longPollMs = value.toInt(&ok);
            ok = ok && o.longPollMs > 0;
        } else if (arg == QLatin1String("--chunk-bytes")) {
            o.chunkBytes = value.toLongLong(&ok);
            ok = ok && o.chunkBytes > 0;
        } else if (arg == QLatin1String("--secret")) {
            o.secret = value;
        } else if (arg == QLatin1String("--publication")) {
            o.publication = value;
            ok = !value.isEmpty();
        } else if (arg == QLatin1String("--proxy-jwt-key")) {
            o.proxyJwtKey = value.toUtf8();
            ok = !value.isEmpty();
        } else if (arg == QLatin1String("--proxy-tables")) {
            o.proxyTables = value.split(QLatin1Char(','), Qt::SkipEmptyParts);
            ok = !o.proxyTables.isEmpty();
        } else if (arg == QLatin1String("--fault")) {
            auto fault = FaultSpec::parse(value);
            if (!fault)
                return fault.error();
            o.faults.append(fault.value());
        } else {
            return Error(QStringLiteral("Unknown option %1\n").arg(arg) + usage());
        }
        if (!ok)
            return Error(QStringLiteral("Bad value '%1' for %2").arg(value, arg));
    }
    if (o.dsn.isEmpty())
        return Error(QStringLiteral("--dsn is required\n") + usage());
    if (o.proxyJwtKey.isEmpty() && o.proxyUnconfigured)
        return Error(QStringLiteral("--proxy-unconfigured needs --proxy-jwt-key (proxy mode)"));
    return o;
}
