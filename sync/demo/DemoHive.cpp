#include "sync/demo/DemoHive.h"

#include "sync/demo/DemoLog.h"
#include "sync/pg/PgConnection.h"
#include "sync/pg/PgSetupSession.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTimer>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace hivewatch {

namespace {

const QString kDatabase = QStringLiteral("hivewatch_demo");
// pgcluster.sh stop gives up on a fast shutdown after 20 s and an immediate one after 20 more;
// a start still under way when we stop (pg_ctl start -w -t 30) comes first.
constexpr int kKeeperStopMs = 100000;
constexpr int kPollMs = 100; // how soon a blocking step notices cancelStart()

QString resourceText(const QString &name)
{
    QFile file(QStringLiteral(":/hivewatch/demo/") + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

QString withDatabase(QString conninfo, const QString &database)
{
    static const QRegularExpression dbname(QStringLiteral("dbname=\\S+"));
    if (conninfo.contains(dbname))
        return conninfo.replace(dbname, QStringLiteral("dbname=") + database);
    return conninfo + QStringLiteral(" dbname=") + database;
}

} // namespace

} // namespace hivewatch

static void initDemoResources()
{
    // Resources of a static library are only registered when something references them.
    Q_INIT_RESOURCE(demo);
}

namespace hivewatch {

DemoHive::DemoHive(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    initDemoResources();
}

DemoHive::~DemoHive()
{
    stop();
}

QString DemoHive::findShapeServer()
{
    const QString fromEnv = qEnvironmentVariable("HIVEWATCH_SHAPE_SERVER");
    if (!fromEnv.isEmpty())
        return QFile::exists(fromEnv) ? fromEnv : QString();
    const QString appDir = QCoreApplication::applicationDirPath();
    // Installed (.deb: /usr/lib/hivewatch), next to the binary, or in the build tree.
    const QStringList candidates = {
        appDir + QStringLiteral("/../lib/hivewatch/hive-shape-server"),
        appDir + QStringLiteral("/hive-shape-server"),
        appDir + QStringLiteral("/../../tools/shape-server/hive-shape-server"),
        appDir + QStringLiteral("/../tools/shape-server/hive-shape-server"),
    };
    for (const QString &candidate : candidates) {
        if (QFileInfo(candidate).isExecutable())
            return QDir::cleanPath(candidate);
    }
    return {};
}

void DemoHive::start()
{
    for (auto step :
         {&DemoHive::startCluster, &DemoHive::prepareDatabase, &DemoHive::startShapeServer}) {
        const Error error = m_cancelled ? Error() : (this->*step)();
        if (m_cancelled) {
            stop();
            return;
        }
        if (!error.message.isEmpty()) {
            qCWarning(lcDemo) << "demo hive failed:" << error.toString();
            stop();
            emit failed(error);
            return;
        }
    }
    if (m_options.tickMs > 0) {
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this, &DemoHive::tick);
        m_timer->start(m_options.tickMs);
    }
    qCInfo(lcDemo).noquote() << "demo hive is live at" << m_shapeUrl.toString();
    emit progress(tr("Demo hive is live"));
    emit ready(m_shapeUrl);
}

Error DemoHive::writeScript(const QString &name, QString *path)
{
    // The scripts are compiled in, so an installed Hivewatch needs no source tree.
    *path = QDir(m_options.dataDir).filePath(name);
    QFile file(*path);
    const QString text = resourceText(name);
    if (text.isEmpty() || !file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || file.write(text.toUtf8()) < 0)
        return Error(tr("Could not write the cluster script to %1").arg(*path), file.errorString());
    return {};
}

Error DemoHive::startCluster()
{
    emit progress(tr("Starting the demo PostgreSQL cluster…"));
    if (!QDir().mkpath(m_options.dataDir))
        return Error(tr("Could not create the demo data directory %1").arg(m_options.dataDir));
    QString pgcluster;
    QString keeper;
    for (auto [name, path] : {std::pair {QStringLiteral("pgcluster.sh"), &pgcluster},
                              std::pair {QStringLiteral("demo-keeper.sh"), &keeper}}) {
        if (Error error = writeScript(name, path); !error.message.isEmpty())
            return error;
    }
    m_keeper = new QProcess(this);
    // A session of its own: a terminal's Ctrl-C or hang-up for our process group must leave it
    // alive to stop the cluster. No parent-death signal: it has to outlive us.
    m_keeper->setChildProcessModifier([] { ::setsid(); });
    // --durable: the demo's data is the user's, so fsync stays on and the cluster lives in the
    // data directory (never /tmp), also when run as root.
    m_keeper->start(QStringLiteral("bash"),
                    {keeper, pgcluster, m_options.dataDir + QStringLiteral("/pg"),
                     QStringLiteral("--durable")});
    if (!m_keeper->waitForStarted(10000))
        return Error(tr("Could not start %1").arg(keeper), m_keeper->errorString());
    for (;;) {
        while (m_keeper->canReadLine()) {
            const QString line = QString::fromUtf8(m_keeper->readLine()).trimmed();
            if (line == QLatin1String("waiting")) {
                emit progress(tr("Waiting for the demo PostgreSQL cluster of the last run to "
                                 "stop…"));
            } else if (line.startsWith(QLatin1String("host="))) {
                m_conninfo = withDatabase(line, kDatabase);
                return {};
            }
        }
        if (m_keeper->state() == QProcess::NotRunning)
            return Error(tr("Could not start the demo PostgreSQL cluster"),
                         QString::fromUtf8(m_keeper->readAllStandardError()).trimmed());
        if (m_cancelled)
            return {};
        m_keeper->waitForReadyRead(kPollMs);
    }
}

Error DemoHive::prepareDatabase()
{
    emit progress(tr("Preparing the demo hive database…"));
    {
        auto admin = PgConnection::connect(withDatabase(m_conninfo, QStringLiteral("postgres")));
        if (!admin)
            return admin.error();
        auto exists = (*admin)->exec(QStringLiteral("SELECT 1 FROM pg_database WHERE datname = $1"),
                                     {kDatabase});
        if (!exists)
            return exists.error();
        if (exists->rows() == 0) {
            auto created = (*admin)->exec(QStringLiteral("CREATE DATABASE ")
                                          + (*admin)->quoteIdentifier(kDatabase));
            if (!created)
                return created.error();
        }
    }
    auto db = PgConnection::connect(m_conninfo);
    if (!db)
        return db.error();
    m_db = std::move(db.value());

    auto hasSchema
        = m_db->exec(QStringLiteral("SELECT to_regclass('public.shared_tasks') IS NOT NULL"));
    if (!hasSchema)
        return hasSchema.error();
    if (!hasSchema->boolean(0, 0)) {
        emit progress(tr("Loading the hive schema and seed data…"));
        for (const QString &file :
             {QStringLiteral("hive_schema.sql"), QStringLiteral("hive_seed.sql")}) {
            auto loaded = m_db->execScript(resourceText(file));
            if (!loaded)
                return Error(tr("Could not load %1 into the demo database").arg(file),
                             loaded.error().toString());
        }
        // Seeded a few days back rather than at the tests' fixed 2025 base, so the seeded work
        // reads as days old, not a year. The seed's latest time is its base + 4 days.
        auto seeded = m_db->exec(
            QStringLiteral("SELECT hive_seed_at(date_trunc('minute', now()) - interval '5 days', "
                           "1, 3, 24, 5, 8, 400, 40)"));
        if (!seeded)
            return seeded.error();
    }
    // The same setup an operator runs with the Postgres setup panel or `hivectl pg apply`;
    // idempotent, so it also repairs a demo database an older version prepared.
    emit progress(tr("Preparing the demo database for Electric…"));
    PgSetupRequest request;
    request.action = PgSetupRequest::Action::Apply;
    request.conninfo = m_conninfo;
    const PgSetupReport report = PgSetupSession::run(request);
    if (!report.ok)
        return report.error;
    if (!report.verified())
        return Error(tr("The demo database is not ready for Electric after the setup"),
                     report.log.join(QLatin1Char('\n')));
    // Replaced on every start, so a newer Hivewatch brings its newer activity to old demo data.
    auto activity = m_db->execScript(resourceText(QStringLiteral("demo_activity.sql")));
    if (!activity)
        return activity.error();
    return {};
}

Error DemoHive::startShapeServer()
{
    emit progress(tr("Starting the local shape server…"));
    const QString program
        = m_options.shapeServerPath.isEmpty() ? findShapeServer() : m_options.shapeServerPath;
    if (program.isEmpty())
        return Error(
            tr("The test shape server (hive-shape-server) was not found next to Hivewatch; "
               "set HIVEWATCH_SHAPE_SERVER to its path"));
    m_server = new QProcess(this);
    m_server->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (!environment.contains(QStringLiteral("QT_LOGGING_RULES"))) // its warnings only
        environment.insert(QStringLiteral("QT_LOGGING_RULES"),
                           QStringLiteral("hivewatch.*.info=false"));
    m_server->setProcessEnvironment(environment);
    // The shape server ends with us, even when we are killed. The signal comes when the *thread*
    // that started it ends: this object's thread, which lives until stop() has run (see the
    // class comment). A parent that died before prctl() would never send it: check.
    const pid_t parent = ::getpid();
    m_server->setChildProcessModifier([parent] {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent)
            ::_exit(1);
    });
    m_server->start(
        program,
        {QStringLiteral("--dsn"), m_conninfo, QStringLiteral("--port"), QStringLiteral("0")});
    if (!m_server->waitForStarted(10000))
        return Error(tr("Could not start %1").arg(program), m_server->errorString());
    static const QRegularExpression listening(QStringLiteral("listening on (http://\\S+)"));
    QByteArray seen;
    const QDeadlineTimer deadline(30000);
    while (m_server->state() == QProcess::Running && !deadline.hasExpired() && !m_cancelled) {
        if (!m_server->waitForReadyRead(kPollMs))
            continue;
        seen += m_server->readAllStandardOutput();
        const auto match = listening.match(QString::fromUtf8(seen));
        if (match.hasMatch()) {
            m_shapeUrl = QUrl(match.captured(1) + QStringLiteral("/v1/shape"));
            return {};
        }
    }
    if (m_cancelled)
        return {};
    return Error(tr("The shape server did not start"), QString::fromUtf8(seen).trimmed());
}

void DemoHive::tick()
{
    if (!m_db)
        return;
    auto result = m_db->exec(QStringLiteral("SELECT hivewatch_demo_tick()"));
    if (!result)
        qCWarning(lcDemo) << "demo activity failed:" << result.error().toString();
}

void DemoHive::stop()
{
    if (m_timer) {
        m_timer->stop();
        delete m_timer;
        m_timer = nullptr;
    }
    m_db.reset();
    if (m_server) {
        if (m_server->state() != QProcess::NotRunning) {
            m_server->terminate();
            if (!m_server->waitForFinished(5000)) {
                m_server->kill();
                m_server->waitForFinished(2000);
            }
        }
        delete m_server;
        m_server = nullptr;
    }
    stopCluster();
}

void DemoHive::stopCluster()
{
    if (!m_keeper)
        return;
    // End of input is the keeper's cue: it stops the cluster (fast shutdown, bounded) and exits.
    m_keeper->closeWriteChannel();
    if (m_keeper->state() != QProcess::NotRunning && !m_keeper->waitForFinished(kKeeperStopMs))
        qCWarning(lcDemo) << "the demo PostgreSQL cluster did not stop within"
                          << kKeeperStopMs / 1000 << "s";
    const QString said = QString::fromUtf8(m_keeper->readAllStandardError()).trimmed();
    if (!said.isEmpty())
        qCWarning(lcDemo).noquote() << said;
    delete m_keeper;
    m_keeper = nullptr;
}

} // namespace hivewatch
