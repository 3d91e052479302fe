#pragma once

#include "sync/pg/PgConnection.h"
#include "sync/pg/PgSetupReport.h"
#include "sync/pg/PgSetupSession.h"
#include "tests/support/TestDatabase.h"

#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

using namespace hivewatch;

// Shared by the pg setup tests. Roles are cluster-wide and the cluster is shared by parallel
// tests, so every test uses its own Electric role name and drops it at the end.
namespace PgSetupFixture {

inline QString uniqueName(const QString &prefix)
{
    return QStringLiteral("%1_%2").arg(prefix).arg(QRandomGenerator::global()->bounded(100000000));
}

inline QString withUser(QString conninfo, const QString &user)
{
    conninfo.replace(QRegularExpression(QStringLiteral("user=\\S+")),
                     QStringLiteral("user=") + user);
    return conninfo;
}

// Loads tests/support/sql/hive_schema.sql (the conformance helper's copy of the hive schema).
inline bool loadHiveSchema(PgConnection &c, QString *error)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR")
               + QStringLiteral("/tests/support/sql/hive_schema.sql"));
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read ") + file.fileName();
        return false;
    }
    auto done = c.execScript(QString::fromUtf8(file.readAll()));
    if (!done)
        *error = done.error().toString();
    return done.ok();
}

// A role that exists for the test only (created on demand by the code under test or by the
// test itself); dropped with everything it was granted in `database`.
class TestRole
{
public:
    TestRole(QString clusterConninfo, QString database)
        : m_cluster(std::move(clusterConninfo))
        , m_database(std::move(database))
        , m_name(uniqueName(QStringLiteral("hw_electric")))
    {
    }
    ~TestRole()
    {
        auto c = PgConnection::connect(
            m_cluster.replace(QRegularExpression(QStringLiteral("dbname=\\S+")),
                              QStringLiteral("dbname=") + m_database));
        if (!c)
            return;
        const QString q = (*c)->quoteIdentifier(m_name);
        (void)(*c)->execScript(
            QStringLiteral("DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %1) "
                           "THEN EXECUTE 'DROP OWNED BY ' || %2 || ' CASCADE'; END IF; END$$")
                .arg((*c)->quoteLiteral(m_name), (*c)->quoteLiteral(q)));
        (void)(*c)->execScript(QStringLiteral("DROP ROLE IF EXISTS ") + q);
    }
    QString name() const { return m_name; }

private:
    QString m_cluster;
    QString m_database;
    QString m_name;
};

inline PgSetupReport run(const QString &conninfo, const PgSetupTarget &target,
                         PgSetupRequest::Action action)
{
    PgSetupRequest request;
    request.action = action;
    request.conninfo = conninfo;
    request.target = target;
    return PgSetupSession::run(request);
}

inline QStringList failedChecks(const PgSetupReport &report)
{
    QStringList red;
    for (const PgSetupCheck &c : report.checks) {
        if (!c.ok)
            red.append(c.key + QStringLiteral(": ") + c.detail);
    }
    return red;
}

inline QStringList stepTitles(const PgSetupReport &report)
{
    QStringList titles;
    for (const PgSetupStep &s : report.plan.steps())
        titles.append(s.title);
    return titles;
}

} // namespace PgSetupFixture
