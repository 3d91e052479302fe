// Hostile legacy input (issue 14) through the real `hivectl logs migrate-legacy`: lines over
// the size limit, unparsable inserted_at, non-UTF-8 bytes, malformed JSON, unknown LogMsg
// variants, a flood of blank lines, and --drop-source, the one irreversible step, which must keep
// execution_process_logs unless every non-blank line is in log_entries or was accepted by name.
// The kill -9 resume case stays in tests/legacy/tst_hivectl_migrate_legacy.
#include "tests/hostile/HivectlRun.h"
#include "tests/hostile/PrivateMounts.h"
#include "tests/legacy/LegacyTestChecks.h"
#include "tests/legacy/NodeDbBuilder.h"

#include <QDateTime>
#include <QDir>
#include <QProcess>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

namespace {

QString hivectlPath()
{
    return HivectlRun::path();
}

QByteArray name(const QByteArray &key)
{
    return QUuid::fromRfc4122(key).toString(QUuid::WithoutBraces).toUtf8();
}

} // namespace

class TestHostileLegacy : public QObject
{
    Q_OBJECT

private slots:
    void dropSourceKeepsTheTableUntilEveryLineIsMigratedOrAccepted();
    void hundredThousandBlankLinesAreSummarizedNotPrinted();
    void lineOverTheDefaultLimitIsStoredTruncatedAndCounted();
    void hostileLinesAreNamedCountedAndKeepTheSource();
    void fullDiskRollsBackTheExecutionAndResumes();
};

// The irreversible step: execution_process_logs is dropped only when every non-blank line is in
// log_entries whole, or when the user accepted the rest by name (--accept-skipped).
void TestHostileLegacy::dropSourceKeepsTheTableUntilEveryLineIsMigratedOrAccepted()
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

// 100,000 empty lines give a handful of output lines and counts, in the dry run and with
// --execute, and blank lines alone never stop --drop-source.
void TestHostileLegacy::hundredThousandBlankLinesAreSummarizedNotPrinted()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("node.sqlite"));
    NodeDbBuilder node(path, LegacyEra::Batches);
    QVERIFY(node.create());
    QList<LegacyLineSpec> lines;
    for (int i = 0; i < 100000; ++i)
        lines.append(NodeDbBuilder::badLine(i % 2 ? "" : "   "));
    for (int i = 0; i < 25; ++i)
        lines.append(NodeDbBuilder::badLine("{\"Stdout\":" + QByteArray::number(i) + "}"));
    lines.append(NodeDbBuilder::stdoutLine("fine"));
    node.addExecution(lines, QStringLiteral("2025-12-27 10:00:00.000"));
    const QByteArray blanksOnly = node.addExecution(
        {NodeDbBuilder::badLine(""), NodeDbBuilder::stdoutLine("kept"), NodeDbBuilder::badLine("")},
        QStringLiteral("2025-12-27 11:00:00.000"));
    node.close();
    const QStringList base
        = {QStringLiteral("logs"), QStringLiteral("migrate-legacy"), QStringLiteral("--db"), path};

    for (const QStringList &extra :
         {QStringList {},
          QStringList {QStringLiteral("--execute"), QStringLiteral("--drop-source")}}) {
        const HivectlRun r = HivectlRun::run(base + extra, 120000);
        const bool execute = !extra.isEmpty();
        QCOMPARE(r.exitCode, execute ? 1 : 0); // the 25 bad lines keep the source
        QVERIFY2(r.out.count('\n') < 60, qPrintable(r.describe()));
        QVERIFY2(r.errLines().size() <= 1, qPrintable(r.describe()));
        QVERIFY2(r.out.contains("100002 x empty line (first: execution "),
                 qPrintable(r.describe()));
        QVERIFY2(r.out.contains("25 x Stdout payload is a number (first: execution "),
                 qPrintable(r.describe()));
        QCOMPARE(r.out.count(": empty line\n"), 10);
        QVERIFY(r.out.contains("(further 'empty line' issues are counted in the summary)"));
        if (execute) {
            QVERIFY2(r.err.contains("25 non-blank lines are not in log_entries"),
                     qPrintable(r.describe()));
            QVERIFY(!r.out.contains(QByteArray(name(blanksOnly) + ": ")));
        }
    }
    QVERIFY(!sourceTableDigest(path).startsWith("query failed"));
    QCOMPARE(readLogEntries(path).size(), 2);
}

// A 70 MB {"Stdout":…} line is over the default 64 MiB limit: stored truncated with a marker,
// counted, and the source is kept until the loss is accepted.
void TestHostileLegacy::lineOverTheDefaultLimitIsStoredTruncatedAndCounted()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("node.sqlite"));
    {
        NodeDbBuilder node(path, LegacyEra::Batches);
        QVERIFY(node.create());
        QByteArray huge(70 * 1000 * 1000, 'h');
        huge.replace(0, 6, "start ");
        node.addExecution({NodeDbBuilder::stdoutLine("before"), NodeDbBuilder::stdoutLine(huge),
                           NodeDbBuilder::stdoutLine("after")},
                          QStringLiteral("2025-12-28 10:00:00.000"));
        node.close();
    }
    const HivectlRun r = HivectlRun::run({QStringLiteral("logs"), QStringLiteral("migrate-legacy"),
                                          QStringLiteral("--db"), path, QStringLiteral("--execute"),
                                          QStringLiteral("--drop-source")},
                                         180000);
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("lines stored truncated 1"), qPrintable(r.describe()));
    QVERIFY2(r.out.contains("1 x stored truncated (first: execution "), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("0 non-blank lines are not in log_entries and 1 are there only "
                            "truncated"),
             qPrintable(r.describe()));
    QVERIFY(!sourceTableDigest(path).startsWith("query failed"));

    const QList<ExpectedEntry> entries = readLogEntries(path);
    QCOMPARE(entries.size(), 3);
    QCOMPARE(entries[0].content, QByteArray("before"));
    QCOMPARE(entries[2].content, QByteArray("after"));
    const QByteArray &stored = entries[1].content;
    QVERIFY(stored.startsWith("start hhhh"));
    QVERIFY(stored.contains("[hivewatch: truncated by the legacy migration"));
    QVERIFY2(stored.size() <= 64 * 1024 * 1024 + 1024, qPrintable(QString::number(stored.size())));
}

// Bytes that are not UTF-8, malformed JSON, JSON that is no LogMsg and unknown variants: each is
// named with its execution, row and line, counted by kind, the good lines around them migrate,
// and the source stays until the user accepts the loss.
void TestHostileLegacy::hostileLinesAreNamedCountedAndKeepTheSource()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("node.sqlite"));
    NodeDbBuilder node(path, LegacyEra::RowPerMessage);
    QVERIFY(node.create());
    const QByteArray key = node.addExecution(
        {NodeDbBuilder::stdoutLine("good 1"),
         NodeDbBuilder::badLine("{\"Stdout\":\"\xff\xfe\xc3\"}"),
         NodeDbBuilder::badLine("{\"Stdout\":\"unterminated"),
         NodeDbBuilder::badLine("{\"Telemetry\":{\"cpu\":1}}"), NodeDbBuilder::badLine("\"Nope\""),
         NodeDbBuilder::badLine("[1,2,3]"), NodeDbBuilder::stderrLine("good 2")},
        QStringLiteral("2025-12-29 10:00:00.000"));
    node.close();
    const QStringList args = {QStringLiteral("logs"),      QStringLiteral("migrate-legacy"),
                              QStringLiteral("--db"),      path,
                              QStringLiteral("--execute"), QStringLiteral("--drop-source")};
    const HivectlRun r = HivectlRun::run(args);
    QCOMPARE(r.exitCode, 1);
    const QByteArray place = "execution " + name(key) + " row ";
    for (const char *reason :
         {"invalid UTF-8", "malformed JSON", "unknown LogMsg variant", "not a LogMsg"}) {
        QVERIFY2(r.out.contains(reason), reason);
    }
    QVERIFY2(r.out.contains(place), qPrintable(r.describe()));
    QVERIFY2(r.out.contains("line 2: invalid UTF-8"), qPrintable(r.describe()));
    QVERIFY2(r.out.contains(QByteArray("  1 x invalid UTF-8 (first: " + place)),
             qPrintable(r.describe()));
    QVERIFY2(r.out.contains(QByteArray("  2 x unknown LogMsg variant (first: " + place)),
             qPrintable(r.describe()));
    QVERIFY2(r.out.contains("lines that cannot be migrated 5"), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("5 non-blank lines are not in log_entries"), qPrintable(r.describe()));
    QVERIFY2(r.errLines().size() == 1, qPrintable(r.describe()));
    QVERIFY(!sourceTableDigest(path).startsWith("query failed"));
    QCOMPARE(readLogEntries(path).size(), 2);

    const HivectlRun accepted
        = HivectlRun::run(args + QStringList {QStringLiteral("--accept-skipped")});
    QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.describe()));
    QVERIFY2(accepted.out.contains("accepted as lost (--accept-skipped): 5 non-blank lines"),
             qPrintable(accepted.describe()));
    QVERIFY(sourceTableDigest(path).startsWith("query failed"));
    QCOMPARE(readLogEntries(path).size(), 2);
}

// The target store on a 1 MiB disk: the execution that does not fit is rolled back whole, the one
// before it stays, and with room again the same command finishes without duplicates.
void TestHostileLegacy::fullDiskRollsBackTheExecutionAndResumes()
{
    QTemporaryDir dir;
    const QString source = dir.filePath(QStringLiteral("node.sqlite"));
    NodeDbBuilder node(source, LegacyEra::Batches);
    QVERIFY(node.create());
    node.addExecution({NodeDbBuilder::stdoutLine("small 1"), NodeDbBuilder::stdoutLine("small 2")},
                      QStringLiteral("2025-12-30 10:00:00.000"));
    QList<LegacyLineSpec> big;
    for (int i = 0; i < 3000; ++i)
        big.append(NodeDbBuilder::stdoutLine("big " + QByteArray::number(i) + ' '
                                             + QByteArray(1000, 'b')));
    node.addExecution(big, QStringLiteral("2025-12-30 11:00:00.000"));
    node.close();

    const QString disk = dir.filePath(QStringLiteral("small-disk"));
    QVERIFY(QDir().mkdir(disk));
    if (const QString why = mountSmallDisk(disk, "1m"); !why.isEmpty())
        QSKIP(qPrintable(QStringLiteral("a full disk needs a private tmpfs: ") + why));
    const QByteArray mountPoint = QFile::encodeName(disk);
    const auto unmount = qScopeGuard([&] { ::umount2(mountPoint.constData(), MNT_DETACH); });
    const QString target = disk + QStringLiteral("/store.sqlite");
    const QStringList args = {QStringLiteral("logs"),     QStringLiteral("migrate-legacy"),
                              QStringLiteral("--db"),     source,
                              QStringLiteral("--target"), target,
                              QStringLiteral("--execute")};

    const HivectlRun full = HivectlRun::run(args, 120000);
    QCOMPARE(full.exitCode, 1);
    QVERIFY2(full.errLines().size() == 1, qPrintable(full.describe()));
    QVERIFY2(full.err.contains("rolled back and can be migrated again")
                 && full.err.contains(target.toUtf8()) && full.err.contains("full"),
             qPrintable(full.describe()));
    QCOMPARE(readLogEntries(target).size(), 2); // the small execution, whole; nothing of the big

    QVERIFY(::mount(nullptr, mountPoint.constData(), nullptr, MS_REMOUNT, "size=64m") == 0);
    const HivectlRun resumed = HivectlRun::run(args, 120000);
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.describe()));
    QVERIFY2(resumed.out.contains("already migrated"), qPrintable(resumed.describe()));
    QCOMPARE(readLogEntries(target).size(), 3002);
}

QTEST_GUILESS_MAIN(TestHostileLegacy)
#include "tst_hostile_legacy.moc"
