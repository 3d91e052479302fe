#pragma once

#include "tools/shape-server/PgOutputDecoder.h"

#include <QThread>

#include <atomic>

// Logical replication of one publication with pgoutput over libpq's replication protocol, on its
// own thread: a temporary slot (dropped by Postgres when this connection ends), then
// START_REPLICATION and a loop that decodes XLogData into whole transactions and answers
// keepalives. Signals are emitted from the worker thread and so arrive queued in the server's.
class ReplicationStream : public QThread
{
    Q_OBJECT
public:
    ReplicationStream(QString conninfo, QString publication, QObject *parent = nullptr);
    ~ReplicationStream() override;

    void requestStop() { m_stop = true; }

signals:
    // The slot exists: every transaction committed from now on will be delivered.
    void started(quint64 startLsn);
    void transactionReceived(const ReplicationTransaction &transaction);
    void failed(const QString &error);

protected:
    void run() override;

private:
    QString m_conninfo;
    QString m_publication;
    std::atomic<bool> m_stop {false};
};

// The conninfo with replication=database added (key/value or URI form).
QString replicationConninfo(const QString &conninfo);
