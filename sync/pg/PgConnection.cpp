#include "sync/pg/PgConnection.h"

#include "sync/pg/PgLog.h"

#include <libpq-fe.h>

#include <utility>
#include <vector>

namespace hivewatch {

namespace {

QString firstLine(const QString &sql)
{
    const QString s = sql.trimmed();
    const int nl = s.indexOf(QLatin1Char('\n'));
    return nl < 0 ? s.left(200) : s.left(qMin(nl, 200)) + QStringLiteral(" …");
}

} // namespace

PgConnection::PgConnection(PGconn *conn)
    : m_conn(conn)
{
    PQsetNoticeReceiver(
        m_conn,
        [](void *self, const PGresult *result) {
            const QString text = QString::fromUtf8(PQresultErrorMessage(result)).trimmed();
            static_cast<PgConnection *>(self)->m_notices.append(text);
        },
        this);
}

QStringList PgConnection::takeNotices()
{
    return std::exchange(m_notices, {});
}

PgConnection::~PgConnection()
{
    if (m_conn)
        PQfinish(m_conn);
}

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const QString &conninfo)
{
    const QByteArray info = conninfo.toUtf8();
    return finishConnect(PQconnectdb(info.constData()));
}

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const QString &conninfo,
                                                            const QString &password)
{
    // expand_dbname: the "dbname" value may be a whole conninfo or URI. Keywords after it
    // override it (the password), keywords before it are defaults it may override (a connect
    // timeout, so that a worker thread never hangs on an unreachable server).
    const QByteArray info = conninfo.toUtf8();
    const QByteArray secret = password.toUtf8();
    const char *keywords[] = {"connect_timeout", "dbname", "password", nullptr};
    const char *values[]
        = {"15", info.constData(), password.isEmpty() ? nullptr : secret.constData(), nullptr};
    return finishConnect(PQconnectdbParams(keywords, values, 1));
}

Result<std::unique_ptr<PgConnection>> PgConnection::finishConnect(PGconn *conn)
{
    if (!conn)
        return Error(QStringLiteral("Could not allocate a PostgreSQL connection"));
    if (PQstatus(conn) != CONNECTION_OK) {
        const QString message = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
        PQfinish(conn);
        return Error(QStringLiteral("Could not connect to PostgreSQL"), message);
    }
    // Values come back in the forms Electric uses, whatever the server's defaults are.
    PGresult *r = PQexec(conn,
                         "SET client_encoding = 'UTF8'; SET TimeZone = 'UTC'; "
                         "SET DateStyle = 'ISO, DMY'; SET extra_float_digits = 1; "
                         "SET bytea_output = 'hex'; SET IntervalStyle = 'iso_8601'");
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) {
        const QString message = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
        PQfinish(conn);
        return Error(QStringLiteral("Could not configure the PostgreSQL session"), message);
    }
    return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

Result<PgResult> PgConnection::check(PGresult *result, const QString &sql)
{
    PgResult owned(result);
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY
        || status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
        m_lastSqlState.clear();
        return owned;
    }
    const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    m_lastSqlState = state ? QString::fromLatin1(state) : QString();
    QString message
        = result ? QString::fromUtf8(PQresultErrorMessage(result)).trimmed() : lastErrorMessage();
    qCDebug(lcPg) << "statement failed:" << firstLine(sql) << message;
    return Error(message.isEmpty() ? QStringLiteral("PostgreSQL statement failed") : message,
                 QStringLiteral("in: ") + firstLine(sql));
}

Result<PgResult> PgConnection::exec(const QString &sql, const QStringList &params)
{
    const QByteArray query = sql.toUtf8();
    if (params.isEmpty())
        return check(
            PQexecParams(m_conn, query.constData(), 0, nullptr, nullptr, nullptr, nullptr, 0), sql);
    std::vector<QByteArray> storage;
    std::vector<const char *> values;
    storage.reserve(params.size());
    values.reserve(params.size());
    for (const QString &p : params) {
        if (p.isNull()) {
            values.push_back(nullptr);
        } else {
            storage.push_back(p.toUtf8());
            values.push_back(storage.back().constData());
        }
    }
    return check(PQexecParams(m_conn, query.constData(), int(values.size()), nullptr, values.data(),
                              nullptr, nullptr, 0),
                 sql);
}

Result<PgResult> PgConnection::execScript(const QString &sql)
{
    const QByteArray query = sql.toUtf8();
    return check(PQexec(m_conn, query.constData()), sql);
}

QString PgConnection::quoteIdentifier(const QString &identifier) const
{
    const QByteArray in = identifier.toUtf8();
    char *out = PQescapeIdentifier(m_conn, in.constData(), size_t(in.size()));
    if (!out)
        return {};
    QString quoted = QString::fromUtf8(out);
    PQfreemem(out);
    return quoted;
}

QString PgConnection::quoteLiteral(const QString &literal) const
{
    const QByteArray in = literal.toUtf8();
    char *out = PQescapeLiteral(m_conn, in.constData(), size_t(in.size()));
    if (!out)
        return {};
    QString quoted = QString::fromUtf8(out);
    PQfreemem(out);
    return quoted;
}

int PgConnection::serverVersion() const
{
    return PQserverVersion(m_conn);
}

QString PgConnection::describe() const
{
    const char *host = PQhost(m_conn);
    return QStringLiteral("%1@%2:%3/%4")
        .arg(QString::fromUtf8(PQuser(m_conn)),
             QString::fromUtf8(host && *host ? host : "localhost"),
             QString::fromUtf8(PQport(m_conn)), QString::fromUtf8(PQdb(m_conn)));
}

Result<QString> PgConnection::encryptPassword(const QString &password, const QString &role)
{
    const QByteArray secret = password.toUtf8();
    const QByteArray user = role.toUtf8();
    char *hash = PQencryptPasswordConn(m_conn, secret.constData(), user.constData(), nullptr);
    if (!hash)
        return Error(QStringLiteral("Could not encrypt the password of role '%1'").arg(role),
                     lastErrorMessage());
    QString encrypted = QString::fromLatin1(hash);
    PQfreemem(hash);
    return encrypted;
}

QString PgConnection::lastErrorMessage() const
{
    return QString::fromUtf8(PQerrorMessage(m_conn)).trimmed();
}

} // namespace hivewatch
