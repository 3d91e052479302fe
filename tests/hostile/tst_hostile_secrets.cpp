// Nothing a user typed as a credential reaches a file or a message (issue 14): shapes synced
// from endpoints with user:password@ in the URL, secrets in the query, an API secret, a bearer
// token and a token command, through the real worker and through the real hivectl (also with
// --verbose, and failing); then every file written and everything printed is searched. The
// Postgres commands' passwords are held by tst_hostile_pg; the legacy migration takes none.
#include "sync/shape/ShapeWorker.h"
#include "tests/hostile/HivectlRun.h"
#include "tests/support/ScriptedHttpServer.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

using Server = ScriptedHttpServer;

namespace {

const char *const kSecrets[]
    = {"user-in-userinfo",    "pw-in-userinfo",     "secret-in-query",    "token-in-query",
       "endpoint-api-secret", "bearer-token-value", "command-token-value"};

// Every byte of every file under `root`, however deep.
QByteArray allFiles(const QString &root, QStringList *names)
{
    QByteArray bytes;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly)) {
            bytes += file.readAll();
            names->append(file.fileName());
        }
    }
    return bytes;
}

} // namespace

class TestHostileSecrets : public QObject
{
    Q_OBJECT

private slots:
    void noCredentialIsStored()
    {
        Server electric;
        QVERIFY(electric.listen());
        Server proxy;
        QVERIFY(proxy.listen());
        electric.enqueue(Server::shape('[' + Server::insertItem(1) + ',' + Server::upToDate() + ']',
                                       "H1", "0_inf"));
        proxy.enqueue(Server::shape('[' + Server::insertItem(2) + ',' + Server::upToDate() + ']',
                                    "P1", "0_inf"));

        QUrl electricUrl = electric.url();
        electricUrl.setUserInfo(QStringLiteral("user-in-userinfo:pw-in-userinfo"));
        electricUrl.setQuery(QStringLiteral("source_id=src-1&secret=secret-in-query&"
                                            "api_secret=apisecret-in-query&"
                                            "auth_token=token-in-query&db_password=pw-in-query"));
        QUrl proxyUrl = proxy.url("/v1/shape/shared_tasks");
        proxyUrl.setUserInfo(QStringLiteral("proxyuser-in-userinfo:proxy-pw-in-userinfo"));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("store.sqlite"));
        {
            ShapeWorker worker(path);
            QHash<QString, ShapeStatus> statuses;
            connect(&worker, &ShapeWorker::statusChanged, this,
                    [&](const ShapeStatus &s) { statuses.insert(s.shapeName, s); });
            ShapeDefinition items;
            items.table = QStringLiteral("items");
            ShapeDefinition tasks;
            tasks.table = QStringLiteral("shared_tasks");
            worker.addShape(
                items, ShapeEndpoint::electric(electricUrl, QStringLiteral("endpoint-api-secret")));
            worker.addShape(tasks,
                            ShapeEndpoint::proxy(proxyUrl, QStringLiteral("bearer-token-value")));
            QTRY_COMPARE_WITH_TIMEOUT(statuses.value(QStringLiteral("items")).state,
                                      ShapeStatus::State::Live, 10000);
            QTRY_COMPARE_WITH_TIMEOUT(statuses.value(QStringLiteral("shared_tasks")).state,
                                      ShapeStatus::State::Live, 10000);
            worker.shutdown();
        }

        // The store and whatever SQLite left beside it (-wal, -shm, -journal).
        QByteArray bytes;
        const QStringList files = QDir(dir.path()).entryList(QDir::Files);
        for (const QString &name : files) {
            QFile file(dir.filePath(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            bytes += file.readAll();
        }
        QVERIFY(bytes.contains("src-1")); // the search does look at what was stored
        for (const char *secret : {"user-in-userinfo", "pw-in-userinfo", "proxyuser-in-userinfo",
                                   "secret-in-query", "apisecret-in-query", "token-in-query",
                                   "pw-in-query", "endpoint-api-secret", "bearer-token-value"}) {
            QVERIFY2(!bytes.contains(secret), secret);
        }
    }

    // hivectl with every kind of credential, --verbose, a store in a directory of its own and
    // HOME/XDG pointing into the test directory: neither its output nor any file has them.
    void hivectlNeverPrintsOrStoresACredential()
    {
        Server electric;
        QVERIFY(electric.listen());
        Server proxy;
        QVERIFY(proxy.listen());
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *var :
             {"HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"})
            env.insert(QString::fromLatin1(var),
                       dir.filePath(QStringLiteral("env/") + QString::fromLatin1(var)));

        QUrl electricUrl = electric.url();
        electricUrl.setUserInfo(QStringLiteral("user-in-userinfo:pw-in-userinfo"));
        electricUrl.setQuery(QStringLiteral("source_id=src-1&secret=secret-in-query&"
                                            "auth_token=token-in-query"));
        QUrl proxyUrl = proxy.url("/v1/shape/shared_tasks");
        proxyUrl.setUserInfo(QStringLiteral("user-in-userinfo:pw-in-userinfo"));
        const QString store = dir.filePath(QStringLiteral("store/shapes.sqlite"));

        QByteArray printed;
        electric.enqueue(Server::shape('[' + Server::insertItem(1) + ',' + Server::upToDate() + ']',
                                       "H1", "0_inf"));
        const HivectlRun synced = HivectlRun::run(
            {QStringLiteral("shape"), QStringLiteral("sync"), QStringLiteral("--url"),
             electricUrl.toString(), QStringLiteral("--table"), QStringLiteral("items"),
             QStringLiteral("--secret"), QStringLiteral("endpoint-api-secret"),
             QStringLiteral("--follow-ms"), QStringLiteral("0"), QStringLiteral("--db"), store,
             QStringLiteral("--verbose"), QStringLiteral("--dump")},
            30000, env);
        QVERIFY2(synced.exitCode == 0, qPrintable(synced.describe()));
        QVERIFY(synced.out.contains("\"key\""));
        printed += synced.out + synced.err;

        proxy.enqueue(Server::shape('[' + Server::insertItem(2) + ',' + Server::upToDate() + ']',
                                    "P1", "0_inf"));
        const HivectlRun viaProxy = HivectlRun::run(
            {QStringLiteral("shape"), QStringLiteral("sync"), QStringLiteral("--url"),
             proxyUrl.toString(), QStringLiteral("--token-command"),
             QStringLiteral("echo command-token-value"), QStringLiteral("--follow-ms"),
             QStringLiteral("0"), QStringLiteral("--db"), store, QStringLiteral("--verbose")},
            30000, env);
        QVERIFY2(viaProxy.exitCode == 0, qPrintable(viaProxy.describe()));
        QCOMPARE(proxy.requests().first().header("authorization"),
                 QByteArray("Bearer command-token-value"));
        printed += viaProxy.out + viaProxy.err;
        QStringList names;
        // The search does look at what was stored (the failures below may reset the shape).
        QVERIFY(allFiles(dir.path(), &names).contains("src-1"));

        // Failing: nobody listens, the server refuses, it errors; the messages name the
        // server, never its secrets.
        QUrl downUrl = electricUrl;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost));
            downUrl.setPort(probe.serverPort());
        }
        Server::Response refused;
        refused.status = 401;
        refused.body = "{\"message\":\"unauthorized\"}";
        proxy.enqueue(refused);
        Server::Response broken;
        broken.status = 500;
        broken.body = "{\"message\":\"boom\"}";
        electric.setFallback(broken);
        for (const QStringList &args :
             {QStringList {QStringLiteral("--url"), proxyUrl.toString(), QStringLiteral("--token"),
                           QStringLiteral("bearer-token-value")},
              QStringList {QStringLiteral("--url"), downUrl.toString(), QStringLiteral("--table"),
                           QStringLiteral("items"), QStringLiteral("--give-up-after"),
                           QStringLiteral("1s")},
              QStringList {QStringLiteral("--url"), electricUrl.toString(),
                           QStringLiteral("--table"), QStringLiteral("items"),
                           QStringLiteral("--secret"), QStringLiteral("endpoint-api-secret"),
                           QStringLiteral("--give-up-after"), QStringLiteral("1s")}}) {
            const HivectlRun failed
                = HivectlRun::run(QStringList {QStringLiteral("shape"), QStringLiteral("sync"),
                                               QStringLiteral("--follow-ms"), QStringLiteral("0"),
                                               QStringLiteral("--db"), store}
                                      + args,
                                  30000, env);
            QVERIFY2(failed.exitCode == 1, qPrintable(failed.describe()));
            QVERIFY2(failed.err.contains("127.0.0.1"), qPrintable(failed.describe()));
            printed += failed.out + failed.err;
        }

        names.clear();
        const QByteArray files = allFiles(dir.path(), &names);
        for (const char *secret : kSecrets) {
            QVERIFY2(!printed.contains(secret),
                     qPrintable(QString::fromLatin1(secret) + QStringLiteral(" printed:\n")
                                + QString::fromUtf8(printed)));
            QVERIFY2(!files.contains(secret),
                     qPrintable(QString::fromLatin1(secret) + QStringLiteral(" in one of ")
                                + names.join(QLatin1Char(' '))));
        }
    }
};

QTEST_GUILESS_MAIN(TestHostileSecrets)
#include "tst_hostile_secrets.moc"
