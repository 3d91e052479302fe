#include "tests/legacy/LegacyTestChecks.h"

#include <QCryptographicHash>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QVariant>

namespace {

// A short-lived read connection per call; the name is unique per call.
class ReadConnection
{
public:
    explicit ReadConnection(const QString &path)
        : m_name(QStringLiteral("legacy-check-") + QUuid::createUuid().toString())
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=30000"));
        db.open();
    }
    ~ReadConnection()
    {
        QSqlDatabase::database(m_name).close();
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name); }

private:
    QString m_name;
};

QHash<QByteArray, qint64> countsBy(const QString &path, const QString &sql)
{
    QHash<QByteArray, qint64> counts;
    ReadConnection connection(path);
    QSqlQuery q(connection.db());
    if (q.exec(sql)) {
        while (q.next())
            counts.insert(q.value(0).toByteArray(), q.value(1).toLongLong());
    }
    return counts;
}

} // namespace

QList<ExpectedEntry> readLogEntries(const QString &path, QString *error)
{
    QList<ExpectedEntry> rows;
    ReadConnection connection(path);
    QSqlQuery q(connection.db());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT execution_id, output_type, CAST(content AS BLOB), timestamp"
                               " FROM log_entries ORDER BY id"))) {
        if (error)
            *error = q.lastError().text();
        return rows;
    }
    while (q.next()) {
        rows.append({q.value(0).toByteArray(), q.value(1).toString(), q.value(2).toByteArray(),
                     q.value(3).toString()});
    }
    return rows;
}

QHash<QByteArray, qint64> logEntryCounts(const QString &path)
{
    return countsBy(path,
                    QStringLiteral("SELECT execution_id, count(*) FROM log_entries"
                                   " GROUP BY execution_id"));
}

QHash<QByteArray, qint64> ledgerCounts(const QString &path)
{
    return countsBy(path,
                    QStringLiteral("SELECT execution_id, migrated_lines"
                                   " FROM hivewatch_legacy_log_ledger"));
}

QByteArray sourceTableDigest(const QString &path)
{
    ReadConnection connection(path);
    QSqlQuery q(connection.db());
    q.setForwardOnly(true);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!q.exec(QStringLiteral("SELECT rowid, execution_id, CAST(logs AS BLOB), byte_size,"
                               " inserted_at FROM execution_process_logs ORDER BY rowid")))
        return "query failed: " + q.lastError().text().toUtf8();
    while (q.next()) {
        for (int c = 0; c < 5; ++c) {
            const QByteArray value = q.value(c).toByteArray();
            hash.addData(QByteArray(QByteArray::number(value.size()) + ":" + value));
        }
    }
    return hash.result().toHex();
}

QByteArray fileDigest(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return "missing";
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex();
}

QString compareEntries(const QList<ExpectedEntry> &actual, const QList<ExpectedEntry> &expected)
{
    QStringList differences;
    if (actual.size() != expected.size())
        differences
            << QStringLiteral("%1 rows, expected %2").arg(actual.size()).arg(expected.size());
    for (qsizetype i = 0; i < std::min(actual.size(), expected.size()) && differences.size() < 5;
         ++i) {
        const ExpectedEntry &a = actual[i], &e = expected[i];
        if (a == e)
            continue;
        differences << QStringLiteral("row %1: got (%2, %3, %4, %5 bytes '%6') expected (%7, %8, "
                                      "%9, %10 bytes '%11')")
                           .arg(i)
                           .arg(QString::fromLatin1(a.executionKey.toHex().left(8)), a.outputType,
                                a.timestamp)
                           .arg(a.content.size())
                           .arg(QString::fromUtf8(a.content.left(40)))
                           .arg(QString::fromLatin1(e.executionKey.toHex().left(8)), e.outputType,
                                e.timestamp)
                           .arg(e.content.size())
                           .arg(QString::fromUtf8(e.content.left(40)));
    }
    return differences.join(QStringLiteral("\n"));
}
