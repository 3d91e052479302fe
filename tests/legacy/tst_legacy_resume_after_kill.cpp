#include "LegacyTestChecks.h"
#include "NodeDbBuilder.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace {

QString hivectlPath()
{
    return qEnvironmentVariable("HIVEWATCH_BINARY_DIR") + QStringLiteral("/app/hivectl/hivectl");
}

} // namespace

// Runs the real hivectl, kills it with SIGKILL once the ledger shows some executions done, and
// runs it again: every legacy line must end up exactly once, with its source timestamp.
class TestLegacyResumeAfterKill : public QObject
{
    Q_OBJECT

private slots:
    void resumesWithoutDuplicatesAfterSigkill();
};

void TestLegacyResumeAfterKill::resumesWithoutDuplicatesAfterSigkill()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("node.sqlite"));
    NodeDbBuilder node(path, LegacyEra::Batches);
    QVERIFY(node.create());
    constexpr int kExecutions = 80;
    constexpr int kLines = 2000;
    for (int e = 0; e < kExecutions; ++e) {
        QList<LegacyLineSpec> lines;
        for (int i = 0; i < kLines; ++i)
            lines.append(NodeDbBuilder::stdoutLine("execution " + QByteArray::number(e) + " line "
                                                   + QByteArray::number(i)));
        node.addExecution(lines, legacyTimestamp("2025-12-26 00:00:00.000", qint64(e) * 3600000));
    }
    node.close();

    const QStringList args = {QStringLiteral("logs"), QStringLiteral("migrate-legacy"),
                              QStringLiteral("--db"), path, QStringLiteral("--execute")};
    QProcess first;
    first.setProgram(hivectlPath());
    first.setArguments(args);
    first.start();
    QVERIFY2(first.waitForStarted(), qPrintable(first.errorString()));

    // Kill as soon as the ledger proves a few executions committed, well before the end.
    qsizetype doneAtKill = 0;
    QElapsedTimer waited;
    waited.start();
    while (first.state() == QProcess::Running && waited.elapsed() < 60000) {
        doneAtKill = ledgerCounts(path).size();
        if (doneAtKill >= 3)
            break;
        QTest::qWait(5);
    }
    QVERIFY2(first.state() == QProcess::Running, "hivectl finished before it could be killed");
    ::kill(pid_t(first.processId()), SIGKILL);
    QVERIFY(first.waitForFinished(10000));
    QCOMPARE(first.exitStatus(), QProcess::CrashExit);

    // No partial execution survives the kill.
    const auto counts = logEntryCounts(path);
    const auto ledger = ledgerCounts(path);
    QVERIFY(ledger.size() >= doneAtKill);
    QVERIFY2(ledger.size() < kExecutions, "the kill came after the last execution");
    QCOMPARE(counts, ledger);

    QProcess second;
    second.start(hivectlPath(), args);
    QVERIFY(second.waitForFinished(120000));
    QVERIFY2(second.exitCode() == 0, second.readAllStandardError().constData());
    QVERIFY(second.readAllStandardOutput().contains("already migrated"));

    const QString differences = compareEntries(readLogEntries(path), node.expected());
    QVERIFY2(differences.isEmpty(), qPrintable(differences));
    QCOMPARE(ledgerCounts(path).size(), kExecutions);
}

QTEST_GUILESS_MAIN(TestLegacyResumeAfterKill)
#include "tst_legacy_resume_after_kill.moc"
