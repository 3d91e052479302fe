#include "tests/conformance/ConformanceEnvironment.h"

#include "sync/pg/PgConnection.h"

#include <QFile>
#include <QProcess>

using namespace hivewatch;

namespace {

QString sourceFile(const QString &relative)
{
    return qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QLatin1Char('/') + relative;
}

} // namespace

bool ConformanceEnvironment::load(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("cannot read %1 (is HIVEWATCH_SOURCE_DIR set?)").arg(path);
        return false;
    }
    auto conn = PgConnection::connect(m_db->conninfo());
    if (!conn) {
        m_error = conn.error().toString();
        return false;
    }
    auto loaded = (*conn)->execScript(QString::fromUtf8(file.readAll()));
    if (!loaded) {
        m_error = path + QStringLiteral(": ") + loaded.error().toString();
        return false;
    }
    return true;
}

bool ConformanceEnvironment::setUp(bool proxyMode)
{
    m_db = std::make_unique<TestDatabase>(QStringLiteral("conformance"));
    if (!m_db->isValid()) {
        m_error = m_db->error();
        return false;
    }
    for (const char *script :
         {"tests/support/sql/hive_schema.sql", "tests/support/sql/electric_setup.sql",
          "tests/support/sql/hive_seed.sql", "tests/conformance/fixture.sql"}) {
        if (!load(sourceFile(QString::fromLatin1(script))))
            return false;
    }
    auto conn = PgConnection::connect(m_db->conninfo());
    if (!conn) {
        m_error = conn.error().toString();
        return false;
    }
    auto seeded = (*conn)->exec(QStringLiteral("SELECT hive_seed(3, 4, 30, 4, 20, 400, 50)"));
    auto orgs = (*conn)->exec(
        QStringLiteral("SELECT hive_seed_uuid('org', 1)::text, hive_seed_uuid('org', 2)::text"));
    if (!seeded || !orgs) {
        m_error = (seeded ? orgs.error() : seeded.error()).toString();
        return false;
    }
    m_organizations = {orgs->text(0, 0), orgs->text(0, 1)};

    QStringList args {QStringLiteral("--chunk-bytes"), QStringLiteral("4096"),
                      QStringLiteral("--long-poll-ms"), QStringLiteral("3000"),
                      QStringLiteral("--enable-delete")};
    if (proxyMode) {
        auto member = (*conn)->execScript(
            QStringLiteral(
                "INSERT INTO users (id, email) VALUES ('%1', 'conformance@example.test');"
                "INSERT INTO organization_member_metadata (organization_id, user_id) "
                "VALUES ('%2', '%1'), ('%3', '%1')")
                .arg(proxyUserId(), m_organizations[0], m_organizations[1]));
        if (!member) {
            m_error = member.error().toString();
            return false;
        }
        // The hive's proxy serves shared_tasks only; nodes is served too so that the official
        // client also follows a second organization-filtered table through the proxy.
        args << QStringLiteral("--proxy-jwt-key") << proxyJwtKey()
             << QStringLiteral("--proxy-tables") << QStringLiteral("shared_tasks,nodes");
    }
    return m_server.start(m_db->conninfo(), args, &m_error);
}

NodeRun ConformanceEnvironment::runNode(const QStringList &args, int timeoutMs)
{
    const QString dir = QStringLiteral(CONFORMANCE_NODE_DIR);
    return runProgram(QStringLiteral(CONFORMANCE_NODE_EXECUTABLE),
                      QStringList {dir + QStringLiteral("/conformance.mjs")} + args, timeoutMs);
}

NodeRun ConformanceEnvironment::runProgram(const QString &program, const QStringList &args,
                                           int timeoutMs)
{
    NodeRun run;
    QProcess process;
    process.start(program, args);
    if (!process.waitForStarted(10000)) {
        run.stderrText
            = QStringLiteral("cannot start %1: %2").arg(program, process.errorString()).toUtf8();
        return run;
    }
    run.started = true;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        run.stderrText = QStringLiteral("%1 did not finish within %2 ms\n")
                             .arg(program)
                             .arg(timeoutMs)
                             .toUtf8();
    }
    run.stdoutText = process.readAllStandardOutput();
    run.stderrText += process.readAllStandardError();
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return run;
}
