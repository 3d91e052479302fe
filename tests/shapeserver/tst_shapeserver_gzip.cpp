#include "tests/shapeserver/ServerTestEnv.h"
#include "tests/support/NginxProcess.h"

#include <QFile>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include <memory>

#include <zlib.h>

// Real compression between server and client: Debian's nginx with `gzip on` in front of
// hive-shape-server, as Electric's own dev setup and the hive's deployments have it.
class TestShapeServerGzip : public QObject
{
    Q_OBJECT

    static QByteArray gunzip(const QByteArray &gz, QString *error)
    {
        z_stream z {};
        if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
            *error = QStringLiteral("inflateInit2 failed");
            return {};
        }
        QByteArray out;
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(gz.constData()));
        z.avail_in = uInt(gz.size());
        int rc = Z_OK;
        char buffer[64 * 1024];
        while (rc == Z_OK) {
            z.next_out = reinterpret_cast<Bytef *>(buffer);
            z.avail_out = sizeof buffer;
            rc = inflate(&z, Z_NO_FLUSH);
            out.append(buffer, qsizetype(sizeof buffer - z.avail_out));
        }
        inflateEnd(&z);
        if (rc != Z_STREAM_END)
            *error = QStringLiteral("gzip stream ended early (zlib %1)").arg(rc);
        return out;
    }

    static QString sqlFile(const char *name)
    {
        QFile f(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
                + QLatin1String(name));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

private slots:
    void initTestCase()
    {
        if (!NginxProcess::isAvailable())
            QFAIL(qPrintable(QStringLiteral("nginx is required at %1 (scripts/dev.sh installs "
                                            "nginx-light)")
                                 .arg(NginxProcess::binaryPath())));
    }

    void nginxGzipsShapeResponsesAndTheyDecodeToTheDirectBody()
    {
        START_ENV(env);
        QVERIFY(env.sql(QStringLiteral("INSERT INTO items SELECT g, 'the same title again', "
                                       "false, g, NULL FROM generate_series(6, 3000) g")));
        NginxProcess nginx;
        QString error;
        QVERIFY2(nginx.start(env.server.baseUrl(), &error), qPrintable(error));
        const QByteArray target = "/v1/shape?table=items&offset=-1";
        const RawReply direct = RawReply::get(env.server.baseUrl(), target);
        QCOMPARE(direct.status, 200);
        const RawReply gz = RawReply::get(nginx.baseUrl(), target, {{"Accept-Encoding", "gzip"}});
        QVERIFY2(gz.error.isEmpty(), qPrintable(gz.error));
        QCOMPARE(gz.status, 200);
        QCOMPARE(gz.headers.value("content-encoding"), QByteArray("gzip"));
        QVERIFY(!gz.headers.contains("content-length"));
        QCOMPARE(gz.headers.value("electric-handle"), direct.headers.value("electric-handle"));
        const QByteArray decoded = gunzip(gz.body, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(decoded, direct.body);
        QVERIFY2(gz.body.size() * 5 < direct.body.size(),
                 qPrintable(
                     QStringLiteral("%1 → %2 bytes").arg(direct.body.size()).arg(gz.body.size())));

        // Without Accept-Encoding nginx passes the body through unchanged.
        const RawReply plain = RawReply::get(nginx.baseUrl(), target);
        QVERIFY(!plain.headers.contains("content-encoding"));
        QCOMPARE(plain.body, direct.body);
    }

    void liveLongPollsAreHeldAndAnsweredThroughNginx()
    {
        START_ENV(env);
        NginxProcess nginx;
        QString error;
        QVERIFY2(nginx.start(env.server.baseUrl(), &error), qPrintable(error));
        ShapeClient viaNginx(nginx.baseUrl());
        const Query def {q("table", "items")};
        ShapeClient::Synced s = viaNginx.sync(def);
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        // A live request through nginx (gzip on, proxy_buffering off): whether the insert lands
        // before the request or during the server's hold, the change must come back gzipped.
        QNetworkAccessManager manager;
        QUrl url = nginx.baseUrl();
        url.setPath(QStringLiteral("/v1/shape"));
        url.setQuery(QStringLiteral("table=items&live=true&cursor=&offset=%1&handle=%2")
                         .arg(s.offset, s.handle));
        QNetworkRequest request(url);
        request.setRawHeader("Accept-Encoding", "gzip");
        std::unique_ptr<QNetworkReply> reply(manager.get(request));
        QVERIFY(env.sql(QStringLiteral("INSERT INTO items VALUES (77, 'live', true, 77, NULL)")));
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 30000);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(reply->rawHeader("Content-Encoding"), QByteArray("gzip"));
        const QByteArray decoded = gunzip(reply->readAll(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(decoded.contains("\"title\":\"live\""), decoded.constData());
    }

    void aTenMebibyteLogChunkPassesThroughGzipIntact()
    {
        START_ENV(env);
        QVERIFY(env.sql(sqlFile("hive_schema.sql")));
        QVERIFY(env.sql(sqlFile("hive_seed.sql")));
        QVERIFY(env.sql(sqlFile("large_log.sql")));
        QVERIFY(env.sql(QStringLiteral("SELECT hive_seed(1, 1, 1, 1, 1, 0, 0);"
                                       "SELECT hive_large_log(12)")));
        NginxProcess nginx;
        QString error;
        QVERIFY2(nginx.start(env.server.baseUrl(), &error), qPrintable(error));
        const QByteArray target = "/v1/shape?table=node_task_output_logs&offset=-1";
        const RawReply gz = RawReply::get(nginx.baseUrl(), target, {{"Accept-Encoding", "gzip"}});
        QVERIFY2(gz.error.isEmpty(), qPrintable(gz.error));
        QCOMPARE(gz.status, 200);
        QCOMPARE(gz.headers.value("content-encoding"), QByteArray("gzip"));
        const QByteArray decoded = gunzip(gz.body, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(decoded.size() >= 10 * 1024 * 1024, qPrintable(QString::number(decoded.size())));
        qInfo("first snapshot chunk: %lld bytes, gzipped %lld", qint64(decoded.size()),
              qint64(gz.body.size()));
        QVERIFY2(
            gz.body.size() * 40 < decoded.size(),
            qPrintable(QStringLiteral("%1 → %2 bytes").arg(decoded.size()).arg(gz.body.size())));
        QCOMPARE(decoded, RawReply::get(env.server.baseUrl(), target).body);
    }
};

QTEST_GUILESS_MAIN(TestShapeServerGzip)
#include "tst_shapeserver_gzip.moc"
