// The real hivewatch binary against a real hive (Postgres + the test shape server), each run with
// an empty HOME (fresh XDG directories, a fresh account): a hive named on the command line, a
// hive behind the proxy, a saved profile with two sources chosen with --profile, and --offline.
// `--screenshot` makes the app quit once tasks and nodes are on screen and print what it shows.
#include "sync/pg/PgConnection.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"
#include "ui/hive/ProfileStore.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

namespace {
QString readSql(const QString &name)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
               + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

struct Shown
{
    bool ok = false;
    int tasks = 0;
    int nodes = 0;
    QString output; // stdout and stderr, for failure messages
};
} // namespace

class TestProfilesApp : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<TestDatabase> m_db;
    std::unique_ptr<PgConnection> m_pg;
    ShapeServerProcess m_server;
    QString m_token; // a JWT the emulated hive proxy accepts
    QTemporaryDir m_dir;

    // A fresh account: HOME and the XDG directories inside `home`, nothing of the caller's.
    static QProcessEnvironment freshEnvironment(const QString &home)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name :
             {"ELECTRIC_URL", "ELECTRIC_SECRET", "HIVEWATCH_TOKEN", "QT_LOGGING_RULES"})
            env.remove(QString::fromLatin1(name));
        QDir(home).mkpath(QStringLiteral("runtime"));
        QFile::setPermissions(home + QStringLiteral("/runtime"),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                  | QFileDevice::ExeOwner);
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home + QStringLiteral("/runtime"));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        return env;
    }

    static Shown run(const QString &home, const QStringList &args,
                     const QMap<QString, QString> &extraEnv = {})
    {
        QProcessEnvironment env = freshEnvironment(home);
        for (auto it = extraEnv.cbegin(); it != extraEnv.cend(); ++it)
            env.insert(it.key(), it.value());
        QProcess app;
        app.setProcessEnvironment(env);
        app.start(qEnvironmentVariable("HIVEWATCH_BINARY_DIR")
                      + QStringLiteral("/app/hivewatch/hivewatch"),
                  args + QStringList {QStringLiteral("--screenshot"), home + "/shots"});
        Shown shown;
        if (!app.waitForStarted() || !app.waitForFinished(150000)) {
            app.kill();
            app.waitForFinished();
            shown.output = QStringLiteral("hivewatch did not finish");
            return shown;
        }
        const QString out = QString::fromUtf8(app.readAllStandardOutput());
        shown.output = out + QString::fromUtf8(app.readAllStandardError());
        static const QRegularExpression summary(
            QStringLiteral("first run: (\\d+) tasks, (\\d+) nodes"));
        const auto m = summary.match(out);
        shown.ok = app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0 && m.hasMatch();
        if (!shown.ok) {
            // QTest cuts long messages; a crash or sanitizer report is at the end of stderr.
            if (shown.output.size() > 900)
                shown.output
                    = shown.output.left(200) + QStringLiteral("\n…\n") + shown.output.right(700);
            shown.output = QStringLiteral("exit %1 (%2)\n")
                               .arg(app.exitCode())
                               .arg(app.exitStatus() == QProcess::NormalExit ? "normal" : "crash")
                + shown.output;
        }
        shown.tasks = m.captured(1).toInt();
        shown.nodes = m.captured(2).toInt();
        return shown;
    }

    static bool demoStarted(const QString &home)
    {
        return QFileInfo::exists(home + QStringLiteral("/data/Hivewatch/hivewatch/demo"));
    }

    void sql(const QString &statement)
    {
        auto result = m_pg->execScript(statement);
        QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().toString()));
    }

private slots:
    void initTestCase()
    {
        m_db = std::make_unique<TestDatabase>(QStringLiteral("profiles_app"));
        QVERIFY2(m_db->isValid(), qPrintable(m_db->error()));
        auto pg = PgConnection::connect(m_db->conninfo());
        QVERIFY2(pg.ok(), qPrintable(pg.ok() ? QString() : pg.error().toString()));
        m_pg = std::move(pg.value());
        for (const char *file : {"hive_schema.sql", "electric_setup.sql", "hive_seed.sql"}) {
            const QString script = readSql(QLatin1String(file));
            QVERIFY2(!script.isEmpty(), file);
            sql(script);
        }
        sql(QStringLiteral("SELECT hive_seed(1, 2, 12, 3, 6, 40, 12)"));
        // The hive's proxy, emulated: a JWT for a user of the organization; it also serves nodes
        // here so one source can carry both tables.
        auto user = m_pg->exec(QStringLiteral("SELECT hive_seed_uuid('user', 1)::text"));
        QVERIFY(user.ok() && user->rows() == 1);
        const QString key = QStringLiteral("profiles-app-jwt-key");
        m_token = ShapeServerProcess::mintToken(key, user->text(0, 0));
        QVERIFY(!m_token.isEmpty());
        // Proxy mode serves /v1/shape/<table> with a bearer token and /v1/shape as Electric.
        QString error;
        QVERIFY2(
            m_server.start(m_db->conninfo(),
                           {QStringLiteral("--long-poll-ms"), QStringLiteral("2000"),
                            QStringLiteral("--proxy-jwt-key"), key,
                            QStringLiteral("--proxy-tables"), QStringLiteral("shared_tasks,nodes")},
                           &error),
            qPrintable(error));
    }

    void electricUrlOnAFreshAccountShowsRows()
    {
        QTemporaryDir home;
        const Shown shown = run(home.path(), {"--electric-url", m_server.shapeUrl().toString()});
        QVERIFY2(shown.ok, qPrintable(shown.output));
        QCOMPARE(shown.tasks, 12);
        QCOMPARE(shown.nodes, 3);
        QVERIFY(!shown.output.contains("Could not open"));
        QVERIFY(QFileInfo::exists(home.filePath("data/Hivewatch/hivewatch/hivewatch.sqlite")));
        QVERIFY(!demoStarted(home.path()));
    }

    void proxyUrlWithATokenShowsRows()
    {
        QTemporaryDir home;
        const Shown shown
            = run(home.path(),
                  {"--proxy-url", m_server.shapeUrl().toString(), "--shapes", "shared_tasks,nodes"},
                  {{"HIVEWATCH_TOKEN", m_token}});
        QVERIFY2(shown.ok, qPrintable(shown.output));
        QCOMPARE(shown.tasks, 12);
        QCOMPARE(shown.nodes, 3);
        QVERIFY(!demoStarted(home.path()));
    }

    void savedProfileWithTwoSourcesShowsRows()
    {
        QTemporaryDir home;
        {
            QDir().mkpath(home.filePath("config/Hivewatch"));
            QSettings settings(home.filePath("config/Hivewatch/hivewatch.conf"),
                               QSettings::IniFormat);
            ConnectionProfile profile;
            profile.name = "hive";
            // Tasks through the proxy with the user's token, nodes straight from Electric.
            profile.sources.append(ProfileSource::make("hive proxy", m_server.shapeUrl(),
                                                       ProfileSource::Style::Proxy,
                                                       ProfileSource::Auth::Token));
            profile.sources.append(ProfileSource::make("Electric", m_server.shapeUrl()));
            profile.tableSources = {{"shared_tasks", "hive proxy"}, {"nodes", "Electric"}};
            QVERIFY(ProfileStore::save(settings, profile));
        }
        const Shown shown = run(home.path(), {"--profile", "hive"}, {{"HIVEWATCH_TOKEN", m_token}});
        QVERIFY2(shown.ok, qPrintable(shown.output));
        QCOMPARE(shown.tasks, 12);
        QCOMPARE(shown.nodes, 3);
        QVERIFY(!demoStarted(home.path()));
        // The profile's store was created under the data directory.
        QVERIFY(!QDir(home.filePath("data/Hivewatch/hivewatch/profiles"))
                     .entryList({"*.sqlite"})
                     .isEmpty());

        const Shown unknown = run(home.path(), {"--profile", "elsewhere"});
        QVERIFY(!unknown.ok);
        QVERIFY2(unknown.output.contains("no saved profile \"elsewhere\" (saved: hive)"),
                 qPrintable(unknown.output));
    }

    void offlineShowsWhatTheStoreHolds()
    {
        QTemporaryDir home;
        // A hive of its own, so stopping its server leaves the other tests' alone.
        ShapeServerProcess server;
        QString error;
        QVERIFY2(server.start(m_db->conninfo(), {"--long-poll-ms", "2000"}, &error),
                 qPrintable(error));
        const QString url = server.shapeUrl().toString();
        const Shown online = run(home.path(), {"--electric-url", url});
        QVERIFY2(online.ok, qPrintable(online.output));
        server.stop();

        const Shown offline = run(home.path(), {"--electric-url", url, "--offline"});
        QVERIFY2(offline.ok, qPrintable(offline.output));
        QCOMPARE(offline.tasks, 12);
        QCOMPARE(offline.nodes, 3);
        QVERIFY(!demoStarted(home.path()));
    }
};

QTEST_GUILESS_MAIN(TestProfilesApp)
#include "tst_profiles_app.moc"
