#include "tests/pg/PgSetupFixture.h"

#include "sync/pg/PgSetupJson.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

using namespace hivewatch;

using namespace PgSetupFixture;
using Action = PgSetupRequest::Action;

// What a user who cannot complete the setup is told, and that the database stays as it was.
class TestPgSetupPrivileges : public QObject
{
    Q_OBJECT

    // The inspected state without the cluster-wide slot list (other tests change it).
    static QByteArray fingerprint(const QString &conninfo, const PgSetupTarget &target)
    {
        PgSetupReport r = run(conninfo, target, Action::Inspect);
        if (!r.ok)
            return r.error.toString().toUtf8();
        QJsonObject state = PgSetupJson::toJson(r).value(QStringLiteral("state")).toObject();
        state.remove(QStringLiteral("replication_slots"));
        return QJsonDocument(state).toJson(QJsonDocument::Compact);
    }

private slots:
    void nonSuperuserIsToldWhichPrivilegeIsMissingAndNothingChanges()
    {
        TestDatabase db(QStringLiteral("pgpriv"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        TestRole electric(TestDatabase::clusterConninfo(), db.name());
        TestRole user(TestDatabase::clusterConninfo(), db.name());
        auto admin = PgConnection::connect(db.conninfo());
        QVERIFY(admin.ok());
        QString error;
        QVERIFY2(loadHiveSchema(**admin, &error), qPrintable(error));
        QVERIFY((*admin)
                    ->execScript(QStringLiteral("CREATE ROLE %1 LOGIN")
                                     .arg((*admin)->quoteIdentifier(user.name())))
                    .ok());
        PgSetupTarget target;
        target.role = electric.name();
        const QString asUser = withUser(db.conninfo(), user.name());
        const QByteArray before = fingerprint(db.conninfo(), target);

        // 1. The Electric role is missing: creating a REPLICATION role needs a superuser.
        const PgSetupReport denied = run(asUser, target, Action::Apply);
        QVERIFY(!denied.ok);
        QVERIFY2(
            denied.error.message.startsWith(QStringLiteral("Permission denied for 'Create role")),
            qPrintable(denied.error.message));
        QVERIFY(denied.error.message.contains(QStringLiteral("it needs superuser")));
        QVERIFY(denied.error.message.contains(QStringLiteral("CREATE ROLE")));
        QVERIFY(denied.error.message.contains(QStringLiteral("Nothing was changed")));
        QVERIFY(!denied.error.detail.isEmpty()); // the server's own words
        QVERIFY(denied.log.contains(QStringLiteral("ROLLBACK")));
        QCOMPARE(fingerprint(db.conninfo(), target), before);

        // 2. The role exists and the user owns the database, so the grants and the publication
        //    succeed inside the transaction, but the tables belong to someone else: the failure
        //    at ALTER TABLE takes back everything before it.
        QVERIFY(
            (*admin)
                ->execScript(QStringLiteral(
                                 "CREATE ROLE %1 LOGIN REPLICATION; ALTER DATABASE %2 OWNER TO %3")
                                 .arg((*admin)->quoteIdentifier(electric.name()),
                                      (*admin)->quoteIdentifier(db.name()),
                                      (*admin)->quoteIdentifier(user.name())))
                .ok());
        const QByteArray middle = fingerprint(db.conninfo(), target);
        const PgSetupReport planned = run(asUser, target, Action::Plan);
        QVERIFY(planned.ok);
        QVERIFY(stepTitles(planned).first().startsWith(QStringLiteral("Grant CONNECT")));
        const PgSetupReport half = run(asUser, target, Action::Apply);
        QVERIFY(!half.ok);
        QVERIFY2(half.error.message.contains(
                     QStringLiteral("it needs ownership of table public.projects")),
                 qPrintable(half.error.message));
        QVERIFY(half.error.message.contains(
            QStringLiteral("ALTER TABLE \"public\".\"projects\" REPLICA IDENTITY FULL")));
        QVERIFY(half.log.join(QLatin1Char('\n'))
                    .contains(QStringLiteral("CREATE PUBLICATION"))); // it did run…
        QCOMPARE(fingerprint(db.conninfo(), target), middle); // …and was rolled back
        auto pub = (*admin)->exec(QStringLiteral(
            "SELECT 1 FROM pg_publication WHERE pubname = 'electric_publication_default'"));
        QCOMPARE(pub->rows(), 0);
        (void)(*admin)->execScript(QStringLiteral("ALTER DATABASE %1 OWNER TO postgres")
                                       .arg((*admin)->quoteIdentifier(db.name())));
    }

    void connectionFailureIsReportedWithTheServer()
    {
        PgSetupTarget target;
        const PgSetupReport r
            = run(QStringLiteral("host=/nonexistent-hw-socket port=5 user=postgres dbname=x"),
                  target, Action::Inspect);
        QVERIFY(!r.ok);
        QVERIFY(r.error.message.contains(QStringLiteral("Could not connect")));
        QVERIFY(r.error.detail.contains(QStringLiteral("nonexistent-hw-socket")));
        QVERIFY(!r.hasState);
    }

    // A second, private cluster started with wal_level=replica, destroyed at the end.
    void walLevelReplicaIsReportedWithTheFix()
    {
        QTemporaryDir state;
        QVERIFY(state.isValid());
        const QString script = qEnvironmentVariable("HIVEWATCH_SOURCE_DIR")
            + QStringLiteral("/tests/support/pg/pgcluster.sh");
        QProcess start;
        start.start(script,
                    {QStringLiteral("start"), state.path(), QStringLiteral("--wal-level"),
                     QStringLiteral("replica")});
        QVERIFY(start.waitForFinished(60000));
        auto destroy = qScopeGuard([&] {
            QProcess::execute(script, {QStringLiteral("destroy"), state.path()});
        });
        QVERIFY2(start.exitCode() == 0, start.readAllStandardError().constData());
        const QString conninfo = QString::fromUtf8(start.readAllStandardOutput()).trimmed();

        PgSetupTarget target;
        target.role = uniqueName(QStringLiteral("hw_electric"));
        const PgSetupReport r = run(conninfo, target, Action::Apply);
        QVERIFY2(r.ok, qPrintable(r.error.toString()));
        QCOMPARE(r.state.walLevel, QStringLiteral("replica"));
        QVERIFY(!r.verified());
        const auto wal = std::find_if(r.checks.begin(), r.checks.end(), [](const PgSetupCheck &c) {
            return c.key == QLatin1String("wal_level");
        });
        QVERIFY(wal != r.checks.end());
        QVERIFY(!wal->ok);
        QCOMPARE(wal->detail, QStringLiteral("wal_level = replica"));
        QVERIFY(wal->fix.contains(QStringLiteral("ALTER SYSTEM SET wal_level = logical")));
        QVERIFY(wal->fix.contains(QStringLiteral("restart")));
        QVERIFY(r.plan.notes()
                    .join(QLatin1Char('\n'))
                    .contains(QStringLiteral("ALTER SYSTEM SET wal_level = logical")));
        // Everything else that SQL can do is done; only the restart is left.
        QCOMPARE(failedChecks(r).size(), 1);
        QVERIFY(r.log.join(QLatin1Char('\n'))
                    .contains(QStringLiteral("wal_level"))); // the server's warning
    }
};

QTEST_GUILESS_MAIN(TestPgSetupPrivileges)
#include "tst_pgsetup_privileges.moc"
