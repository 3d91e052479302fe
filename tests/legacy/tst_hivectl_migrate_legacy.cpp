#include "tests/legacy/LegacyTestChecks.h"
#include "tests/legacy/NodeDbBuilder.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <csignal>

namespace {

QString hivectlPath()
{
    return qEnvironmentVariable("HIVEWATCH_BINARY_DIR") + QStringLiteral("/app/hivectl/hivectl");
}

} // namespace

// hivectl logs migrate-legacy as a user runs it (its hostile inputs:
// tests/hostile/tst_hostile_legacy). The main case runs it, kills it with SIGKILL once the ledger
// shows some executions done, and runs it again: every legacy line must end up exactly once, with
// its source timestamp.
class TestHivectlMigrateLegacy : public QObject
{
    Q_OBJECT

private slots:
    void resumesWithoutDuplicatesAfterSigkill();
    void dryRunJsonListsEveryLineItCannotMigrate();
    void rejectsBadUsage();
};

void TestHivectlMigrateLegacy::resumesWithoutDuplicatesAfterSigkill()
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

void TestHivectlMigrateLegacy::dryRunJsonListsEveryLineItCannotMigrate()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("node.sqlite"));
    NodeDbBuilder node(path, LegacyEra::RowPerMessage);
    QVERIFY(node.create());
    const QByteArray key
        = node.addExecution({NodeDbBuilder::stdoutLine("ok"),
                             NodeDbBuilder::badLine("{\"Stdout\":"), NodeDbBuilder::finishedLine()},
                            QStringLiteral("2025-11-30 08:00:00.000"));
    node.close();
    const QByteArray before = fileDigest(path);

    QProcess hivectl;
    hivectl.start(hivectlPath(),
                  {QStringLiteral("logs"), QStringLiteral("migrate-legacy"), QStringLiteral("--db"),
                   path, QStringLiteral("--json")});
    QVERIFY(hivectl.waitForFinished(30000));
    QCOMPARE(hivectl.exitCode(), 0);
    QJsonParseError error;
    const QJsonObject report
        = QJsonDocument::fromJson(hivectl.readAllStandardOutput(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(report.value(QStringLiteral("mode")).toString(), QStringLiteral("dry-run"));
    QCOMPARE(report.value(QStringLiteral("lines")).toInt(), 3);
    QCOMPARE(report.value(QStringLiteral("migratable_lines")).toInt(), 2);
    const QJsonArray issues = report.value(QStringLiteral("issues")).toArray();
    QCOMPARE(issues.size(), 1);
    const QJsonObject issue = issues.first().toObject();
    QCOMPARE(issue.value(QStringLiteral("execution")).toString(),
             QUuid::fromRfc4122(key).toString(QUuid::WithoutBraces));
    QCOMPARE(issue.value(QStringLiteral("line")).toInt(), 2);
    QVERIFY(issue.value(QStringLiteral("row")).toInt() > 0);
    QVERIFY(issue.value(QStringLiteral("reason"))
                .toString()
                .startsWith(QStringLiteral("malformed JSON")));
    QCOMPARE(fileDigest(path), before);
}

void TestHivectlMigrateLegacy::rejectsBadUsage()
{
    QProcess hivectl;
    hivectl.start(hivectlPath(),
                  {QStringLiteral("logs"), QStringLiteral("migrate-legacy"), QStringLiteral("--db"),
                   QStringLiteral("/nonexistent/db.sqlite"), QStringLiteral("--execution-id"),
                   QStringLiteral("not-a-uuid")});
    QVERIFY(hivectl.waitForFinished(30000));
    QCOMPARE(hivectl.exitCode(), 2);
    QVERIFY(hivectl.readAllStandardError().contains("not-a-uuid"));

    hivectl.start(hivectlPath(),
                  {QStringLiteral("logs"), QStringLiteral("migrate-legacy"), QStringLiteral("--db"),
                   QStringLiteral("/nonexistent/db.sqlite")});
    QVERIFY(hivectl.waitForFinished(30000));
    QCOMPARE(hivectl.exitCode(), 1);
    QVERIFY(hivectl.readAllStandardError().contains("/nonexistent/db.sqlite does not exist"));
}

QTEST_GUILESS_MAIN(TestHivectlMigrateLegacy)
#include "tst_hivectl_migrate_legacy.moc"
