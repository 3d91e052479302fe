// Hivewatch against deployments as they are in the field (issue 13, "Done when"): the hive's real
// proxy (only shared_tasks, expiring HS256 JWTs) next to Electric read directly with its secret in
// an Electric-Cloud-style URL query, and a compressing nginx in front of a shape whose chunks are
// over 10 MiB. Everything is real: PostgreSQL, the test shape server in its hive-proxy emulation,
// Debian's nginx with `gzip on`, and the shape consumer as hivewatch and hivectl run it.
#include "sync/hive/HiveShapeRowSinks.h"
#include "sync/pg/PgConnection.h"
#include "sync/shape/ShapeClient.h"
#include "sync/shape/ShapeProbe.h"
#include "sync/shape/ShapeStore.h"
#include "sync/shape/ShapeValue.h"
#include "sync/store/LogStore.h"
#include "tests/support/NginxProcess.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"

#include <QFile>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

using namespace hivewatch;

namespace {

const QString kJwtKey = QStringLiteral("deployment-test-jwt-key");
const QString kSecret = QStringLiteral("deployment-test-secret");

QString readSql(const char *name)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
               + QLatin1String(name));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

QString hivectlPath()
{
    return qEnvironmentVariable("HIVEWATCH_BINARY_DIR") + QStringLiteral("/app/hivectl/hivectl");
}

// The hive's sink for a shape named after its table (none but the log table's).
std::unique_ptr<ShapeRowSink> logSinkFor(const QString &table)
{
    ShapeDefinition definition;
    definition.table = table;
    return hiveShapeRowSinks()(definition);
}

// The keys a shape holds in the store, read through a connection of its own.
QSet<QString> storedKeys(const QString &storePath, const QString &name)
{
    QSet<QString> keys;
    auto logStore = LogStore::open(storePath, LogStore::Access::ReadWrite);
    if (!logStore)
        return keys;
    ShapeStore store(*logStore.value());
    (void)store.attach(name, logSinkFor(name));
    (void)store.forEachRow(name, [&](const QString &key, const RawRow &) { keys.insert(key); });
    return keys;
}

QString key(const QString &table, const QString &id)
{
    return QStringLiteral("\"public\".\"%1\"/\"%2\"").arg(table, id);
}

QString shellQuote(const QString &text)
{
    return QLatin1Char('\'') + QString(text).replace(QLatin1String("'"), QLatin1String("'\\''"))
        + QLatin1Char('\'');
}

// A CA of the test's own (never in the system's store) and a certificate it signs for 127.0.0.1,
// made with the openssl command line into `dir`: ca.pem, server.pem, server.key.
QString makeCertificates(const QString &dir)
{
    auto run = [&](const QStringList &args) -> QString {
        QProcess openssl;
        openssl.setWorkingDirectory(dir);
        openssl.setProcessChannelMode(QProcess::MergedChannels);
        openssl.start(QStringLiteral("openssl"), args);
        if (!openssl.waitForFinished(60000) || openssl.exitStatus() != QProcess::NormalExit
            || openssl.exitCode() != 0)
            return QStringLiteral("openssl %1: %2")
                .arg(args.join(QLatin1Char(' ')), QString::fromUtf8(openssl.readAll()));
        return {};
    };
    QFile ext(dir + QStringLiteral("/server.ext"));
    if (!ext.open(QIODevice::WriteOnly)
        || ext.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                     "extendedKeyUsage=serverAuth\n")
            < 0)
        return QStringLiteral("cannot write %1").arg(ext.fileName());
    ext.close();
    const QStringList ec {QStringLiteral("-newkey"), QStringLiteral("ec"),
                          QStringLiteral("-pkeyopt"),
                          QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes")};
    QString error
        = run(QStringList {QStringLiteral("req"), QStringLiteral("-x509")} + ec
              + QStringList {QStringLiteral("-keyout"), QStringLiteral("ca.key"),
                             QStringLiteral("-out"), QStringLiteral("ca.pem"),
                             QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                             QStringLiteral("/CN=Hivewatch test CA"), QStringLiteral("-addext"),
                             QStringLiteral("basicConstraints=critical,CA:TRUE"),
                             QStringLiteral("-addext"),
                             QStringLiteral("keyUsage=critical,keyCertSign,cRLSign")});
    if (error.isEmpty())
        error = run(QStringList {QStringLiteral("req")} + ec
                    + QStringList {QStringLiteral("-keyout"), QStringLiteral("server.key"),
                                   QStringLiteral("-out"), QStringLiteral("server.csr"),
                                   QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1")});
    if (error.isEmpty())
        error = run({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                     QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
                     QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                     QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                     QStringLiteral("server.pem"), QStringLiteral("-days"), QStringLiteral("2"),
                     QStringLiteral("-extfile"), QStringLiteral("server.ext")});
    return error;
}

} // namespace

class TestDeployments : public QObject
{
    Q_OBJECT

    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<PgConnection> m_pg;
    ShapeServerProcess m_server;
    QTemporaryDir m_dir;

    bool exec(const QString &sql)
    {
        auto result = m_pg->execScript(sql);
        if (!result)
            qWarning("%s: %s", qPrintable(sql.left(80)), qPrintable(result.error().toString()));
        return result.ok();
    }
    QStringList column(const QString &sql)
    {
        QStringList values;
        auto result = m_pg->exec(sql);
        if (result) {
            for (int r = 0; r < result->rows(); ++r)
                values << result->text(r, 0);
        }
        return values;
    }
    QString one(const QString &sql) { return column(sql).value(0); }

    bool setUpHive(const QStringList &serverArgs)
    {
        m_db = std::make_unique<TestDatabase>(QStringLiteral("deploy"));
        if (!m_db->isValid()) {
            qWarning("%s", qPrintable(m_db->error()));
            return false;
        }
        auto pg = PgConnection::connect(m_db->conninfo());
        if (!pg)
            return false;
        m_pg = std::move(pg).value();
        if (!exec(readSql("hive_schema.sql")) || !exec(readSql("electric_setup.sql"))
            || !exec(readSql("hive_seed.sql"))
            || !exec(QStringLiteral("SELECT hive_seed(2, 2, 12, 3, 6, 40, 10)")))
            return false;
        QString error;
        if (!m_server.start(m_db->conninfo(),
                            QStringList {QStringLiteral("--long-poll-ms"), QStringLiteral("1000")}
                                + serverArgs,
                            &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        return true;
    }

    // The hive's proxy URL of one table, and Electric's URL the way Electric Cloud spells it.
    QUrl proxyUrl(const QString &table) const
    {
        QUrl url = m_server.baseUrl();
        url.setPath(QStringLiteral("/v1/shape/") + table);
        return url;
    }
    QUrl cloudStyleUrl() const
    {
        QUrl url = m_server.shapeUrl();
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("source_id"), QStringLiteral("src-4711"));
        query.addQueryItem(QStringLiteral("secret"), kSecret);
        url.setQuery(query);
        return url;
    }
    // A token command that mints an access token for `user` valid `ttlSeconds`, and counts its
    // runs in `calls`.
    QString tokenCommand(const QString &user, int ttlSeconds, const QString &calls) const
    {
        return QStringLiteral("echo run >> %1; exec %2 mint-token --jwt-key %3 --sub %4 --ttl-s %5")
            .arg(shellQuote(calls), shellQuote(ShapeServerProcess::binaryPath()), kJwtKey, user)
            .arg(ttlSeconds);
    }
    ShapeEndpoint proxyEndpoint(const QString &table, const QString &command) const
    {
        ShapeEndpoint endpoint = ShapeEndpoint::proxy(proxyUrl(table), QString());
        endpoint.tokenCommand = command;
        endpoint.sourceName = QStringLiteral("hive proxy");
        return endpoint;
    }
    ShapeEndpoint electricEndpoint() const
    {
        ShapeEndpoint endpoint = ShapeEndpoint::fromUrl(cloudStyleUrl());
        endpoint.sourceName = QStringLiteral("Electric");
        return endpoint;
    }
    static ShapeDefinition shape(const QString &table)
    {
        ShapeDefinition definition;
        definition.name = table;
        definition.table = table;
        return definition;
    }
    static int lineCount(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? int(file.readAll().count('\n')) : 0;
    }

private slots:
    void cleanup()
    {
        m_server.stop();
        m_pg.reset();
        m_db.reset();
    }

    // The typical real setup: tasks through the hive's proxy with the user's token, the node
    // tables straight from Electric with the secret in the URL's query.
    void tasksThroughTheProxyNodeTablesFromElectric()
    {
        QVERIFY(setUpHive(
            {QStringLiteral("--secret"), kSecret, QStringLiteral("--proxy-jwt-key"), kJwtKey}));
        const QString user = one(QStringLiteral("SELECT hive_seed_uuid('user', 1)::text"));
        const QString calls = m_dir.filePath(QStringLiteral("calls-mixed"));
        const QString storePath = m_dir.filePath(QStringLiteral("mixed.sqlite"));
        const QStringList nodeTables = {
            QStringLiteral("nodes"), QStringLiteral("node_task_assignments"),
            QStringLiteral("node_task_progress_events"), QStringLiteral("node_task_output_logs")};
        QHash<QString, ShapeStatus> statuses;
        {
            ShapeClient client(storePath, hiveShapeRowSinks());
            connect(&client, &ShapeClient::statusChanged, this,
                    [&](const ShapeStatus &s) { statuses[s.shapeName] = s; });
            client.addShape(
                shape(QStringLiteral("shared_tasks")),
                proxyEndpoint(QStringLiteral("shared_tasks"), tokenCommand(user, 3600, calls)));
            for (const QString &table : nodeTables)
                client.addShape(shape(table), electricEndpoint());

            const QString visible
                = QStringLiteral(
                      "SELECT count(*) FROM shared_tasks WHERE organization_id IN (SELECT "
                      "organization_id FROM organization_member_metadata WHERE user_id = '%1')")
                      .arg(user);
            QTRY_COMPARE_WITH_TIMEOUT(statuses.value(QStringLiteral("shared_tasks")).rowCount,
                                      one(visible).toLongLong(), 20000);
            QVERIFY(one(visible).toInt() < one(QStringLiteral("SELECT count(*) FROM shared_tasks"))
                                               .toInt()); // the proxy filtered by organization
            for (const QString &table : nodeTables) {
                QTRY_COMPARE_WITH_TIMEOUT(statuses.value(table).state, ShapeStatus::State::Live,
                                          20000);
                QTRY_COMPARE_WITH_TIMEOUT(
                    statuses.value(table).rowCount,
                    one(QStringLiteral("SELECT count(*) FROM %1").arg(table)).toLongLong(), 20000);
            }
            QCOMPARE(statuses.value(QStringLiteral("shared_tasks")).state,
                     ShapeStatus::State::Live);

            // Live changes arrive on both sources.
            QVERIFY(exec(
                QStringLiteral(
                    "INSERT INTO shared_tasks (id, organization_id, project_id, title, status, "
                    "version) "
                    "SELECT md5('deploy-live')::uuid, organization_id, id, 'Live task', 'todo', 1 "
                    "FROM projects WHERE organization_id IN (SELECT organization_id FROM "
                    "organization_member_metadata WHERE user_id = '%1') ORDER BY id LIMIT 1")
                    .arg(user)));
            QVERIFY(exec(QStringLiteral("UPDATE nodes SET name = 'renamed-live' WHERE id = "
                                        "hive_seed_uuid('node', 1)")));
            QTRY_COMPARE_WITH_TIMEOUT(statuses.value(QStringLiteral("shared_tasks")).rowCount,
                                      one(visible).toLongLong(), 20000);
            QTRY_VERIFY_WITH_TIMEOUT(
                storedKeys(storePath, QStringLiteral("shared_tasks"))
                    .contains(key(QStringLiteral("shared_tasks"),
                                  one(QStringLiteral("SELECT md5('deploy-live')::uuid::text")))),
                20000);
        }
        QVERIFY(lineCount(calls) >= 1);
        // The secret and the tokens never reach the store file in plain text.
        QFile store(storePath);
        QVERIFY(store.open(QIODevice::ReadOnly));
        const QByteArray bytes = store.readAll();
        QVERIFY(!bytes.contains(kSecret.toUtf8()));
        QVERIFY(!bytes.contains("eyJ")); // any JWT starts with a base64url '{"'
    }

    // Access tokens expire while the shape is followed live: the token command is run again on
    // the 401, and every row inserted meanwhile arrives exactly once.
    void expiringTokenIsRenewedWithoutLossOrDuplicate()
    {
        QVERIFY(setUpHive({QStringLiteral("--proxy-jwt-key"), kJwtKey}));
        const QString user = one(QStringLiteral("SELECT hive_seed_uuid('user', 1)::text"));
        const QString org = one(QStringLiteral("SELECT organization_id::text FROM "
                                               "organization_member_metadata WHERE user_id = '%1'")
                                    .arg(user));
        const QString project = one(
            QStringLiteral("SELECT id::text FROM projects WHERE organization_id = '%1' LIMIT 1")
                .arg(org));
        const QString calls = m_dir.filePath(QStringLiteral("calls-expiry"));
        const QString storePath = m_dir.filePath(QStringLiteral("expiry.sqlite"));
        QHash<QString, int> inserts; // key -> times it arrived as an insert
        int resets = 0;
        QList<ShapeStatus::State> states;
        {
            ShapeClient client(storePath, hiveShapeRowSinks());
            connect(&client, &ShapeClient::batchReady, this, [&](const ShapeBatch &batch) {
                resets += batch.reset ? 1 : 0;
                for (const RowChange &change : batch.changes) {
                    if (change.operation == RowChange::Operation::Insert)
                        ++inserts[change.key];
                }
            });
            connect(&client, &ShapeClient::statusChanged, this,
                    [&](const ShapeStatus &s) { states.append(s.state); });
            client.addShape(
                shape(QStringLiteral("shared_tasks")),
                proxyEndpoint(QStringLiteral("shared_tasks"), tokenCommand(user, 2, calls)));
            QTRY_COMPARE_WITH_TIMEOUT(client.status(QStringLiteral("shared_tasks")).state,
                                      ShapeStatus::State::Live, 20000);
            // Tokens live 2 s; rows arrive over about 7 s, so several tokens expire mid-follow.
            QStringList ids;
            for (int i = 0; i < 35; ++i) {
                const QString id
                    = one(QStringLiteral("SELECT md5('expiry-%1')::uuid::text").arg(i));
                ids << id;
                QVERIFY(exec(QStringLiteral("INSERT INTO shared_tasks (id, organization_id, "
                                            "project_id, title, status, version) VALUES ('%1', "
                                            "'%2', '%3', 'Task %4', 'todo', 1)")
                                 .arg(id, org, project)
                                 .arg(i)));
                QTest::qWait(200);
            }
            QTRY_VERIFY_WITH_TIMEOUT(
                inserts.contains(key(QStringLiteral("shared_tasks"), ids.constLast())), 20000);
            for (const QString &id : std::as_const(ids))
                QCOMPARE(inserts.value(key(QStringLiteral("shared_tasks"), id)), 1);
            QCOMPARE(resets, 1); // the first snapshot only: no resync was needed
            QVERIFY(!states.contains(ShapeStatus::State::Failed));
        }
        QVERIFY2(lineCount(calls) >= 3, qPrintable(QString::number(lineCount(calls))));
        const QStringList expected = column(
            QStringLiteral("SELECT id::text FROM shared_tasks WHERE organization_id = '%1'")
                .arg(org));
        QSet<QString> expectedKeys;
        for (const QString &id : expected)
            expectedKeys.insert(key(QStringLiteral("shared_tasks"), id));
        QCOMPARE(storedKeys(storePath, QStringLiteral("shared_tasks")), expectedKeys);
    }

    // The hive's proxy serves shared_tasks only: asking it for nodes marks that one shape, and
    // the others keep syncing live.
    void tableTheProxyDoesNotServeMarksOnlyThatShape()
    {
        QVERIFY(setUpHive({QStringLiteral("--proxy-jwt-key"), kJwtKey}));
        const QString user = one(QStringLiteral("SELECT hive_seed_uuid('user', 1)::text"));
        const QString command
            = tokenCommand(user, 3600, m_dir.filePath(QStringLiteral("calls-404")));
        const QString storePath = m_dir.filePath(QStringLiteral("notserved.sqlite"));
        QHash<QString, ShapeStatus> statuses;
        ShapeClient client(storePath, hiveShapeRowSinks());
        connect(&client, &ShapeClient::statusChanged, this,
                [&](const ShapeStatus &s) { statuses[s.shapeName] = s; });
        client.addShape(shape(QStringLiteral("shared_tasks")),
                        proxyEndpoint(QStringLiteral("shared_tasks"), command));
        client.addShape(shape(QStringLiteral("nodes")),
                        proxyEndpoint(QStringLiteral("nodes"), command));
        client.addShape(shape(QStringLiteral("node_task_progress_events")),
                        ShapeEndpoint::electric(m_server.shapeUrl()));

        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(QStringLiteral("nodes")).state,
                                  ShapeStatus::State::Failed, 20000);
        const ShapeStatus nodes = statuses.value(QStringLiteral("nodes"));
        QCOMPARE(nodes.problem, ShapeStatus::Problem::NotServed);
        QVERIFY2(nodes.errorText.contains(QLatin1String("not served by hive proxy")),
                 qPrintable(nodes.errorText));
        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(QStringLiteral("shared_tasks")).state,
                                  ShapeStatus::State::Live, 20000);
        const QString events = QStringLiteral("node_task_progress_events");
        const qint64 before
            = one(QStringLiteral("SELECT count(*) FROM %1").arg(events)).toLongLong();
        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(events).rowCount, before, 20000);
        QVERIFY(exec(QStringLiteral("INSERT INTO node_task_progress_events (assignment_id, "
                                    "event_type, message) SELECT assignment_id, event_type, "
                                    "'after the 404' FROM node_task_progress_events LIMIT 1")));
        QTRY_COMPARE_WITH_TIMEOUT(statuses.value(events).rowCount, before + 1, 20000);
        QCOMPARE(statuses.value(QStringLiteral("nodes")).state, ShapeStatus::State::Failed);
    }

    // nginx with `gzip on` in front of the server, and a log shape whose first chunk is 10 MiB of
    // repetitive output (compressing far beyond Qt's default 40× bomb guard): it syncs whole, in
    // the GUI's consumer and in hivectl.
    void gzipCompressedChunksOverTenMebibytesSyncWhole()
    {
        if (!NginxProcess::isAvailable())
            QFAIL("nginx is not installed (scripts/dev.sh installs it)");
        QVERIFY(setUpHive({}));
        // 1,000 lines of 13 KiB each: ~13 MiB of JSON, the first chunk full at 10 MiB.
        QVERIFY(exec(QStringLiteral(
            "INSERT INTO node_task_output_logs (assignment_id, output_type, content, "
            "\"timestamp\") SELECT (SELECT id FROM node_task_assignments ORDER BY id LIMIT 1), "
            "'stdout', repeat('cargo build: compiling hivewatch v0.1 (ok) ', 300), "
            "'2025-12-01 09:00:00+00'::timestamptz + g * interval '1 ms' "
            "FROM generate_series(1, 1000) AS g")));
        NginxProcess nginx;
        QString error;
        QVERIFY2(nginx.start(m_server.baseUrl(), &error), qPrintable(error));
        QUrl url = nginx.baseUrl();
        url.setPath(QStringLiteral("/v1/shape"));
        const qint64 expected
            = one(QStringLiteral("SELECT count(*) FROM node_task_output_logs")).toLongLong();

        const QString storePath = m_dir.filePath(QStringLiteral("gzip.sqlite"));
        {
            ShapeClient client(storePath, hiveShapeRowSinks());
            client.addShape(shape(QStringLiteral("node_task_output_logs")),
                            ShapeEndpoint::electric(url));
            QTRY_COMPARE_WITH_TIMEOUT(
                client.status(QStringLiteral("node_task_output_logs")).rowCount, expected, 60000);
            QCOMPARE(client.status(QStringLiteral("node_task_output_logs")).state,
                     ShapeStatus::State::Live);
        }

        QProcess hivectl;
        hivectl.start(
            hivectlPath(),
            {QStringLiteral("shape"), QStringLiteral("sync"), QStringLiteral("--url"),
             url.toString(), QStringLiteral("--table"), QStringLiteral("node_task_output_logs"),
             QStringLiteral("--follow-ms"), QStringLiteral("0"), QStringLiteral("--db"),
             m_dir.filePath(QStringLiteral("gzip-cli.sqlite")), QStringLiteral("--dump")});
        QVERIFY(hivectl.waitForFinished(120000));
        QVERIFY2(hivectl.exitCode() == 0, hivectl.readAllStandardError().constData());
        QCOMPARE(hivectl.readAllStandardOutput().count('\n'), expected);
        QVERIFY2(nginx.errorLog().isEmpty() || !nginx.errorLog().contains(QLatin1String("[crit]")),
                 qPrintable(nginx.errorLog()));
    }
    // A hive served over https by a private CA (nginx with a certificate the system does not
    // trust). Without the CA the sync is refused with an error naming TLS, and what is stored
    // stays whole; with --ca-file (the profile's "Extra CA file") it syncs. The same for the
    // GUI's consumer and the connection dialog's Test.
    void httpsSignedByAPrivateCaIsVerified()
    {
        if (!NginxProcess::isAvailable())
            QFAIL("nginx is not installed (scripts/dev.sh installs it)");
        QVERIFY(setUpHive({}));
        QTemporaryDir certs;
        QVERIFY(certs.isValid());
        const QString certError = makeCertificates(certs.path());
        QVERIFY2(certError.isEmpty(), qPrintable(certError));
        const QString caFile = certs.filePath(QStringLiteral("ca.pem"));
        NginxProcess nginx;
        nginx.setTls(certs.filePath(QStringLiteral("server.pem")),
                     certs.filePath(QStringLiteral("server.key")));
        QString error;
        QVERIFY2(nginx.start(m_server.baseUrl(), &error), qPrintable(error));
        QUrl url = nginx.baseUrl();
        QCOMPARE(url.scheme(), QStringLiteral("https"));
        url.setPath(QStringLiteral("/v1/shape"));
        const QString table = QStringLiteral("node_task_output_logs");
        const qint64 before
            = one(QStringLiteral("SELECT count(*) FROM %1").arg(table)).toLongLong();
        QVERIFY(before > 0);

        const QString storePath = m_dir.filePath(QStringLiteral("tls-cli.sqlite"));
        auto hivectl = [&](const QStringList &extra) {
            auto process = std::make_unique<QProcess>();
            process->start(hivectlPath(),
                           QStringList {QStringLiteral("shape"), QStringLiteral("sync"),
                                        QStringLiteral("--url"), url.toString(),
                                        QStringLiteral("--table"), table,
                                        QStringLiteral("--follow-ms"), QStringLiteral("0"),
                                        QStringLiteral("--db"), storePath}
                               + extra);
            process->waitForFinished(120000);
            return process;
        };
        {
            auto run = hivectl({QStringLiteral("--ca-file"), caFile});
            QVERIFY2(run->exitStatus() == QProcess::NormalExit && run->exitCode() == 0,
                     run->readAllStandardError().constData());
        }
        QCOMPARE(storedKeys(storePath, table).size(), before);

        // New rows on the server, but the CA is not given: refused, the stored rows stay.
        QVERIFY(exec(QStringLiteral(
            "INSERT INTO node_task_output_logs (assignment_id, output_type, content, "
            "\"timestamp\") SELECT (SELECT id FROM node_task_assignments ORDER BY id LIMIT 1), "
            "'stdout', 'after tls ' || g, now() FROM generate_series(1, 5) AS g")));
        {
            auto run = hivectl({});
            QCOMPARE(run->exitStatus(), QProcess::NormalExit);
            QVERIFY(run->exitCode() != 0);
            const QString stderrText = QString::fromUtf8(run->readAllStandardError());
            QVERIFY2(stderrText.contains(QLatin1String("TLS verification of 127.0.0.1 failed")),
                     qPrintable(stderrText));
            QVERIFY2(stderrText.contains(QLatin1String("CA file")), qPrintable(stderrText));
        }
        QCOMPARE(storedKeys(storePath, table).size(), before);
        // A CA file that is not PEM is named as such.
        {
            auto run = hivectl(
                {QStringLiteral("--ca-file"), certs.filePath(QStringLiteral("server.ext"))});
            QVERIFY(run->exitCode() != 0);
            const QString stderrText = QString::fromUtf8(run->readAllStandardError());
            QVERIFY2(stderrText.contains(QLatin1String("holds no readable PEM certificate")),
                     qPrintable(stderrText));
        }
        QCOMPARE(storedKeys(storePath, table).size(), before);
        {
            auto run = hivectl({QStringLiteral("--ca-file"), caFile});
            QVERIFY2(run->exitCode() == 0, run->readAllStandardError().constData());
        }
        QCOMPARE(storedKeys(storePath, table).size(), before + 5);

        // The GUI's consumer: Failed with the TLS reason without the CA, live with it.
        ShapeEndpoint untrusted = ShapeEndpoint::electric(url);
        ShapeEndpoint trusted = untrusted;
        trusted.caFile = caFile;
        {
            ShapeClient client(m_dir.filePath(QStringLiteral("tls-gui.sqlite")),
                               hiveShapeRowSinks());
            client.addShape(shape(table), untrusted);
            QTRY_COMPARE_WITH_TIMEOUT(client.status(table).state, ShapeStatus::State::Failed,
                                      30000);
            QVERIFY2(client.status(table).errorText.contains(QLatin1String("TLS verification")),
                     qPrintable(client.status(table).errorText));
            QCOMPARE(client.status(table).rowCount, 0);
        }
        {
            ShapeClient client(m_dir.filePath(QStringLiteral("tls-gui.sqlite")),
                               hiveShapeRowSinks());
            client.addShape(shape(table), trusted);
            QTRY_COMPARE_WITH_TIMEOUT(client.status(table).rowCount, before + 5, 60000);
            QTRY_COMPARE_WITH_TIMEOUT(client.status(table).state, ShapeStatus::State::Live, 30000);
        }

        // The connection dialog's Test.
        ShapeProbe probe;
        QSignalSpy answers(&probe, &ShapeProbe::finished);
        probe.probe(QStringLiteral("untrusted"), shape(table), untrusted);
        QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 1, 20000);
        QCOMPARE(answers.at(0).at(1).toBool(), false);
        QVERIFY2(answers.at(0).at(2).toString().contains(QLatin1String("TLS verification failed")),
                 qPrintable(answers.at(0).at(2).toString()));
        probe.probe(QStringLiteral("trusted"), shape(table), trusted);
        QTRY_COMPARE_WITH_TIMEOUT(answers.size(), 2, 20000);
        QVERIFY2(answers.at(1).at(1).toBool(), qPrintable(answers.at(1).at(2).toString()));
    }
};

QTEST_GUILESS_MAIN(TestDeployments)
#include "tst_deployments.moc"
