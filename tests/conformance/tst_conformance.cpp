#include "tests/conformance/ConformanceEnvironment.h"

#include <QTest>

// The official Electric client (@electric-sql/client, pinned in package-lock.json) against
// hive-shape-server on a real Postgres: conformance.mjs drives the scenarios of scenarios.mjs and
// fails on any difference between what the client materializes and what Postgres committed.
// Run once per replica mode and once through the server's proxy mode (docs/hive-schema.md §5).
class TestConformance : public QObject
{
    Q_OBJECT

private slots:
    void officialClientMaterializesWhatPostgresCommitted_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::newRow("replica=default") << QStringLiteral("default");
        QTest::newRow("replica=full") << QStringLiteral("full");
        QTest::newRow("proxy") << QStringLiteral("proxy");
    }

    void officialClientMaterializesWhatPostgresCommitted()
    {
        QFETCH(QString, mode);
        ConformanceEnvironment env;
        QVERIFY2(env.setUp(mode == QLatin1String("proxy")), qPrintable(env.error()));

        QStringList args {QStringLiteral("run"),
                          QStringLiteral("--url"),
                          env.baseUrl().toString(),
                          QStringLiteral("--dsn"),
                          env.conninfo(),
                          QStringLiteral("--mode"),
                          mode};
        if (mode == QLatin1String("proxy"))
            args << QStringLiteral("--token") << ConformanceEnvironment::proxyToken()
                 << QStringLiteral("--orgs") << env.proxyOrganizations().join(QLatin1Char(','));
        const NodeRun run = ConformanceEnvironment::runNode(args, 300000);
        QVERIFY2(run.started, qPrintable(QString::fromUtf8(run.stderrText)));
        QVERIFY2(run.exitCode == 0,
                 qPrintable(QStringLiteral("conformance.mjs exited with %1:\n%2\n%3")
                                .arg(run.exitCode)
                                .arg(QString::fromUtf8(run.stdoutText),
                                     QString::fromUtf8(run.stderrText))));
        // The script prints one "ok" line per scenario step; make sure they all ran.
        QVERIFY2(run.stdoutText.contains(QByteArray("passed [" + mode.toUtf8() + "]")),
                 run.stdoutText.constData());
    }
};

QTEST_GUILESS_MAIN(TestConformance)
#include "tst_conformance.moc"
