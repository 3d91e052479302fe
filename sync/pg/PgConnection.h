#pragma once

#include "PgResult.h"
#include "Result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>

struct pg_conn;
typedef struct pg_conn PGconn;

// One libpq connection (RAII). The only place in Hivewatch that builds SQL text around
// identifiers or literals: quoteIdentifier()/quoteLiteral() wrap PQescapeIdentifier/Literal, and
// every value travels as a bound parameter of exec().
//
// Blocking: use it on a worker thread or in a CLI, never on the GUI thread.
class PgConnection
{
public:
    // `conninfo` is a libpq conninfo string or URI; empty means "from the environment" (PG* vars,
    // .pgpass). Errors name the server and libpq's message; a password never appears in them.
    static Result<std::unique_ptr<PgConnection>> connect(const QString &conninfo);
    ~PgConnection();

    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    PGconn *handle() const { return m_conn; }

    // Runs one statement with text parameters ($1, $2, …). A null QString binds SQL NULL.
    Result<PgResult> exec(const QString &sql, const QStringList &params = {});
    // Runs a script of several statements (simple query protocol; no parameters).
    Result<PgResult> execScript(const QString &sql);

    QString quoteIdentifier(const QString &identifier) const;
    QString quoteLiteral(const QString &literal) const;

    int serverVersion() const;      // e.g. 150018
    QString describe() const;       // "user@host:port/db" for messages; never the password
    QString lastErrorMessage() const;

private:
    explicit PgConnection(PGconn *conn);
    Result<PgResult> check(PGresult *result, const QString &sql);

    PGconn *m_conn = nullptr;
};
