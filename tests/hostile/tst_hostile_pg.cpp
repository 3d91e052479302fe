// Hostile Postgres conditions (issue 14) through the real `hivectl pg`: table names that need
// quoting (quotes, spaces, unicode, 63 bytes, and longer than Postgres keeps), a role without
// the privileges a step needs (the message names it, the transaction is rolled back), a server
// that is down (the message names host and port), and passwords in a conninfo or URI, which
// must never be echoed. The library-level cases stay in tests/pg (tst_pgsetup,
// tst_pgsetup_privileges).
#include "tests/hostile/HivectlRun.h"
#include "tests/pg/PgSetupFixture.h"

#include <QTcpServer>

using namespace PgSetupFixture;

namespace {

// A loopback port nobody listens on: bound, then released.
quint16 closedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost))
        return 0;
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

HivectlRun pg(const QStringList &args)
{
    return HivectlRun::run(QStringList {QStringLiteral("pg")} + args);
}

const QString kQuoted = QStringLiteral("Odd \"Quoted\" Name");
const QString kUnicode = QStringLiteral("tâches ✓ été");
const QString k63 = QString(63, QLatin1Char('n'));

} // namespace

class TestHostilePg : public QObject
{
    Q_OBJECT

    // The hostile tables, created by the cluster's superuser.
    static bool createTables(PgConnection &admin, QString *error)
    {
        auto done = admin.execScript(
            QStringLiteral("CREATE SCHEMA \"Audit Trail\"; "
                           "CREATE TABLE public.%1 (id int PRIMARY KEY); "
                           "CREATE TABLE \"Audit Trail\".%2 (id int PRIMARY KEY); "
                           "CREATE TABLE public.%3 (id int PRIMARY KEY)")
                .arg(admin.quoteIdentifier(kQuoted), admin.quoteIdentifier(kUnicode),
                     admin.quoteIdentifier(k63)));
        if (!done)
            *error = done.error().toString();
        return done.ok();
    }

    static QString tablesArg()
    {
        return QStringLiteral("public.\"Odd \"\"Quoted\"\" Name\", \"Audit Trail\".\"%1\", %2")
            .arg(kUnicode, k63);
    }

    static QStringList published(PgConnection &admin)
    {
        QStringList rows;
        auto pub = admin.exec(
            QStringLiteral("SELECT schemaname || '|' || tablename FROM pg_publication_tables "
                           "WHERE pubname = 'electric_publication_default' ORDER BY 1"));
        if (pub)
            for (int i = 0; i < pub->rows(); ++i)
                rows.append(pub->text(i, 0));
        return rows;
    }

private slots:
    void hostileTableNamesAreQuotedAndApplied()
    {
        TestDatabase db(QStringLiteral("hostilenames"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        TestRole role(TestDatabase::clusterConninfo(), db.name());
        auto admin = PgConnection::connect(db.conninfo());
        QVERIFY(admin.ok());
        QString error;
        QVERIFY2(createTables(**admin, &error), qPrintable(error));
        const QStringList common {QStringLiteral("--dsn"),    db.conninfo(),
                                  QStringLiteral("--role"),   role.name(),
                                  QStringLiteral("--tables"), tablesArg()};

        const HivectlRun apply = pg(QStringList {QStringLiteral("apply")} + common);
        QVERIFY2(apply.exitCode == 0, qPrintable(apply.describe()));
        QVERIFY2(apply.out.contains("\"Odd \"\"Quoted\"\" Name\""), qPrintable(apply.describe()));
        QCOMPARE(
            published(**admin),
            (QStringList {QStringLiteral("Audit Trail|") + kUnicode,
                          QStringLiteral("public|") + kQuoted, QStringLiteral("public|") + k63}));
        const HivectlRun verify = pg(QStringList {QStringLiteral("verify")} + common);
        QVERIFY2(verify.exitCode == 0, qPrintable(verify.describe()));

        // Postgres keeps 63 bytes of a name and would silently take a longer one for its first
        // 63: a 64-byte name must not be applied to the 63-byte table.
        const HivectlRun tooLong = pg({QStringLiteral("plan"), QStringLiteral("--dsn"),
                                       db.conninfo(), QStringLiteral("--role"), role.name(),
                                       QStringLiteral("--tables"), k63 + QLatin1Char('x')});
        QVERIFY2(tooLong.exitCode != 0, qPrintable(tooLong.describe()));
        QVERIFY2(tooLong.err.contains(QByteArray(k63.toUtf8() + 'x')),
                 qPrintable(tooLong.describe()));
        QVERIFY2(tooLong.errLines().size() <= 2, qPrintable(tooLong.describe()));
    }

    void missingPrivilegeIsNamedAndEverythingRolledBack()
    {
        TestDatabase db(QStringLiteral("hostilepriv"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        TestRole electric(TestDatabase::clusterConninfo(), db.name());
        TestRole user(TestDatabase::clusterConninfo(), db.name());
        auto admin = PgConnection::connect(db.conninfo());
        QVERIFY(admin.ok());
        QString error;
        QVERIFY2(createTables(**admin, &error), qPrintable(error));
        // The user owns the database (its grant succeeds inside the transaction) but neither
        // the hostile schema nor its tables: the next step fails and takes it all back.
        QVERIFY((*admin)
                    ->execScript(QStringLiteral("CREATE ROLE %1 LOGIN; CREATE ROLE %2 LOGIN "
                                                "REPLICATION; ALTER DATABASE %3 OWNER TO %1")
                                     .arg((*admin)->quoteIdentifier(user.name()),
                                          (*admin)->quoteIdentifier(electric.name()),
                                          (*admin)->quoteIdentifier(db.name())))
                    .ok());
        const auto restoreOwner = qScopeGuard([&] {
            (void)(*admin)->execScript(QStringLiteral("ALTER DATABASE %1 OWNER TO postgres")
                                           .arg((*admin)->quoteIdentifier(db.name())));
        });
        const HivectlRun apply = pg({QStringLiteral("apply"), QStringLiteral("--dsn"),
                                     withUser(db.conninfo(), user.name()), QStringLiteral("--role"),
                                     electric.name(), QStringLiteral("--tables"), tablesArg()});
        QCOMPARE(apply.exitCode, 1);
        const QByteArray message = apply.err.mid(apply.err.indexOf("hivectl pg apply: "));
        QVERIFY2(message.contains("Permission denied"), qPrintable(apply.describe()));
        // The first step the user may not take: granting USAGE on the hostile schema.
        QVERIFY2(message.contains("it needs ownership of schema Audit Trail"),
                 qPrintable(apply.describe()));
        QVERIFY2(message.contains("Nothing was changed"), qPrintable(apply.describe()));
        QVERIFY2(apply.out.contains("ROLLBACK"), qPrintable(apply.describe()));
        QVERIFY(published(**admin).isEmpty());
        auto pub = (*admin)->exec(QStringLiteral(
            "SELECT 1 FROM pg_publication WHERE pubname = 'electric_publication_default'"));
        QVERIFY(pub.ok());
        QCOMPARE(pub->rows(), 0);
    }

    void downServerIsNamedAndPasswordsAreNeverEchoed()
    {
        const quint16 port = closedPort();
        QVERIFY(port != 0);
        const QString portText = QString::number(port);
        const QStringList dsns {
            QStringLiteral("host=127.0.0.1 port=%1 user=postgres dbname=hive "
                           "password=pw-in-conninfo connect_timeout=5")
                .arg(port),
            QStringLiteral("postgresql://postgres:pw-in-uri@127.0.0.1:%1/hive?connect_timeout=5")
                .arg(port),
        };
        for (const QString &dsn : dsns) {
            const HivectlRun r = pg({QStringLiteral("inspect"), QStringLiteral("--dsn"), dsn});
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains("Could not connect"), qPrintable(r.describe()));
            QVERIFY2(r.err.contains("127.0.0.1") && r.err.contains(portText.toUtf8()),
                     qPrintable(r.describe()));
            for (const char *secret : {"pw-in-conninfo", "pw-in-uri"})
                QVERIFY2(!r.out.contains(secret) && !r.err.contains(secret), secret);
            const HivectlRun json = pg(
                {QStringLiteral("verify"), QStringLiteral("--dsn"), dsn, QStringLiteral("--json")});
            QCOMPARE(json.exitCode, 1);
            for (const char *secret : {"pw-in-conninfo", "pw-in-uri"})
                QVERIFY2(!json.out.contains(secret) && !json.err.contains(secret), secret);
        }
    }

    void rolePasswordIsNeverPrinted()
    {
        TestDatabase db(QStringLiteral("hostilepw"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        TestRole role(TestDatabase::clusterConninfo(), db.name());
        auto admin = PgConnection::connect(db.conninfo());
        QVERIFY(admin.ok());
        QString error;
        QVERIFY2(createTables(**admin, &error), qPrintable(error));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ELECTRIC_ROLE_PASSWORD"), QStringLiteral("role-pw-s3cret"));
        for (const char *action : {"plan", "apply", "verify"}) {
            for (const bool json : {false, true}) {
                QStringList args {QString::fromLatin1(action),
                                  QStringLiteral("--dsn"),
                                  db.conninfo(),
                                  QStringLiteral("--role"),
                                  role.name(),
                                  QStringLiteral("--tables"),
                                  tablesArg()};
                if (json)
                    args << QStringLiteral("--json");
                const HivectlRun r
                    = HivectlRun::run(QStringList {QStringLiteral("pg")} + args, 60000, env);
                QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
                QVERIFY2(!r.out.contains("role-pw-s3cret") && !r.err.contains("role-pw-s3cret"),
                         action);
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestHostilePg)
#include "tst_hostile_pg.moc"
