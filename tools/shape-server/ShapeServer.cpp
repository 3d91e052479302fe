#include "tools/shape-server/ShapeServer.h"
#include "tools/shape-server/ShapeServerExchange.h"

#include "sync/pg/PgConnection.h"
#include "tools/shape-server/ChangeConverter.h"
#include "tools/shape-server/HttpConnection.h"
#include "tools/shape-server/HttpServer.h"
#include "tools/shape-server/JsonText.h"
#include "tools/shape-server/ReplicationStream.h"
#include "tools/shape-server/ServerLog.h"
#include "tools/shape-server/Shape.h"
#include "tools/shape-server/SnapshotWriter.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QThread>
#include <QTimer>

#include <libpq-fe.h>

using namespace hivewatch;

ShapeServer::ShapeServer(ServerOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_snapshotDir(QDir::tempPath() + QStringLiteral("/hive-shape-server-XXXXXX"))
{
}

ShapeServer::~ShapeServer()
{
    for (const auto &shape : std::as_const(m_byHandle))
        shape->snapshot().cancelled = true;
    for (QThread *t : std::as_const(m_snapshotThreads))
        t->wait();
    qDeleteAll(m_snapshotThreads);
    if (m_replication) {
        m_replication->requestStop();
        m_replication->wait(); // closing the replication connection drops the temporary slot
    }
}

QString ShapeServer::baseUrl() const
{
    return QStringLiteral("http://%1:%2").arg(m_options.host).arg(m_http ? m_http->port() : 0);
}

void ShapeServer::start()
{
    auto query = PgConnection::connect(m_options.dsn);
    if (!query) {
        emit fatal(query.error().toString());
        return;
    }
    m_query = std::move(query.value());
    m_where = std::make_unique<WhereEvaluator>(*m_query);
    auto exists = m_query->exec(QStringLiteral("SELECT 1 FROM pg_publication WHERE pubname = $1"),
                                {m_options.publication});
    if (exists && exists->rows() == 0) {
        // Electric's automatic mode: an empty publication; tables join when a shape asks for them.
        exists = m_query->exec(QStringLiteral("CREATE PUBLICATION ")
                               + m_query->quoteIdentifier(m_options.publication));
    }
    if (!exists) {
        emit fatal(QStringLiteral("Cannot prepare publication %1: %2")
                       .arg(m_options.publication, exists.error().toString()));
        return;
    }
    m_replication = new ReplicationStream(m_options.dsn, m_options.publication, this);
    connect(m_replication, &ReplicationStream::started, this, &ShapeServer::onReplicationStarted);
    connect(m_replication, &ReplicationStream::transactionReceived, this,
            &ShapeServer::onTransaction);
    connect(m_replication, &ReplicationStream::failed, this, [this](const QString &error) {
        emit fatal(QStringLiteral("Logical replication failed: ") + error);
    });
    m_replication->start();
}

void ShapeServer::onReplicationStarted(quint64 startLsn)
{
    m_globalLsn = startLsn;
    m_http = new HttpServer(
        [this](QPointer<HttpConnection> c, const HttpRequest &r) { handle(c, r); }, this);
    QString error;
    if (!m_http->listen(QHostAddress(m_options.host), m_options.port, &error)) {
        emit fatal(QStringLiteral("Cannot listen on %1:%2: %3")
                       .arg(m_options.host)
                       .arg(m_options.port)
                       .arg(error));
        return;
    }
    m_started = true;
    emit ready(baseUrl());
}

void ShapeServer::onTransaction(const ReplicationTransaction &tx)
{
    m_globalLsn = qMax(m_globalLsn, tx.commitLsn);
    constexpr qsizetype RecentChangeLimit = 20000;
    m_recent.append(tx);
    m_recentChanges += tx.changes.size() + 1;
    while (m_recent.size() > 1 && m_recentChanges > RecentChangeLimit) {
        m_recentChanges -= m_recent.first().changes.size() + 1;
        m_recent.removeFirst();
    }
    QList<Shape *> touched;
    for (const auto &shape : std::as_const(m_byHandle))
        if (shape->touches(tx))
            touched.append(shape.get());
    for (Shape *shape : touched) {
        const Shape::Applied applied = shape->apply(tx, *m_where);
        if (applied == Shape::Applied::MustRotate)
            rotate(shape);
        else if (applied == Shape::Applied::Appended)
            wake(shape->handle());
    }
}

void ShapeServer::onSnapshotProgress(const QString &handle)
{
    const auto shape = m_byHandle.value(handle);
    if (!shape)
        return;
    if (shape->applyQueued(*m_where) == Shape::Applied::MustRotate) {
        rotate(shape.get());
        return;
    }
    if (!shape->snapshot().error().isEmpty()) {
        // A failed snapshot cannot be served: forget the shape, answer 503 so clients retry.
        const auto waiters = m_waiters.values(handle);
        m_waiters.remove(handle);
        m_byIdentity.remove(shape->definition().identity());
        m_byHandle.remove(handle);
        for (const auto &w : waiters) {
            delete w->timer;
            HttpResponse r = HttpResponse::json(
                503, JsonText::message(QStringLiteral("Snapshot failed, please retry")));
            r.setHeader("retry-after", "10");
            send(w->exchange, r);
        }
        return;
    }
    wake(handle);
}

void ShapeServer::handleShapeGet(const std::shared_ptr<Exchange> &ex, const HttpRequest &request)
{
    if (!ex->proxied && !m_options.secret.isEmpty()) {
        const QString secret = request.hasQuery(QStringLiteral("secret"))
            ? request.queryValue(QStringLiteral("secret"))
            : request.queryValue(QStringLiteral("api_secret"));
        if (secret != m_options.secret) {
            respondError(ex, 401,
                         JsonText::message(QStringLiteral("Unauthorized - Invalid API secret")));
            return;
        }
    }
    ShapeRequest shapeRequest;
    ValidationErrors errors;
    if (!ShapeRequest::parse(request, &shapeRequest, &errors)) {
        respondError(ex, 400, validationBody(errors));
        return;
    }
    Shape *shape = m_byIdentity.value(shapeRequest.definition.identity());
    if (shape && !schemaUnchanged(*shape)) {
        // Electric notices a schema change without a replicated change too (its periodic
        // reconciliation); here the next request does, and gets the new shape's handle.
        rotate(shape);
        shape = nullptr;
    }
    if (!shape) {
        QByteArray body;
        int status = 400;
        shape = shapeFor(shapeRequest.definition, &body, &status);
        if (!shape) {
            respondError(ex, status, body);
            return;
        }
    }
    const bool fromStart = shapeRequest.offset.beforeAll || shapeRequest.offsetNow;
    if (!fromStart && shapeRequest.handle != shape->handle()) {
        respondMustRefetch(ex, shape->handle());
        return;
    }
    serve(ex, shapeRequest, shape);
}

bool ShapeServer::prepareTable(const TableInfo &table, QString *error)
{
    const QString key = table.qualifiedSql();
    if (m_preparedTables.contains(table.oid)) // by oid: a recreated table must be added again
        return true;
    auto published
        = m_query->exec(QStringLiteral("SELECT 1 FROM pg_publication_tables WHERE pubname = $1 "
                                       "AND schemaname = $2 AND tablename = $3"),
                        {m_options.publication, table.schema, table.name});
    auto identity
        = m_query->exec(QStringLiteral("SELECT relreplident FROM pg_class WHERE oid = $1"),
                        {QString::number(table.oid)});
    if (!published || !identity) {
        *error = (!published ? published.error() : identity.error()).toString();
        return false;
    }
    // Electric's automatic mode: a requested table joins the publication with full identity,
    // so updates and deletes carry the old row (needed for replica=full and where move-outs).
    if (identity->text(0, 0) != QLatin1String("f")) {
        auto altered = m_query->exec(QStringLiteral("ALTER TABLE ") + key
                                     + QStringLiteral(" REPLICA IDENTITY FULL"));
        if (!altered) {
            *error = altered.error().toString();
            return false;
        }
    }
    if (published->rows() == 0) {
        auto added = m_query->exec(QStringLiteral("ALTER PUBLICATION ")
                                   + m_query->quoteIdentifier(m_options.publication)
                                   + QStringLiteral(" ADD TABLE ") + key);
        if (!added) {
            *error = added.error().toString();
            return false;
        }
    }
    m_preparedTables.insert(table.oid);
    return true;
}

Shape *ShapeServer::shapeFor(const ShapeDefinition &definition, QByteArray *errorBody, int *status)
{
    auto table = loadTableInfo(*m_query, definition.schema, definition.table);
    if (!table) {
        *errorBody = JsonText::invalidRequest(QStringLiteral("table"), table.error().message);
        return nullptr;
    }
    QList<int> selected;
    if (definition.columns.isEmpty()) {
        for (int i = 0; i < table->columns.size(); ++i)
            selected.append(i);
    } else {
        QStringList unknown;
        for (const QString &c : definition.columns) {
            const int i = table->indexOf(c);
            if (i < 0)
                unknown.append(c);
            else if (!selected.contains(i))
                selected.append(i);
        }
        if (!unknown.isEmpty()) {
            *errorBody = JsonText::invalidRequest(
                QStringLiteral("columns"),
                QStringLiteral("The following columns could not be found: ")
                    + unknown.join(QStringLiteral(", ")));
            return nullptr;
        }
        QStringList missing;
        if (table->hasPrimaryKey)
            for (int k : table->keyColumns)
                if (!selected.contains(k))
                    missing.append(table->columns[k].name);
        if (!missing.isEmpty()) {
            *errorBody = JsonText::invalidRequest(
                QStringLiteral("columns"),
                QStringLiteral(
                    "The list of columns must include all primary key columns, missing: ")
                    + missing.join(QStringLiteral(", ")));
            return nullptr;
        }
        std::sort(selected.begin(), selected.end());
    }
    if (!definition.where.isEmpty()) {
        // Postgres parses and types the where clause: its error (and position) is the 400.
        const QString prefix
            = QStringLiteral("SELECT 1 FROM ") + table->qualifiedSql() + QStringLiteral(" WHERE (");
        const QByteArray sql = (prefix + definition.where + QStringLiteral(") LIMIT 0")).toUtf8();
        std::vector<QByteArray> storage;
        std::vector<const char *> values;
        for (const QString &p : definition.params)
            storage.push_back(p.toUtf8());
        for (const QByteArray &b : storage)
            values.push_back(b.constData());
        PgResult result(PQexecParams(m_query->handle(), sql.constData(), int(values.size()),
                                     nullptr, values.data(), nullptr, nullptr, 0));
        if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
            const QString message
                = QString::fromUtf8(PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY));
            const int position
                = QByteArray(PQresultErrorField(result.get(), PG_DIAG_STATEMENT_POSITION)).toInt();
            QString text = position > prefix.size() ? QStringLiteral("At location %1: %2")
                                                          .arg(position - int(prefix.size()) - 1)
                                                          .arg(message)
                                                    : message;
            const bool paramsProblem = message.contains(QLatin1String("bind message supplies"))
                || message.contains(QLatin1String("there is no parameter"));
            const QString field
                = paramsProblem ? QStringLiteral("params") : QStringLiteral("where");
            if (paramsProblem)
                text = QStringLiteral("where uses more placeholders than the %1 params[n] given")
                           .arg(definition.params.size());
            *errorBody = JsonText::invalidRequest(field, text);
            return nullptr;
        }
    }
    QString error;
    if (!prepareTable(*table, &error)) {
        *status = 503;
        *errorBody = JsonText::message(QStringLiteral("Cannot add the table to the publication: ")
                                       + error);
        return nullptr;
    }
    return createShape(definition, *table, selected);
}

Shape *ShapeServer::createShape(const ShapeDefinition &definition, const TableInfo &table,
                                const QList<int> &selected)
{
    // Electric's handle form: <hash of the definition>-<µs timestamp>; never reused.
    static qint64 lastMicros = 0;
    lastMicros = qMax(lastMicros + 1, QDateTime::currentMSecsSinceEpoch() * 1000);
    const QByteArray digest
        = QCryptographicHash::hash(definition.identity().toUtf8(), QCryptographicHash::Sha256);
    const quint32 hash = (quint32(quint8(digest[0])) << 24 | quint32(quint8(digest[1])) << 16
                          | quint32(quint8(digest[2])) << 8 | quint32(quint8(digest[3])))
        % 100000000u;
    const QString handle = QStringLiteral("%1-%2").arg(hash).arg(lastMicros);

    auto store
        = std::make_shared<SnapshotStore>(m_snapshotDir.filePath(handle + QStringLiteral(".json")));
    auto shape = std::make_shared<Shape>(handle, definition, table, selected, store);
    m_byHandle.insert(handle, shape);
    m_byIdentity.insert(definition.identity(), shape.get());
    // Queued until the snapshot reports its visibility, which then drops what it already holds.
    for (const ReplicationTransaction &tx : std::as_const(m_recent))
        if (shape->touches(tx))
            (void)shape->apply(tx, *m_where);

    SnapshotJob job;
    job.conninfo = m_options.dsn;
    job.table = table;
    job.definition = definition;
    job.selectedColumns = selected;
    job.chunkBytes = m_options.chunkBytes;
    job.store = store;
    job.notify = [this, handle] {
        QMetaObject::invokeMethod(
            this, [this, handle] { onSnapshotProgress(handle); }, Qt::QueuedConnection);
    };
    QThread *thread = QThread::create([job]() mutable { job.run(); });
    m_snapshotThreads.append(thread);
    connect(thread, &QThread::finished, this, [this, thread] {
        m_snapshotThreads.removeOne(thread);
        thread->deleteLater();
    });
    thread->start();
    qCInfo(lcShapeServer) << "new shape" << handle << "on" << table.qualifiedSql();
    return shape.get();
}

bool ShapeServer::schemaUnchanged(const Shape &shape)
{
    // Same form as TableInfo::columnSignature(); a dropped (or recreated) table has no columns
    // under the old oid.
    auto current = m_query->exec(
        QStringLiteral("SELECT coalesce(string_agg(attname || ':' || atttypid || ':' || atttypmod, "
                       "',' ORDER BY attnum), '') FROM pg_attribute WHERE attrelid = $1 "
                       "AND attnum > 0 AND NOT attisdropped"),
        {QString::number(shape.table().oid)});
    return !current || current->text(0, 0) == shape.table().columnSignature();
}

void ShapeServer::rotate(Shape *shape)
{
    const QString handle = shape->handle();
    const std::shared_ptr<Shape> keep = m_byHandle.value(handle);
    shape->snapshot().cancelled = true;
    m_byHandle.remove(handle);
    if (m_byIdentity.value(shape->definition().identity()) == shape)
        m_byIdentity.remove(shape->definition().identity());
    const auto waiters = m_waiters.values(handle);
    m_waiters.remove(handle);
    if (waiters.isEmpty())
        return;
    if (!m_options.live409WithHandle) {
        // Electric 1.7's cleanup path answers parked requests without knowing the next shape:
        // 409 without a handle. The next request (offset -1, or the old handle) gets one.
        for (const auto &w : waiters) {
            delete w->timer;
            respondMustRefetch(w->exchange, {});
        }
        return;
    }
    // Older behaviour on request: parked clients learn the new handle right away.
    QByteArray errorBody;
    int status = 400;
    Shape *next = shapeFor(shape->definition(), &errorBody, &status); // re-reads the table
    if (!next) {
        for (const auto &w : waiters) {
            delete w->timer;
            respondMustRefetch(w->exchange, {});
        }
        return;
    }
    for (const auto &w : waiters) {
        delete w->timer;
        respondMustRefetch(w->exchange, next->handle());
    }
}
