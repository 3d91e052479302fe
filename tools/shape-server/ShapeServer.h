#pragma once

#include "tools/shape-server/HttpMessage.h"
#include "tools/shape-server/PgOutputDecoder.h"
#include "tools/shape-server/ServerOptions.h"
#include "tools/shape-server/ShapeDefinition.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTemporaryDir>

#include <memory>
#include <optional>

class HttpConnection;
class HttpServer;
namespace hivewatch {
class PgConnection;
} // namespace hivewatch
using namespace hivewatch;
class QThread;
class ReplicationStream;
class Shape;
class WhereEvaluator;

// The Electric Shape HTTP API (docs/electric-protocol.md) over a real PostgreSQL, for tests and
// demos.
//
// Threads: the HTTP layer, the shape registry and where-clause evaluation run on this object's
// thread; logical replication runs on ReplicationStream's thread; each snapshot runs on a thread
// of its own. Only whole transactions and "snapshot progressed" notices cross between them.
//
// Snapshot/stream consistency: the replication slot is created before the server listens, so
// every transaction committed after that point reaches us. A shape's snapshot is read in a
// REPEATABLE READ transaction whose pg_current_snapshot() we record (and send in snapshot-end,
// as Electric does); a replicated transaction is applied to the shape only if its xid is *not*
// visible in that snapshot. Visible ones are already in the snapshot rows, invisible ones
// committed after it, so nothing is lost or duplicated, and nothing has to wait for the stream.
// One gap remains: Postgres flushes a commit record slightly before the transaction becomes
// visible, so a transaction could reach us before a new shape exists and still be invisible to
// its snapshot. The last transactions are therefore kept (m_recent) and offered to every new
// shape; the visibility test makes replaying them harmless.
class ShapeServer : public QObject
{
    Q_OBJECT
public:
    explicit ShapeServer(ServerOptions options, QObject *parent = nullptr);
    ~ShapeServer() override;

    // Connects, prepares the publication, starts replication; emits ready() or fatal().
    void start();
    QString baseUrl() const;

signals:
    void ready(const QString &baseUrl);
    void fatal(const QString &error);

private:
    struct Exchange;
    struct Waiter;

    void onReplicationStarted(quint64 startLsn);
    void onTransaction(const ReplicationTransaction &tx);
    void onSnapshotProgress(const QString &handle);

    void handle(QPointer<HttpConnection> connection, const HttpRequest &request);
    void handleShapeGet(const std::shared_ptr<Exchange> &ex, const HttpRequest &request);
    void handleShapeDelete(const std::shared_ptr<Exchange> &ex, const HttpRequest &request);
    void handleProxy(const std::shared_ptr<Exchange> &ex, const HttpRequest &request,
                     const QString &table);
    void handleAdminFaults(const std::shared_ptr<Exchange> &ex, const HttpRequest &request);

    // Resolves table, columns and where in Postgres; returns the shape or fills a 400 body.
    Shape *shapeFor(const ShapeDefinition &definition, QByteArray *errorBody, int *status);
    Shape *createShape(const ShapeDefinition &definition, const struct TableInfo &table,
                       const QList<int> &selected);
    bool prepareTable(const struct TableInfo &table, QString *error);
    void rotate(Shape *shape);
    // False when the table's columns (names, types, typmods) differ from the shape's.
    bool schemaUnchanged(const Shape &shape);

    // Answers now, or parks the request until `deadline` (kept when a parked request is re-served).
    void serve(const std::shared_ptr<Exchange> &ex, const ShapeRequest &request, Shape *shape,
               std::optional<QDeadlineTimer> deadline = std::nullopt);
    void park(const std::shared_ptr<Exchange> &ex, const ShapeRequest &request, Shape *shape,
              int kind, QDeadlineTimer deadline);
    void expire(const std::shared_ptr<Waiter> &waiter);
    void wake(const QString &handle);
    void respondShape(const std::shared_ptr<Exchange> &ex, const ShapeRequest &request,
                      Shape *shape, const QByteArray &messages, const LogOffset &offset,
                      bool upToDate, bool hasData, quint64 chunkLsn);
    void respondMustRefetch(const std::shared_ptr<Exchange> &ex, const QString &newHandle);
    void respondError(const std::shared_ptr<Exchange> &ex, int status, const QByteArray &body);
    void send(const std::shared_ptr<Exchange> &ex, HttpResponse response);

    QByteArray nextCursor(const QString &clientCursor) const;

    ServerOptions m_options;
    std::unique_ptr<PgConnection> m_query;
    std::unique_ptr<WhereEvaluator> m_where;
    HttpServer *m_http = nullptr;
    ReplicationStream *m_replication = nullptr;
    QTemporaryDir m_snapshotDir;
    QHash<QString, Shape *> m_byIdentity;
    QHash<QString, std::shared_ptr<Shape>> m_byHandle;
    QMultiHash<QString, std::shared_ptr<Waiter>> m_waiters;
    QSet<unsigned int> m_preparedTables;
    QList<QThread *> m_snapshotThreads;
    QList<ReplicationTransaction> m_recent; // newest last, bounded by RecentChangeLimit
    qsizetype m_recentChanges = 0;
    quint64 m_globalLsn = 0;
    quint64 m_requestCounter = 0;
    bool m_started = false;
};
