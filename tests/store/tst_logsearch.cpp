#include "sync/sqlite/SqliteCancelCheck.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogIndexBuilder.h"
#include "sync/store/LogSearch.h"
#include "sync/store/LogStore.h"
#include "sync/store/LogStoreSchema.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include <unistd.h>

using namespace hivewatch;

// The full-text index (store version 5: kept just behind the writer) and LogSearch over real
// stores: every expected hit and only those, whatever part of the store the index covers,
// checked against a plain reading of every line with the same rule.

namespace {

const QUuid kExecA = QUuid::fromString(QStringLiteral("{6f1c2b9e-7d7a-4c1e-9a52-0c1f5b0d2e11}"));
const QUuid kExecB = QUuid::fromString(QStringLiteral("{0a2b3c4d-1111-4222-8333-944455556666}"));
const QUuid kExecC = QUuid::fromString(QStringLiteral("{99999999-1111-4222-8333-944455556666}"));
constexpr int kKillBatchRows = 1000;

std::unique_ptr<LogStore> openOrFail(const QString &path, LogStore::Access access)
{
    auto r = LogStore::open(path, access);
    if (!r) {
        qWarning("%s", qPrintable(r.error().toString()));
        return nullptr;
    }
    return std::move(r.value());
}

NewLogEntry line(const QUuid &exec, const QString &content, const QString &timestamp = {},
                 std::optional<qint64> sourceId = std::nullopt)
{
    NewLogEntry e;
    e.executionId = exec;
    e.outputType = QStringLiteral("stdout");
    e.content = content;
    e.timestamp = timestamp;
    e.sourceId = sourceId;
    return e;
}

// A mixed store: plain lines, synced ones (sourceId, later rewritten in place), unicode, very
// long lines, across three executions.
QList<NewLogEntry> mixedLines(int round)
{
    QList<NewLogEntry> rows;
    const QUuid execs[] = {kExecA, kExecB, kExecC};
    for (int i = 0; i < 300; ++i) {
        const QUuid &exec = execs[i % 3];
        QString content;
        switch (i % 7) {
        case 0:
            content = QStringLiteral("GET /api/logs?cursor=%1 status=200").arg(i);
            break;
        case 1:
            content = QStringLiteral("Fehler: Überlauf in Größe %1 — ÄÖÜ").arg(i);
            break;
        case 2:
            content = QStringLiteral("x").repeated(70000) + QStringLiteral(" needle %1").arg(i);
            break;
        case 3:
            content = QStringLiteral("compiling src/sync/store/LogStore.cpp:%1 NEEDLE").arg(i);
            break;
        case 4:
            content = QStringLiteral("日本語のログ 行 %1 needle").arg(i);
            break;
        case 5:
            content = QStringLiteral("panic: index out of range [%1]").arg(i);
            break;
        default:
            content = QStringLiteral("round %1 plain %2").arg(round).arg(i);
            break;
        }
        rows.append(line(exec, content, {},
                         i % 2 ? std::optional<qint64>(round * 1000 + i) : std::nullopt));
    }
    return rows;
}

struct Expected
{
    QMap<QUuid, QList<qint64>> ids;
};

// The reference: every line of the store, tested one by one with the search's own rule.
Expected expected(LogStore &store, const std::function<bool(const QString &)> &rule,
                  std::optional<QUuid> only = std::nullopt)
{
    Expected e;
    for (const QUuid &exec : {kExecA, kExecB, kExecC}) {
        if (only && exec != *only)
            continue;
        const QList<LogEntry> rows = store.listByExecution(exec).value();
        for (const LogEntry &row : rows) {
            if (rule(row.content))
                e.ids[exec].append(row.id);
        }
    }
    return e;
}

QMap<QUuid, QList<qint64>> found(const LogSearchResult &r)
{
    QMap<QUuid, QList<qint64>> ids;
    for (const LogSearchGroup &g : r.groups) {
        for (const LogSearchLine &l : g.lines) {
            if (l.hit)
                ids[g.executionId].append(l.entry.id);
        }
        if (g.hits != g.lines.size())
            ids[g.executionId].append(-1); // a count that disagrees with its lines
    }
    return ids;
}

// FTS5's own check of the index's structure (rank 0); once the index covers every line, also
// against log_entries (rank 1: every line indexed, nothing else), which a tail would fail.
QString integrityError(LogStore &store)
{
    QSqlQuery q(store.database());
    const bool complete = store.indexProgress().value().ready();
    for (int rank : {0, 1}) {
        if (rank == 1 && !complete)
            break;
        if (!q.exec(QStringLiteral("INSERT INTO log_entries_fts (log_entries_fts, rank) "
                                   "VALUES ('integrity-check', %1)")
                        .arg(rank)))
            return q.lastError().text();
    }
    return {};
}

qint64 indexMark(LogStore &store)
{
    return store.indexProgress().value().indexedTo;
}

bool indexAll(LogStore &store)
{
    for (int steps = 0; steps < 10000; ++steps) {
        const auto p = store.indexStep(500);
        if (!p)
            return false;
        if (p->ready())
            return true;
    }
    return false;
}

// Ids of the lines whose content contains `term` (LIKE), up to `upTo`, and the same from the
// index: the two must agree exactly for an index without missing or extra entries.
QString byLike(LogStore &store, const QString &term, qint64 upTo)
{
    QSqlQuery q(store.database());
    q.exec(QStringLiteral("SELECT group_concat(id) FROM (SELECT id FROM log_entries WHERE "
                          "content LIKE '%%1%' AND id <= %2 ORDER BY id)")
               .arg(term)
               .arg(upTo));
    return q.next() ? q.value(0).toString() : QStringLiteral("error");
}

QString byIndex(LogStore &store, const QString &term, qint64 upTo)
{
    QSqlQuery q(store.database());
    q.exec(QStringLiteral("SELECT group_concat(rowid) FROM (SELECT rowid FROM log_entries_fts "
                          "WHERE log_entries_fts MATCH '\"%1\"' AND rowid <= %2 ORDER BY rowid)")
               .arg(term)
               .arg(upTo));
    return q.next() ? q.value(0).toString() : QStringLiteral("error");
}

// The child of indexSurvivesAWriterKilledDuringIngest: the sync writer's appends and the index
// builder following it on a thread and connection of its own, as the app runs them.
int runWriter(const QString &path)
{
    auto store = LogStore::open(path, LogStore::Access::ReadWrite);
    if (!store)
        return 3;
    LogIndexBuilder builder(path, 700);
    builder.setFollow(true, 5);
    std::thread indexer([&builder] { builder.run(); });
    indexer.detach(); // killed with the process
    QTextStream out(stdout);
    for (int batch = 0;; ++batch) {
        QList<NewLogEntry> rows;
        for (int i = 0; i < kKillBatchRows; ++i)
            rows.append(line(kExecA, QStringLiteral("batch%1 row %2 tail").arg(batch).arg(i), {},
                             i % 2 ? std::optional<qint64>(qint64(batch) * kKillBatchRows + i)
                                   : std::nullopt));
        if (!store.value()->append(rows))
            return 6;
        out << "committed " << batch << Qt::endl;
    }
}

// Empty when a search with full counts gives every execution exactly the hits of the rule
// applied to every line (substring, case-insensitive, no exclude terms), in the order of their
// first hits; otherwise what differs.
QString countMismatch(LogStore &store, LogSearch &search, const LogSearchQuery &query)
{
    LogSearchQuery q = query;
    q.maxLines = 1;
    q.fullCounts = true;
    const auto r = search.search(q);
    if (!r)
        return r.error().toString();
    const Expected want = expected(
        store, [&](const QString &c) { return c.contains(query.text, Qt::CaseInsensitive); },
        query.executionId);
    QList<QPair<qint64, QUuid>> firstHits;
    qint64 total = 0;
    for (auto it = want.ids.cbegin(); it != want.ids.cend(); ++it) {
        QList<qint64> ids;
        for (qint64 id : it.value()) {
            if ((query.afterId <= 0 || id > query.afterId)
                && (query.beforeId <= 0 || id < query.beforeId))
                ids.append(id);
        }
        if (ids.isEmpty())
            continue;
        firstHits.append({ids.first(), it.key()});
        total += ids.size();
    }
    std::sort(firstHits.begin(), firstHits.end());
    QStringList got;
    QStringList wanted;
    for (const LogSearchGroup &g : r->groups)
        got << QStringLiteral("%1:%2").arg(g.executionId.toString()).arg(g.hits);
    for (const auto &f : firstHits) {
        qint64 n = 0;
        for (qint64 id : want.ids.value(f.second))
            n += (query.afterId <= 0 || id > query.afterId)
                && (query.beforeId <= 0 || id < query.beforeId);
        wanted << QStringLiteral("%1:%2").arg(f.second.toString()).arg(n);
    }
    if (got != wanted || r->totalHits != total)
        return QStringLiteral("'%1': got %2 (%3), expected %4 (%5)")
            .arg(query.text, got.join(u' '))
            .arg(r->totalHits)
            .arg(wanted.join(u' '))
            .arg(total);
    return {};
}

// Lines of three executions that interleave line by line and in blocks, ASCII and not (where
// FTS5's case folding finds more than Qt's), so the run map has runs of one line and long ones.
QList<NewLogEntry> interleavedLines(int round)
{
    const QString dottedI = QChar(0x130);
    QList<NewLogEntry> rows;
    const QUuid execs[] = {kExecA, kExecB, kExecC};
    for (int i = 0; i < 600; ++i) {
        const QUuid &exec = i < 300 ? execs[i % 3] : execs[(i / 40) % 3];
        QString content;
        switch (i % 5) {
        case 0:
            content = QStringLiteral("needle in LogStore.cpp r%1 #%2").arg(round).arg(i);
            break;
        case 1:
            content = dottedI + QStringLiteral("DENT needle Größe #%1").arg(i);
            break;
        case 2:
            content = QStringLiteral("ident plain #%1").arg(i);
            break;
        case 3:
            content = QStringLiteral("日本語 NEEDLE #%1").arg(i);
            break;
        default:
            content = QStringLiteral("nothing here #%1").arg(i);
            break;
        }
        rows.append(line(exec, content));
    }
    return rows;
}

QString countsMismatch(LogStore &store, LogSearch &search)
{
    const qint64 last = store.indexProgress()->backfillEnd;
    QList<LogSearchQuery> queries;
    for (const QString &text : {QStringLiteral("needle"), QStringLiteral("ident"),
                                QStringLiteral("logstore.CPP"), QStringLiteral("absent")}) {
        LogSearchQuery q;
        q.text = text;
        queries << q;
        q.executionId = kExecB;
        queries << q;
        q.executionId.reset();
        q.afterId = last / 3;
        q.beforeId = last - last / 5;
        queries << q;
    }
    for (const LogSearchQuery &q : std::as_const(queries)) {
        if (const QString m = countMismatch(store, search, q); !m.isEmpty())
            return m;
    }
    return {};
}

} // namespace

class TestLogSearch : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void searchAcrossExecutionsFindsEveryHitAndOnlyThose();
    void regexCaseAndFilterOutAreExact();
    void badRegexIsAClearError();
    void contextLinesAndLineNumbers();
    void lineNumbersAndTimeJumpsLandOnTheRightLine();
    void existingStoreIsIndexedInResumableChunks();
    void indexSurvivesAWriterKilledDuringIngest();
    void newRequestInterruptsARunningScan();
    void aFollowingBuilderWaitsOutAStoreItCannotOpen();
    void aBuilderRestingBehindTheWriterCatchesUpWhenItIdles();
    void filteredCountsAreCachedUntilLinesChange();
    void countsBesideAFirstPageAreExact();
    void searchCountsAreCachedUntilLinesChange();
    void countsFromTheRunMapAreExact();
    void runMapOfAMigratedStoreCatchesUpBehindTheIndex();
    void countsSplitOverTwoConnectionsAreExactAndCancellable();
    void exportIsOneQueryWithProgressAndCancel();

private:
    QString storePath() const { return m_dir->filePath(QStringLiteral("store.sqlite")); }
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestLogSearch::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestLogSearch::searchAcrossExecutionsFindsEveryHitAndOnlyThose()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(store->append(mixedLines(0)).ok());
    // Part of it indexed, so the rewrites and the delete below meet indexed lines (their
    // triggers) and unindexed ones (left to the builder).
    QVERIFY(store->indexStep(200).ok());
    QCOMPARE(indexMark(*store), 200);
    // Synced lines come again with new content (update trigger), one execution goes (delete).
    auto again = mixedLines(1);
    QVERIFY(store->append(again.mid(0, 150)).ok());
    QVERIFY(store->deleteByExecution(kExecC).ok());
    QVERIFY(store->append(again.mid(150)).ok());
    QCOMPARE(integrityError(*store), QString());

    LogSearch search(*store);
    const QStringList terms = {
        QStringLiteral("needle"), QStringLiteral("NEEDLE"),       QStringLiteral("überlauf"),
        QStringLiteral("日本語"), QStringLiteral("LogStore.cpp"), QStringLiteral("round 1 plain"),
        QStringLiteral("=2"),     QStringLiteral("x needle 2"),   QStringLiteral("absent text")};
    // The same answers with an unindexed tail (most of the store), and fully indexed.
    for (bool indexed : {false, true}) {
        if (indexed) {
            QVERIFY(indexAll(*store));
            QCOMPARE(integrityError(*store), QString());
        }
        QCOMPARE(store->indexProgress()->ready(), indexed);
        for (const QString &term : terms) {
            for (bool caseSensitive : {false, true}) {
                LogSearchQuery query;
                query.text = term;
                query.caseSensitive = caseSensitive;
                const auto r = search.search(query);
                QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
                const auto cs = caseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive;
                const Expected want
                    = expected(*store, [&](const QString &c) { return c.contains(term, cs); });
                QVERIFY2(found(r.value()) == want.ids,
                         qPrintable(QStringLiteral("%1 case=%2 indexed=%3")
                                        .arg(term)
                                        .arg(caseSensitive)
                                        .arg(indexed)));
                QCOMPARE(r->usedIndex, term.toUcs4().size() >= 3);
                qint64 total = 0;
                for (const auto &ids : want.ids)
                    total += ids.size();
                QCOMPARE(r->totalHits, total);
                QVERIFY(r->countsComplete);
            }
        }
    }
    // A first page alone stops reading at maxLines: its lines are the first hits in order.
    LogSearchQuery first;
    first.text = QStringLiteral("needle");
    first.maxLines = 5;
    first.fullCounts = false;
    const auto page = search.search(first);
    QVERIFY(page.ok());
    QVERIFY(!page->countsComplete);
    QList<qint64> pageIds;
    for (const LogSearchGroup &g : page->groups) {
        for (const LogSearchLine &l : g.lines)
            pageIds.append(l.entry.id);
    }
    std::sort(pageIds.begin(), pageIds.end());
    QList<qint64> allIds;
    for (const auto &ids : expected(*store, [](const QString &c) {
                               return c.contains(QLatin1String("needle"), Qt::CaseInsensitive);
                           }).ids)
        allIds += ids;
    std::sort(allIds.begin(), allIds.end());
    QCOMPARE(pageIds, allIds.mid(0, 5));
    // One execution only, and the hit ids for stepping through it.
    LogSearchQuery query;
    query.text = QStringLiteral("needle");
    const Expected want = expected(
        *store,
        [](const QString &c) { return c.contains(QLatin1String("needle"), Qt::CaseInsensitive); },
        kExecB);
    const auto ids = search.hitIds(kExecB, query);
    QVERIFY(ids.ok());
    QCOMPARE(ids.value(), want.ids.value(kExecB));
    QVERIFY(!ids->isEmpty());
}

void TestLogSearch::regexCaseAndFilterOutAreExact()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(store->append(mixedLines(0)).ok());
    LogSearch search(*store);

    LogSearchQuery query;
    query.text = QStringLiteral("cursor=\\d*7 status");
    query.regex = true;
    auto r = search.search(query);
    QVERIFY(r.ok());
    const QRegularExpression re(query.text, QRegularExpression::CaseInsensitiveOption);
    QCOMPARE(found(r.value()),
             expected(*store, [&](const QString &c) { return re.match(c).hasMatch(); }).ids);
    QVERIFY(r->totalHits > 0);

    query = {};
    query.text = QStringLiteral("needle");
    query.exclude = {QStringLiteral("日本"), QStringLiteral("logstore")};
    r = search.search(query);
    QVERIFY(r.ok());
    const auto rule = [](const QString &c) {
        return c.contains(QLatin1String("needle"), Qt::CaseInsensitive)
            && !c.contains(QStringLiteral("日本"))
            && !c.contains(QLatin1String("logstore"), Qt::CaseInsensitive);
    };
    QCOMPARE(found(r.value()), expected(*store, rule).ids);
    QVERIFY(r->totalHits > 0);

    // Only a filter-out: every line but those.
    query = {};
    query.exclude = {QStringLiteral("x")};
    query.executionId = kExecA;
    r = search.search(query);
    QVERIFY(r.ok());
    QCOMPARE(
        found(r.value()),
        expected(
            *store, [](const QString &c) { return !c.contains(u'x', Qt::CaseInsensitive); }, kExecA)
            .ids);
}

void TestLogSearch::badRegexIsAClearError()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    LogSearchQuery query;
    query.text = QStringLiteral("a(b");
    query.regex = true;
    const auto r = LogSearch(*store).search(query);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().toString().contains(QLatin1String("Invalid regular expression \"a(b\"")),
             qPrintable(r.error().toString()));
}

void TestLogSearch::contextLinesAndLineNumbers()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QList<NewLogEntry> rows;
    for (int i = 1; i <= 40; ++i) {
        // Interleaved executions: ids are global, line numbers are not.
        rows.append(line(
            kExecA, QStringLiteral("a line %1%2").arg(i).arg(i == 10 || i == 12 ? " hit" : "")));
        rows.append(line(kExecB, QStringLiteral("b line %1").arg(i)));
    }
    QVERIFY(store->append(rows).ok());
    LogSearchQuery query;
    query.text = QStringLiteral(" hit");
    query.context = 2;
    const auto r = LogSearch(*store).search(query);
    QVERIFY(r.ok());
    QCOMPARE(r->groups.size(), 1);
    const LogSearchGroup &g = r->groups.first();
    QCOMPARE(g.hits, 2);
    QStringList got;
    for (const LogSearchLine &l : g.lines)
        got << QStringLiteral("%1%2%3")
                   .arg(l.lineNumber)
                   .arg(l.hit ? ':' : '-')
                   .arg(l.entry.content);
    QCOMPARE(got,
             QStringList({"8-a line 8", "9-a line 9", "10:a line 10 hit", "11-a line 11",
                          "12:a line 12 hit", "13-a line 13", "14-a line 14"}));
}

void TestLogSearch::lineNumbersAndTimeJumpsLandOnTheRightLine()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QList<NewLogEntry> rows;
    for (int i = 1; i <= 180; ++i) {
        const QString ts = QStringLiteral("2026-12-06 05:%1:%2.000")
                               .arg(i / 60, 2, 10, QLatin1Char('0'))
                               .arg(i % 60, 2, 10, QLatin1Char('0'));
        rows.append(line(kExecB, QStringLiteral("other %1").arg(i), ts));
        NewLogEntry e = line(kExecA, QStringLiteral("a %1").arg(i), ts);
        e.outputType = i % 4 == 0 ? QStringLiteral("stderr") : QStringLiteral("stdout");
        rows.append(e);
    }
    QVERIFY(store->append(rows).ok());
    const QList<LogEntry> a = store->listByExecution(kExecA).value();
    LogSearch search(*store);
    QCOMPARE(search.lineAt(kExecA, 1).value(), std::optional<qint64>(a[0].id));
    QCOMPARE(search.lineAt(kExecA, 77).value(), std::optional<qint64>(a[76].id));
    QCOMPARE(search.lineAt(kExecA, 181).value(), std::nullopt);
    QVERIFY(!search.lineAt(kExecA, 0).ok());
    QCOMPARE(search.lineNumber(kExecA, a[76].id).value(), 77);
    QCOMPARE(search.firstAtOrAfter(kExecA, QStringLiteral("2026-12-06 05:01:30")).value(),
             std::optional<qint64>(a[89].id)); // line 90 is 05:01:30.000
    QCOMPARE(search.firstAtOrAfter(kExecA, QStringLiteral("2026-12-06 05:01:30.001")).value(),
             std::optional<qint64>(a[90].id));
    QCOMPARE(search.firstAtOrAfter(kExecA, QStringLiteral("2026-12-07")).value(), std::nullopt);

    // A longer execution (the binary search takes many steps; other executions' lines between
    // its ids), in time order but for a few lines stamped out of order near one another: every
    // jump lands where reading the lines in order lands.
    const auto stamp = [](int second) {
        return QStringLiteral("2026-12-06 %1:%2:%3")
            .arg(7 + second / 3600, 2, 10, QLatin1Char('0'))
            .arg(second / 60 % 60, 2, 10, QLatin1Char('0'))
            .arg(second % 60, 2, 10, QLatin1Char('0'));
    };
    QList<NewLogEntry> more;
    for (int i = 0; i < 6000; ++i) {
        int second = i;
        if (i >= 3000 && i < 3010)
            second = 3100 + i; // a burst stamped ahead of its neighbours
        more.append(line(kExecC, QStringLiteral("c %1").arg(i), stamp(second) + u".000"));
        if (i % 7 == 0)
            more.append(line(kExecB, QStringLiteral("between %1").arg(i), {}));
    }
    QVERIFY(store->append(more).ok());
    const QList<LogEntry> c = store->listByExecution(kExecC).value();
    // (Jumps to 5999 or 6000 would land at line 6000 or nowhere: the burst is further back than
    // LogSearch's window, the documented limit.)
    for (int second : {0, 1, 59, 61, 1500, 2999, 3000, 3005, 3050, 3100, 3101, 4000, 7000}) {
        const QString at = stamp(second);
        std::optional<qint64> want;
        for (const LogEntry &e : c) {
            if (e.timestamp >= at) {
                want = e.id;
                break;
            }
        }
        QVERIFY2(search.firstAtOrAfter(kExecC, at).value() == want, qPrintable(at));
    }
    const auto h = search.histogram(kExecA);
    QVERIFY(h.ok());
    QCOMPARE(h->size(), 4); // 05:00 (59 lines), 05:01, 05:02 (60 each), 05:03 (1)
    QCOMPARE(h->at(0).minute, QStringLiteral("2026-12-06 05:00"));
    QCOMPARE(h->at(0).lines, 59);
    QCOMPARE(h->at(0).stderrLines, 14);
    QCOMPARE(h->at(1).lines, 60);
    QCOMPARE(h->at(1).stderrLines, 15);
    QCOMPARE(h->at(3).lines, 1);
}

void TestLogSearch::existingStoreIsIndexedInResumableChunks()
{
    {
        // A store as version 3 left it: lines, no index.
        auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
        QVERIFY(store);
        QVERIFY(store->append(mixedLines(0)).ok());
        QSqlQuery q(store->database());
        for (const char *sql :
             {"DROP TRIGGER IF EXISTS log_entries_fts_insert",
              "DROP TRIGGER log_entries_fts_delete", "DROP TRIGGER log_entries_fts_update",
              "DROP TABLE log_entries_fts", "DROP TABLE log_fts_state",
              "DROP TRIGGER log_entries_runs_update", "DROP TABLE log_id_runs",
              "DROP TRIGGER log_entries_minutes_delete", "DROP TRIGGER log_entries_minutes_update",
              "DROP TABLE log_minute_counts", "PRAGMA user_version = 3"})
            QVERIFY2(q.exec(QString::fromLatin1(sql)), sql);
    }
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    auto p = store->indexProgress();
    QVERIFY(p.ok());
    QVERIFY(p->available);
    QVERIFY(!p->ready());
    QCOMPARE(p->percent(), 0);
    // Lines written meanwhile wait for the builder like the old ones; lines edited or deleted
    // before their chunk must not confuse the index.
    QVERIFY(store->append(mixedLines(1)).ok());
    QVERIFY(store->deleteByExecution(kExecC).ok());

    LogSearchQuery query;
    query.text = QStringLiteral("needle");
    auto r = LogSearch(*store).search(query);
    QVERIFY(r.ok());
    QVERIFY(!r->usedIndex); // nothing indexed yet: all of it is the tail
    const auto rule = [](const QString &c) {
        return c.contains(QLatin1String("needle"), Qt::CaseInsensitive);
    };
    QCOMPARE(found(r.value()), expected(*store, rule).ids);

    QVERIFY(store->indexStep(37).ok());
    QVERIFY(store->indexStep(37).ok());
    p = store->indexProgress();
    QVERIFY(p->percent() > 0 && p->percent() < 100);
    store.reset(); // stopped midway: the next open goes on from there
    store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    int steps = 0;
    while (!store->indexProgress()->ready()) {
        QVERIFY(store->indexStep(37).ok());
        QVERIFY(++steps < 100);
    }
    QVERIFY(steps > 1);
    QCOMPARE(integrityError(*store), QString());
    r = LogSearch(*store).search(query);
    QVERIFY(r.ok());
    QVERIFY(r->usedIndex);
    QCOMPARE(found(r.value()), expected(*store, rule).ids);
}

void TestLogSearch::indexSurvivesAWriterKilledDuringIngest()
{
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--writer"), storePath()});
    QVERIFY(child.waitForStarted());
    QByteArray out;
    while (!out.contains("committed 8") && child.state() == QProcess::Running) {
        child.waitForReadyRead(10000);
        out += child.readAllStandardOutput();
    }
    QVERIFY2(out.contains("committed 8"), out.constData());
    {
        // Killed while the builder follows the writer: once it has indexed something.
        auto reader = openOrFail(storePath(), LogStore::Access::ReadOnly);
        QVERIFY(reader);
        QTRY_VERIFY_WITH_TIMEOUT(indexMark(*reader) > 0, 60000);
    }
    ::kill(pid_t(child.processId()), SIGKILL);
    QVERIFY(child.waitForFinished());
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);

    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QCOMPARE(integrityError(*store), QString());
    QSqlQuery q(store->database());
    QVERIFY(q.exec(QStringLiteral("SELECT count(*), max(id) FROM log_entries")) && q.next());
    const qint64 rows = q.value(0).toLongLong();
    const qint64 lastId = q.value(1).toLongLong();
    QVERIFY(rows >= 9 * kKillBatchRows);
    QCOMPARE(rows % kKillBatchRows, 0);
    const qint64 mark = indexMark(*store);
    QVERIFY(mark > 0 && mark <= lastId);
    // Up to the mark, every line the index finds a LIKE scan finds, and the other way round;
    // above it the index holds nothing (no entry committed without its mark).
    const QStringList terms
        = {QStringLiteral("tail"), QStringLiteral("batch3 "), QStringLiteral("row 699 ")};
    for (const QString &term : terms)
        QCOMPARE(byIndex(*store, term, mark), byLike(*store, term, mark));
    QVERIFY(!byIndex(*store, QStringLiteral("tail"), mark).isEmpty()); // every line has it
    QCOMPARE(byIndex(*store, QStringLiteral("tail"), lastId),
             byIndex(*store, QStringLiteral("tail"), mark));
    // A search meanwhile is complete: the index up to the mark, the tail scanned.
    LogSearchQuery query;
    query.text = QStringLiteral("row 699 ");
    const auto r = LogSearch(*store).search(query);
    QVERIFY(r.ok());
    QCOMPARE(r->totalHits, rows / kKillBatchRows);
    // The builder goes on where the killed one stopped.
    QVERIFY(indexAll(*store));
    QCOMPARE(integrityError(*store), QString());
    for (const QString &term : terms)
        QCOMPARE(byIndex(*store, term, lastId), byLike(*store, term, lastId));
}

void TestLogSearch::newRequestInterruptsARunningScan()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    for (int chunk = 0; chunk < 4; ++chunk) {
        QList<NewLogEntry> rows;
        for (int i = 0; i < 50000; ++i)
            rows.append(line(kExecA, QStringLiteral("scan line %1 body").arg(chunk * 50000 + i)));
        QVERIFY(store->append(rows).ok());
    }
    // A regex scans every line of the execution and matches none.
    LogSearchQuery stale;
    stale.text = QStringLiteral("body\\s+\\d{7}");
    stale.regex = true;
    stale.executionId = kExecA;
    std::optional<Result<LogSearchResult>> staleReply;
    std::atomic<bool> done {false};
    std::thread worker([&] {
        staleReply = LogSearch(*store).search(stale);
        done.store(true);
    });
    // What a newer request does to the one it replaces; an interrupt while no statement runs is
    // ignored by SQLite, so it is repeated until the stale search has ended.
    while (!done.load()) {
        store->connection().interrupt();
        std::this_thread::yield();
    }
    worker.join();
    QVERIFY(staleReply.has_value());
    QVERIFY2(!staleReply->ok(), "the stale search ran to its end");
    QVERIFY2(staleReply->error().toString().contains(QLatin1String("interrupt")),
             qPrintable(staleReply->error().toString()));

    LogSearchQuery fresh;
    fresh.text = QStringLiteral("line 199999 ");
    const auto r = LogSearch(*store).search(fresh);
    QVERIFY(r.ok());
    QCOMPARE(r->totalHits, 1);
    QCOMPARE(r->groups.first().lines.first().lineNumber, 200000);
}

// The app's follower does not give up on a store it cannot open or write for a while (here: the
// file is not a database yet); it says so, waits, and indexes once it can.
void TestLogSearch::aFollowingBuilderWaitsOutAStoreItCannotOpen()
{
    const QString path = storePath();
    {
        QFile garbage(path);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray(8192, 'x'));
    }
    LogIndexBuilder builder(path, 700);
    builder.setFollow(true, 5);
    std::atomic<int> finishedOk {-1};
    connect(
        &builder, &LogIndexBuilder::finished, &builder,
        [&finishedOk](bool ok, const QString &) { finishedOk.store(ok ? 1 : 0); },
        Qt::DirectConnection);
    std::thread indexer([&builder] { builder.run(); });
    auto joined = qScopeGuard([&] {
        builder.stop();
        indexer.join();
    });
    QTest::qWait(1200); // past the first try and its first wait
    QCOMPARE(finishedOk.load(), -1); // still there

    // The store is made whole elsewhere and moved into place in one step, as a restore would:
    // the builder must never see it half made.
    const QString ready = m_dir->filePath(QStringLiteral("ready.sqlite"));
    {
        auto made = openOrFail(ready, LogStore::Access::ReadWrite);
        QVERIFY(made);
        QList<NewLogEntry> rows;
        for (int i = 0; i < 3000; ++i)
            rows.append(
                line(kExecA, QStringLiteral("line %1%2").arg(i).arg(i % 500 ? "" : " needle")));
        QVERIFY(made->append(rows).ok());
    }
    QVERIFY(!QFile::exists(ready + QStringLiteral("-wal"))); // all in the file at close
    QVERIFY(::rename(QFile::encodeName(ready).constData(), QFile::encodeName(path).constData())
            == 0);
    builder.wake();
    auto store = openOrFail(path, LogStore::Access::ReadWrite);
    QVERIFY(store);
    QSqlQuery last(store->database());
    QVERIFY(last.exec(QStringLiteral("SELECT max(id) FROM log_entries")) && last.next());
    const qint64 lastId = last.value(0).toLongLong();
    last.finish(); // an unfinished read would hold this connection's snapshot at mark 0
    QCOMPARE(lastId, 3000);
    QTRY_COMPARE_WITH_TIMEOUT(indexMark(*store), lastId, 60000);
    QCOMPARE(byIndex(*store, QStringLiteral("needle"), lastId).split(u',').size(), 6);
    QCOMPARE(byIndex(*store, QStringLiteral("needle"), lastId),
             byLike(*store, QStringLiteral("needle"), lastId));
    joined.dismiss();
    builder.stop();
    indexer.join();
    QCOMPARE(finishedOk.load(), 1);
}

// The builder rests while the writer ingests (a 1% lock share here, so it falls well behind
// during the burst) and must still reach the last line once the writer stops, with exactly the
// lines the rule finds.
void TestLogSearch::aBuilderRestingBehindTheWriterCatchesUpWhenItIdles()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    LogIndexBuilder builder(storePath(), 300);
    builder.setFollow(true, 5);
    builder.setWriterShare(1);
    std::thread indexer([&builder] { builder.run(); });
    auto joined = qScopeGuard([&] {
        builder.stop();
        indexer.join();
    });
    for (int batch = 0; batch < 30; ++batch) {
        QList<NewLogEntry> rows;
        for (int i = 0; i < 400; ++i)
            rows.append(line(batch % 2 ? kExecA : kExecB,
                             QStringLiteral("burst %1 line %2%3")
                                 .arg(batch)
                                 .arg(i)
                                 .arg(i % 97 ? QString() : QStringLiteral(" ünïcode-needle"))));
        QVERIFY(store->append(rows).ok());
        builder.wake();
    }
    QSqlQuery last(store->database());
    QVERIFY(last.exec(QStringLiteral("SELECT max(id) FROM log_entries")) && last.next());
    const qint64 lastId = last.value(0).toLongLong();
    last.finish();
    QCOMPARE(lastId, 12000);
    QTRY_COMPARE_WITH_TIMEOUT(indexMark(*store), lastId, 120000);
    const QString hits = byIndex(*store, QStringLiteral("ünïcode-needle"), lastId);
    QCOMPARE(hits.split(u',').size(), 30 * 5);
    QCOMPARE(hits, byLike(*store, QStringLiteral("ünïcode-needle"), lastId));
}

void TestLogSearch::filteredCountsAreCachedUntilLinesChange()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(store->append(mixedLines(0)).ok());
    LogFilter filter;
    filter.text = QStringLiteral("needle");
    const auto count = [&]() {
        return store->page(kExecA, std::nullopt, PageDirection::Forward, 5, filter)->totalCount;
    };
    const qint64 first = count();
    QCOMPARE(first,
             expected(
                 *store,
                 [](const QString &c) {
                     return c.contains(QLatin1String("needle"), Qt::CaseInsensitive);
                 },
                 kExecA)
                 .ids.value(kExecA)
                 .size());
    QCOMPARE(count(), first);
    // Written through this connection…
    QVERIFY(store->append({line(kExecA, QStringLiteral("one more needle"))}).ok());
    QCOMPARE(count(), first + 1);
    // …and through another one (another process syncing).
    auto writer = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(writer);
    QVERIFY(writer
                ->append({line(kExecA, QStringLiteral("needle again")),
                          line(kExecB, QStringLiteral("needle elsewhere"))})
                .ok());
    QCOMPARE(count(), first + 2);
    QVERIFY(writer->deleteByExecution(kExecA).ok());
    QCOMPARE(count(), 0);
}

// Lines where case folding beyond ASCII matters to a case-insensitive ASCII term: the Kelvin
// sign and the long s fold to k and s (in Qt and in FTS5), a dotted capital I does not fold to i.
QList<NewLogEntry> foldingLines()
{
    const QString kelvin = QChar(0x212A);
    const QString longS = QChar(0x17F);
    const QString dottedI = QChar(0x130);
    const QString contents[] = {
        QStringLiteral("status=200 LogStore.cpp ok"),
        kelvin + QStringLiteral("elvin status ") + longS + QStringLiteral("tatus"),
        dottedI + QStringLiteral("dent STATUS"),
        QStringLiteral("Ident kelvin"),
        QStringLiteral("x").repeated(40000) + QStringLiteral(" Status tail"),
        QStringLiteral("Größe status 日本語"),
        QStringLiteral("plain line without it"),
    };
    QList<NewLogEntry> rows;
    const QUuid execs[] = {kExecB, kExecA, kExecC};
    for (int i = 0; i < 700; ++i)
        rows.append(line(execs[(i / 50) % 3], contents[i % 7] + QStringLiteral(" #%1").arg(i)));
    return rows;
}

void TestLogSearch::countsBesideAFirstPageAreExact()
{
    // A first page with full counts reads the page and counts the rest in a separate pass that
    // trusts the index for the text on ASCII lines and checks everything else: it must give the
    // same hits per execution, in the same group order, as the rule applied to every line.
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(store->append(foldingLines()).ok());
    QVERIFY(store->indexStep(400).ok()); // the rest is the scanned tail
    LogSearch search(*store);
    struct Case
    {
        QString text;
        bool caseSensitive = false;
        bool regex = false;
        QStringList exclude;
    };
    const QList<Case> cases = {
        {QStringLiteral("status"), false, false, {}},
        {QStringLiteral("kelvin"), false, false, {}},
        {QStringLiteral("ident"), false, false, {}},
        {QStringLiteral("Status"), true, false, {}},
        {QStringLiteral("status"), false, false, {QStringLiteral("logstore")}},
        {QStringLiteral("status"), false, false, {QStringLiteral("ok"), QStringLiteral("日本")}},
        {QStringLiteral("st"), false, false, {QStringLiteral("x")}},
        {QStringLiteral("größe"), false, false, {}},
        {QStringLiteral("stat(us)? t"), false, true, {}},
        {QString(), false, false, {QStringLiteral("status")}},
    };
    for (bool indexed : {false, true}) {
        if (indexed)
            QVERIFY(indexAll(*store));
        for (const Case &c : cases) {
            LogSearchQuery query;
            query.text = c.text;
            query.caseSensitive = c.caseSensitive;
            query.regex = c.regex;
            query.exclude = c.exclude;
            query.maxLines = 7;
            query.fullCounts = true;
            const auto cs = c.caseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive;
            const QRegularExpression re(c.text,
                                        c.caseSensitive
                                            ? QRegularExpression::NoPatternOption
                                            : QRegularExpression::CaseInsensitiveOption);
            const auto rule = [&](const QString &content) {
                if (c.regex ? !re.match(content).hasMatch() : !content.contains(c.text, cs))
                    return false;
                for (const QString &term : c.exclude) {
                    if (content.contains(term, cs))
                        return false;
                }
                return true;
            };
            const Expected want = expected(*store, rule);
            const auto r = search.search(query);
            const QString what = QStringLiteral("'%1' case=%2 regex=%3 exclude=%4 indexed=%5")
                                     .arg(c.text)
                                     .arg(c.caseSensitive)
                                     .arg(c.regex)
                                     .arg(c.exclude.join(u','))
                                     .arg(indexed);
            QVERIFY2(r.ok(), qPrintable(what));
            QVERIFY2(r->countsComplete, qPrintable(what));
            // Groups ordered by their first hit; each group's count is every hit it has.
            QList<QPair<qint64, QUuid>> firstHits;
            qint64 total = 0;
            for (auto it = want.ids.cbegin(); it != want.ids.cend(); ++it) {
                firstHits.append({it.value().first(), it.key()});
                total += it.value().size();
            }
            std::sort(firstHits.begin(), firstHits.end());
            QList<QUuid> order;
            QList<qint64> allHits;
            for (const auto &f : firstHits) {
                order.append(f.second);
                allHits += want.ids.value(f.second);
            }
            std::sort(allHits.begin(), allHits.end());
            QList<QUuid> gotOrder;
            QList<qint64> pageIds;
            for (const LogSearchGroup &g : r->groups) {
                gotOrder.append(g.executionId);
                QVERIFY2(g.hits == want.ids.value(g.executionId).size(),
                         qPrintable(what
                                    + QStringLiteral(": %1 hits, expected %2")
                                          .arg(g.hits)
                                          .arg(want.ids.value(g.executionId).size())));
                for (const LogSearchLine &l : g.lines)
                    pageIds.append(l.entry.id);
            }
            QVERIFY2(gotOrder == order, qPrintable(what));
            QVERIFY2(r->totalHits == total, qPrintable(what));
            std::sort(pageIds.begin(), pageIds.end());
            QVERIFY2(pageIds == allHits.mid(0, 7), qPrintable(what));
            QVERIFY2(total > 7, qPrintable(what)); // the counts went past the page
        }
    }
}

void TestLogSearch::searchCountsAreCachedUntilLinesChange()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(store->append(foldingLines()).ok());
    QVERIFY(indexAll(*store));
    LogSearch search(*store);
    LogSearchQuery query;
    query.text = QStringLiteral("status");
    query.maxLines = 3;
    const auto hits = [&]() {
        return search.search(query)->totalHits;
    };
    const qint64 first = hits();
    QVERIFY(first > 3);
    QCOMPARE(hits(), first);
    // Another filter is another count.
    query.exclude = {QStringLiteral("logstore")};
    const qint64 filtered = hits();
    QVERIFY(filtered < first);
    query.exclude.clear();
    QCOMPARE(hits(), first);
    // Written through this connection…
    QVERIFY(store->append({line(kExecA, QStringLiteral("one more status"))}).ok());
    QCOMPARE(hits(), first + 1);
    // …and through another one, including the index builder's commits.
    auto writer = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(writer);
    QVERIFY(writer->append({line(kExecB, QStringLiteral("STATUS again"))}).ok());
    QCOMPARE(hits(), first + 2);
    QVERIFY(indexAll(*writer));
    QCOMPARE(hits(), first + 2);
    QVERIFY(writer->deleteByExecution(kExecA).ok());
    const qint64 left
        = expected(*store,
                   [](const QString &c) {
                       return c.contains(QLatin1String("status"), Qt::CaseInsensitive);
                   })
              .ids.value(kExecB)
              .size()
        + expected(*store,
                   [](const QString &c) {
                       return c.contains(QLatin1String("status"), Qt::CaseInsensitive);
                   })
              .ids.value(kExecC)
              .size();
    QCOMPARE(hits(), left);
}

void TestLogSearch::countsFromTheRunMapAreExact()
{
    // The counts read the index alone where the run map covers it (store version 6), join the
    // hits above the map to their lines and scan the unindexed tail: at every stage the counts
    // per execution must be the rule's, whatever the map holds.
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(store->append(interleavedLines(0)).ok());
    LogSearch search(*store);
    QCOMPARE(countsMismatch(*store, search), QString()); // nothing indexed
    QVERIFY(store->indexStep(250).ok());
    QCOMPARE(store->indexProgress()->mappedTo, store->indexProgress()->indexedTo);
    QCOMPARE(countsMismatch(*store, search), QString()); // map and tail
    QVERIFY(indexAll(*store));
    QCOMPARE(countsMismatch(*store, search), QString()); // all from the map

    // Live appends after a count: the same executions go on (the last run grows) and a run of
    // another begins; cached counts must not survive them.
    QVERIFY(store->append(interleavedLines(1)).ok());
    QCOMPARE(countsMismatch(*store, search), QString());
    QVERIFY(store->indexStep(333).ok());
    QCOMPARE(countsMismatch(*store, search), QString());
    QVERIFY(indexAll(*store));
    QCOMPARE(countsMismatch(*store, search), QString());

    // A mapped line moved to another execution, or its text changed (ASCII to not), lowers the
    // map's mark: the lines above it are joined again until the map is redone.
    const qint64 mappedBefore = store->indexProgress()->mappedTo;
    QSqlQuery q(store->database());
    QVERIFY(q.exec(QStringLiteral("UPDATE log_entries SET execution_id = x'%1' WHERE id = 101")
                       .arg(QString::fromLatin1(kExecC.toRfc4122().toHex()))));
    QVERIFY(q.exec(
        QStringLiteral("UPDATE log_entries SET content = 'İDENT needle now' WHERE id = 700")));
    QVERIFY(q.exec(QStringLiteral("UPDATE log_entries SET output_type = 'stderr' WHERE id = 50")));
    QCOMPARE(store->indexProgress()->mappedTo, 100);
    QCOMPARE(countsMismatch(*store, search), QString());
    QVERIFY(store->indexStep(200).ok());
    QCOMPARE(store->indexProgress()->mappedTo, 300);
    QCOMPARE(countsMismatch(*store, search), QString());
    QVERIFY(indexAll(*store));
    QCOMPARE(store->indexProgress()->mappedTo, mappedBefore);
    QCOMPARE(countsMismatch(*store, search), QString());
    // A deleted execution leaves its runs; none of its hits is left to count.
    QVERIFY(store->deleteByExecution(kExecB).ok());
    QCOMPARE(countsMismatch(*store, search), QString());
    QCOMPARE(integrityError(*store), QString());
}

void TestLogSearch::runMapOfAMigratedStoreCatchesUpBehindTheIndex()
{
    {
        // A version-5 store whose index is partly built: no run map yet.
        auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
        QVERIFY(store);
        QVERIFY(store->append(interleavedLines(0)).ok());
        QVERIFY(store->indexStep(450).ok());
        QSqlQuery q(store->database());
        for (const char *sql :
             {"DROP TRIGGER log_entries_runs_update", "DROP TABLE log_id_runs",
              "ALTER TABLE log_fts_state DROP COLUMN mapped_to",
              "DROP TRIGGER log_entries_minutes_delete", "DROP TRIGGER log_entries_minutes_update",
              "DROP TABLE log_minute_counts", "ALTER TABLE log_fts_state DROP COLUMN counted_to",
              "PRAGMA user_version = 5"})
            QVERIFY2(q.exec(QString::fromLatin1(sql)), sql);
    }
    {
        // Read-only, as `hivectl logs search` may open it: not migrated, every hit joined.
        auto reader = openOrFail(storePath(), LogStore::Access::ReadOnly);
        QVERIFY(reader);
        QCOMPARE(reader->indexProgress()->mappedTo, 0);
        LogSearch search(*reader);
        QCOMPARE(countsMismatch(*reader, search), QString());
    }
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(store->append(interleavedLines(1)).ok()); // written while it catches up
    auto p = store->indexProgress();
    QCOMPARE(p->indexedTo, 450);
    QCOMPARE(p->mappedTo, 0);
    QVERIFY(!p->ready());
    LogSearch search(*store);
    QCOMPARE(countsMismatch(*store, search), QString());
    // The map first catches up with the index, a chunk at a time; then both move together.
    QCOMPARE(store->indexStep(200)->mappedTo, 200);
    QCOMPARE(store->indexProgress()->indexedTo, 450);
    QCOMPARE(countsMismatch(*store, search), QString());
    store.reset(); // stopped midway: the next open goes on from there
    store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    LogSearch again(*store);
    QCOMPARE(store->indexStep(200)->mappedTo, 400);
    QCOMPARE(store->indexStep(200)->mappedTo, 450);
    QCOMPARE(countsMismatch(*store, again), QString());
    p = store->indexStep(200);
    QCOMPARE(p->indexedTo, 650);
    QCOMPARE(p->mappedTo, 650);
    QCOMPARE(countsMismatch(*store, again), QString());
    QVERIFY(indexAll(*store));
    QCOMPARE(countsMismatch(*store, again), QString());
    QCOMPARE(integrityError(*store), QString());
}

void TestLogSearch::countsSplitOverTwoConnectionsAreExactAndCancellable()
{
    // Over 200,000 mapped ids the count's fast part is split: the upper half on a connection and
    // thread of its own. Executions whose runs cross the split, and a range and an execution
    // that are counted by one half alone, must come out as the rule says.
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    const QUuid execs[] = {kExecA, kExecB, kExecC};
    QList<NewLogEntry> rows;
    for (int i = 0; i < 260000; ++i) {
        // Runs of 1, 7 and 997 lines, so runs straddle the middle id.
        const int block = i < 1000 ? i : (i < 100000 ? i / 7 : i / 997);
        const QString content = i % 13 == 0 ? QStringLiteral("needle %1 ok").arg(i)
            : i % 101 == 0                  ? QStringLiteral("Größe NEEDLE %1").arg(i)
                                            : QStringLiteral("plain line %1").arg(i);
        rows.append(line(execs[block % 3], content));
        if (rows.size() == 20000) {
            QVERIFY(store->append(rows).ok());
            rows.clear();
        }
    }
    QVERIFY(store->append(rows).ok());
    for (;;) {
        const auto p = store->indexStep(50000);
        QVERIFY(p.ok());
        if (p->ready())
            break;
    }
    LogSearch search(*store);
    LogSearchQuery query;
    query.text = QStringLiteral("needle");
    QCOMPARE(countMismatch(*store, search, query), QString());
    query.executionId = kExecB;
    QCOMPARE(countMismatch(*store, search, query), QString());
    query.executionId.reset();
    query.afterId = 129000;
    query.beforeId = 131000;
    QCOMPARE(countMismatch(*store, search, query), QString());
    query.afterId = 10000;
    query.beforeId = 0;
    QCOMPARE(countMismatch(*store, search, query), QString());

    // Cancelled midway (the Logs panel's stale-search check, which SQLite asks every 1000
    // steps on the search's connection): the search fails as interrupted, whichever part it was
    // in, the upper half's thread is stopped with it, and a cancel that comes too late leaves
    // the answer exact.
    query = LogSearchQuery();
    query.maxLines = 1;
    int interrupted = 0;
    for (int after : {1, 3, 10, 30, 100, 300, 1000, 1000000}) {
        query.text = after % 2 ? QStringLiteral("NEEDLE") : QStringLiteral("needLE"); // uncached
        int asked = 0;
        std::optional<Result<LogSearchResult>> r;
        {
            const SqliteCancelCheck check(
                store->connection(), [&] { return ++asked > after; }, 1000);
            r = search.search(query);
        }
        if (r->ok()) {
            QVERIFY2(asked <= after, qPrintable(QString::number(after)));
            QCOMPARE(countMismatch(*store, search, query), QString());
            continue;
        }
        ++interrupted;
        QVERIFY2(r->error().toString().contains(QLatin1String("interrupt"), Qt::CaseInsensitive),
                 qPrintable(r->error().toString()));
    }
    QVERIFY(interrupted >= 3);
    QCOMPARE(countMismatch(*store, search, query), QString());
    // The same query answers in full afterwards.
    query.text = QStringLiteral("needle");
    QCOMPARE(countMismatch(*store, search, query), QString());
}

void TestLogSearch::exportIsOneQueryWithProgressAndCancel()
{
    auto store = openOrFail(storePath(), LogStore::Access::ReadWrite);
    QVERIFY(store);
    QList<NewLogEntry> rows;
    for (int i = 0; i < 25000; ++i)
        rows.append(line(kExecA, QStringLiteral("%1 %2").arg(i % 2 ? "odd" : "even").arg(i),
                         QStringLiteral("2026-12-06 05:00:00.000")));
    QVERIFY(store->append(rows).ok());
    LogFilter filter;
    filter.text = QStringLiteral("odd");
    const QString path = m_dir->filePath(QStringLiteral("odd.log"));
    QList<qint64> heard;
    const auto n = store->exportExecution(kExecA, path, filter, [&](qint64 done) {
        heard.append(done);
        return true;
    });
    QVERIFY(n.ok());
    QCOMPARE(n.value(), 12500);
    QCOMPARE(heard, QList<qint64>({10000, 12500}));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QCOMPARE(lines.size(), 12501);
    QCOMPARE(lines.first(), QByteArray("2026-12-06 05:00:00.000 [stdout] odd 1"));
    QCOMPARE(lines.at(12499), QByteArray("2026-12-06 05:00:00.000 [stdout] odd 24999"));

    const QString cancelled = m_dir->filePath(QStringLiteral("cancelled.log"));
    const auto c = store->exportExecution(kExecA, cancelled, {}, [](qint64) { return false; });
    QVERIFY(!c.ok());
    QVERIFY(c.error().toString().contains(QLatin1String("cancelled")));
    QVERIFY(!QFile::exists(cancelled));
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    if (argc == 3 && std::strcmp(argv[1], "--writer") == 0)
        return runWriter(QString::fromLocal8Bit(argv[2]));
    TestLogSearch test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_logsearch.moc"
