#include "tests/pg/PgSetupFixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

using namespace PgSetupFixture;

// The built hivectl binary, run the way an operator or a script would.
class TestHivectlPg : public QObject
{
    Q_OBJECT

    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
        QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
    };

    static Run hivectl(const QStringList &args,
                       const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("HIVEWATCH_BINARY_DIR")
                    + QStringLiteral("/app/hivectl/hivectl"),
                QStringList {QStringLiteral("pg")} + args);
        Run r;
        if (!p.waitForFinished(60000))
            return r;
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

private slots:
    void planApplyVerifyThroughTheCli()
    {
        TestDatabase db(QStringLiteral("hivectlpg"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        TestRole role(TestDatabase::clusterConninfo(), db.name());
        auto admin = PgConnection::connect(db.conninfo());
        QVERIFY(admin.ok());
        QString error;
        QVERIFY2(loadHiveSchema(**admin, &error), qPrintable(error));
        const QStringList common {QStringLiteral("--dsn"), db.conninfo(), QStringLiteral("--role"),
                                  role.name()};

        const Run plan = hivectl(QStringList {QStringLiteral("plan")} + common
                                 + QStringList {QStringLiteral("--json")});
        QCOMPARE(plan.exitCode, 0);
        const QJsonObject planned = plan.json();
        QCOMPARE(planned.value(QStringLiteral("action")).toString(), QStringLiteral("plan"));
        QVERIFY(planned.value(QStringLiteral("ok")).toBool());
        QVERIFY(!planned.value(QStringLiteral("verified")).toBool());
        const QJsonArray steps = planned.value(QStringLiteral("plan"))
                                     .toObject()
                                     .value(QStringLiteral("steps"))
                                     .toArray();
        QVERIFY(steps.size() > 7);
        QVERIFY(steps.first()
                    .toObject()
                    .value(QStringLiteral("sql"))
                    .toString()
                    .contains(QStringLiteral("CREATE ROLE")));

        const Run red = hivectl(QStringList {QStringLiteral("verify")} + common);
        QCOMPARE(red.exitCode, 1);
        QVERIFY(red.out.contains("[FAIL] Publication electric_publication_default exists"));
        QVERIFY(red.err.contains("not ready for Electric"));

        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("ELECTRIC_ROLE_PASSWORD"), QStringLiteral("cli-pa55word"));
        const Run apply = hivectl(QStringList {QStringLiteral("apply")} + common
                                      + QStringList {QStringLiteral("--json")},
                                  env);
        QVERIFY2(apply.exitCode == 0, apply.err.constData());
        QVERIFY(!apply.out.contains("cli-pa55word") && !apply.err.contains("cli-pa55word"));
        const QJsonObject applied = apply.json();
        QVERIFY(applied.value(QStringLiteral("verified")).toBool());
        QCOMPARE(applied.value(QStringLiteral("applied_steps")).toInt(), steps.size());
        QVERIFY(applied.value(QStringLiteral("plan"))
                    .toObject()
                    .value(QStringLiteral("steps"))
                    .toArray()
                    .isEmpty());
        QCOMPARE(applied.value(QStringLiteral("state"))
                     .toObject()
                     .value(QStringLiteral("publication"))
                     .toObject()
                     .value(QStringLiteral("tables"))
                     .toArray()
                     .size(),
                 7);

        const Run green = hivectl(QStringList {QStringLiteral("verify")} + common);
        QCOMPARE(green.exitCode, 0);
        QVERIFY(!green.out.contains("[FAIL]"));
        const Run again = hivectl(QStringList {QStringLiteral("plan")} + common);
        QCOMPARE(again.exitCode, 0);
        QVERIFY(again.out.contains("Nothing to do"));
    }

    void dsnComesFromThePgEnvironment()
    {
        TestDatabase db(QStringLiteral("hivectlenv"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // conninfo is "host=… port=… user=… dbname=…": the same, as PG* variables.
        for (const QString &pair : db.conninfo().split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            const QString key = pair.section(QLatin1Char('='), 0, 0);
            const QString value = pair.section(QLatin1Char('='), 1);
            const QString var = key == QLatin1String("dbname")
                ? QStringLiteral("PGDATABASE")
                : QStringLiteral("PG") + key.toUpper();
            env.insert(var, value);
        }
        const Run r = hivectl({QStringLiteral("inspect"), QStringLiteral("--json")}, env);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(r.json()
                     .value(QStringLiteral("state"))
                     .toObject()
                     .value(QStringLiteral("database"))
                     .toString(),
                 db.name());
        QCOMPARE(r.json()
                     .value(QStringLiteral("state"))
                     .toObject()
                     .value(QStringLiteral("wal_level"))
                     .toString(),
                 QStringLiteral("logical"));
    }

    void badInputGivesClearErrorsAndExitCodes()
    {
        TestDatabase db(QStringLiteral("hivectlbad"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        const Run missing = hivectl({QStringLiteral("plan"), QStringLiteral("--dsn"), db.conninfo(),
                                     QStringLiteral("--tables"), QStringLiteral("public.nope")});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("Table public.nope does not exist"), missing.err.constData());
        const Run usage = hivectl({QStringLiteral("frobnicate")});
        QCOMPARE(usage.exitCode, 2);
        const Run unterminated = hivectl(
            {QStringLiteral("plan"), QStringLiteral("--tables"), QStringLiteral("\"oops")});
        QCOMPARE(unterminated.exitCode, 2);
        QVERIFY(unterminated.err.contains("unterminated double quote"));
        const Run down
            = hivectl({QStringLiteral("inspect"), QStringLiteral("--dsn"),
                       QStringLiteral("host=/nonexistent-hw-socket port=5 user=postgres")});
        QCOMPARE(down.exitCode, 1);
        QVERIFY(down.err.contains("Could not connect"));
    }
};

QTEST_GUILESS_MAIN(TestHivectlPg)
#include "tst_hivectl_pg.moc"
