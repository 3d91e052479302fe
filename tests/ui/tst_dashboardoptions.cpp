#include "DashboardOptions.h"

#include <QCommandLineParser>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

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

        auto bothUrls = resolve({"--electric-url", "http://127.0.0.1/v1/shape", "--proxy-url",
                                 "http://127.0.0.1/v1/shape"},
                                {}, settings);
        QVERIFY(!bothUrls.ok());
        QVERIFY(bothUrls.error().message.contains("exclude each other"));

        auto badShape = resolve({"--shapes", "nodes,users"}, {}, settings);
        QVERIFY(!badShape.ok());
        QVERIFY(badShape.error().message.contains("\"users\""));
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
};

QTEST_GUILESS_MAIN(TestDashboardOptions)
#include "tst_dashboardoptions.moc"
