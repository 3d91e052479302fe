#include "sync/legacy/LegacyEntryWriter.h"
#include "sync/legacy/LegacyMigrator.h"
#include "sync/legacy/LogMsgParseQueue.h"
#include "sync/legacy/WalCheckpointer.h"
#include "sync/sqlite/SqliteConnection.h"
#include "tests/legacy/LegacyTestChecks.h"
#include "tests/legacy/NodeDbBuilder.h"

#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

// The bulk-write machinery behind the migration's speed: multi-row INSERT statements and their
// tails, CHECK constraints skipped while writing, and the background WAL checkpointer.
class TestLegacyBulkWrite : public QObject
{
    Q_OBJECT

private slots:
    void writesStatementTailsInOrder();
    void keepsOrderAcrossParseChunks();
    void writtenOutputTypesPassTheNodeCheck();
    void checkpointerKeepsTheWalBounded();
    void migratesWhileTheWalIsCheckpointedAndStartedOver();

private:
    // Writes a batch-era node database with these executions, migrates it in place and returns
    // its path (empty on failure); m_node knows what log_entries must hold.
    QString migrateNode(const QString &name, const QList<QList<LegacyLineSpec>> &executions,
                        QList<LegacyIssue> *issues = nullptr);
    QTemporaryDir m_dir;
    std::unique_ptr<NodeDbBuilder> m_node;
};

namespace {

// One write of the migration to LogRowWriter (a multiple of its 64-row INSERT statement).
constexpr int kStatement = LegacyEntryWriter::kRowsPerWrite;

QList<LegacyLineSpec> lines(int count, const QByteArray &prefix)
{
    QList<LegacyLineSpec> out;
    for (int i = 0; i < count; ++i)
        out.append(i % 3 == 2 ? NodeDbBuilder::stderrLine(prefix + QByteArray::number(i))
                              : NodeDbBuilder::stdoutLine(prefix + QByteArray::number(i)));
    return out;
}

qint64 scalar(const QString &path, const QString &sql)
{
    const QString name = QStringLiteral("bulk-") + QUuid::createUuid().toString();
    qint64 value = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql) && q.next())
                value = q.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return value;
}

} // namespace

QString TestLegacyBulkWrite::migrateNode(const QString &name,
                                         const QList<QList<LegacyLineSpec>> &executions,
                                         QList<LegacyIssue> *issues)
{
    const QString path = m_dir.filePath(name);
    m_node = std::make_unique<NodeDbBuilder>(path, LegacyEra::Batches);
    if (!m_node->create())
        return {};
    for (qsizetype e = 0; e < executions.size(); ++e)
        m_node->addExecution(executions[e], legacyTimestamp("2025-12-30 10:00:00.000", e * 60000));
    m_node->close();
    LegacySource source;
    source.path = path;
    LegacyOptions options;
    options.execute = true;
    LegacyMigrator migrator(source, LegacyTarget {}, options);
    if (issues)
        migrator.setIssueCallback([issues](const LegacyIssue &issue) { issues->append(issue); });
    const auto report = migrator.run();
    if (!report.ok()) {
        qWarning() << report.error().toString();
        return {};
    }
    return path;
}

void TestLegacyBulkWrite::writesStatementTailsInOrder()
{
    // Executions that end exactly on a statement, one row before or after it, span several
    // statements, hold a single line, and mix bad lines into what would be a full statement;
    // in one run, so a tail left over from one execution would show up in the next.
    QList<LegacyLineSpec> mixed = lines(kStatement, "mixed ");
    for (int at : {0, kStatement / 2, kStatement + 1})
        mixed.insert(at, NodeDbBuilder::badLine("{\"Stdout\": broken"));
    const QList<QList<LegacyLineSpec>> executions = {
        lines(kStatement, "exact "),
        lines(kStatement - 1, "short "),
        lines(kStatement + 1, "over "),
        lines(3 * kStatement, "three "),
        lines(3 * kStatement + 7, "tail "),
        lines(1, "single "),
        mixed,
    };
    const QString path = migrateNode(QStringLiteral("tails.sqlite"), executions);
    QVERIFY(!path.isEmpty());

    QString readError;
    const QList<ExpectedEntry> actual = readLogEntries(path, &readError);
    QVERIFY2(readError.isEmpty(), qPrintable(readError));
    QCOMPARE(actual.size(), qint64(10 * kStatement + 8));
    const QString differences = compareEntries(actual, m_node->expected());
    QVERIFY2(differences.isEmpty(), qPrintable(differences));
    // Ids follow the source order within each execution, with no gaps.
    QCOMPARE(
        scalar(path, QStringLiteral("SELECT max(id) - min(id) + 1 - count(*) FROM log_entries")),
        0);
}

void TestLegacyBulkWrite::keepsOrderAcrossParseChunks()
{
    // Lines are parsed on another thread a chunk at a time: bad and empty lines on either side
    // of a chunk border, an execution of exactly two chunks, and executions with nothing to
    // write right after a long one must come out as if parsed in place, issues in line order.
    constexpr int kChunk = int(LogMsgParseQueue::kChunkLines);
    QList<LegacyLineSpec> borders = lines(2 * kChunk + 3, "border ");
    for (int at : {kChunk - 1, kChunk + 1, 2 * kChunk + 2}) // after each insert: chunk edges
        borders.insert(at, NodeDbBuilder::badLine(at % 2 ? "" : "not json"));
    const QList<QList<LegacyLineSpec>> executions = {
        borders,
        lines(2 * kChunk, "two chunks "),
        {NodeDbBuilder::badLine("{\"Stdout\":")},
        lines(kChunk + 5, "after "),
    };
    QList<LegacyIssue> issues;
    const QString path = migrateNode(QStringLiteral("chunks.sqlite"), executions, &issues);
    QVERIFY(!path.isEmpty());

    const QString differences = compareEntries(readLogEntries(path), m_node->expected());
    QVERIFY2(differences.isEmpty(), qPrintable(differences));
    QStringList where;
    for (const LegacyIssue &issue : issues)
        where << QString::number(issue.lineNumber);
    QCOMPARE(where.join(u','),
             QStringLiteral("%1,%2,%3,1").arg(kChunk).arg(kChunk + 2).arg(2 * kChunk + 3));
    QCOMPARE(ledgerCounts(path).value(m_node->expected().last().executionKey), kChunk + 5);
}

void TestLegacyBulkWrite::writtenOutputTypesPassTheNodeCheck()
{
    // The migration does not let SQLite evaluate log_entries' CHECK on output_type (too slow),
    // so every type it writes must pass that check by construction.
    using B = NodeDbBuilder;
    const QList<LegacyLineSpec> every = {
        B::sessionIdLine("3f1c2b9e-7d7a-4c1e-9a52-0c1f5b0d2e11"),
        B::stdoutLine("out"),
        B::stderrLine("err"),
        B::jsonPatchLine(R"([{"op":"add","path":"/entries/0","value":1}])"),
        B::refreshRequiredLine("executor restarted"),
        B::finishedLine(),
    };
    const QString path = migrateNode(QStringLiteral("check.sqlite"), {every});
    QVERIFY(!path.isEmpty());
    const QString check = QStringLiteral(
        "SELECT count(*) FROM log_entries WHERE NOT (output_type IN ('stdout', 'stderr', "
        "'system', 'json_patch', 'session_id', 'finished', 'refresh_required'))");
    QCOMPARE(scalar(path, QStringLiteral("SELECT count(DISTINCT output_type) FROM log_entries")),
             6);
    QCOMPARE(scalar(path, check), 0);
    // The schema's CHECK still holds for everyone else writing to the node's database.
    QCOMPARE(scalar(path,
                    QStringLiteral("INSERT INTO log_entries (execution_id, output_type, content)"
                                   " SELECT execution_id, 'bogus', '' FROM log_entries LIMIT 1"
                                   " RETURNING 1")),
             -1);
}

void TestLegacyBulkWrite::checkpointerKeepsTheWalBounded()
{
    const QString path = m_dir.filePath(QStringLiteral("wal.sqlite"));
    auto opened = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite);
    QVERIFY(!opened.ok()); // openReadWrite does not create files
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), "create-wal");
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode = WAL")));
        QVERIFY(q.exec(QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("create-wal"));
    opened = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite);
    QVERIFY(opened.ok());
    const SqliteConnection &writer = *opened;
    QVERIFY(writer.exec("PRAGMA wal_autocheckpoint = 0").ok()); // only the checkpointer's runs

    // Each transaction adds ~10 pages; runs every 16 pages; the writer waits at 64.
    constexpr int kWaitPages = 64;
    const QString wal = path + QStringLiteral("-wal");
    qint64 largestWal = 0;
    quint64 runs = 0;
    {
        auto checkpointer = WalCheckpointer::start(writer, 16, kWaitPages);
        QVERIFY(checkpointer);
        auto insert = writer.prepare("INSERT INTO t (v) VALUES (?1)");
        QVERIFY(insert.ok());
        const std::string value(1000, 'v');
        for (int txn = 0; txn < 300; ++txn) {
            QVERIFY(writer.exec("BEGIN").ok());
            for (int i = 0; i < 40; ++i) {
                insert->bindText(1, value);
                QVERIFY(insert->run().ok());
            }
            QVERIFY(writer.exec("COMMIT").ok());
            largestWal = std::max(largestWal, QFileInfo(wal).size());
        }
        runs = checkpointer->completedRuns();
    }
    QVERIFY2(runs >= 20, qPrintable(QString::number(runs)));
    // Without the WAL starting over, 300 transactions would leave ~3000 pages in it.
    QVERIFY2(largestWal < (kWaitPages + 40) * (4096 + 24),
             qPrintable(QStringLiteral("WAL grew to %1 bytes").arg(largestWal)));
    QCOMPARE(scalar(path, QStringLiteral("SELECT count(*) FROM t")), 300 * 40);
    QCOMPARE(scalar(path,
                    QStringLiteral("SELECT count(*) FROM pragma_integrity_check"
                                   " WHERE integrity_check = 'ok'")),
             1);
}

void TestLegacyBulkWrite::migratesWhileTheWalIsCheckpointedAndStartedOver()
{
    // The real migration with the checkpointer's thresholds scaled down so it checkpoints and
    // starts the WAL over many times while executions are being written.
    const QString path = m_dir.filePath(QStringLiteral("restart.sqlite"));
    m_node = std::make_unique<NodeDbBuilder>(path, LegacyEra::Batches);
    QVERIFY(m_node->create());
    const QByteArray padding(400, 'p');
    for (int e = 0; e < 12; ++e)
        m_node->addExecution(lines(800, padding + QByteArray::number(e) + ' '),
                             legacyTimestamp("2025-12-31 10:00:00.000", e * 60000));
    m_node->close();

    LegacySource source;
    source.path = path;
    LegacyOptions options;
    options.execute = true;
    options.walCheckpointStepBytes = 64 * 1024;
    options.walCheckpointWaitBytes = 256 * 1024;
    LegacyMigrator migrator(source, LegacyTarget {}, options);
    // Progress is reported after every execution's commit: sample the WAL there.
    const QString wal = path + QStringLiteral("-wal");
    qint64 largestWal = 0;
    migrator.setProgressCallback(
        [&](const LegacyProgress &) { largestWal = std::max(largestWal, QFileInfo(wal).size()); });
    const auto report = migrator.run();
    QVERIFY2(report.ok(), qPrintable(report.ok() ? QString() : report.error().toString()));
    QCOMPARE(report->migratedExecutions, 12);

    const QString differences = compareEntries(readLogEntries(path), m_node->expected());
    QVERIFY2(differences.isEmpty(), qPrintable(differences));
    QCOMPARE(logEntryCounts(path), ledgerCounts(path));
    // 12 executions of ~350 KiB each went through a WAL that never held much more than the
    // wait threshold plus one execution, and was folded back in at the end.
    QVERIFY2(largestWal > 0 && largestWal < 1024 * 1024,
             qPrintable(QStringLiteral("WAL reached %1 bytes").arg(largestWal)));
    QCOMPARE(QFileInfo(wal).size(), 0);
    QCOMPARE(scalar(path,
                    QStringLiteral("SELECT count(*) FROM pragma_integrity_check"
                                   " WHERE integrity_check = 'ok'")),
             1);
}

QTEST_GUILESS_MAIN(TestLegacyBulkWrite)
#include "tst_legacy_bulk_write.moc"
