#include "LegacyTestChecks.h"
#include "NodeDbBuilder.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
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

// hivectl logs migrate-legacy as a user runs it. The main case runs it, kills it with SIGKILL once
// the ledger shows some executions done, and runs it again: every legacy line must end up exactly
// once, with its source timestamp.
class TestHivectlMigrateLegacy : public QObject
{
    Q_OBJECT

private slots:
    void resumesWithoutDuplicatesAfterSigkill();
    void dryRunJsonListsEveryLineItCannotMigrate();
    void rejectsBadUsage();
    void dropSourceKeepsTheTableUntilEveryLineIsMigratedOrAccepted();
    void repeatedIssuesArePrintedOnceWithCounts();
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

// The irreversible step: execution_process_logs is dropped only when every non-blank line is in
// log_entries whole, or when the user accepted the rest by name (--accept-skipped).
void TestHivectlMigrateLegacy::dropSourceKeepsTheTableUntilEveryLineIsMigratedOrAccepted()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("node.sqlite"));
    NodeDbBuilder node(path, LegacyEra::Batches);
    QVERIFY(node.create());
    const QByteArray longText = "long " + QByteArray(10000, 'y');
    const QByteArray oversized = node.addExecution({NodeDbBuilder::stdoutLine("short"),
                                                    NodeDbBuilder::stdoutLine(longText),
                                                    NodeDbBuilder::stderrLine("after")},
                                                   QStringLiteral("2025-12-26 10:00:00.000"));
    const QByteArray untimed
        = node.addExecution({NodeDbBuilder::stdoutLine("u1"), NodeDbBuilder::stdoutLine("u2"),
                             NodeDbBuilder::stdoutLine("u3")},
                            QStringLiteral("2025-12-26 11:00:00.000"));
    const QByteArray malformed = node.addExecution({NodeDbBuilder::stdoutLine("m1"),
                                                    NodeDbBuilder::badLine("{\"Stdout\":"),
                                                    NodeDbBuilder::stdoutLine("m3")},
                                                   QStringLiteral("2025-12-26 12:00:00.000"));
    node.close();
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("untime"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        q.prepare(QStringLiteral("UPDATE execution_process_logs SET inserted_at = 'not a time'"
                                 " WHERE execution_id = ?"));
        q.addBindValue(untimed);
        QVERIFY(q.exec());
        QCOMPARE(q.numRowsAffected(), 1);
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("untime"));
    auto name = [](const QByteArray &key) {
        return QUuid::fromRfc4122(key).toString(QUuid::WithoutBraces).toUtf8();
    };

    const QString startedAt
        = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    const QStringList args = {QStringLiteral("logs"),
                              QStringLiteral("migrate-legacy"),
                              QStringLiteral("--db"),
                              path,
                              QStringLiteral("--execute"),
                              QStringLiteral("--drop-source"),
                              QStringLiteral("--max-line-bytes"),
                              QStringLiteral("4096")};
    QProcess first;
    first.start(hivectlPath(), args);
    QVERIFY(first.waitForFinished(60000));
    const QByteArray out = first.readAllStandardOutput();
    const QByteArray err = first.readAllStandardError();
    QCOMPARE(first.exitCode(), 1);
    QVERIFY2(err.contains("not dropped, execution_process_logs kept: 1 non-blank lines are not in "
                          "log_entries and 1 are there only truncated, in 2 of 3 executions"),
             err.constData());
    QVERIFY2(err.contains("--accept-skipped"), err.constData());
    QVERIFY2(
        out.contains(QByteArray(name(malformed) + ": 1 lines not migrated, 0 stored truncated")),
        out.constData());
    QVERIFY2(
        out.contains(QByteArray(name(oversized) + ": 0 lines not migrated, 1 stored truncated")),
        out.constData());
    QVERIFY2(out.contains(QByteArray("execution " + name(malformed) + " row ")), out.constData());
    QVERIFY2(out.contains("line 2: malformed JSON"), out.constData());
    QVERIFY2(out.contains("inserted_at 'not a time' is not a time"), out.constData());
    QVERIFY(!sourceTableDigest(path).startsWith("query failed"));

    // Everything that could be stored is: the over-long line truncated with its marker, the
    // untimed row's lines with the migration's time.
    const QList<ExpectedEntry> entries = readLogEntries(path);
    QCOMPARE(entries.size(), 8);
    int truncated = 0, untimedSeen = 0;
    QString untimedStamp;
    for (const ExpectedEntry &entry : entries) {
        if (entry.content.contains("[hivewatch: truncated by the legacy migration")) {
            ++truncated;
            QCOMPARE(entry.executionKey, oversized);
            QVERIFY(entry.content.startsWith(longText.left(4000)));
        }
        if (entry.executionKey == untimed) {
            ++untimedSeen;
            QVERIFY2(entry.timestamp >= startedAt, qPrintable(entry.timestamp));
            if (untimedStamp.isEmpty())
                untimedStamp = entry.timestamp;
            QCOMPARE(entry.timestamp, untimedStamp);
        }
    }
    QCOMPARE(truncated, 1);
    QCOMPARE(untimedSeen, 3);

    // Accepting the loss by name lets the drop go ahead, and the report says what was accepted.
    QProcess second;
    second.start(hivectlPath(), args + QStringList {QStringLiteral("--accept-skipped")});
    QVERIFY(second.waitForFinished(60000));
    const QByteArray out2 = second.readAllStandardOutput();
    QVERIFY2(second.exitCode() == 0, second.readAllStandardError().constData());
    QVERIFY2(out2.contains("already migrated"), out2.constData());
    QVERIFY2(out2.contains("accepted as lost (--accept-skipped): 1 non-blank lines"),
             out2.constData());
    QVERIFY2(out2.contains("accepted executions:"), out2.constData());
    QVERIFY(out2.contains(QByteArray(name(malformed) + ": 1 lines not migrated")));
    QVERIFY(out2.contains("execution_process_logs dropped"));
    QVERIFY(sourceTableDigest(path).startsWith("query failed"));
    QCOMPARE(readLogEntries(path).size(), 8);
}

// 5,000 empty lines give a handful of output lines and a count, not 5,000 lines.
void TestHivectlMigrateLegacy::repeatedIssuesArePrintedOnceWithCounts()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("node.sqlite"));
    NodeDbBuilder node(path, LegacyEra::Batches);
    QVERIFY(node.create());
    QList<LegacyLineSpec> lines;
    for (int i = 0; i < 5000; ++i)
        lines.append(NodeDbBuilder::badLine(""));
    for (int i = 0; i < 25; ++i)
        lines.append(NodeDbBuilder::badLine("{\"Stdout\":" + QByteArray::number(i) + "}"));
    lines.append(NodeDbBuilder::stdoutLine("fine"));
    node.addExecution(lines, QStringLiteral("2025-12-27 10:00:00.000"));
    node.close();

    QProcess hivectl;
    hivectl.start(
        hivectlPath(),
        {QStringLiteral("logs"), QStringLiteral("migrate-legacy"), QStringLiteral("--db"), path});
    QVERIFY(hivectl.waitForFinished(60000));
    QCOMPARE(hivectl.exitCode(), 0);
    const QByteArray out = hivectl.readAllStandardOutput();
    QVERIFY2(out.count('\n') < 60, out.constData());
    QVERIFY2(out.contains("5000 x empty line (first: execution "), out.constData());
    QVERIFY2(out.contains("25 x Stdout payload is a number (first: execution "), out.constData());
    QCOMPARE(out.count(": empty line\n"), 10);
    QVERIFY(out.contains("(further 'empty line' issues are counted in the summary)"));
}

QTEST_GUILESS_MAIN(TestHivectlMigrateLegacy)
#include "tst_hivectl_migrate_legacy.moc"
