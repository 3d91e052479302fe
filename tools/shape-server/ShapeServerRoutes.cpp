// ShapeServer, part one: routing of every request (health, admin faults, proxy mode, DELETE).
// Part two, ShapeServerServe.cpp, answers GET /v1/shape for a shape.
#include "tools/shape-server/ShapeServer.h"
#include "tools/shape-server/ShapeServerExchange.h"

#include "sync/pg/PgConnection.h"
#include "tools/shape-server/JsonText.h"
#include "tools/shape-server/JwtToken.h"
#include "tools/shape-server/ServerLog.h"
#include "tools/shape-server/Shape.h"

#include <QDateTime>
#include <QTimer>

using namespace hivewatch;

void ShapeServer::handle(QPointer<HttpConnection> connection, const HttpRequest &request)
{
    auto ex = std::make_shared<Exchange>();
    ex->connection = connection;
    ex->request = request;
    ex->requestId = QByteArray::number(++m_requestCounter, 16).rightJustified(8, '0');
    const QString &path = request.path;
    const QByteArray &method = request.method;
    if (path == QLatin1String("/")) {
        send(ex, HttpResponse::json(200, {}));
        return;
    }
    if (path == QLatin1String("/v1/health")) {
        HttpResponse r = HttpResponse::json(200, "{\"status\":\"active\"}");
        r.setHeader("cache-control", "no-cache, no-store, must-revalidate");
        send(ex, r);
        return;
    }
    if (path == QLatin1String("/v1/admin/faults")) {
        handleAdminFaults(ex, request);
        return;
    }
    if (path == QLatin1String("/v1/admin/parked")) {
        // Tests wait on this (never on time) before changing data under a live hold.
        const QString handle = request.queryValue(QStringLiteral("handle"));
        const qsizetype parked = handle.isNull() ? m_waiters.size() : m_waiters.count(handle);
        send(ex, HttpResponse::json(200, "{\"parked\":" + QByteArray::number(parked) + '}'));
        return;
    }
    const bool shapePath = path == QLatin1String("/v1/shape");
    const bool proxyPath
        = !m_options.proxyJwtKey.isEmpty() && path.startsWith(QLatin1String("/v1/shape/"));
    if (!shapePath && !proxyPath) {
        HttpResponse r;
        r.status = 404;
        r.body = "Not found";
        r.setHeader("content-type", "text/plain; charset=utf-8");
        send(ex, r);
        return;
    }
    if (method == "OPTIONS") {
        HttpResponse r;
        r.status = 204;
        r.setHeader("access-control-max-age", "86400");
        r.setHeader("access-control-allow-methods", "GET, HEAD, POST, DELETE, OPTIONS");
        r.setHeader("access-control-allow-headers", "*");
        send(ex, r);
        return;
    }
    if (shapePath && method == "DELETE") {
        handleShapeDelete(ex, request);
        return;
    }
    // POST is Electric's GET with subset parameters in the body; subsets are not supported here.
    if (method != "GET" && method != "HEAD" && method != "POST") {
        respondError(ex, 405, JsonText::message(QStringLiteral("Method not allowed")));
        return;
    }

    // Fault injection: decided when the request arrives, applied when it is answered.
    const QString table = proxyPath ? path.mid(int(qstrlen("/v1/shape/")))
                                    : request.queryValue(QStringLiteral("table"));
    int latencyMs = 0;
    for (qsizetype i = 0; i < m_options.faults.size(); ++i) {
        FaultSpec &f = m_options.faults[i];
        if (f.remaining == 0 || !f.matchesTable(table))
            continue;
        if (f.skip > 0) {
            --f.skip;
            continue;
        }
        if (f.remaining > 0)
            --f.remaining;
        if (f.kind == FaultSpec::Kind::Latency)
            latencyMs += f.latencyMs;
        else if (f.kind == FaultSpec::Kind::Drop)
            ex->dropMidBody = true;
        else if (f.kind == FaultSpec::Kind::Malformed)
            ex->malformedBody = true;
        if (f.kind == FaultSpec::Kind::Unavailable || f.kind == FaultSpec::Kind::Status) {
            const int status = f.kind == FaultSpec::Kind::Status ? f.statusCode : 503;
            HttpResponse r = HttpResponse::json(
                status,
                f.kind == FaultSpec::Kind::Status
                    ? FaultSpec::electricBody(status)
                    : JsonText::message(QStringLiteral("Service unavailable (injected fault)")));
            if (status == 503 || status == 429)
                r.setHeader("retry-after", QByteArray::number(f.retryAfterSeconds));
            r.setHeader("cache-control", "no-store");
            ex->proxied = proxyPath;
            QTimer::singleShot(latencyMs, this, [this, ex, r] { send(ex, r); });
            return;
        }
    }
    auto proceed = [this, ex, proxyPath, path] {
        if (proxyPath)
            handleProxy(ex, ex->request, path.mid(int(qstrlen("/v1/shape/"))));
        else
            handleShapeGet(ex, ex->request);
    };
    if (latencyMs > 0)
        QTimer::singleShot(latencyMs, this, proceed);
    else
        proceed();
}

void ShapeServer::handleAdminFaults(const std::shared_ptr<Exchange> &ex, const HttpRequest &request)
{
    if (request.method == "DELETE") {
        m_options.faults.clear();
        send(ex, HttpResponse::json(200, "{\"faults\":0}"));
        return;
    }
    if (request.method != "POST") {
        respondError(ex, 405, JsonText::message(QStringLiteral("Use POST ?spec=SPEC or DELETE")));
        return;
    }
    auto fault = FaultSpec::parse(request.queryValue(QStringLiteral("spec")));
    if (!fault) {
        respondError(ex, 400,
                     JsonText::invalidRequest(QStringLiteral("spec"), fault.error().message));
        return;
    }
    m_options.faults.append(fault.value());
    send(ex,
         HttpResponse::json(200,
                            "{\"faults\":" + QByteArray::number(m_options.faults.size()) + '}'));
}

void ShapeServer::handleProxy(const std::shared_ptr<Exchange> &ex, const HttpRequest &request,
                              const QString &table)
{
    // The hive's router has a GET route per served table and nothing else: other tables are
    // unknown paths, before any authentication.
    if (!m_options.proxyTables.contains(table)) {
        HttpResponse r;
        r.status = 404;
        send(ex, r);
        return;
    }
    ex->proxied = true;
    if (request.method != "GET" && request.method != "HEAD") {
        HttpResponse r;
        r.status = 405;
        r.setHeader("allow", "GET,HEAD");
        send(ex, r);
        return;
    }
    const QByteArray auth = request.header("authorization");
    auto subject = auth.startsWith("Bearer ")
        ? JwtToken::verify(auth.mid(7).trimmed(), m_options.proxyJwtKey,
                           QDateTime::currentSecsSinceEpoch())
        : Result<QString>(Error(QStringLiteral("no bearer token")));
    // require_session also loads the user: a token for an unknown user is just as unauthorized.
    if (subject) {
        auto user = m_query->exec(QStringLiteral("SELECT 1 FROM users WHERE id::text = $1"),
                                  {subject.value()});
        if (!user || user->rows() == 0)
            subject = Error(QStringLiteral("no such user"));
    }
    if (!subject) {
        // The hive's middleware answers a bare StatusCode::UNAUTHORIZED: no body at all.
        qCInfo(lcShapeServer) << "proxy: 401," << subject.error().message;
        HttpResponse r;
        r.status = 401;
        send(ex, r);
        return;
    }
    // The hive's ProxyError answers are axum's (status, &str): plain text.
    auto plain = [this, &ex](int status, const QByteArray &text) {
        HttpResponse r;
        r.status = status;
        r.body = text;
        r.setHeader("content-type", "text/plain; charset=utf-8");
        send(ex, r);
    };
    if (m_options.proxyUnconfigured) {
        plain(503, "Electric sync service is not configured");
        return;
    }
    auto orgs = m_query->exec(
        QStringLiteral("SELECT o.id::text FROM organizations o JOIN organization_member_metadata m "
                       "ON m.organization_id = o.id WHERE m.user_id::text = $1 ORDER BY o.id"),
        {subject.value()});
    if (!orgs) {
        qCWarning(lcShapeServer) << "proxy: listing organizations failed:"
                                 << orgs.error().toString();
        plain(403, "forbidden");
        return;
    }
    QStringList orgIds;
    for (int r = 0; r < orgs->rows(); ++r)
        orgIds.append(orgs->text(r, 0));
    if (orgIds.isEmpty()) {
        // The hive answers a user without organizations with a bare [] and no Electric headers.
        HttpResponse r;
        r.body = "[]";
        r.setHeader("content-type", "application/json");
        send(ex, r);
        return;
    }
    // The hive's rule: table and where are the server's; only these come from the client.
    HttpRequest forwarded = request;
    forwarded.query.clear();
    forwarded.query.append({QStringLiteral("table"), table});
    forwarded.query.append(
        {QStringLiteral("where"), QStringLiteral("\"organization_id\" = ANY($1)")});
    forwarded.query.append({QStringLiteral("params[1]"),
                            QLatin1Char('{') + orgIds.join(QLatin1Char(',')) + QLatin1Char('}')});
    for (const auto &q : request.query) {
        static const QStringList allowed
            = {QStringLiteral("offset"), QStringLiteral("handle"), QStringLiteral("live"),
               QStringLiteral("cursor"), QStringLiteral("columns")};
        if (allowed.contains(q.first))
            forwarded.query.append(q);
    }
    ex->forwarded = true;
    handleShapeGet(ex, forwarded);
}

void ShapeServer::handleShapeDelete(const std::shared_ptr<Exchange> &ex, const HttpRequest &request)
{
    if (!m_options.enableDelete) {
        respondError(ex, 405, JsonText::message(QStringLiteral("DELETE not allowed")));
        return;
    }
    if (!m_options.secret.isEmpty()
        && request.queryValue(QStringLiteral("secret")) != m_options.secret
        && request.queryValue(QStringLiteral("api_secret")) != m_options.secret) {
        respondError(ex, 401,
                     JsonText::message(QStringLiteral("Unauthorized - Invalid API secret")));
        return;
    }
    Shape *shape = nullptr;
    const QString handle = request.queryValue(QStringLiteral("handle"));
    if (!handle.isEmpty()) {
        shape = m_byHandle.value(handle).get();
    } else {
        HttpRequest withOffset = request;
        withOffset.query.append({QStringLiteral("offset"), QStringLiteral("-1")});
        ShapeRequest parsed;
        ValidationErrors errors;
        if (!ShapeRequest::parse(withOffset, &parsed, &errors)) {
            respondError(ex, 400, validationBody(errors));
            return;
        }
        shape = m_byIdentity.value(parsed.definition.identity());
    }
    if (!shape) {
        respondError(ex, 404, JsonText::message(QStringLiteral("No existing shape found")));
        return;
    }
    rotate(shape);
    HttpResponse r;
    r.status = 202;
    send(ex, r);
}
