// `hivewatch --demo`, the real binary on a fresh account, ended by a signal. SIGTERM, SIGINT and
// SIGHUP take File › Quit's path: exit status 0, the window layout saved, nothing the demo started
// still running, the local store sound. SIGKILL leaves nothing running either (the shape server's
// parent-death signal, the cluster's keeper), and the next start on the same data comes up live.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <csignal>

namespace {

constexpr int kLiveMs = 180000; // a first start creates the cluster and loads the seed
constexpr int kExitMs = 120000;
constexpr int kGoneMs = 60000;

QString demoDir(const QString &home)
{
    return home + QStringLiteral("/data/Hivewatch/hivewatch/demo");
}

QString storePath(const QString &home)
{
    return demoDir(home) + QStringLiteral("/store.sqlite");
}

QString settingsPath(const QString &home)
{
    return home + QStringLiteral("/config/Hivewatch/hivewatch.conf");
}

// Every live process of the demo of this account: the keeper and the postmaster name the demo
// directory, the shape server the cluster's private socket directory. Zombies (nobody reaps
// orphans in some containers) have an empty command line and do not count.
QStringList demoProcesses(const QString &home)
{
    QStringList marks = {demoDir(home)};
    QFile sockdir(demoDir(home) + QStringLiteral("/pg/sockdir"));
    if (sockdir.open(QIODevice::ReadOnly))
        marks.append(QString::fromUtf8(sockdir.readAll()).trimmed());
    QStringList found;
    const QStringList pids = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &pid : pids) {
        bool numeric = false;
        pid.toInt(&numeric);
        if (!numeric)
            continue;
        QFile file(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QString cmdline = QString::fromUtf8(file.readAll().replace('\0', ' ')).trimmed();
        for (const QString &mark : std::as_const(marks)) {
            if (!mark.isEmpty() && cmdline.contains(mark)) {
                found.append(pid + QLatin1Char(' ') + cmdline.left(160));
                break;
            }
        }
    }
    return found;
}

// What the local store holds, read-only, with SQLite's own integrity check.
struct StoreState
{
    QString integrity; // "ok", or what is wrong (or why it could not be read)
    qint64 rows = -1; // synced rows of the tables other than the log
    QStringList handles; // the shapes' handles: each run's shape server gives new ones
    int shapes = 0;
    int resyncing = 0; // shapes without a complete snapshot (offset -1)

    // Synced by this run: every shape has its snapshot, none from an earlier run.
    bool syncedSince(const StoreState &before) const
    {
        for (const QString &handle : handles) {
            if (before.handles.contains(handle))
                return false;
        }
        return integrity == QLatin1String("ok") && rows > 0 && shapes >= before.shapes && shapes > 0
            && resyncing == 0;
    }
};

StoreState readStore(const QString &path)
{
    const QString name = QUuid::createUuid().toString();
    StoreState state;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        QSqlQuery query(db);
        if (!db.open())
            state.integrity = db.lastError().text();
        else if (!query.exec(QStringLiteral("PRAGMA integrity_check")) || !query.next())
            state.integrity = query.lastError().text();
        else
            state.integrity = query.value(0).toString();
        if (query.exec(QStringLiteral("SELECT count(*) FROM shape_rows")) && query.next())
            state.rows = query.value(0).toLongLong();
        if (query.exec(QStringLiteral("SELECT handle, \"offset\" FROM shape_state"))) {
            while (query.next()) {
                ++state.shapes;
                state.handles.append(query.value(0).toString());
                if (query.value(0).isNull() || query.value(1).toString() == QLatin1String("-1"))
                    ++state.resyncing;
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return state;
}

} // namespace

class TestDemoShutdown : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<QProcess> m_app;
    QString m_output; // the app's stderr so far

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

    // Starts `hivewatch --demo` and waits until the demo is live and every shape has synced a
    // snapshot of this run into the store (a new shape server means new handles: an earlier
    // run's rows are replaced by a resync, which a signal may interrupt).
    void startDemo(const StoreState &before = {})
    {
        m_output.clear();
        m_app = std::make_unique<QProcess>();
        m_app->setProcessEnvironment(freshEnvironment(m_home->path()));
        connect(m_app.get(), &QProcess::readyReadStandardError, this,
                [this] { m_output += QString::fromUtf8(m_app->readAllStandardError()); });
        m_app->start(qEnvironmentVariable("HIVEWATCH_BINARY_DIR")
                         + QStringLiteral("/app/hivewatch/hivewatch"),
                     {QStringLiteral("--demo")});
        QVERIFY(m_app->waitForStarted());
        QTRY_VERIFY2_WITH_TIMEOUT(m_output.contains(QStringLiteral("demo hive is live")),
                                  qPrintable(m_output), kLiveMs);
        QTRY_VERIFY2_WITH_TIMEOUT(readStore(storePath(m_home->path())).syncedSince(before),
                                  qPrintable(m_output), kLiveMs);
        // What must be gone later is there now: the check below can tell.
        const QString running = demoProcesses(m_home->path()).join(QLatin1Char('\n'));
        QVERIFY2(running.contains(QStringLiteral("hive-shape-server")), qPrintable(running));
        QVERIFY2(running.contains(QStringLiteral("postgres -D")), qPrintable(running));
        QVERIFY2(running.contains(QStringLiteral("demo-keeper.sh")), qPrintable(running));
    }

    // No process of the demo left, and the store sound, with what this run synced.
    StoreState verifyNothingLeftAndStoreSound()
    {
        [&] {
            QTRY_VERIFY2_WITH_TIMEOUT(demoProcesses(m_home->path()).isEmpty(),
                                      qPrintable(demoProcesses(m_home->path()).join('\n')),
                                      kGoneMs);
        }();
        const StoreState state = readStore(storePath(m_home->path()));
        [&] {
            QCOMPARE(state.integrity, QStringLiteral("ok"));
            QVERIFY2(state.rows > 0 && state.resyncing == 0,
                     qPrintable(QStringLiteral("%1 rows, %2 of %3 shapes resyncing")
                                    .arg(state.rows)
                                    .arg(state.resyncing)
                                    .arg(state.shapes)));
        }();
        return state;
    }

private slots:
    void init()
    {
        m_home = std::make_unique<QTemporaryDir>();
        QVERIFY(m_home->isValid());
    }

    void cleanup()
    {
        if (m_app && m_app->state() != QProcess::NotRunning) {
            m_app->kill();
            m_app->waitForFinished();
        }
        m_app.reset();
        // A failed run may leave the demo's processes behind: end them here, so that no test
        // leaves any. The keeper may still be stopping the cluster: give it time first.
        const QString home = m_home->path();
        if (!QTest::qWaitFor([&] { return demoProcesses(home).isEmpty(); }, kGoneMs)) {
            for (const QString &process : demoProcesses(home)) {
                if (process.contains(QStringLiteral("hive-shape-server")))
                    ::kill(pid_t(process.section(QLatin1Char(' '), 0, 0).toInt()), SIGKILL);
            }
        }
        // The source tree's script: it stops a cluster whatever version started it.
        QProcess::execute(QStringLiteral("bash"),
                          {qEnvironmentVariable("HIVEWATCH_SOURCE_DIR")
                               + QStringLiteral("/tests/support/pg/pgcluster.sh"),
                           QStringLiteral("destroy"), demoDir(home) + QStringLiteral("/pg")});
        m_home.reset();
    }

    void signalQuitsLikeFileQuit_data()
    {
        QTest::addColumn<int>("signalNumber");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
        QTest::newRow("SIGHUP") << int(SIGHUP);
    }

    void signalQuitsLikeFileQuit()
    {
        QFETCH(int, signalNumber);
        // A layout the user chose earlier; the window writes all of its layout on close only.
        {
            QSettings settings(settingsPath(m_home->path()), QSettings::IniFormat);
            settings.setValue(QStringLiteral("MainWindow/currentTab"), 1);
        }
        startDemo();
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(::kill(pid_t(m_app->processId()), signalNumber), 0);
        QVERIFY2(m_app->waitForFinished(kExitMs), "hivewatch did not quit");
        m_output += QString::fromUtf8(m_app->readAllStandardError());
        QCOMPARE(m_app->exitStatus(), QProcess::NormalExit);
        QVERIFY2(m_app->exitCode() == 0, qPrintable(m_output));
        QVERIFY2(m_output.contains(QStringLiteral(": quitting")), qPrintable(m_output));

        QSettings settings(settingsPath(m_home->path()), QSettings::IniFormat);
        QVERIFY(!settings.value(QStringLiteral("MainWindow/geometry")).toByteArray().isEmpty());
        QVERIFY(!settings.value(QStringLiteral("MainWindow/state")).toByteArray().isEmpty());
        QCOMPARE(settings.value(QStringLiteral("MainWindow/currentTab")).toInt(), 1);
        verifyNothingLeftAndStoreSound();
    }

    void sigkillLeavesNothingRunningAndTheNextStartComesUp()
    {
        startDemo();
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(::kill(pid_t(m_app->processId()), SIGKILL), 0);
        QVERIFY(m_app->waitForFinished(kExitMs));
        QCOMPARE(m_app->exitStatus(), QProcess::CrashExit);
        const StoreState killed = verifyNothingLeftAndStoreSound();

        // The same data directory again: a clean cluster start, no wait, live again. Waits for
        // this run's snapshots: the killed run's rows would let SIGTERM land mid-resync.
        startDemo(killed);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(!m_output.contains(QStringLiteral("could not start")), qPrintable(m_output));
        QCOMPARE(::kill(pid_t(m_app->processId()), SIGTERM), 0);
        QVERIFY2(m_app->waitForFinished(kExitMs), "hivewatch did not quit");
        QCOMPARE(m_app->exitStatus(), QProcess::NormalExit);
        QCOMPARE(m_app->exitCode(), 0);
        verifyNothingLeftAndStoreSound();
    }
};

QTEST_GUILESS_MAIN(TestDemoShutdown)
#include "tst_demo_shutdown.moc"
