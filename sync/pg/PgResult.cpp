#include "sync/pg/PgResult.h"

#include <libpq-fe.h>

#include <cstring>

namespace hivewatch {

PgResult::PgResult(PGresult *result)
    : m_result(result, &PQclear)
{
}

int PgResult::rows() const
{
    return m_result ? PQntuples(m_result.get()) : 0;
}
int PgResult::columns() const
{
    return m_result ? PQnfields(m_result.get()) : 0;
}

QString PgResult::columnName(int column) const
{
    return QString::fromUtf8(PQfname(m_result.get(), column));
}

int PgResult::columnIndex(const char *name) const
{
    return m_result ? PQfnumber(m_result.get(), name) : -1;
}

unsigned int PgResult::columnType(int column) const
{
    return PQftype(m_result.get(), column);
}

bool PgResult::isNull(int row, int column) const
{
    return PQgetisnull(m_result.get(), row, column) != 0;
}

QString PgResult::text(int row, int column) const
{
    return QString::fromUtf8(PQgetvalue(m_result.get(), row, column),
                             PQgetlength(m_result.get(), row, column));
}

QByteArray PgResult::bytes(int row, int column) const
{
    return QByteArray(PQgetvalue(m_result.get(), row, column),
                      PQgetlength(m_result.get(), row, column));
}

const char *PgResult::raw(int row, int column) const
{
    return PQgetvalue(m_result.get(), row, column);
}

int PgResult::rawLength(int row, int column) const
{
    return PQgetlength(m_result.get(), row, column);
}

bool PgResult::boolean(int row, int column) const
{
    const char *v = PQgetvalue(m_result.get(), row, column);
    return v && (std::strcmp(v, "t") == 0 || std::strcmp(v, "true") == 0);
}

qint64 PgResult::int64(int row, int column) const
{
    return QByteArray(PQgetvalue(m_result.get(), row, column)).toLongLong();
}

qint64 PgResult::affectedRows() const
{
    return m_result ? QByteArray(PQcmdTuples(m_result.get())).toLongLong() : 0;
}

} // namespace hivewatch
