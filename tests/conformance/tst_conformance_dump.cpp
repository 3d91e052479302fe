#include "tests/conformance/ConformanceEnvironment.h"

#include <QTemporaryDir>
#include <QTest>

// `hivectl shape sync --dump` must print exactly what the official client materializes (issue 4,
// "Done when"). For each shape of the conformance scenarios, both sync from the same
// hive-shape-server and their dumps are compared byte for byte: once on the seeded database and
// once after the scenario's inserts, updates, deletes, PK changes and odd values.
class TestConformanceDump : public QObject
{
    Q_OBJECT

private:
    struct DumpCase
    {
        QString name;
        QString path; // appended to the base URL
        QStringList args;
    };

    static QList<DumpCase> directCases(const QStringList &orgs)
    {
        const QString table = QStringLiteral("--table");
        return {
            {QStringLiteral("tasks where+params"),
             QStringLiteral("/v1/shape"),
             {table, QStringLiteral("shared_tasks"), QStringLiteral("--where"),
              QStringLiteral("organization_id = $1 AND status <> $2"), QStringLiteral("--param"),
              QString(QStringLiteral("1=") + orgs.value(0)), QStringLiteral("--param"),
              QStringLiteral("2=cancelled")}},
            {QStringLiteral("types"),
             QStringLiteral("/v1/shape"),
             {table, QStringLiteral("conformance_types")}},
            {QStringLiteral("types replica=full"),
             QStringLiteral("/v1/shape"),
             {table, QStringLiteral("conformance_types"), QStringLiteral("--replica"),
              QStringLiteral("full")}},
            {QStringLiteral("logs columns+where"),
             QStringLiteral("/v1/shape"),
             {table, QStringLiteral("node_task_output_logs"), QStringLiteral("--columns"),
              QStringLiteral("id,assignment_id,output_type,content"), QStringLiteral("--where"),
              QStringLiteral("output_type <> 'system'")}},
            {QStringLiteral("nodes"),
             QStringLiteral("/v1/shape"),
             {table, QStringLiteral("nodes")}},
            {QStringLiteral("projects"),
             QStringLiteral("/v1/shape"),
             {table, QStringLiteral("projects")}},
            {QStringLiteral("assignments"),
             QStringLiteral("/v1/shape"),
             {table, QStringLiteral("node_task_assignments")}},
            {QStringLiteral("progress events"),
             QStringLiteral("/v1/shape"),
             {table, QStringLiteral("node_task_progress_events")}},
        };
    }

    static QList<DumpCase> proxyCases()
    {
        const QStringList token {QStringLiteral("--token"), ConformanceEnvironment::proxyToken()};
        return {
            {QStringLiteral("proxy tasks"), QStringLiteral("/v1/shape/shared_tasks"), token},
            {QStringLiteral("proxy nodes columns"), QStringLiteral("/v1/shape/nodes"),
             token
                 + QStringList {QStringLiteral("--columns"),
                                QStringLiteral("id,name,status,capabilities")}},
        };
    }

    static QString firstDifference(const QByteArray &expected, const QByteArray &actual)
    {
        const QList<QByteArray> e = expected.split('\n');
        const QList<QByteArray> a = actual.split('\n');
        for (qsizetype i = 0; i < qMax(e.size(), a.size()); ++i) {
            if (e.value(i) != a.value(i))
                return QStringLiteral("line %1\n  official client: %2\n  hivectl:         %3")
                    .arg(i + 1)
                    .arg(QString::fromUtf8(e.value(i)), QString::fromUtf8(a.value(i)));
        }
        return QStringLiteral("(no difference)");
    }

    // Dumps every case with both tools and compares; `phase` names the database state.
    static void compareDumps(const ConformanceEnvironment &env, const QList<DumpCase> &cases,
                             const QString &phase)
    {
        const QString hivectl
            = qEnvironmentVariable("HIVEWATCH_BINARY_DIR") + QStringLiteral("/app/hivectl/hivectl");
        for (const DumpCase &c : cases) {
            const QString url = env.baseUrl().toString() + c.path;
            const NodeRun official = ConformanceEnvironment::runNode(
                QStringList {QStringLiteral("dump"), QStringLiteral("--url"), url} + c.args, 60000);
            QVERIFY2(official.exitCode == 0,
                     qPrintable(QStringLiteral("%1 / %2: official client failed: %3")
                                    .arg(phase, c.name, QString::fromUtf8(official.stderrText))));
            QVERIFY2(official.stdoutText.count('\n') > 0,
                     qPrintable(QStringLiteral("%1 / %2: the shape is empty, nothing compared")
                                    .arg(phase, c.name)));

            QTemporaryDir store;
            const NodeRun ours = ConformanceEnvironment::runProgram(
                hivectl,
                QStringList {QStringLiteral("shape"), QStringLiteral("sync"),
                             QStringLiteral("--url"), url}
                    + c.args
                    + QStringList {QStringLiteral("--db"),
                                   store.filePath(QStringLiteral("store.sqlite")),
                                   QStringLiteral("--follow-ms"), QStringLiteral("0"),
                                   QStringLiteral("--dump")},
                60000);
            QVERIFY2(ours.exitCode == 0,
                     qPrintable(QStringLiteral("%1 / %2: hivectl failed (%3): %4")
                                    .arg(phase, c.name)
                                    .arg(ours.exitCode)
                                    .arg(QString::fromUtf8(ours.stderrText))));
            QVERIFY2(ours.stdoutText == official.stdoutText,
                     qPrintable(QStringLiteral("%1 / %2: dumps differ at %3")
                                    .arg(phase, c.name,
                                         firstDifference(official.stdoutText, ours.stdoutText))));
        }
    }

private slots:
    void hivectlDumpEqualsOfficialClient_data()
    {
        QTest::addColumn<bool>("proxy");
        QTest::newRow("direct") << false;
        QTest::newRow("proxy") << true;
    }

    void hivectlDumpEqualsOfficialClient()
    {
        QFETCH(bool, proxy);
        ConformanceEnvironment env;
        QVERIFY2(env.setUp(proxy), qPrintable(env.error()));
        QCOMPARE(env.proxyOrganizations().size(), 2);
        const QList<DumpCase> cases = proxy ? proxyCases() : directCases(env.proxyOrganizations());

        compareDumps(env, cases, QStringLiteral("seeded"));
        if (QTest::currentTestFailed())
            return;

        // Up to and including "every type again, through replication": the odd values are in
        // place and nothing has been truncated yet.
        QStringList args {QStringLiteral("run"),
                          QStringLiteral("--url"),
                          env.baseUrl().toString(),
                          QStringLiteral("--dsn"),
                          env.conninfo(),
                          QStringLiteral("--max-steps"),
                          QStringLiteral("10"),
                          QStringLiteral("--mode"),
                          proxy ? QStringLiteral("proxy") : QStringLiteral("default")};
        if (proxy)
            args << QStringLiteral("--token") << ConformanceEnvironment::proxyToken()
                 << QStringLiteral("--orgs") << env.proxyOrganizations().join(QLatin1Char(','));
        const NodeRun scenario = ConformanceEnvironment::runNode(args, 180000);
        QVERIFY2(scenario.exitCode == 0,
                 qPrintable(QString::fromUtf8(scenario.stdoutText + scenario.stderrText)));

        compareDumps(env, cases, QStringLiteral("after the scenario"));
    }
};

QTEST_GUILESS_MAIN(TestConformanceDump)
#include "tst_conformance_dump.moc"
