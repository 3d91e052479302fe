#include "app/hivewatch/DashboardOptions.h"
#include "ui/hive/ProfileStore.h"

#include <QCommandLineParser>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

class TestDashboardOptions : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    Result<DashboardOptions> resolve(const QStringList &args, const QProcessEnvironment &env,
                                     QSettings &settings)
    {
        QCommandLineParser parser;
        DashboardOptions::addTo(parser);
        if (!parser.parse(QStringList {"hivewatch"} + args))
            return Error(parser.errorText());
        return DashboardOptions::resolve(parser, settings, env);
    }

private slots:
    void commandLineBeatsEnvironmentBeatsSettings()
    {
        QSettings settings(m_dir.filePath("a.ini"), QSettings::IniFormat);
        ConnectionSettings saved;
        saved.mode = ConnectionSettings::Mode::Proxy;
        saved.url = QUrl("http://127.0.0.1:9000/v1/shape");
        saved.shapes = {"nodes"};
        saved.save(settings);

        QProcessEnvironment env;
        auto fromSettings = resolve({}, env, settings);
        QVERIFY(fromSettings.ok());
        QCOMPARE(fromSettings->connection.mode, ConnectionSettings::Mode::Proxy);
        QCOMPARE(fromSettings->connection.url, saved.url);
        QCOMPARE(fromSettings->connection.shapes, QStringList({"nodes"}));
        QVERIFY(!fromSettings->secretFromEnvironment);

        env.insert("ELECTRIC_URL", "http://127.0.0.1:3000/v1/shape");
        env.insert("ELECTRIC_SECRET", "env-secret");
        env.insert("HIVEWATCH_TOKEN", "env-token");
        auto fromEnv = resolve({}, env, settings);
        QVERIFY(fromEnv.ok());
        QCOMPARE(fromEnv->connection.mode, ConnectionSettings::Mode::Electric);
        QCOMPARE(fromEnv->connection.url, QUrl("http://127.0.0.1:3000/v1/shape"));
        QCOMPARE(fromEnv->connection.secret, QStringLiteral("env-secret"));
        QVERIFY(fromEnv->secretFromEnvironment);

        auto fromArgs = resolve({"--proxy-url", "http://127.0.0.1:4000/v1/shape", "--shapes",
                                 "shared_tasks, nodes", "--store", "/tmp/x.sqlite", "--offline"},
                                env, settings);
        QVERIFY(fromArgs.ok());
        QCOMPARE(fromArgs->connection.mode, ConnectionSettings::Mode::Proxy);
        QCOMPARE(fromArgs->connection.url, QUrl("http://127.0.0.1:4000/v1/shape"));
        QCOMPARE(fromArgs->connection.secret, QStringLiteral("env-token"));
        QCOMPARE(fromArgs->connection.shapes, QStringList({"shared_tasks", "nodes"}));
        QCOMPARE(fromArgs->storePath, QStringLiteral("/tmp/x.sqlite"));
        QVERIFY(!fromArgs->connectOnStart);
    }

    void badValuesAreRefusedNamingTheInput()
    {
        QSettings settings(m_dir.filePath("b.ini"), QSettings::IniFormat);
        QProcessEnvironment env;
        env.insert("ELECTRIC_URL", "not a url");
        auto badEnv = resolve({}, env, settings);
        QVERIFY(!badEnv.ok());
        QVERIFY(badEnv.error().message.contains("ELECTRIC_URL"));

        auto lonelyCommand = resolve({"--token-command", "echo t"}, {}, settings);
        QVERIFY(!lonelyCommand.ok());
        QVERIFY(lonelyCommand.error().message.contains("--token-command"));

        auto badShape = resolve({"--shapes", "nodes,users"}, {}, settings);
        QVERIFY(!badShape.ok());
        QVERIFY(badShape.error().message.contains("\"users\""));
    }

    // The hive's real layout from the command line: its proxy serves shared_tasks only, so with
    // both URLs every other table is read from Electric, each source with its own credentials.
    void proxyAndElectricUrlsSplitTheTables()
    {
        QSettings settings(m_dir.filePath("mixed.ini"), QSettings::IniFormat);
        QProcessEnvironment env;
        env.insert("ELECTRIC_SECRET", "env-secret");
        auto mixed = resolve({"--proxy-url", "https://hive.example/v1/shape", "--electric-url",
                              "https://api.example/v1/shape?source_id=s1", "--token-command",
                              "hive-login --print-token"},
                             env, settings);
        QVERIFY2(mixed.ok(), mixed.ok() ? "" : qPrintable(mixed.error().toString()));
        const ConnectionProfile &profile = mixed->profile;
        QCOMPARE(profile.sources.size(), 2);
        const ProfileSource *tasks = profile.sourceFor("shared_tasks");
        QVERIFY(tasks);
        QCOMPARE(tasks->style, ProfileSource::Style::Proxy);
        QCOMPARE(tasks->auth, ProfileSource::Auth::TokenCommand);
        QCOMPARE(tasks->tokenCommand, QStringLiteral("hive-login --print-token"));
        const ShapeEndpoint tasksEndpoint = tasks->endpointFor("shared_tasks");
        QCOMPARE(tasksEndpoint.url, QUrl("https://hive.example/v1/shape/shared_tasks"));
        QCOMPARE(tasksEndpoint.tokenCommand, QStringLiteral("hive-login --print-token"));
        for (const QString &table : ConnectionSettings::availableShapes()) {
            if (table == QLatin1String("shared_tasks"))
                continue;
            const ProfileSource *source = profile.sourceFor(table);
            QVERIFY2(source, qPrintable(table));
            QCOMPARE(source->style, ProfileSource::Style::Electric);
            const ShapeEndpoint endpoint = source->endpointFor(table);
            QCOMPARE(endpoint.url, QUrl("https://api.example/v1/shape?source_id=s1"));
            QCOMPARE(endpoint.secret, QStringLiteral("env-secret"));
            QVERIFY(endpoint.bearerToken.isEmpty());
        }
    }

    void secretsFromTheEnvironmentNeverReachTheSettingsFile()
    {
        const QString file = m_dir.filePath("c.ini");
        {
            QSettings settings(file, QSettings::IniFormat);
            QProcessEnvironment env;
            env.insert("ELECTRIC_URL", "http://127.0.0.1:3000/v1/shape");
            env.insert("ELECTRIC_SECRET", "top-secret-value");
            auto options = resolve({}, env, settings);
            QVERIFY(options.ok());
            options->connection.save(settings);
        }
        QFile saved(file);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray contents = saved.readAll();
        QVERIFY(contents.contains("127.0.0.1:3000"));
        QVERIFY(!contents.contains("top-secret"));
    }

    void legacyConnectionBecomesTheCurrentProfile()
    {
        const QString file = m_dir.filePath("legacy.ini");
        {
            QSettings settings(file, QSettings::IniFormat);
            ConnectionSettings saved;
            saved.mode = ConnectionSettings::Mode::Proxy;
            saved.url = QUrl("https://hive.example/v1/shape?org=7");
            saved.shapes = {"shared_tasks", "nodes"};
            saved.save(settings);
        }
        QSettings settings(file, QSettings::IniFormat);
        auto options = resolve({}, {}, settings);
        QVERIFY(options.ok());
        QCOMPARE(options->profile.name, QStringLiteral("default"));
        QCOMPARE(options->profile.tables(), QStringList({"shared_tasks", "nodes"}));
        const ShapeEndpoint tasks
            = options->profile.sourceFor("shared_tasks")->endpointFor("shared_tasks");
        QCOMPARE(tasks.style, ShapeEndpoint::Style::Proxy);
        QCOMPARE(tasks.url, QUrl("https://hive.example/v1/shape/shared_tasks?org=7"));
        // The migrated profile keeps the store it always used.
        QCOMPARE(options->storePath, DashboardOptions::defaultStorePath());
        QVERIFY(!settings.childGroups().contains("Connection"));
        QCOMPARE(ProfileStore::current(settings), QStringLiteral("default"));
        // Once migrated, the next start reads the same profile.
        auto again = resolve({}, {}, settings);
        QVERIFY(again.ok());
        QCOMPARE(again->profile, options->profile);
    }

    void profileOptionPicksASavedProfile()
    {
        QSettings settings(m_dir.filePath("profiles.ini"), QSettings::IniFormat);
        ConnectionProfile two;
        two.name = "two sources";
        two.storePath = m_dir.filePath("two.sqlite");
        two.sources.append(ProfileSource::make("hive proxy", QUrl("http://127.0.0.1:4000/v1/shape"),
                                               ProfileSource::Style::Proxy,
                                               ProfileSource::Auth::Token));
        two.sources.append(ProfileSource::make("Electric", QUrl("http://127.0.0.1:3000/v1/shape"),
                                               ProfileSource::Style::Electric,
                                               ProfileSource::Auth::Secret));
        two.tableSources = {{"shared_tasks", "hive proxy"}, {"nodes", "Electric"}};
        QVERIFY(ProfileStore::save(settings, two));
        ConnectionProfile other = two;
        other.name = "other";
        QVERIFY(ProfileStore::save(settings, other));
        ProfileStore::setCurrent(settings, "other");

        QProcessEnvironment env;
        env.insert("HIVEWATCH_TOKEN", "env-token");
        env.insert("ELECTRIC_SECRET", "env-secret");
        auto options = resolve({"--profile", "two sources"}, env, settings);
        QVERIFY2(options.ok(), qPrintable(options.ok() ? QString() : options.error().toString()));
        QCOMPARE(options->profile.name, QStringLiteral("two sources"));
        QCOMPARE(options->storePath, m_dir.filePath("two.sqlite"));
        // Each source takes the secret of its kind from the environment.
        QCOMPARE(options->profile.sourceFor("shared_tasks")->secret, QStringLiteral("env-token"));
        QCOMPARE(options->profile.sourceFor("nodes")->secret, QStringLiteral("env-secret"));

        auto current = resolve({}, {}, settings);
        QVERIFY(current.ok());
        QCOMPARE(current->profile.name, QStringLiteral("other"));

        auto unknown = resolve({"--profile", "nope"}, {}, settings);
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.error().message.contains("\"nope\""));
        QVERIFY(unknown.error().message.contains("two sources"));

        auto both = resolve({"--profile", "other", "--electric-url", "http://127.0.0.1/v1/shape"},
                            {}, settings);
        QVERIFY(!both.ok());
        QVERIFY(both.error().message.contains("exclude each other"));

        // A URL on the command line is watched as given, not as the saved profile.
        auto adHoc = resolve({"--electric-url", "http://127.0.0.1:3999/v1/shape"}, {}, settings);
        QVERIFY(adHoc.ok());
        QCOMPARE(adHoc->profile.sources.size(), 1);
        QCOMPARE(adHoc->profile.sourceFor("nodes")->url, QUrl("http://127.0.0.1:3999/v1/shape"));
        QCOMPARE(adHoc->storePath, DashboardOptions::defaultStorePath());
    }

    // A private CA: --ca-file reaches every source's endpoint; a saved profile keeps its own
    // (round-tripped through the settings file); a missing file is refused by name.
    void caFileFromTheCommandLineAndTheProfile()
    {
        QSettings settings(m_dir.filePath("ca.ini"), QSettings::IniFormat);
        const QString ca = m_dir.filePath("company-ca.pem");
        {
            QFile file(ca);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("-----BEGIN CERTIFICATE-----\n");
        }
        auto mixed = resolve({"--proxy-url", "https://hive.example/v1/shape", "--electric-url",
                              "https://api.example/v1/shape", "--ca-file", ca.toUtf8().constData()},
                             {}, settings);
        QVERIFY2(mixed.ok(), mixed.ok() ? "" : qPrintable(mixed.error().toString()));
        for (const QString &table : mixed->profile.tables())
            QCOMPARE(mixed->profile.sourceFor(table)->endpointFor(table).caFile, ca);

        auto lonely = resolve({"--ca-file", ca.toUtf8().constData()}, {}, settings);
        QVERIFY(!lonely.ok());
        QVERIFY(lonely.error().message.contains("--ca-file needs"));
        const QString missing = m_dir.filePath("no-such-ca.pem");
        auto unreadable = resolve({"--electric-url", "https://api.example/v1/shape", "--ca-file",
                                   missing.toUtf8().constData()},
                                  {}, settings);
        QVERIFY(!unreadable.ok());
        QVERIFY(unreadable.error().message.contains(missing));

        ConnectionProfile saved = mixed->profile;
        saved.name = "company hive";
        QVERIFY(ProfileStore::save(settings, saved));
        auto loaded = ProfileStore::load(settings, "company hive");
        QVERIFY(loaded);
        QCOMPARE(loaded->sources.constFirst().caFile, ca);
        QVERIFY(loaded->isComplete());
        loaded->sources.first().caFile = missing;
        QVERIFY(loaded->problem().contains(missing));
    }
};

QTEST_GUILESS_MAIN(TestDashboardOptions)
#include "tst_dashboardoptions.moc"
