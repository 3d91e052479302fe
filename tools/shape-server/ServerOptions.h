#pragma once

#include "domain/Result.h"

#include <QString>
#include <QStringList>

using namespace hivewatch;

// One fault-injection switch (--fault SPEC, or POST /v1/admin/faults?spec=SPEC at run time).
// SPEC is `KIND[:key=value]…`:
//   latency:ms=N          delay every /v1/shape answer by N ms (always, unless count= is given)
//   unavailable[:retry-after=S]  answer 503 {"message":"Service unavailable (injected)"} with
//   retry-after drop                  send the headers and half the body, then close the connection
//   malformed             send a 200 whose body is not a JSON array
//   status:code=N         answer status N with the body Electric (or the hive's proxy) sends for it
// Every kind takes `count=N` (how many /v1/shape requests it hits; default 1, `always` = forever),
// `table=T` (only requests for table T, direct or proxied) and `skip=N` (let the first N matching
// requests through, e.g. to fail the third snapshot chunk).
struct FaultSpec
{
    enum class Kind { Latency, Unavailable, Drop, Malformed, Status };
    Kind kind = Kind::Latency;
    int remaining = 1; // -1 = forever
    int skip = 0;
    QString table; // empty = every table; else "schema.name" as parseTableName gives it
    int latencyMs = 0;
    int retryAfterSeconds = 1;
    int statusCode = 0;

    static Result<FaultSpec> parse(const QString &spec);
    // Whether the fault applies to a request for `table` (as the client spelled it).
    bool matchesTable(const QString &requestTable) const;
    // The JSON body Electric 1.7 sends with `status` (docs/electric-protocol.md §2.1).
    static QByteArray electricBody(int status);
};

struct ServerOptions
{
    QString dsn;
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 0;
    int longPollMs = 20000;
    qint64 chunkBytes = 10 * 1024 * 1024; // ELECTRIC_SHAPE_CHUNK_BYTES_THRESHOLD's default
    QString secret;
    QString publication = QStringLiteral("electric_publication_default");
    // Proxy mode, the hive's real proxy (docs/hive-schema.md §5): on when a JWT key is given.
    QByteArray proxyJwtKey;
    QStringList proxyTables {QStringLiteral("shared_tasks")};
    bool proxyUnconfigured = false; // the hive without ELECTRIC_URL: 503 on every proxied GET
    QList<FaultSpec> faults;
    bool enableDelete = false;
    // Pre-1.7-faithful rotation: a live hold's 409 carries the new shape's handle.
    bool live409WithHandle = false;

    // Parses the command line (argv without the program name); errors name the bad option.
    static Result<ServerOptions> parse(const QStringList &arguments);
    static QString usage();
};
