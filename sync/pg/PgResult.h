#pragma once

#include <QByteArray>
#include <QString>

#include <memory>

struct pg_result;
typedef struct pg_result PGresult;

namespace hivewatch {

// Owns a PGresult (RAII: PQclear on destruction). Values come back as Postgres text.
class PgResult
{
public:
    PgResult() = default;
    explicit PgResult(PGresult *result);

    bool isNull() const { return !m_result; }
    PGresult *get() const { return m_result.get(); }

    int rows() const;
    int columns() const;
    QString columnName(int column) const;
    int columnIndex(const char *name) const; // -1 when absent
    unsigned int columnType(int column) const; // the type's OID

    bool isNull(int row, int column) const;
    QString text(int row, int column) const; // UTF-8 decoded
    QByteArray bytes(int row, int column) const; // raw text form
    const char *raw(int row, int column) const; // borrowed, valid while *this lives
    int rawLength(int row, int column) const;
    bool boolean(int row, int column) const; // 't'/'true'
    qint64 int64(int row, int column) const;
    qint64 affectedRows() const; // PQcmdTuples

private:
    std::shared_ptr<PGresult> m_result;
};

} // namespace hivewatch
