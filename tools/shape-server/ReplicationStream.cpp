#include "tools/shape-server/ReplicationStream.h"

#include "sync/pg/PgConnection.h"
#include "tools/shape-server/ServerLog.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QtEndian>

#include <libpq-fe.h>
#include <sys/select.h>

using namespace hivewatch;

namespace {

// Microseconds since 2000-01-01, the epoch of the replication protocol's timestamps.
qint64 pgNow()
{
    return (QDateTime::currentMSecsSinceEpoch() - 946684800000LL) * 1000;
}

bool sendStandbyStatus(PGconn *conn, quint64 lsn, bool replyRequested)
{
    char msg[34];
    msg[0] = 'r';
    qToBigEndian<quint64>(lsn, msg + 1); // written
    qToBigEndian<quint64>(lsn, msg + 9); // flushed: lets Postgres recycle WAL behind us
    qToBigEndian<quint64>(lsn, msg + 17); // applied
    qToBigEndian<qint64>(pgNow(), msg + 25);
    msg[33] = replyRequested ? 1 : 0;
    return PQputCopyData(conn, msg, sizeof msg) == 1 && PQflush(conn) == 0;
}

quint64 parseLsn(const QString &text)
{
    const QStringList parts = text.split(QLatin1Char('/'));
    return parts.size() == 2
        ? (parts[0].toULongLong(nullptr, 16) << 32) | parts[1].toULongLong(nullptr, 16)
        : 0;
}

} // namespace

QString replicationConninfo(const QString &conninfo)
{
    if (conninfo.startsWith(QLatin1String("postgres://"))
        || conninfo.startsWith(QLatin1String("postgresql://")))
        return conninfo
            + (conninfo.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?'))
            + QStringLiteral("replication=database");
    return conninfo + QStringLiteral(" replication=database");
}

ReplicationStream::ReplicationStream(QString conninfo, QString publication, QObject *parent)
    : QThread(parent)
    , m_conninfo(std::move(conninfo))
    , m_publication(std::move(publication))
{
    qRegisterMetaType<ReplicationTransaction>();
}

ReplicationStream::~ReplicationStream()
{
    requestStop();
    wait();
}

void ReplicationStream::run()
{
    auto connected = PgConnection::connect(replicationConninfo(m_conninfo));
    if (!connected) {
        emit failed(connected.error().toString());
        return;
    }
    PgConnection &conn = **connected;
    const QString slot = QStringLiteral("hive_shape_server_%1_%2")
                             .arg(QCoreApplication::applicationPid())
                             .arg(quintptr(this) & 0xffff);
    // A temporary slot: Postgres drops it when this connection closes, even after a crash.
    auto created
        = conn.execScript(QStringLiteral("CREATE_REPLICATION_SLOT %1 TEMPORARY LOGICAL pgoutput "
                                         "(SNAPSHOT 'nothing')")
                              .arg(slot));
    if (!created) {
        emit failed(created.error().toString());
        return;
    }
    const quint64 startLsn = parseLsn(created->text(0, 1));
    auto streaming = conn.execScript(
        QStringLiteral(
            "START_REPLICATION SLOT %1 LOGICAL 0/0 (proto_version '1', publication_names %2)")
            .arg(slot, conn.quoteLiteral(m_publication)));
    if (!streaming) {
        emit failed(streaming.error().toString());
        return;
    }
    emit started(startLsn);

    PGconn *pg = conn.handle();
    PgOutputDecoder decoder;
    quint64 processedLsn = startLsn;
    QElapsedTimer sinceStatus;
    sinceStatus.start();
    while (!m_stop) {
        char *buffer = nullptr;
        const int n = PQgetCopyData(pg, &buffer, 1);
        if (n > 0) {
            const char kind = buffer[0];
            if (kind == 'w' && n > 25) {
                QString error;
                auto tx = decoder.feed(buffer + 25, n - 25, &error);
                if (!error.isEmpty()) {
                    PQfreemem(buffer);
                    emit failed(error);
                    return;
                }
                if (tx) {
                    processedLsn = qMax(processedLsn, tx->commitLsn);
                    emit transactionReceived(*tx);
                }
            } else if (kind == 'k' && n >= 18) {
                if (buffer[17])
                    sendStandbyStatus(pg, processedLsn, false);
            }
            PQfreemem(buffer);
            continue;
        }
        if (n == 0) {
            if (sinceStatus.elapsed() > 10000) {
                sendStandbyStatus(pg, processedLsn, false);
                sinceStatus.restart();
            }
            const int fd = PQsocket(pg);
            fd_set readable;
            FD_ZERO(&readable);
            FD_SET(fd, &readable);
            timeval timeout {0, 200000}; // wake up often enough to notice requestStop()
            if (select(fd + 1, &readable, nullptr, nullptr, &timeout) < 0 && errno != EINTR) {
                emit failed(QStringLiteral("waiting for the replication socket failed"));
                return;
            }
            if (!PQconsumeInput(pg)) {
                emit failed(conn.lastErrorMessage());
                return;
            }
            continue;
        }
        emit failed(QStringLiteral("replication stream ended: %1").arg(conn.lastErrorMessage()));
        return;
    }
    // Ending the COPY and closing the connection drops the temporary slot.
    PQputCopyEnd(pg, nullptr);
}
