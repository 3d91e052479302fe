#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogStore.h"
#include "sync/store/LogStoreSchema.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QThread>
#include <QTimeZone>

#include <chrono>
#include <csignal>
#include <cstring>
#include <thread>

#include <unistd.h>

#include <sched.h>
#include <sys/mount.h>

using namespace hivewatch;

namespace {

const QUuid kExecA = QUuid::fromString(QStringLiteral("{6f1c2b9e-7d7a-4c1e-9a52-0c1f5b0d2e11}"));
const QUuid kExecB = QUuid::fromString(QStringLiteral("{0a2b3c4d-1111-4222-8333-944455556666}"));
constexpr int kKillBatchRows = 2000;

QList<NewLogEntry> lines(const QUuid &exec, int count,
                         const QString &prefix = QStringLiteral("line"),
                         std::optional<qint64> firstSourceId = std::nullopt)
{
    QList<NewLogEntry> rows;
    for (int i = 0; i < count; ++i) {
        NewLogEntry e;
        e.executionId = exec;
        e.outputType = i % 3 == 0 ? QStringLiteral("stderr") : QStringLiteral("stdout");
        e.content = prefix + QLatin1Char(' ') + QString::number(i);
        if (firstSourceId)
            e.sourceId = *firstSourceId + i;
        rows.append(e);
    }
    return rows;
}

std::unique_ptr<LogStore> openOrFail(const QString &path, LogStore::Access access)
{
    auto r = LogStore::open(path, access);
    if (!r) {
        qWarning("%s", qPrintable(r.error().toString()));
        return nullptr;
    }
    return std::move(r.value());
}

QList<qint64> ids(const LogPage &p)
{
    QList<qint64> out;
    for (const LogEntry &e : p.entries)
        out.append(e.id);
    return out;
}

QList<qint64> range(qint64 from, qint64 to) // inclusive, either direction
{
    QList<qint64> out;
    for (qint64 i = from; from <= to ? i <= to : i >= to; i += from <= to ? 1 : -1)
        out.append(i);
    return out;
}

// Child process modes for the SIGKILL tests: they append batches of kKillBatchRows rows, one
// transaction per batch, and report each commit on stdout.
int runWriter(const QString &path, bool stallMidBatch)
{
    auto store = LogStore::open(path, LogStore::Access::ReadWrite);
    if (!store)
        return 3;
    QTextStream out(stdout);
    for (int batch = 0;; ++batch) {
        auto rows = lines(kExecA, kKillBatchRows, QStringLiteral("batch %1").arg(batch),
                          qint64(batch) * kKillBatchRows);
        if (stallMidBatch && batch == 3) {
            // Half a batch written inside an open transaction, then wait to be killed.
            const auto r = store.value()->withTransaction([&]() -> Result<void> {
                auto n = store.value()->appendInCurrentTransaction(rows.mid(0, kKillBatchRows / 2));
                if (!n)
                    return n.error();
                out << "mid-batch " << batch << Qt::endl;
                QThread::sleep(60);
                return {};
            });
            return r.ok() ? 4 : 5;
        }
        if (!store.value()->append(rows))
            return 6;
        out << "committed " << batch << Qt::endl;
    }
}

} // namespace

class TestLogStore : public QObject
{
    Q_OBJECT

private slots:
    void init();

    void newStoreHasCurrentSchemaVersion();
    void anotherConnectionsSchemaChangeBeforeTheFirstWriteIsSeen();
    void emptyStorePagesAsEmpty();
    void forwardPagingStopsAtExactPageBoundary();
    void backwardPageComesBackNewestFirstInDescendingOrder();
    void cursorPastTheEndOrBeforeTheStartGivesAnEmptyPage();
    void pagesHoldOnlyTheirExecutionsRows();
    void reappendingTheSameSourceIdsUpdatesInsteadOfDuplicating();
    void batchesOfEverySizeKeepOrderAndExactCounts_data();
    void batchesOfEverySizeKeepOrderAndExactCounts();
    void syncedLinesAttachDetachAndStayInTheHistory();
    void badOutputTypeFailsTheWholeBatch();
    void failedTransactionBodyStoresNothing();
    void findListCountDeleteAndStats();
    void filteredPagesHoldOnlyMatchingLines();
    void exportWritesEveryLineOldestFirst();
    void defaultTimestampIsNodeFormatUtc();
    void hugeAndNonAsciiContentRoundTrips();
    void everyConnectionGetsTheNodePragmas_data();
    void everyConnectionGetsTheNodePragmas();
    void nodeDatabaseIsPagedAndNeverMigrated();
    void storeFromNewerVersionIsRefused();
    void twoConnectionsCreatingTheSameStoreBothSucceed();
    void newStoreInAMissingDirectoryCreatesTheDirectory();
    void directoryThatCannotBeCreatedIsNamed();
    void directoryThatCannotTakeTheStoreIsNamed();
    void readOnlyStoreIsNotCalledCorrupted();
    void unusableFilesGiveClearErrors_data();
    void unusableFilesGiveClearErrors();
    void damagedPagesGiveAnErrorNotACrash();
    void readerIsNotBlockedByALongWrite();
    void writerKilledMidBatchLeavesOnlyWholeBatches();
    void writerKilledWhileLoopingLeavesOnlyWholeBatches();

private:
    QString storePath() const { return m_dir->filePath(QStringLiteral("store.sqlite")); }
    std::unique_ptr<LogStore> filledStore(int rows);
    void checkWholeBatchesAfterKill(int committedBatches);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestLogStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

std::unique_ptr<LogStore> TestLogStore::filledStore(int rows)
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    if (store) {
        const auto n = store->append(lines(kExecA, rows));
        if (!n || n.value() != rows)
            return nullptr;
    }
    return store;
}

void TestLogStore::newStoreHasCurrentSchemaVersion()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(!store->isReadOnly());
    QVERIFY(!store->isNodeDatabase());
    QSqlQuery q(store->database());
    QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
    QCOMPARE(q.value(0).toInt(), LogStoreSchema::kCurrentVersion);
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM pragma_index_list('log_entries') "
                                  "WHERE name = 'idx_log_entries_execution_id_id'"))
            && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
    q.finish();
    store.reset();
    // Reopening an up-to-date store (also read-only) keeps it as it is.
    auto again = openOrFail(storePath(), LogStore::Access::ReadOnly);
    QVERIFY(again);
    QVERIFY(again->isReadOnly());
}

void TestLogStore::anotherConnectionsSchemaChangeBeforeTheFirstWriteIsSeen()
{
    // The dashboard's history recorder adds its tables through a connection of its own while
    // the log store is open; the store's first write comes after. Before and after each of its
    // writes, too.
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    auto other = SqliteConnection::open(storePath(), SqliteConnection::Mode::ReadWrite);
    QVERIFY(other);
    for (int round = 0; round < 3; ++round) {
        const auto created = other->exec(
            QStringLiteral("CREATE TABLE added_%1 (id INTEGER PRIMARY KEY, note TEXT)")
                .arg(round)
                .toStdString());
        QVERIFY2(created, qPrintable(created ? QString() : created.error().toString()));
        const auto written = store->append(lines(kExecA, 10));
        QVERIFY2(written, qPrintable(written ? QString() : written.error().toString()));
        QCOMPARE(written.value(), qint64(10));
    }
    const auto page = store->page(kExecA, std::nullopt, PageDirection::Forward, 100);
    QVERIFY(page.ok());
    QCOMPARE(page->entries.size(), 30);
}

void TestLogStore::emptyStorePagesAsEmpty()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    for (auto dir : {PageDirection::Forward, PageDirection::Backward}) {
        const auto p = store->page(kExecA, std::nullopt, dir, 100);
        QVERIFY(p.ok());
        QVERIFY(p->entries.isEmpty());
        QVERIFY(!p->hasMore);
        QVERIFY(!p->nextCursor);
        QCOMPARE(p->totalCount, 0);
    }
    QVERIFY(!store->page(kExecA, std::nullopt, PageDirection::Forward, 0).ok());
}

void TestLogStore::forwardPagingStopsAtExactPageBoundary()
{
    auto store = filledStore(10);
    QVERIFY(store);
    auto p1 = store->page(kExecA, std::nullopt, PageDirection::Forward, 5);
    QVERIFY(p1.ok());
    QCOMPARE(ids(*p1), range(1, 5));
    QVERIFY(p1->hasMore);
    QCOMPARE(p1->nextCursor, 5);
    QCOMPARE(p1->totalCount, 10);
    QCOMPARE(p1->entries.first().content, QStringLiteral("line 0"));

    auto p2 = store->page(kExecA, p1->nextCursor, PageDirection::Forward, 5);
    QVERIFY(p2.ok());
    QCOMPARE(ids(*p2), range(6, 10));
    QVERIFY(!p2->hasMore); // exactly 10 rows: the second page is full and the last
    QVERIFY(!p2->nextCursor);

    auto whole = store->page(kExecA, std::nullopt, PageDirection::Forward, 10);
    QVERIFY(whole.ok());
    QCOMPARE(whole->entries.size(), 10);
    QVERIFY(!whole->hasMore);
    auto oneShort = store->page(kExecA, std::nullopt, PageDirection::Forward, 9);
    QVERIFY(oneShort.ok());
    QVERIFY(oneShort->hasMore);
    QCOMPARE(oneShort->nextCursor, 9);
}

void TestLogStore::backwardPageComesBackNewestFirstInDescendingOrder()
{
    auto store = filledStore(10);
    QVERIFY(store);
    // As the node's find_paginated: newest page first, rows in DESC order (not reversed), and
    // next_cursor is the smallest id on the page, so passing it back gives older rows.
    auto p1 = store->page(kExecA, std::nullopt, PageDirection::Backward, 4);
    QVERIFY(p1.ok());
    QCOMPARE(ids(*p1), range(10, 7));
    QVERIFY(p1->hasMore);
    QCOMPARE(p1->nextCursor, 7);
    auto p2 = store->page(kExecA, p1->nextCursor, PageDirection::Backward, 4);
    QVERIFY(p2.ok());
    QCOMPARE(ids(*p2), range(6, 3));
    QCOMPARE(p2->nextCursor, 3);
    auto p3 = store->page(kExecA, p2->nextCursor, PageDirection::Backward, 4);
    QVERIFY(p3.ok());
    QCOMPARE(ids(*p3), range(2, 1));
    QVERIFY(!p3->hasMore);
    QVERIFY(!p3->nextCursor);
    QCOMPARE(p3->totalCount, 10);
    // Exact boundary backwards: 10 rows in pages of 5.
    auto b1 = store->page(kExecA, std::nullopt, PageDirection::Backward, 5);
    auto b2 = store->page(kExecA, b1->nextCursor, PageDirection::Backward, 5);
    QVERIFY(b2.ok());
    QCOMPARE(ids(*b2), range(5, 1));
    QVERIFY(!b2->hasMore);
}

void TestLogStore::cursorPastTheEndOrBeforeTheStartGivesAnEmptyPage()
{
    auto store = filledStore(10);
    QVERIFY(store);
    auto pastEnd = store->page(kExecA, 1000, PageDirection::Forward, 5);
    QVERIFY(pastEnd.ok());
    QVERIFY(pastEnd->entries.isEmpty());
    QVERIFY(!pastEnd->hasMore);
    QCOMPARE(pastEnd->totalCount, 10);
    auto atEnd = store->page(kExecA, 10, PageDirection::Forward, 5);
    QVERIFY(atEnd->entries.isEmpty());

    auto beforeStart = store->page(kExecA, 0, PageDirection::Backward, 5);
    QVERIFY(beforeStart.ok());
    QVERIFY(beforeStart->entries.isEmpty());
    QVERIFY(!beforeStart->hasMore);
    QCOMPARE(store->page(kExecA, 1, PageDirection::Backward, 5)->entries.size(), 0);

    // The other way round the same cursors reach the whole execution.
    auto fromBefore = store->page(kExecA, -5, PageDirection::Forward, 5);
    QCOMPARE(ids(*fromBefore), range(1, 5));
    auto fromAfter = store->page(kExecA, 1000, PageDirection::Backward, 5);
    QCOMPARE(ids(*fromAfter), range(10, 6));
}

void TestLogStore::pagesHoldOnlyTheirExecutionsRows()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QList<NewLogEntry> mixed;
    const auto a = lines(kExecA, 6, QStringLiteral("a"));
    const auto b = lines(kExecB, 6, QStringLiteral("b"));
    for (int i = 0; i < 6; ++i)
        mixed << a[i] << b[i];
    QVERIFY(store->append(mixed).ok());
    auto pa = store->page(kExecA, std::nullopt, PageDirection::Forward, 4);
    QCOMPARE(ids(*pa), (QList<qint64> {1, 3, 5, 7}));
    QCOMPARE(pa->nextCursor, 7);
    QCOMPARE(pa->totalCount, 6);
    auto pa2 = store->page(kExecA, pa->nextCursor, PageDirection::Forward, 4);
    QCOMPARE(ids(*pa2), (QList<qint64> {9, 11}));
    auto pb = store->page(kExecB, std::nullopt, PageDirection::Backward, 4);
    QCOMPARE(ids(*pb), (QList<qint64> {12, 10, 8, 6}));
    for (const LogEntry &e : pb->entries) {
        QCOMPARE(e.executionId, kExecB);
        QVERIFY(e.content.startsWith(QLatin1Char('b')));
    }
}

void TestLogStore::reappendingTheSameSourceIdsUpdatesInsteadOfDuplicating()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QCOMPARE(store->append(lines(kExecA, 5, QStringLiteral("first"), 100)).value(), 5);
    auto again = lines(kExecA, 5, QStringLiteral("second"), 100);
    QCOMPARE(store->append(again).value(), 5);
    QCOMPARE(store->countByExecution(kExecA).value(), 5);
    const auto rows = store->listByExecution(kExecA).value();
    QCOMPARE(rows.size(), 5);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(rows[i].id, i + 1); // ids are kept, so cursors held by readers stay valid
        QCOMPARE(rows[i].sourceId, 100 + i);
        QCOMPARE(rows[i].content, QStringLiteral("second %1").arg(i));
    }
    // A partly overlapping batch adds only the new source ids.
    QCOMPARE(store->append(lines(kExecA, 8, QStringLiteral("third"), 103)).value(), 8);
    QCOMPARE(store->countByExecution(kExecA).value(), 11);
    // Lines without a source id are plain appends.
    QVERIFY(store->append(lines(kExecB, 2)).ok());
    QVERIFY(store->append(lines(kExecB, 2)).ok());
    QCOMPARE(store->countByExecution(kExecB).value(), 4);
}

void TestLogStore::batchesOfEverySizeKeepOrderAndExactCounts_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("withSourceIds");
    // Around the 64-row statement size: the tail statement and an exact multiple.
    for (int count : {1, 63, 64, 65, 128, 129, 1000}) {
        QTest::addRow("%d rows", count) << count << false;
        QTest::addRow("%d rows with source ids", count) << count << true;
    }
}

void TestLogStore::batchesOfEverySizeKeepOrderAndExactCounts()
{
    QFETCH(int, count);
    QFETCH(bool, withSourceIds);
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    const std::optional<qint64> first = withSourceIds ? std::optional<qint64>(1000) : std::nullopt;
    // Two executions interleaved, so the counts are kept per execution.
    QList<NewLogEntry> rows = lines(kExecA, count, QStringLiteral("a"), first);
    for (int i = 1; i < rows.size(); i += 2)
        rows[i].executionId = kExecB;
    QCOMPARE(store->append(rows).value(), count);
    QSqlQuery q(store->database());
    for (const QUuid &exec : {kExecA, kExecB}) {
        q.prepare(QStringLiteral("SELECT count(*) FROM log_entries WHERE execution_id = ?"));
        q.addBindValue(exec.toRfc4122());
        QVERIFY(q.exec() && q.next());
        QCOMPARE(store->countByExecution(exec).value(), q.value(0).toLongLong());
    }
    // The writer turns the schema's CHECK off for its own validated statements only.
    q.prepare(QStringLiteral("INSERT INTO log_entries (execution_id, output_type, content) "
                             "VALUES (?, 'telemetry', 'x')"));
    q.addBindValue(kExecA.toRfc4122());
    QVERIFY(!q.exec());
    QVERIFY2(q.lastError().text().contains(QLatin1String("CHECK")),
             qPrintable(q.lastError().text()));
    q.finish();
    QList<LogEntry> all
        = store->listByExecution(kExecA).value() + store->listByExecution(kExecB).value();
    std::sort(all.begin(), all.end(),
              [](const LogEntry &a, const LogEntry &b) { return a.id < b.id; });
    QCOMPARE(all.size(), count);
    for (int i = 0; i < count; ++i) {
        QCOMPARE(all[i].id, i + 1); // the batch's order is the cursor's order
        QCOMPARE(all[i].content, QStringLiteral("a %1").arg(i));
        QCOMPARE(all[i].outputType, rows[i].outputType);
        QCOMPARE(all[i].sourceId, rows[i].sourceId);
    }
}

void TestLogStore::syncedLinesAttachDetachAndStayInTheHistory()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    auto synced = [](qint64 id, const QUuid &exec, const QByteArray &content) {
        SyncedLogLine line;
        line.sourceId = id;
        line.executionId = exec;
        line.outputType = "stdout";
        line.content = content;
        line.timestamp = "2025-12-02 08:00:00.010";
        line.shapeKey = "k" + QByteArray::number(id);
        line.shapeRow = R"({"id":")" + QByteArray::number(id) + R"("})";
        return line;
    };
    auto upsert = [&](const QList<SyncedLogLine> &rows) -> qint64 {
        qint64 added = -1;
        const auto r = store->withTransaction([&]() -> Result<void> {
            auto n = store->upsertSyncedInCurrentTransaction(rows);
            if (!n)
                return n.error();
            added = n.value();
            return {};
        });
        return r ? added : -1;
    };
    // The same id twice in one batch is one line, holding the later change.
    QCOMPARE(upsert({synced(1, kExecA, "one"), synced(2, kExecA, "two"),
                     synced(1, kExecA, "one again")}),
             2);
    QCOMPARE(store->countByExecution(kExecA).value(), 2);
    QCOMPARE(store->listByExecution(kExecA).value().first().content, QStringLiteral("one again"));
    // A line moved to another execution is counted there, and an update attaches nothing new.
    QCOMPARE(upsert({synced(2, kExecB, "two moved"), synced(3, kExecB, "three")}), 1);
    QCOMPARE(store->countByExecution(kExecA).value(), 1);
    QCOMPARE(store->countByExecution(kExecB).value(), 2);
    // Detaching keeps the line (local history) but takes it out of the shape.
    bool detached = false;
    QVERIFY(store->withTransaction([&]() -> Result<void> {
        auto d = store->detachSynced(3);
        if (!d)
            return d.error();
        detached = d.value();
        auto line = store->syncedLine(3);
        if (!line)
            return line.error();
        if (line.value())
            return Error(QStringLiteral("a detached line still has its shape row"));
        auto again = store->detachSynced(3);
        if (!again || again.value())
            return Error(QStringLiteral("a line was detached twice"));
        return {};
    }));
    QVERIFY(detached);
    QCOMPARE(store->countByExecution(kExecB).value(), 2);
    // Attaching it again counts as new for the shape, not for the log.
    QCOMPARE(upsert({synced(3, kExecB, "three")}), 1);
    QCOMPARE(store->countByExecution(kExecB).value(), 2);
    // A plain line without a source id is still counted by the schema's trigger.
    QVERIFY(store->append(lines(kExecB, 3)).ok());
    QCOMPARE(store->countByExecution(kExecB).value(), 5);
    QVERIFY(store->withTransaction([&] { return store->detachAllSynced(); }));
    QSqlQuery q(store->database());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*), count(shape_key) FROM log_entries"))
            && q.next());
    QCOMPARE(q.value(0).toInt(), 6);
    QCOMPARE(q.value(1).toInt(), 0);
}

void TestLogStore::badOutputTypeFailsTheWholeBatch()
{
    auto store = filledStore(3);
    QVERIFY(store);
    auto batch = lines(kExecA, 4, QStringLiteral("new"));
    batch[2].outputType = QStringLiteral("STDOUT");
    const auto r = store->append(batch);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(QLatin1String("\"STDOUT\"")),
             qPrintable(r.error().message));
    QVERIFY(r.error().message.contains(QLatin1String("row 2")));
    QVERIFY(r.error().message.contains(QLatin1String("refresh_required")));
    QCOMPARE(store->countByExecution(kExecA).value(), 3); // nothing of the batch, nothing lost
    QCOMPARE(store->listByExecution(kExecA).value().last().content, QStringLiteral("line 2"));
}

void TestLogStore::failedTransactionBodyStoresNothing()
{
    auto store = filledStore(2);
    QVERIFY(store);
    const auto r = store->withTransaction([&]() -> Result<void> {
        if (auto n = store->appendInCurrentTransaction(lines(kExecA, 50)); !n)
            return n.error();
        return Error(QStringLiteral("shape rows did not apply"));
    });
    QVERIFY(!r.ok());
    QCOMPARE(r.error().message, QStringLiteral("shape rows did not apply"));
    QCOMPARE(store->countByExecution(kExecA).value(), 2);
    // Outside a transaction appendInCurrentTransaction refuses instead of autocommitting per row.
    QVERIFY(!store->appendInCurrentTransaction(lines(kExecA, 1)).ok());
    // And after the rollback the store takes writes again.
    QVERIFY(store->append(lines(kExecA, 1)).ok());
    QCOMPARE(store->countByExecution(kExecA).value(), 3);
}

void TestLogStore::findListCountDeleteAndStats()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(store->append(lines(kExecA, 7)).ok());
    auto b = lines(kExecB, 3);
    b[0].outputType = QStringLiteral("system");
    b[0].timestamp = QStringLiteral("2025-12-02 10:00:00.000");
    QVERIFY(store->append(b).ok());

    auto found = store->findById(8);
    QVERIFY(found.ok() && found->has_value());
    QCOMPARE((*found)->executionId, kExecB);
    QCOMPARE((*found)->outputType, QStringLiteral("system"));
    QCOMPARE((*found)->timestamp, QStringLiteral("2025-12-02 10:00:00.000"));
    QVERIFY(!store->findById(999)->has_value());

    const auto st = store->stats();
    QVERIFY(st.ok());
    QCOMPARE(st->totalRows, 10);
    QCOMPARE(st->executions.size(), 2);
    QCOMPARE(st->rowsByOutputType.value(QStringLiteral("system")), 1);
    QCOMPARE(st->rowsByOutputType.value(QStringLiteral("stderr")), 3);
    QCOMPARE(st->rowsByOutputType.value(QStringLiteral("stdout")), 4 + 2);
    for (const ExecutionSummary &s : st->executions)
        QCOMPARE(s.rows, s.executionId == kExecA ? 7 : 3);

    QCOMPARE(store->deleteByExecution(kExecA).value(), 7);
    QCOMPARE(store->countByExecution(kExecA).value(), 0);
    QCOMPARE(store->countByExecution(kExecB).value(), 3);
    QCOMPARE(store->executions()->size(), 1);
    QVERIFY(store->listByExecution(kExecA)->isEmpty());
}

void TestLogStore::filteredPagesHoldOnlyMatchingLines()
{
    auto store = filledStore(30); // stderr on ids 1, 4, 7, … (i % 3 == 0)
    QVERIFY(store);
    LogFilter errors;
    errors.outputTypes = {QStringLiteral("stderr")};
    auto p = store->page(kExecA, std::nullopt, PageDirection::Forward, 4, errors);
    QVERIFY(p.ok());
    QCOMPARE(p->totalCount, 10);
    QCOMPARE(ids(*p), (QList<qint64> {1, 4, 7, 10}));
    QCOMPARE(p->nextCursor, 10);
    auto back = store->page(kExecA, std::nullopt, PageDirection::Backward, 4, errors);
    QCOMPARE(ids(*back), (QList<qint64> {28, 25, 22, 19}));

    LogFilter text; // LIKE wildcards in the search text are literal
    text.text = QStringLiteral("LINE 2");
    auto t = store->page(kExecA, std::nullopt, PageDirection::Forward, 100, text);
    QCOMPARE(t->totalCount, 11); // "line 2", "line 20" … "line 29"
    QVERIFY(!t->hasMore);
    text.text = QStringLiteral("line_2");
    QCOMPARE(store->page(kExecA, std::nullopt, PageDirection::Forward, 100, text)->totalCount, 0);
    text.outputTypes = {QStringLiteral("stdout")};
    text.text = QStringLiteral("line 2");
    QCOMPARE(store->page(kExecA, std::nullopt, PageDirection::Forward, 100, text)->totalCount, 8);
}

void TestLogStore::exportWritesEveryLineOldestFirst()
{
    auto store = filledStore(12000); // more than one internal page
    QVERIFY(store);
    const QString out = m_dir->filePath(QStringLiteral("export.log"));
    QCOMPARE(store->exportExecution(kExecA, out).value(), 12000);
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> text = f.readAll().split('\n');
    QCOMPARE(text.size(), 12001); // the last line ends with a newline
    QVERIFY(text[0].endsWith("[stderr] line 0"));
    QVERIFY(text[11999].endsWith("[stdout] line 11999"));
    QVERIFY(!store->exportExecution(kExecA, m_dir->filePath(QStringLiteral("no/such/dir/x"))).ok());
}

void TestLogStore::defaultTimestampIsNodeFormatUtc()
{
    auto store = filledStore(1);
    QVERIFY(store);
    const QString ts = store->findById(1).value()->timestamp;
    QVERIFY2(
        QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}$"))
            .match(ts)
            .hasMatch(),
        qPrintable(ts));
    QDateTime parsed = QDateTime::fromString(ts, QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    parsed.setTimeZone(QTimeZone::utc());
    QVERIFY(qAbs(parsed.secsTo(QDateTime::currentDateTimeUtc())) < 600); // UTC, not local time
}

void TestLogStore::hugeAndNonAsciiContentRoundTrips()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    NewLogEntry huge {kExecA,
                      QStringLiteral("stdout"),
                      QString(8 * 1024 * 1024, QLatin1Char('x')),
                      {},
                      std::nullopt};
    NewLogEntry text {kExecA,
                      QStringLiteral("stderr"),
                      QStringLiteral("caf\u00e9 \u2603 \U0001F41D\nsecond line\0tail"),
                      {},
                      7};
    QVERIFY(store->append({huge, text}).ok());
    const auto rows = store->listByExecution(kExecA).value();
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].content.size(), huge.content.size());
    QCOMPARE(rows[1].content, text.content);
}

void TestLogStore::everyConnectionGetsTheNodePragmas_data()
{
    QTest::addColumn<int>("connection");
    QTest::newRow("creating read-write") << 0;
    QTest::newRow("second read-write") << 1;
    QTest::newRow("read-only") << 2;
}

void TestLogStore::everyConnectionGetsTheNodePragmas()
{
    QFETCH(int, connection);
    auto creator = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(creator);
    std::unique_ptr<LogStore> other;
    if (connection == 1)
        other = openOrFail(storePath(), LogStore::Access::ReadWrite);
    if (connection == 2)
        other = openOrFail(storePath(), LogStore::Access::ReadOnly);
    LogStore *store = connection == 0 ? creator.get() : other.get();
    QVERIFY(store);
    QSqlQuery q(store->database());
    const auto pragma = [&q](const char *name) {
        if (!q.exec(QStringLiteral("PRAGMA ") + QLatin1String(name)) || !q.next())
            return QString();
        return q.value(0).toString();
    };
    QCOMPARE(pragma("journal_mode"), QStringLiteral("wal"));
    QCOMPARE(pragma("synchronous"), QStringLiteral("1")); // NORMAL
    QCOMPARE(pragma("temp_store"), QStringLiteral("2")); // MEMORY
    // A reader maps nothing and caches little: every page it touched would count in the
    // dashboard's RSS (it holds several readers of a store of ~1M lines).
    const bool reader = connection == 2;
    QCOMPARE(pragma("mmap_size"), reader ? QStringLiteral("0") : QStringLiteral("268435456"));
    QCOMPARE(pragma("cache_size"), reader ? QStringLiteral("-8192") : QStringLiteral("-64000"));
    q.finish();
    if (reader)
        return;
    // The node's busy_timeout = 30000 is kept as behaviour (a handler that polls every 0.1 ms
    // instead of SQLite's back-off, which PRAGMA busy_timeout then reports as 0): a writer waits
    // for another connection's write lock instead of failing.
    auto holder = SqliteConnection::open(storePath(), SqliteConnection::Mode::ReadWrite);
    QVERIFY(holder.ok());
    QVERIFY(holder->exec("BEGIN IMMEDIATE").ok());
    std::thread release([&holder] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        (void)holder->exec("COMMIT");
    });
    const auto waited = store->connection().exec("BEGIN IMMEDIATE");
    release.join();
    QVERIFY2(waited.ok(), qPrintable(waited ? QString() : waited.error().toString()));
    QVERIFY(store->connection().exec("ROLLBACK").ok());
}

void TestLogStore::nodeDatabaseIsPagedAndNeverMigrated()
{
    const QString path = m_dir->filePath(QStringLiteral("db.sqlite"));
    {
        // The node's own schema (docs/hive-schema.md §3.1), written as the node writes it.
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("node"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        for (const char *sql : {
                 "PRAGMA journal_mode = WAL",
                 "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT)",
                 "CREATE TABLE execution_processes (id BLOB PRIMARY KEY, status TEXT NOT NULL)",
                 "CREATE TABLE log_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, execution_id "
                 "BLOB NOT NULL REFERENCES execution_processes(id) ON DELETE CASCADE, output_type "
                 "TEXT NOT NULL CHECK (output_type IN ('stdout','stderr','system','json_patch',"
                 "'session_id','finished','refresh_required')), content TEXT NOT NULL, timestamp "
                 "TEXT NOT NULL DEFAULT (datetime('now')), hive_synced_at TEXT)",
                 "CREATE INDEX idx_log_entries_execution_id_id ON log_entries (execution_id, id)",
             })
            QVERIFY2(q.exec(QString::fromLatin1(sql)), qPrintable(q.lastError().text()));
        q.prepare(QStringLiteral("INSERT INTO log_entries (execution_id, output_type, content, "
                                 "timestamp) VALUES (?, ?, ?, ?)"));
        for (int i = 0; i < 25; ++i) {
            const QUuid exec = i % 5 == 4 ? kExecB : kExecA; // 20 rows of A, 5 of B
            q.addBindValue(exec.toRfc4122());
            q.addBindValue(i == 0 ? QStringLiteral("json_patch") : QStringLiteral("stdout"));
            q.addBindValue(QStringLiteral("node line %1").arg(i));
            q.addBindValue(
                QStringLiteral("2025-12-26 09:15:%1.123").arg(i, 2, 10, QLatin1Char('0')));
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("node"));
    const QString schemaQuery = QStringLiteral(
        "SELECT (SELECT user_version FROM pragma_user_version) || ' ' || "
        "(SELECT application_id FROM pragma_application_id) || ' ' || "
        "(SELECT group_concat(type || ':' || name || ':' || coalesce(sql, ''), ';') "
        "FROM (SELECT * FROM sqlite_schema ORDER BY name))");
    QString schemaBefore;

    {
        auto store = openOrFail(path, LogStore::Access::ReadOnly);
        QVERIFY(store);
        QVERIFY(store->isNodeDatabase());
        QSqlQuery schema(store->database());
        QVERIFY(schema.exec(schemaQuery) && schema.next());
        schemaBefore = schema.value(0).toString();
        QVERIFY(schemaBefore.startsWith(QLatin1String("0 0 ")));
        schema.finish();
        QCOMPARE(store->countByExecution(kExecA).value(), 20);
        auto p1 = store->page(kExecA, std::nullopt, PageDirection::Backward, 8);
        QVERIFY(p1.ok());
        QCOMPARE(ids(*p1), (QList<qint64> {24, 23, 22, 21, 19, 18, 17, 16}));
        QCOMPARE(p1->nextCursor, 16);
        QCOMPARE(p1->totalCount, 20);
        QCOMPARE(p1->entries.first().timestamp, QStringLiteral("2025-12-26 09:15:23.123"));
        QCOMPARE(p1->entries.first().executionId, kExecA);
        QVERIFY(!p1->entries.first().sourceId);
        auto f1 = store->page(kExecA, std::nullopt, PageDirection::Forward, 16);
        QCOMPARE(f1->entries.first().outputType, QStringLiteral("json_patch"));
        auto f2 = store->page(kExecA, f1->nextCursor, PageDirection::Forward, 16);
        QCOMPARE(ids(*f2), (QList<qint64> {21, 22, 23, 24}));
        QVERIFY(!f2->hasMore);
        const auto execs = store->executions().value();
        QCOMPARE(execs.size(), 2);
        QVERIFY(!store->append(lines(kExecA, 1)).ok()); // read-only
    }
    {
        // Even read-write (asked for explicitly) the node's schema stays as it is.
        auto store = openOrFail(path, LogStore::Access::ReadWrite);
        QVERIFY(store);
        QVERIFY(store->isNodeDatabase());
        QVERIFY(!store->append(lines(kExecB, 1, QStringLiteral("x"), 5)).ok()); // no source_id
        QVERIFY(store->append(lines(kExecB, 1)).ok());
        QCOMPARE(store->countByExecution(kExecB).value(), 6);
        QSqlQuery q(store->database());
        QVERIFY(q.exec(schemaQuery) && q.next());
        QCOMPARE(q.value(0).toString(), schemaBefore); // no table, trigger, version added
    }
}

void TestLogStore::storeFromNewerVersionIsRefused()
{
    {
        auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
        QVERIFY(store);
        QSqlQuery q(store->database());
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 99")));
    }
    const auto r = LogStore::open(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(QLatin1String("newer Hivewatch")),
             qPrintable(r.error().message));
}

void TestLogStore::newStoreInAMissingDirectoryCreatesTheDirectory()
{
    // A fresh account has no data directory yet.
    const QString path
        = m_dir->filePath(QStringLiteral("home/.local/share/hivewatch/store.sqlite"));
    auto store = openOrFail(path, LogStore::Access::ReadWrite);
    QVERIFY(store);
    const auto appended = store->append(lines(kExecA, 3));
    QVERIFY2(appended.ok(), qPrintable(appended.ok() ? QString() : appended.error().toString()));
    store.reset();
    auto again = openOrFail(path, LogStore::Access::ReadOnly);
    QVERIFY(again);
    const auto count = again->countByExecution(kExecA);
    QVERIFY(count.ok());
    QCOMPARE(count.value(), 3);
}

void TestLogStore::directoryThatCannotBeCreatedIsNamed()
{
    // A file where the data directory's parent should be: no permission bit helps here, so this
    // holds for root too.
    QFile blocker(m_dir->filePath(QStringLiteral("share")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const QString directory = m_dir->filePath(QStringLiteral("share/hivewatch"));
    const auto opened
        = LogStore::open(directory + QStringLiteral("/store.sqlite"), LogStore::Access::ReadWrite);
    QVERIFY(!opened.ok());
    QVERIFY2(opened.error().message.contains(QStringLiteral("directory ") + directory),
             qPrintable(opened.error().toString()));
    QCOMPARE(QFileInfo(blocker.fileName()).size(), 0); // the file in the way is left alone
}

void TestLogStore::directoryThatCannotTakeTheStoreIsNamed()
{
    QString directory = m_dir->filePath(QStringLiteral("read-only"));
    QVERIFY(QDir().mkdir(directory));
    QVERIFY(QFile::setPermissions(directory, QFile::ReadOwner | QFile::ExeOwner));
    const auto restore = qScopeGuard([&] {
        QFile::setPermissions(m_dir->filePath(QStringLiteral("read-only")),
                              QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    });
    // Permission bits do not stop root; /proc/self is a directory nobody can create files in.
    if (::access(QFile::encodeName(directory).constData(), W_OK) == 0)
        directory = QStringLiteral("/proc/self");
    const QString path = directory + QStringLiteral("/store.sqlite");
    const auto opened = LogStore::open(path, LogStore::Access::ReadWrite);
    QVERIFY(!opened.ok());
    QVERIFY2(opened.error().message.contains(QStringLiteral("directory ") + directory),
             qPrintable(opened.error().toString()));
    QVERIFY(!QFileInfo::exists(path));
}

void TestLogStore::twoConnectionsCreatingTheSameStoreBothSucceed()
{
    // The sync worker and the log view may open a new store at the same moment: both see an
    // empty file, one migrates, the other must find the schema in place under the write lock.
    for (int round = 0; round < 20; ++round) {
        const QString path = m_dir->filePath(QStringLiteral("race-%1.sqlite").arg(round));
        QString errors[2];
        std::thread threads[2];
        for (int t = 0; t < 2; ++t) {
            threads[t] = std::thread([&path, &errors, t] {
                auto store = LogStore::open(path, LogStore::Access::ReadWrite);
                if (!store)
                    errors[t] = store.error().toString();
                else if (store.value()->isNodeDatabase())
                    errors[t] = QStringLiteral("opened as a node database");
            });
        }
        for (auto &t : threads)
            t.join();
        QVERIFY2(errors[0].isEmpty(), qPrintable(errors[0]));
        QVERIFY2(errors[1].isEmpty(), qPrintable(errors[1]));
    }
}

void TestLogStore::readOnlyStoreIsNotCalledCorrupted()
{
    // A healthy store on a read-only file system. Permission bits do not stop root (the tests'
    // user), so the store's directory is bind-mounted read-only: the kernel then refuses every
    // write with EROFS, for root too, exactly as on a read-only medium. The mount lives in a
    // mount namespace of this test process alone and is undone at the end.
    const QString directory = m_dir->filePath(QStringLiteral("ro"));
    QVERIFY(QDir().mkdir(directory));
    const QString path = directory + QStringLiteral("/store.sqlite");
    {
        auto store = openOrFail(path, LogStore::Access::ReadWrite);
        QVERIFY(store);
        QCOMPARE(store->append(lines(kExecA, 3, QStringLiteral("kept"))).value(), 3);
    }
    const QByteArray dir = QFile::encodeName(directory);
    if (::unshare(CLONE_NEWNS) != 0)
        QSKIP(qPrintable(QStringLiteral("no mount namespace here: %1")
                             .arg(QString::fromLocal8Bit(std::strerror(errno)))));
    QVERIFY(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0);
    QVERIFY(::mount(dir.constData(), dir.constData(), nullptr, MS_BIND, nullptr) == 0);
    const auto unmount = qScopeGuard([&] { ::umount2(dir.constData(), MNT_DETACH); });
    QVERIFY(::mount(nullptr, dir.constData(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr)
            == 0);
    QCOMPARE(::access(path.toLocal8Bit().constData(), W_OK), -1); // truly read-only, for root

    const auto opened = LogStore::open(path, LogStore::Access::ReadWrite);
    QVERIFY(!opened.ok());
    const QString text = opened.error().toString();
    QVERIFY2(opened.error().message.contains(path), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("cannot be written"))
                 && text.contains(QLatin1String("not damaged")),
             qPrintable(text));
    QVERIFY2(!text.contains(QLatin1String("corrupt")), qPrintable(text));

    ::umount2(dir.constData(), MNT_DETACH);
    auto store = openOrFail(path, LogStore::Access::ReadWrite);
    QVERIFY(store);
    QCOMPARE(store->countByExecution(kExecA).value(), 3); // nothing was lost
}

void TestLogStore::unusableFilesGiveClearErrors_data()
{
    QTest::addColumn<QByteArray>("contents"); // "<missing>", "<dir>" or the file's bytes
    QTest::addColumn<bool>("readWrite");
    QTest::addColumn<QString>("expected");
    QByteArray corrupt("SQLite format 3", 16);
    corrupt += QByteArray(4096 * 4, '\xA5');
    QTest::newRow("missing file") << QByteArray("<missing>") << false << "does not exist";
    QTest::newRow("directory") << QByteArray("<dir>") << true << "is a directory";
    QTest::newRow("text file") << QByteArray("hello, not a database\n") << false
                               << "not an SQLite database";
    QTest::newRow("text file read-write")
        << QByteArray("{\"Stdout\":\"x\"}\n") << true << "not an SQLite database";
    QTest::newRow("short file") << QByteArray("SQLi") << false << "not an SQLite database";
    QTest::newRow("header then garbage") << corrupt << false << "corrupted";
    QTest::newRow("header then garbage read-write") << corrupt << true << "corrupted";
    QTest::newRow("empty file read-only") << QByteArray() << false << "without a log_entries";
}

void TestLogStore::unusableFilesGiveClearErrors()
{
    QFETCH(QByteArray, contents);
    QFETCH(bool, readWrite);
    QFETCH(QString, expected);
    const QString path = m_dir->filePath(QStringLiteral("input.sqlite"));
    if (contents == "<dir>") {
        QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("input.sqlite")));
    } else if (contents != "<missing>") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(contents);
    }
    const auto r = LogStore::open(
        path, readWrite ? LogStore::Access::ReadWrite : LogStore::Access::ReadOnly);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().message.contains(expected), qPrintable(r.error().toString()));
    QVERIFY2(r.error().message.contains(path), qPrintable(r.error().toString()));
    if (contents != "<missing>" && contents != "<dir>") {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), contents); // never "repaired" or overwritten
    }
}

void TestLogStore::damagedPagesGiveAnErrorNotACrash()
{
    {
        auto store = filledStore(20000);
        QVERIFY(store);
    }
    // A foreign but valid SQLite database is refused by name.
    const QString foreign = m_dir->filePath(QStringLiteral("other.sqlite"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("f"));
        db.setDatabaseName(foreign);
        QVERIFY(db.open());
        QSqlQuery(db).exec(QStringLiteral("CREATE TABLE t (x)"));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("f"));
    const auto f = LogStore::open(foreign, LogStore::Access::ReadWrite);
    QVERIFY(!f.ok());
    QVERIFY(f.error().message.contains(QLatin1String("without a log_entries table")));

    // Overwrite the middle of the store (data and index pages) with junk.
    QFile file(storePath());
    QVERIFY(file.open(QIODevice::ReadWrite));
    const qint64 size = file.size();
    QVERIFY(size > 64 * 1024);
    file.seek(size / 3);
    file.write(QByteArray(int(size / 3), '\x5A'));
    file.close();
    auto opened = LogStore::open(storePath(), LogStore::Access::ReadOnly);
    if (!opened.ok()) { // a clear error at open is fine too
        QVERIFY(opened.error().message.contains(storePath()));
        return;
    }
    int errors = 0;
    std::optional<qint64> cursor;
    for (int i = 0; i < 500; ++i) {
        const auto p = opened.value()->page(kExecA, cursor, PageDirection::Forward, 100);
        if (!p.ok()) {
            QVERIFY(p.error().message.contains(storePath()));
            ++errors;
            break;
        }
        if (!p->hasMore)
            break;
        cursor = p->nextCursor;
    }
    const auto st = opened.value()->stats();
    errors += st.ok() ? 0 : 1;
    QVERIFY2(errors > 0, "a third of the file overwritten, yet every read succeeded");
}

void TestLogStore::readerIsNotBlockedByALongWrite()
{
    auto writer = filledStore(10);
    QVERIFY(writer);
    auto reader = openOrFail(storePath(), LogStore::Access::ReadOnly);
    QVERIFY(reader);
    bool readInsideWrite = false;
    const auto r = writer->withTransaction([&]() -> Result<void> {
        auto n = writer->appendInCurrentTransaction(lines(kExecA, 50000));
        if (!n)
            return n.error();
        // The write transaction is open and holds the write lock; the reader's connection still
        // answers, with the last committed state.
        const auto p = reader->page(kExecA, std::nullopt, PageDirection::Backward, 5);
        if (!p)
            return p.error();
        readInsideWrite = p->totalCount == 10 && p->entries.first().id == 10;
        return {};
    });
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QVERIFY(readInsideWrite);
    QCOMPARE(reader->page(kExecA, std::nullopt, PageDirection::Backward, 5)->totalCount, 50010);
}

void TestLogStore::checkWholeBatchesAfterKill(int committedBatches)
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    const auto rows = store->listByExecution(kExecA).value();
    QVERIFY(rows.size() >= committedBatches * kKillBatchRows);
    QCOMPARE(rows.size() % kKillBatchRows, 0);
    QCOMPARE(store->countByExecution(kExecA).value(), rows.size());
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const qsizetype batch = i / kKillBatchRows;
        const qsizetype row = i % kKillBatchRows;
        QCOMPARE(rows[i].sourceId, std::optional<qint64>(i));
        QCOMPARE(rows[i].content, QStringLiteral("batch %1 %2").arg(batch).arg(row));
    }
    // The store takes writes after the crash.
    QVERIFY(store->append(lines(kExecB, 3)).ok());
}

void TestLogStore::writerKilledMidBatchLeavesOnlyWholeBatches()
{
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("--writer-stall"), storePath()});
    QVERIFY(child.waitForStarted());
    QByteArray out;
    while (!out.contains("mid-batch") && child.state() == QProcess::Running) {
        child.waitForReadyRead(10000);
        out += child.readAllStandardOutput();
    }
    QVERIFY2(out.contains("mid-batch 3"), out.constData());
    ::kill(pid_t(child.processId()), SIGKILL);
    QVERIFY(child.waitForFinished());
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    checkWholeBatchesAfterKill(3);
    auto store = openOrFail(storePath(), LogStore::Access::ReadOnly);
    QCOMPARE(store->countByExecution(kExecA).value(), 3 * kKillBatchRows);
}

void TestLogStore::writerKilledWhileLoopingLeavesOnlyWholeBatches()
{
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("--writer-loop"), storePath()});
    QVERIFY(child.waitForStarted());
    QByteArray out;
    while (!out.contains("committed 15") && child.state() == QProcess::Running) {
        child.waitForReadyRead(10000);
        out += child.readAllStandardOutput();
    }
    QVERIFY2(out.contains("committed 15"), out.constData());
    ::kill(pid_t(child.processId()), SIGKILL);
    QVERIFY(child.waitForFinished());
    out += child.readAllStandardOutput();
    const int reported = int(out.count("committed "));
    checkWholeBatchesAfterKill(reported);
}

int main(int argc, char *argv[])
{
    if (argc == 3
        && (std::strcmp(argv[1], "--writer-loop") == 0
            || std::strcmp(argv[1], "--writer-stall") == 0)) {
        QCoreApplication app(argc, argv);
        return runWriter(QString::fromLocal8Bit(argv[2]),
                         std::strcmp(argv[1], "--writer-stall") == 0);
    }
    QCoreApplication app(argc, argv);
    TestLogStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_logstore.moc"
