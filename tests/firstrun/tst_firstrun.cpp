#include <QDir>
#include <QImage>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

// A newcomer's first run: no settings, no environment, no hive. `hivewatch` must bring up the
// local demo hive by itself, show moving tasks, nodes and logs, and stop what it started on quit.
class TestFirstRun : public QObject
{
    Q_OBJECT
private slots:
    void showsALiveDemoHiveWithNothingConfigured()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        const QString shots = home.filePath(QStringLiteral("shots"));
        QDir().mkpath(home.filePath(QStringLiteral("runtime")));
        QFile::setPermissions(home.filePath(QStringLiteral("runtime")),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                  | QFileDevice::ExeOwner);

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name :
             {"ELECTRIC_URL", "ELECTRIC_SECRET", "HIVEWATCH_TOKEN", "QT_LOGGING_RULES"})
            env.remove(QString::fromLatin1(name));
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.filePath(QStringLiteral("runtime")));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));

        QProcess app;
        app.setProcessEnvironment(env);
        app.setProcessChannelMode(QProcess::SeparateChannels);
        app.start(qEnvironmentVariable("HIVEWATCH_BINARY_DIR")
                      + QStringLiteral("/app/hivewatch/hivewatch"),
                  {QStringLiteral("--screenshot"), shots});
        QVERIFY(app.waitForStarted());
        QVERIFY2(app.waitForFinished(200000), "hivewatch did not finish");
        const QString out = QString::fromUtf8(app.readAllStandardOutput());
        const QString err = QString::fromUtf8(app.readAllStandardError());
        QVERIFY2(app.exitStatus() == QProcess::NormalExit && app.exitCode() == 0,
                 qPrintable(out + err));

        static const QRegularExpression summary(QStringLiteral(
            "first run: (\\d+) tasks, (\\d+) nodes, (\\d+) log lines shown after ([0-9.]+) s; "
            "(-?\\d+) log lines synced live"));
        const auto m = summary.match(out);
        QVERIFY2(m.hasMatch(), qPrintable(out + err));
        QVERIFY(m.captured(1).toInt() >= 24); // the seed's tasks
        QCOMPARE(m.captured(2).toInt(), 5); // the seed's nodes
        QVERIFY(m.captured(3).toInt() > 0);
        QVERIFY2(m.captured(5).toInt() > 0,
                 "no log line arrived live: the demo hive is not moving");
        qInfo("%s", qPrintable(m.captured(0)));

        for (const char *panel : {"overview", "tasks", "nodes", "logs"}) {
            const QString file
                = shots + QStringLiteral("/first-run-%1.png").arg(QLatin1String(panel));
            const QImage image(file);
            QVERIFY2(!image.isNull(), qPrintable(file));
            QVERIFY(image.width() >= 800 && image.height() >= 500);
            const QString keep = qEnvironmentVariable("HIVEWATCH_SCREENSHOT_DIR");
            if (!keep.isEmpty()) {
                QFile::remove(keep + QStringLiteral("/first-run-%1.png").arg(QLatin1String(panel)));
                QVERIFY(QFile::copy(
                    file, keep + QStringLiteral("/first-run-%1.png").arg(QLatin1String(panel))));
            }
        }

        // Quitting stopped the demo's cluster (its script reports "stopped" with exit status 3).
        const QString demoDir = home.filePath(QStringLiteral("data/Hivewatch/hivewatch/demo"));
        QProcess status;
        status.start(QStringLiteral("bash"),
                     {demoDir + QStringLiteral("/pgcluster.sh"), QStringLiteral("status"),
                      demoDir + QStringLiteral("/pg")});
        QVERIFY(status.waitForFinished(30000));
        QCOMPARE(status.exitCode(), 3);
        QProcess::execute(QStringLiteral("bash"),
                          {demoDir + QStringLiteral("/pgcluster.sh"), QStringLiteral("destroy"),
                           demoDir + QStringLiteral("/pg")});
    }
};

QTEST_GUILESS_MAIN(TestFirstRun)
#include "tst_firstrun.moc"
