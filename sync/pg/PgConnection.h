#pragma once

#include "domain/Result.h"
#include "sync/pg/PgResult.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <memory>

struct pg_conn;
typedef struct pg_conn PGconn;

namespace hivewatch {

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
    // Same, with a password kept out of the conninfo text (so it cannot end up in a message or a
    // settings file); an empty password falls back to the conninfo, PGPASSWORD and .pgpass.
    // Unless the conninfo says otherwise, gives up after 15 s (connect_timeout).
    static Result<std::unique_ptr<PgConnection>> connect(const QString &conninfo,
                                                         const QString &password);
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

    int serverVersion() const; // e.g. 150018
    QString describe() const; // "user@host:port/db" for messages; never the password
    QString lastErrorMessage() const;
    // SQLSTATE of the last failed exec()/execScript() (e.g. "42501"), empty after a success.
    QString lastSqlState() const { return m_lastSqlState; }
    // The server-side hash (SCRAM or md5, as the server wants) of a role's password, computed
    // here so that the plain password never travels in SQL text or lands in a server log.
    Result<QString> encryptPassword(const QString &password, const QString &role);
    // NOTICE/WARNING messages the server sent since the last call (libpq would otherwise print
    // them to stderr), e.g. "wal_level is insufficient to publish logical changes".
    QStringList takeNotices();

private:
    explicit PgConnection(PGconn *conn);
    Result<PgResult> check(PGresult *result, const QString &sql);

    static Result<std::unique_ptr<PgConnection>> finishConnect(PGconn *conn);

    PGconn *m_conn = nullptr;
    QString m_lastSqlState;
    QStringList m_notices;
};

} // namespace hivewatch
