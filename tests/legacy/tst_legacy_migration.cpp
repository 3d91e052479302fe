#include "sync/legacy/LegacyMigrator.h"
#include "tests/legacy/LegacyTestChecks.h"
#include "tests/legacy/NodeDbBuilder.h"

#include <QFile>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

using namespace hivewatch;

Q_DECLARE_METATYPE(LegacyEra)

namespace {

const QByteArray kPatch
    = R"([{"op":"add","path":"/entries/0","value":{"type":"STDOUT","content":"hello"}}])";

// Every LogMsg variant, in the two forms serde accepts for Finished, plus text that stresses
// escaping: embedded newlines, quotes, non-ASCII.
QList<LegacyLineSpec> everyVariant()
{
    using B = NodeDbBuilder;
    return {
        B::sessionIdLine("3f1c2b9e-7d7a-4c1e-9a52-0c1f5b0d2e11"),
        B::stdoutLine("{\"type\":\"assistant\",\"message\":{}}\nsecond line\n"),
        B::stderrLine("npm WARN deprecated foo@1.0.0 — ünïcödé \"quoted\"\n"),
        B::jsonPatchLine(kPatch),
        B::refreshRequiredLine("executor restarted"),
        B::finishedLine(),
        {"{\"Finished\":null}", QStringLiteral("finished"), ""},
    };
}

// Every kind of line that must be reported and skipped, and a 10 MB line that must not be.
QList<LegacyLineSpec> troublesomeLines()
{
    using B = NodeDbBuilder;
    return {
        B::stdoutLine("before the trouble"),
        B::badLine("{\"Stdout\": \"unterminated"),
        B::badLine(""),
        B::badLine("{\"Stdout\":\"bad \xff\xfe bytes\"}"),
        B::badLine("{\"Thinking\":\"an unknown variant\"}"),
        B::badLine("\"Paused\""),
        B::badLine("{\"Stdout\":5}"),
        B::badLine("{\"Stdout\":\"a\",\"Stderr\":\"b\"}"),
        B::badLine("[1,2,3]"),
        B::badLine("{\"JsonPatch\":{\"op\":\"add\"}}"),
        B::badLine("{\"RefreshRequired\":{}}"),
        B::stdoutLine(QByteArray(10 * 1024 * 1024, 'x')),
        B::stderrLine("after the trouble"),
    };
}

QList<LegacyLineSpec> manyLines(int count, const QByteArray &prefix)
{
    QList<LegacyLineSpec> lines;
    for (int i = 0; i < count; ++i)
        lines.append(NodeDbBuilder::stdoutLine(prefix + QByteArray::number(i)));
    return lines;
}

Result<LegacyReport> migrate(const QString &path, bool execute,
                             const std::function<void(LegacyMigrator &)> &configure = {})
{
    LegacySource source;
    source.path = path;
    LegacyOptions options;
    options.execute = execute;
    LegacyMigrator migrator(source, LegacyTarget {}, options);
    if (configure)
        configure(migrator);
    return migrator.run();
}

} // namespace

class TestLegacyMigration : public QObject
{
    Q_OBJECT

private slots:
    void migratesEveryEraRowByRow_data();
    void migratesEveryEraRowByRow();
    void dryRunChangesNothing();
    void secondRunMigratesNothingTwice();
    void cancelLeavesNoPartialExecutionAndResumes();
    void migratesJsonlFileIntoHivewatchStore();
    void dropsSourceOnlyAfterVerification();
    void refusesExecutionWithForeignRows();
    void storesOverlongLinesTruncatedWithAMarker();
    void olderLedgerCountsEverySkippedLineBeforeADrop();

private:
    QTemporaryDir m_dir;
};

void TestLegacyMigration::migratesEveryEraRowByRow_data()
{
    QTest::addColumn<LegacyEra>("era");
    QTest::addColumn<bool>("viaLogStore");
    QTest::newRow("growing row per execution") << LegacyEra::GrowingRow << false;
    QTest::newRow("row per message") << LegacyEra::RowPerMessage << false;
    QTest::newRow("batches of up to 100 lines") << LegacyEra::Batches << false;
    QTest::newRow("batches, written through LogStore::append") << LegacyEra::Batches << true;
}

void TestLegacyMigration::migratesEveryEraRowByRow()
{
    QFETCH(LegacyEra, era);
    QFETCH(bool, viaLogStore);
    const QString path = m_dir.filePath(
        QStringLiteral("era%1%2.sqlite").arg(int(era)).arg(viaLogStore ? "-logstore" : ""));
    NodeDbBuilder node(path, era);
    QVERIFY(node.create());
    const QByteArray variants = node.addExecution(everyVariant(), "2025-10-01 08:00:00.000");
    const QByteArray trouble = node.addExecution(troublesomeLines(), "2025-10-02 09:30:00.250");
    const QByteArray many = node.addExecution(manyLines(250, "line "), "2025-10-03 10:00:00.000");
    const QByteArray empty = node.addExecutionWithEmptyRow("2025-10-04 11:00:00.000");
    node.addExecutionWithoutLogs();
    node.close();
    const QByteArray sourceBefore = sourceTableDigest(path);

    QList<LegacyIssue> issues;
    LegacySource source;
    source.path = path;
    LegacyOptions options;
    options.execute = true;
    LegacyMigrator migrator(source, LegacyTarget {}, options);
    migrator.setIssueCallback([&](const LegacyIssue &issue) { issues.append(issue); });
    const auto report = migrator.run();
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().toString()));

    // Row by row: type, content, source timestamp, original order.
    QString readError;
    const QList<ExpectedEntry> actual = readLogEntries(path, &readError);
    QVERIFY2(readError.isEmpty(), qPrintable(readError));
    const QString differences = compareEntries(actual, node.expected());
    QVERIFY2(differences.isEmpty(), qPrintable(differences));

    QCOMPARE(report->executions, 4); // the execution without legacy rows is not a source
    QCOMPARE(report->migratedExecutions, 4);
    QCOMPARE(report->lines, node.lineCount());
    QCOMPARE(report->migratedLines, qint64(node.expected().size()));
    QCOMPARE(report->badLines, node.badLineCount());
    QCOMPARE(report->blankLines, node.blankLineCount());
    QCOMPARE(report->rows,
             era == LegacyEra::GrowingRow          ? 4
                 : era == LegacyEra::RowPerMessage ? 7 + 13 + 250 + 1
                                                   : 1 + 1 + 5 + 1);

    // Every skipped line is reported with its execution, row and line number.
    QStringList reasons;
    for (const LegacyIssue &issue : issues) {
        QCOMPARE(issue.execution, QUuid::fromRfc4122(trouble).toString(QUuid::WithoutBraces));
        QVERIFY(issue.rowId > 0);
        reasons << QStringLiteral("%1:%2").arg(issue.lineNumber).arg(issue.reason);
    }
    const QStringList expectedReasons = {
        QStringLiteral("2:malformed JSON"),
        QStringLiteral("3:empty line"),
        QStringLiteral("4:invalid UTF-8"),
        QStringLiteral("5:unknown LogMsg variant 'Thinking'"),
        QStringLiteral("6:unknown LogMsg variant 'Paused'"),
        QStringLiteral("7:Stdout payload is a number, expected a string"),
        QStringLiteral("8:not a LogMsg: expected an object with exactly one key"),
        QStringLiteral("9:not a LogMsg: the line is an array"),
        QStringLiteral("10:JsonPatch payload is an object"),
        QStringLiteral("11:RefreshRequired payload has no string field 'reason'"),
    };
    QCOMPARE(reasons.size(), expectedReasons.size());
    for (qsizetype i = 0; i < reasons.size(); ++i)
        QVERIFY2(reasons[i].startsWith(expectedReasons[i]), qPrintable(reasons[i]));

    // The ledger records each execution, including the one whose row had no lines.
    const auto ledger = ledgerCounts(path);
    QCOMPARE(ledger.size(), 4);
    QCOMPARE(ledger.value(variants), qint64(everyVariant().size()));
    QCOMPARE(ledger.value(many), 250);
    QCOMPARE(ledger.value(empty), 0);
    QCOMPARE(sourceTableDigest(path), sourceBefore);
}

void TestLegacyMigration::dryRunChangesNothing()
{
    const QString path = m_dir.filePath(QStringLiteral("dry.sqlite"));
    NodeDbBuilder node(path, LegacyEra::Batches);
    QVERIFY(node.create());
    node.addExecution(troublesomeLines(), "2025-12-27 10:00:00.000");
    node.addExecution(manyLines(300, "dry "), "2025-12-27 11:00:00.000");
    node.close();
    // Fold the WAL into the main file so the file checksum covers every row.
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("ckpt"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery(db).exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("ckpt"));
    const QByteArray before = fileDigest(path);

    const auto report = migrate(path, false);
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().toString()));
    QVERIFY(!report->executed);
    QCOMPARE(report->executions, 2);
    QCOMPARE(report->lines, node.lineCount());
    QCOMPARE(report->migratableLines, qint64(node.expected().size()));
    QCOMPARE(report->badLines, node.badLineCount());
    QCOMPARE(report->migratedLines, 0);
    QCOMPARE(report->issues.size(), node.badLineCount() + node.blankLineCount());
    QVERIFY(report->bytes > 10 * 1024 * 1024);
    for (const auto &r : report->executionResults)
        QCOMPARE(r.status, LegacyExecutionResult::Status::WouldMigrate);

    QCOMPARE(fileDigest(path), before);
    QVERIFY(readLogEntries(path).isEmpty());
    QVERIFY(ledgerCounts(path).isEmpty());
}

void TestLegacyMigration::secondRunMigratesNothingTwice()
{
    const QString path = m_dir.filePath(QStringLiteral("twice.sqlite"));
    NodeDbBuilder node(path, LegacyEra::RowPerMessage);
    QVERIFY(node.create());
    node.addExecution(everyVariant(), "2025-11-20 10:00:00.000");
    node.addExecution(manyLines(120, "again "), "2025-11-20 11:00:00.000");
    node.close();

    QVERIFY(migrate(path, true).ok());
    const auto second = migrate(path, true);
    QVERIFY(second.ok());
    QCOMPARE(second->migratedExecutions, 0);
    QCOMPARE(second->alreadyMigratedExecutions, 2);
    const QString differences = compareEntries(readLogEntries(path), node.expected());
    QVERIFY2(differences.isEmpty(), qPrintable(differences));

    // The dry run after a migration says so too.
    const auto dry = migrate(path, false);
    QVERIFY(dry.ok());
    QCOMPARE(dry->alreadyMigratedExecutions, 2);
}

void TestLegacyMigration::cancelLeavesNoPartialExecutionAndResumes()
{
    const QString path = m_dir.filePath(QStringLiteral("cancel.sqlite"));
    NodeDbBuilder node(path, LegacyEra::Batches);
    QVERIFY(node.create());
    for (int e = 0; e < 6; ++e) {
        QList<LegacyLineSpec> lines = manyLines(5000, "cancel " + QByteArray::number(e) + " ");
        if (e == 2)
            lines.insert(2500, NodeDbBuilder::badLine("not json"));
        node.addExecution(lines, legacyTimestamp("2025-12-28 10:00:00.000", e * 60000));
    }
    node.close();

    // Cancel in the middle of the third execution: its bad line's report sets the flag, as a
    // user's click would while lines are being written.
    std::atomic<bool> cancel {false};
    const auto first = migrate(path, true, [&](LegacyMigrator &migrator) {
        migrator.setCancelFlag(&cancel);
        migrator.setIssueCallback([&](const LegacyIssue &) { cancel.store(true); });
    });
    QVERIFY(first.ok());
    QVERIFY(first->cancelled);
    QCOMPARE(first->migratedExecutions, 2);

    // No partial execution: every execution with rows has a ledger row with that many rows.
    const auto counts = logEntryCounts(path);
    const auto ledger = ledgerCounts(path);
    QCOMPARE(counts.size(), 2);
    QCOMPARE(counts, ledger);

    const auto second = migrate(path, true);
    QVERIFY(second.ok());
    QVERIFY(!second->cancelled);
    QCOMPARE(second->migratedExecutions, 4);
    QCOMPARE(second->alreadyMigratedExecutions, 2);
    const QString differences = compareEntries(readLogEntries(path), node.expected());
    QVERIFY2(differences.isEmpty(), qPrintable(differences));
}

void TestLegacyMigration::migratesJsonlFileIntoHivewatchStore()
{
    const QString jsonl = m_dir.filePath(QStringLiteral("exec.jsonl"));
    QFile file(jsonl);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QList<LegacyLineSpec> lines = everyVariant() + troublesomeLines();
    for (const LegacyLineSpec &line : lines)
        file.write(line.text + '\n');
    file.close();

    const QUuid execution = QUuid::createUuid();
    LegacySource source;
    source.kind = LegacySource::Kind::JsonlFile;
    source.path = jsonl;
    source.executionId = execution;
    source.timestamp = QStringLiteral("2025-09-30T23:59:59.5Z");
    LegacyTarget target;
    target.kind = LegacyTarget::Kind::Store;
    target.storePath = m_dir.filePath(QStringLiteral("store.sqlite"));
    LegacyOptions options;
    options.execute = true;
    const auto report = LegacyMigrator(source, target, options).run();
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().toString()));

    QList<ExpectedEntry> expected;
    for (const LegacyLineSpec &line : lines) {
        if (line.outputType)
            expected.append({execution.toRfc4122(), *line.outputType, line.content,
                             QStringLiteral("2025-09-30 23:59:59.500")});
    }
    const QString differences = compareEntries(readLogEntries(target.storePath), expected);
    QVERIFY2(differences.isEmpty(), qPrintable(differences));
    QCOMPARE(report->badLines + report->blankLines, 10);

    // Once in the ledger, the file is not imported again.
    const auto again = LegacyMigrator(source, target, options).run();
    QVERIFY(again.ok());
    QCOMPARE(again->alreadyMigratedExecutions, 1);
    QCOMPARE(readLogEntries(target.storePath).size(), expected.size());
}

void TestLegacyMigration::dropsSourceOnlyAfterVerification()
{
    const QString path = m_dir.filePath(QStringLiteral("drop.sqlite"));
    NodeDbBuilder node(path, LegacyEra::Batches);
    QVERIFY(node.create());
    const QByteArray grown = node.addExecution(manyLines(150, "drop "), "2025-12-29 10:00:00.000");
    node.close();
    QVERIFY(migrate(path, true).ok());

    // The node wrote more lines after the migration: verification must refuse to drop.
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("more"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO execution_process_logs VALUES (?, ?, 20, ?)"));
        q.addBindValue(grown);
        q.addBindValue(QStringLiteral("{\"Stdout\":\"late\"}\n"));
        q.addBindValue(QStringLiteral("2025-12-29 10:05:00.000"));
        QVERIFY(q.exec());
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("more"));

    LegacySource source;
    source.path = path;
    LegacyOptions options;
    options.execute = true;
    options.dropSourceAfterVerify = true;
    const auto refused = LegacyMigrator(source, LegacyTarget {}, options).run();
    QVERIFY(refused.ok());
    QVERIFY(!refused->sourceDropped);
    QVERIFY2(refused->verification.contains(QStringLiteral("verification failed")),
             qPrintable(refused->verification));
    QVERIFY(!sourceTableDigest(path).startsWith("query failed"));

    // A verified migration drops the table when asked to.
    const QString clean = m_dir.filePath(QStringLiteral("drop-clean.sqlite"));
    NodeDbBuilder cleanNode(clean, LegacyEra::RowPerMessage);
    QVERIFY(cleanNode.create());
    cleanNode.addExecution(everyVariant(), "2025-12-29 11:00:00.000");
    cleanNode.close();
    source.path = clean;
    const auto dropped = LegacyMigrator(source, LegacyTarget {}, options).run();
    QVERIFY2(dropped.ok(), qPrintable(dropped.ok() ? QString() : dropped.error().toString()));
    QVERIFY2(dropped->sourceDropped, qPrintable(dropped->verification));
    QVERIFY(sourceTableDigest(clean).startsWith("query failed"));
    QCOMPARE(readLogEntries(clean).size(), cleanNode.expected().size());
}

void TestLegacyMigration::refusesExecutionWithForeignRows()
{
    const QString path = m_dir.filePath(QStringLiteral("foreign.sqlite"));
    NodeDbBuilder node(path, LegacyEra::RowPerMessage);
    QVERIFY(node.create());
    const QByteArray key = node.addExecution(manyLines(3, "mine "), "2025-12-30 10:00:00.000");
    node.close();
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("nodewrite"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        q.prepare(QStringLiteral("INSERT INTO log_entries (execution_id, output_type, content)"
                                 " VALUES (?, 'stdout', 'written by the node')"));
        q.addBindValue(key);
        QVERIFY(q.exec());
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("nodewrite"));

    const auto report = migrate(path, true);
    QVERIFY(report.ok());
    QCOMPARE(report->skippedExecutions, 1);
    QVERIFY(report->executionResults.first().note.contains(QStringLiteral("--replace-existing")));
    QCOMPARE(readLogEntries(path).size(), 1);
}

// Over-long output lines are stored truncated, never cut inside an escape or a UTF-8 sequence, and
// end in a marker; an over-long line of any other kind, or one that does not end like a LogMsg,
// is reported as not migrated.
void TestLegacyMigration::storesOverlongLinesTruncatedWithAMarker()
{
    const QString path = m_dir.filePath(QStringLiteral("overlong.sqlite"));
    NodeDbBuilder node(path, LegacyEra::RowPerMessage);
    QVERIFY(node.create());
    QByteArray mixed;
    while (mixed.size() < 3000)
        mixed += "\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80 \"q\"\n\t\\ ";
    QByteArray pairs = "{\"Stdout\":\"";
    QByteArray pairsContent;
    for (int i = 0; i < 200; ++i) {
        pairs += "\\ud83d\\ude00";
        pairsContent += "\xf0\x9f\x98\x80";
    }
    pairs += "\"}";
    QByteArray patch = "[";
    for (int i = 0; i < 60; ++i)
        patch += QByteArray(i ? "," : "") + R"({"op":"remove","path":"/entries/0"})";
    patch += "]";
    const QByteArray key
        = node.addExecution({NodeDbBuilder::stdoutLine(mixed),
                             {pairs, QStringLiteral("stdout"), pairsContent},
                             NodeDbBuilder::stderrLine(QByteArray(3000, 'e')),
                             NodeDbBuilder::jsonPatchLine(patch),
                             NodeDbBuilder::badLine("{\"Stdout\":\"" + QByteArray(3000, 'z')),
                             {"{ \"Stderr\" : \"" + QByteArray(3000, 'w') + "\" }",
                              QStringLiteral("stderr"), QByteArray(3000, 'w')},
                             NodeDbBuilder::stdoutLine("short")},
                            "2025-12-30 12:00:00.000");
    node.close();

    QList<LegacyIssue> issues;
    LegacySource source;
    source.path = path;
    LegacyOptions options;
    options.execute = true;
    options.maxLineBytes = 1024;
    LegacyMigrator migrator(source, LegacyTarget {}, options);
    migrator.setIssueCallback([&](const LegacyIssue &issue) { issues.append(issue); });
    const auto report = migrator.run();
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().toString()));
    QCOMPARE(report->truncatedLines, 4);
    QCOMPARE(report->badLines, 2);
    QCOMPARE(report->migratedLines, 5);

    const QList<ExpectedEntry> entries = readLogEntries(path);
    QCOMPARE(entries.size(), 5);
    const QList<QByteArray> originals
        = {mixed, pairsContent, QByteArray(3000, 'e'), QByteArray(3000, 'w')};
    for (qsizetype i = 0; i < originals.size(); ++i) {
        const QByteArray content = entries[i].content;
        const qsizetype marker = content.indexOf("\n[hivewatch: truncated by the legacy migration");
        QVERIFY2(marker > 0, content.right(200).constData());
        const QByteArray kept = content.left(marker);
        QVERIFY(originals[i].startsWith(kept));
        QVERIFY(kept.size() > 300); // what fits in 1024 bytes of JSON, less the cut
        QCOMPARE(QString::fromUtf8(content).toUtf8(), content); // still valid UTF-8
        QCOMPARE(entries[i].executionKey, key);
    }
    QCOMPARE(entries[4].content, QByteArray("short"));

    QStringList kinds;
    for (const LegacyIssue &issue : issues)
        kinds << QStringLiteral("%1:%2").arg(issue.lineNumber).arg(issue.kind);
    QCOMPARE(
        kinds,
        QStringList({QStringLiteral("1:stored truncated"), QStringLiteral("2:stored truncated"),
                     QStringLiteral("3:stored truncated"), QStringLiteral("4:over-long line"),
                     QStringLiteral("5:over-long line"), QStringLiteral("6:stored truncated")}));
    QVERIFY2(issues[3].reason.contains(QStringLiteral("only a Stdout, Stderr or SessionId")),
             qPrintable(issues[3].reason));
    QVERIFY2(issues[4].reason.contains(QStringLiteral("does not end like a LogMsg")),
             qPrintable(issues[4].reason));
}

// A ledger written by an older Hivewatch has no bad_lines column: it cannot tell empty lines
// from lines that were not migrated, so a drop must count every skipped line as missing.
void TestLegacyMigration::olderLedgerCountsEverySkippedLineBeforeADrop()
{
    const QString path = m_dir.filePath(QStringLiteral("oldledger.sqlite"));
    NodeDbBuilder node(path, LegacyEra::RowPerMessage);
    QVERIFY(node.create());
    node.addExecution({NodeDbBuilder::stdoutLine("a"), NodeDbBuilder::badLine(""),
                       NodeDbBuilder::stdoutLine("b")},
                      QStringLiteral("2025-12-31 09:00:00.000"));
    node.close();
    QVERIFY(migrate(path, true).ok());
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("downgrade"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("ALTER TABLE hivewatch_legacy_log_ledger DROP COLUMN "
                                      "bad_lines")));
        QVERIFY(q.exec(QStringLiteral("ALTER TABLE hivewatch_legacy_log_ledger DROP COLUMN "
                                      "truncated_lines")));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("downgrade"));

    LegacySource source;
    source.path = path;
    LegacyOptions options;
    options.execute = true;
    options.dropSourceAfterVerify = true;
    const auto refused = LegacyMigrator(source, LegacyTarget {}, options).run();
    QVERIFY2(refused.ok(), qPrintable(refused.ok() ? QString() : refused.error().toString()));
    QVERIFY(!refused->sourceDropped);
    QCOMPARE(refused->alreadyMigratedExecutions, 1);
    QCOMPARE(refused->unmigratedLines, 1);
    QCOMPARE(refused->incompleteExecutions.size(), 1);
    QVERIFY2(refused->incompleteExecutions.first().contains(QStringLiteral("older version")),
             qPrintable(refused->incompleteExecutions.first()));
    QVERIFY(!sourceTableDigest(path).startsWith("query failed"));

    options.acceptSkipped = true;
    const auto dropped = LegacyMigrator(source, LegacyTarget {}, options).run();
    QVERIFY(dropped.ok());
    QVERIFY2(dropped->sourceDropped, qPrintable(dropped->verification));
    QVERIFY(dropped->skippedAccepted);
    QCOMPARE(readLogEntries(path).size(), 2);
}

QTEST_GUILESS_MAIN(TestLegacyMigration)
#include "tst_legacy_migration.moc"
