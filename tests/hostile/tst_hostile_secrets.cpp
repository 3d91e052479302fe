// Nothing a user typed as a credential reaches the store file (issue 14): a shape synced from an
// endpoint with user:password@ in its URL, secrets in its query, an API secret and a bearer
// token, through the real worker and a loopback server; then the store file's bytes are searched.
#include "ScriptedHttpServer.h"
#include "ShapeWorker.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using Server = ScriptedHttpServer;

namespace {

QByteArray insert(int id)
{
    return "{\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"]},\"key\":"
           "\"\\\"public\\\".\\\"items\\\"/\\\""
        + QByteArray::number(id) + "\\\"\",\"value\":{\"id\":\"" + QByteArray::number(id)
        + "\",\"title\":\"t\"}}";
}
const QByteArray kUpToDate
    = "{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"1\"}}";

} // namespace

class TestShapeSecrets : public QObject
{
    Q_OBJECT

private slots:
    void noCredentialIsStored()
    {
        Server electric;
        QVERIFY(electric.listen());
        Server proxy;
        QVERIFY(proxy.listen());
        electric.enqueue(Server::shape('[' + insert(1) + ',' + kUpToDate + ']', "H1", "0_inf"));
        proxy.enqueue(Server::shape('[' + insert(2) + ',' + kUpToDate + ']', "P1", "0_inf"));

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
};

QTEST_GUILESS_MAIN(TestShapeSecrets)
#include "tst_shapesecrets.moc"
