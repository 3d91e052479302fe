// Serves one large shape snapshot from hive-shape-server and reports MB/s and the server's peak
// RSS. The table is filled server-side (generate_series) with hive-like rows, then the shape is
// followed from offset -1 to up-to-date in chunks, exactly as a client would.
//
//   bench_shapeserver_snapshot --dsn CONNINFO [--rows 1000000] [--chunk-bytes 10485760]
#include "sync/pg/PgConnection.h"
#include "tests/support/ShapeServerProcess.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrlQuery>

#include <cstdio>

using namespace hivewatch;

namespace {

qint64 peakRssKiB(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

int fail(const QString &why)
{
    std::fprintf(stderr, "bench_shapeserver_snapshot: %s\n", qPrintable(why));
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QString dsn;
    qint64 rows = 1000000;
    QString chunkBytes = QStringLiteral("10485760");
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--dsn"))
            dsn = args[i + 1];
        else if (args[i] == QLatin1String("--rows"))
            rows = args[i + 1].toLongLong();
        else if (args[i] == QLatin1String("--chunk-bytes"))
            chunkBytes = args[i + 1];
        else
            return fail(QStringLiteral("unknown option %1").arg(args[i]));
    }
    if (dsn.isEmpty() || rows <= 0)
        return fail(QStringLiteral(
            "usage: bench_shapeserver_snapshot --dsn CONNINFO [--rows N] [--chunk-bytes N]"));
    if (qEnvironmentVariableIsEmpty("HIVEWATCH_BINARY_DIR"))
        qputenv("HIVEWATCH_BINARY_DIR",
                (QCoreApplication::applicationDirPath() + QStringLiteral("/../..")).toUtf8());

    auto conn = PgConnection::connect(dsn);
    if (!conn)
        return fail(conn.error().toString());
    PgConnection &pg = **conn;
    auto count = pg.exec(QStringLiteral("SELECT count(*) FROM shape_bench_tasks"));
    if (!count || count->int64(0, 0) != rows) {
        QElapsedTimer fillTime;
        fillTime.start();
        auto filled = pg.execScript(
            QStringLiteral(
                "DROP TABLE IF EXISTS shape_bench_tasks;"
                "CREATE TABLE shape_bench_tasks (id uuid PRIMARY KEY, organization_id uuid NOT "
                "NULL, title text NOT NULL,"
                " description text, status text NOT NULL, version int8 NOT NULL, deleted_at "
                "timestamptz,"
                " created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL);"
                "INSERT INTO shape_bench_tasks SELECT md5(g::text)::uuid, md5((g % "
                "50)::text)::uuid, 'Task number ' || g,"
                " repeat('lorem ipsum ', 1 + g % 8), "
                "(ARRAY['todo','in-progress','in-review','done','cancelled'])[1 + g % 5],"
                " g, NULL, timestamptz '2025-01-01' + g * interval '1 second', now() FROM "
                "generate_series(1, %1) g;"
                "ANALYZE shape_bench_tasks")
                .arg(rows));
        if (!filled)
            return fail(filled.error().toString());
        std::printf("filled %lld rows in %.1f s\n", static_cast<long long>(rows),
                    fillTime.elapsed() / 1000.0);
    }

    ShapeServerProcess server;
    QString error;
    if (!server.start(dsn, {QStringLiteral("--chunk-bytes"), chunkBytes}, &error))
        return fail(error);
    const qint64 idleRss = peakRssKiB(server.processId());

    QNetworkAccessManager manager;
    QString offset = QStringLiteral("-1"), handle;
    qint64 bytes = 0, messages = 0;
    int requests = 0;
    double firstResponseMs = 0;
    QElapsedTimer clock;
    clock.start();
    for (;;) {
        QUrl url = server.shapeUrl();
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("table"), QStringLiteral("shape_bench_tasks"));
        query.addQueryItem(QStringLiteral("offset"), offset);
        if (!handle.isEmpty())
            query.addQueryItem(QStringLiteral("handle"), handle);
        url.setQuery(query);
        QNetworkRequest request(url);
        request.setTransferTimeout(600000);
        QNetworkReply *reply = manager.get(request);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const QByteArray body = reply->readAll();
        if (reply->error() != QNetworkReply::NoError)
            return fail(
                QStringLiteral("request %1 failed: %2").arg(requests).arg(reply->errorString()));
        if (requests++ == 0)
            firstResponseMs = clock.nsecsElapsed() / 1e6;
        bytes += body.size();
        messages += body.count("\"key\":");
        handle = QString::fromUtf8(reply->rawHeader("electric-handle"));
        offset = QString::fromUtf8(reply->rawHeader("electric-offset"));
        reply->deleteLater();
        if (offset == QLatin1String("0_inf")) // the up-to-date answer after the last chunk
            break;
    }
    const double seconds = clock.nsecsElapsed() / 1e9;
    const qint64 peak = peakRssKiB(server.processId());
    server.stop();

    std::printf("rows synced: %lld (table: %lld) in %d requests\n",
                static_cast<long long>(messages), static_cast<long long>(rows), requests);
    std::printf(
        "bytes served: %.1f MiB in %.2f s = %.1f MiB/s, %.0f rows/s; first chunk after %.0f ms\n",
        bytes / 1048576.0, seconds, bytes / 1048576.0 / seconds, messages / seconds,
        firstResponseMs);
    std::printf("server peak RSS: %.1f MiB (after start: %.1f MiB); chunk bytes %s\n",
                peak / 1024.0, idleRss / 1024.0, qPrintable(chunkBytes));
    return messages == rows ? 0 : fail(QStringLiteral("synced row count differs from the table"));
}
