#include "DemoHive.h"

#include "DemoLog.h"
#include "PgConnection.h"
#include "PgSetupSession.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTimer>

namespace {

const QString kDatabase = QStringLiteral("hivewatch_demo");

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

static void initDemoResources()
{
    // Resources of a static library are only registered when something references them.
    Q_INIT_RESOURCE(demo);
}

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
        const Error error = (this->*step)();
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
    emit progress(tr("Demo hive is live"));
    emit ready(m_shapeUrl);
}

Error DemoHive::runClusterScript(const QStringList &arguments, QString *output)
{
    // The script is compiled in, so an installed Hivewatch needs no source tree.
    const QString script = m_options.dataDir + QStringLiteral("/pgcluster.sh");
    QFile file(script);
    const QString text = resourceText(QStringLiteral("pgcluster.sh"));
    if (text.isEmpty() || !file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || file.write(text.toUtf8()) < 0)
        return Error(tr("Could not write the cluster script to %1").arg(script),
                     file.errorString());
    file.close();

    QProcess process;
    const QString command = arguments.first();
    process.start(QStringLiteral("bash"),
                  QStringList {script, command, m_options.dataDir + QStringLiteral("/pg")}
                      + arguments.mid(1));
    if (!process.waitForFinished(90000) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0) {
        return Error(tr("Could not %1 the demo PostgreSQL cluster").arg(command),
                     QString::fromUtf8(process.readAllStandardError()).trimmed());
    }
    if (output)
        *output = QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    return {};
}

Error DemoHive::startCluster()
{
    emit progress(tr("Starting the demo PostgreSQL cluster…"));
    if (!QDir().mkpath(m_options.dataDir))
        return Error(tr("Could not create the demo data directory %1").arg(m_options.dataDir));
    QString output;
    // --durable: the demo's data is the user's, so fsync stays on and the cluster lives in the
    // data directory (never /tmp), also when run as root.
    if (Error error
        = runClusterScript({QStringLiteral("start"), QStringLiteral("--durable")}, &output);
        !error.message.isEmpty())
        return error;
    m_clusterStarted = true;
    m_conninfo = withDatabase(output.section(QLatin1Char('\n'), -1), kDatabase);
    return {};
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
        auto seeded = m_db->exec(QStringLiteral("SELECT hive_seed(1, 3, 24, 5, 8, 400, 40)"));
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
    m_server->start(
        program,
        {QStringLiteral("--dsn"), m_conninfo, QStringLiteral("--port"), QStringLiteral("0")});
    if (!m_server->waitForStarted(10000))
        return Error(tr("Could not start %1").arg(program), m_server->errorString());
    static const QRegularExpression listening(QStringLiteral("listening on (http://\\S+)"));
    QByteArray seen;
    while (m_server->state() == QProcess::Running && m_server->waitForReadyRead(30000)) {
        seen += m_server->readAllStandardOutput();
        const auto match = listening.match(QString::fromUtf8(seen));
        if (match.hasMatch()) {
            m_shapeUrl = QUrl(match.captured(1) + QStringLiteral("/v1/shape"));
            return {};
        }
    }
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
    if (m_clusterStarted) {
        m_clusterStarted = false;
        if (Error error = runClusterScript({QStringLiteral("stop")}, nullptr);
            !error.message.isEmpty())
            qCWarning(lcDemo) << error.toString();
    }
}
