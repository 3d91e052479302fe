#include "models/logs/LogExecutionModel.h"
#include "models/logs/LogModel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <future>

using namespace hivewatch;

namespace {

const QUuid kBig = QUuid::fromString(QStringLiteral("aaaaaaaa-0000-4000-8000-000000000001"));
const QUuid kSmall = QUuid::fromString(QStringLiteral("bbbbbbbb-0000-4000-8000-000000000002"));
const QUuid kMixed = QUuid::fromString(QStringLiteral("cccccccc-0000-4000-8000-000000000003"));
constexpr int kBigRows = 1000;

QList<NewLogEntry> rows(const QUuid &exec, int from, int count)
{
    const QString types[] = {QStringLiteral("stdout"), QStringLiteral("stderr"),
                             QStringLiteral("system"), QStringLiteral("json_patch")};
    QList<NewLogEntry> out;
    for (int i = from; i < from + count; ++i)
        out.append({exec, types[i % 4], QStringLiteral("line %1\n").arg(i), {}, {}});
    return out;
}

// A line of a type this build does not know, as a newer node's database may hold one: written
// past the store's CHECK, which only Hivewatch's own writers keep.
void insertUnknownTypeLine(const QString &path, const QUuid &exec, const QString &type)
{
    const QString name = QStringLiteral("unknown-type-writer");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA ignore_check_constraints = ON")));
        QVERIFY(q.prepare(QStringLiteral(
            "INSERT INTO log_entries (execution_id, output_type, content) VALUES (?, ?, ?)")));
        q.addBindValue(exec.toRfc4122());
        q.addBindValue(type);
        q.addBindValue(QStringLiteral("from a newer node\n"));
        QVERIFY(q.exec());
    }
    QSqlDatabase::removeDatabase(name);
}

} // namespace

// LogModel against a real store file, with QAbstractItemModelTester watching every change.
class TestLogModel : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void listsTheStoresExecutions();
    void aBusyLogStreamDoesNotStarveTheExecutionList();
    void opensAtTheTailAndPagesOlderRowsOnTop();
    void jumpToStartPagesForwardThroughFetchMore();
    void staleAnswersForAnEarlierExecutionAreDropped();
    void aSupersededPageIsNeverRead();
    void followingAppendsNewLinesAsTheyAreStored();
    void notFollowingLeavesNewLinesForFetchMore();
    void followingKeepsMemoryBounded();
    void shapeBatchOfLogLinesActsAsAStoreChange();
    void streamsAreVisiblyDifferent();
    void streamFilterAndSearchCoverTheWholeExecution();
    void otherStreamKeepsTypesTheDomainDoesNotKnow();
    void newStoreOpensEmptyAndCleanly();
    void unusableStoreReportsAnError();
    void exportWritesTheExecutionOffTheGuiThread();
    void exportRunsBesidePagingAndCanBeCancelled();
    void storeWithoutIndexIsIndexedInTheBackground();

private:
    void waitIdle();
    void openModel();

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_path;
    std::unique_ptr<LogStore> m_writer;
    std::unique_ptr<LogModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestLogModel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_path = m_dir->filePath(QStringLiteral("store.sqlite"));
    auto store = LogStore::open(m_path, LogStore::Access::ReadWrite);
    QVERIFY(store);
    m_writer = std::move(store.value());
    QVERIFY(m_writer->append(rows(kBig, 0, kBigRows)).ok());
    QVERIFY(m_writer->append(rows(kSmall, 0, 5)).ok());
    QVERIFY(m_writer->append(rows(kMixed, 0, 40)).ok());
}

void TestLogModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_writer.reset();
}

void TestLogModel::openModel()
{
    m_model = std::make_unique<LogModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_model->setPageSize(100);
    m_model->setStorePath(m_path);
}

void TestLogModel::waitIdle()
{
    // Two quiet turns: an answer can trigger a follow-up request (catching up, re-asking).
    for (int i = 0; i < 2; ++i) {
        QTRY_VERIFY_WITH_TIMEOUT(!m_model->isLoading(), 10000);
        QTest::qWait(20);
    }
}

void TestLogModel::listsTheStoresExecutions()
{
    openModel();
    LogExecutionModel executions;
    QAbstractItemModelTester tester(&executions,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    connect(m_model.get(), &LogModel::executionsChanged, &executions,
            &LogExecutionModel::setExecutions);
    QTRY_COMPARE(executions.rowCount(), 3);
    const int big = executions.rowOf(kBig);
    QVERIFY(big >= 0);
    QCOMPARE(executions.index(big, LogExecutionModel::RowsColumn).data().toString(),
             QLocale().toString(kBigRows));
    // A new execution appears on top, the others keep their rows (and a view its selection).
    const QUuid fresh = QUuid::createUuid();
    QVERIFY(m_writer->append(rows(fresh, 0, 3)).ok());
    m_model->refreshExecutions();
    QTRY_COMPARE(executions.rowCount(), 4);
    QCOMPARE(executions.executionAt(0), fresh);
    QVERIFY(m_writer->deleteByExecution(kSmall).ok());
    m_model->refreshExecutions();
    QTRY_COMPARE(executions.rowCount(), 3);
    QCOMPARE(executions.rowOf(kSmall), -1);
}

void TestLogModel::aBusyLogStreamDoesNotStarveTheExecutionList()
{
    // Issue 15: a debounce restarted by every log batch, and answers dropped unless they were the
    // latest, kept a new running execution out of the list for minutes while another streamed.
    openModel();
    m_model->setExecution(kBig);
    LogExecutionModel executions;
    QAbstractItemModelTester tester(&executions,
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    connect(m_model.get(), &LogModel::executionsChanged, &executions,
            &LogExecutionModel::setExecutions);
    QTRY_COMPARE_WITH_TIMEOUT(executions.rowCount(), 3, 5000);

    // ~5,000 lines a second into kBig: 50 lines every 10 ms, each batch announced as the shape
    // consumer announces it.
    int written = kBigRows;
    QTimer stream;
    stream.setInterval(10);
    connect(&stream, &QTimer::timeout, this, [&] {
        QVERIFY(m_writer->append(rows(kBig, written, 50)).ok());
        written += 50;
        m_model->notifyStoreChanged();
    });
    stream.start();
    QTest::qWait(500); // the stream is under way before the new execution starts

    const QUuid running = QUuid::createUuid();
    QVERIFY(m_writer->append(rows(running, 0, 1)).ok());
    m_model->notifyStoreChanged();
    QTRY_VERIFY_WITH_TIMEOUT(executions.rowOf(running) >= 0, 2000);
    stream.stop();
    QVERIFY2(written > kBigRows + 1000, "the stream kept going while the list was checked");
}

void TestLogModel::opensAtTheTailAndPagesOlderRowsOnTop()
{
    openModel();
    m_model->setExecution(kBig);
    waitIdle();
    QCOMPARE(m_model->rowCount(), 100);
    QCOMPARE(m_model->totalCount(), kBigRows);
    QCOMPARE(m_model->entry(99).content, QStringLiteral("line 999\n"));
    QCOMPARE(m_model->entry(0).content, QStringLiteral("line 900\n"));
    QVERIFY(m_model->hasOlder());
    QVERIFY(!m_model->canFetchMore({}));

    QSignalSpy older(m_model.get(), &LogModel::olderRowsInserted);
    m_model->fetchOlder();
    waitIdle();
    QCOMPARE(older.count(), 1);
    QCOMPARE(older.first().first().toInt(), 100);
    QCOMPARE(m_model->rowCount(), 200);
    for (int row = 1; row < m_model->rowCount(); ++row)
        QCOMPARE(m_model->entry(row).id, m_model->entry(row - 1).id + 1);
    QCOMPARE(m_model->entry(0).content, QStringLiteral("line 800\n"));

    for (int i = 0; i < 20 && m_model->hasOlder(); ++i) {
        m_model->fetchOlder();
        waitIdle();
    }
    QCOMPARE(m_model->rowCount(), kBigRows);
    QVERIFY(!m_model->hasOlder());
    QCOMPARE(m_model->entry(0).content, QStringLiteral("line 0\n"));
}

void TestLogModel::jumpToStartPagesForwardThroughFetchMore()
{
    // No tester here: it calls fetchMore() on every change, like a view scrolled to the bottom,
    // and would page through the whole execution.
    m_model = std::make_unique<LogModel>();
    m_model->setPageSize(100);
    m_model->setStorePath(m_path);
    m_model->setExecution(kBig);
    waitIdle();
    m_model->jumpToStart();
    waitIdle();
    QCOMPARE(m_model->rowCount(), 100);
    QCOMPARE(m_model->entry(0).content, QStringLiteral("line 0\n"));
    QVERIFY(!m_model->isFollowing()); // reading from the start does not pull everything in
    QVERIFY(m_model->canFetchMore({}));
    m_model->fetchMore({});
    m_model->fetchMore({}); // a second call while the first is in flight is ignored
    waitIdle();
    QCOMPARE(m_model->rowCount(), 200);
    QCOMPARE(m_model->entry(199).content, QStringLiteral("line 199\n"));
    m_model->jumpToEnd();
    waitIdle();
    QCOMPARE(m_model->rowCount(), 100);
    QCOMPARE(m_model->entry(99).content, QStringLiteral("line 999\n"));
    QVERIFY(!m_model->canFetchMore({}));
}

void TestLogModel::staleAnswersForAnEarlierExecutionAreDropped()
{
    openModel();
    waitIdle();
    // Switch executions faster than the loader answers: only the last one may show.
    m_model->setExecution(kBig);
    m_model->setExecution(kMixed);
    m_model->setSearchText(QStringLiteral("line 1"));
    m_model->setExecution(kSmall);
    m_model->setSearchText(QString());
    waitIdle();
    QCOMPARE(m_model->rowCount(), 5);
    QCOMPARE(m_model->totalCount(), 5);
    for (int row = 0; row < m_model->rowCount(); ++row)
        QCOMPARE(m_model->entry(row).executionId, kSmall);
}

void TestLogModel::aSupersededPageIsNeverRead()
{
    openModel();
    waitIdle();
    // Hold the loader's thread, so both requests are still queued when the second comes.
    std::promise<void> gate;
    std::shared_future<void> open = gate.get_future().share();
    m_model->loaderThread().post([open] { open.wait(); });
    m_model->setExecution(kBig);
    m_model->setExecution(kSmall);
    const int before = m_model->cancelledPages();
    gate.set_value();
    waitIdle();
    QVERIFY(m_model->cancelledPages() >= before + 1); // kBig's tail page was skipped, not read
    QCOMPARE(m_model->rowCount(), 5);
    for (int row = 0; row < m_model->rowCount(); ++row)
        QCOMPARE(m_model->entry(row).executionId, kSmall);
}

void TestLogModel::followingAppendsNewLinesAsTheyAreStored()
{
    openModel();
    m_model->setExecution(kSmall);
    waitIdle();
    QVERIFY(m_model->isFollowing());
    QVERIFY(m_writer->append(rows(kSmall, 5, 3)).ok());
    QVERIFY(m_writer->append(rows(kBig, kBigRows, 50)).ok()); // another execution: not shown
    m_model->notifyStoreChanged();
    waitIdle();
    QCOMPARE(m_model->rowCount(), 8);
    QCOMPARE(m_model->totalCount(), 8);
    QCOMPARE(m_model->entry(7).content, QStringLiteral("line 7\n"));

    // A burst larger than a page is caught up page by page while following.
    QVERIFY(m_writer->append(rows(kSmall, 8, 350)).ok());
    for (int i = 0; i < 5; ++i)
        m_model->notifyStoreChanged(); // notifications coalesce
    waitIdle();
    QCOMPARE(m_model->rowCount(), 358);
    QCOMPARE(m_model->entry(357).content, QStringLiteral("line 357\n"));
    for (int row = 1; row < m_model->rowCount(); ++row)
        QVERIFY(m_model->entry(row).id > m_model->entry(row - 1).id);
}

void TestLogModel::followingKeepsMemoryBounded()
{
    openModel();
    m_model->setMaxRowsWhileFollowing(250);
    m_model->setExecution(kSmall);
    waitIdle();
    QVERIFY(m_writer->append(rows(kSmall, 5, 1000)).ok());
    m_model->notifyStoreChanged();
    waitIdle();
    QCOMPARE(m_model->rowCount(), 250);
    QCOMPARE(m_model->entry(249).content, QStringLiteral("line 1004\n"));
    QCOMPARE(m_model->totalCount(), 1005);
    QVERIFY(m_model->hasOlder()); // the dropped rows come back by scrolling up
    m_model->setFollowing(false);
    m_model->fetchOlder();
    waitIdle();
    QCOMPARE(m_model->rowCount(), 350);
    QCOMPARE(m_model->entry(0).content, QStringLiteral("line 655\n"));
}

void TestLogModel::notFollowingLeavesNewLinesForFetchMore()
{
    openModel();
    m_model->setExecution(kBig);
    waitIdle();
    m_model->jumpToStart();
    waitIdle();
    QVERIFY(m_writer->append(rows(kBig, kBigRows, 10)).ok());
    m_model->notifyStoreChanged();
    waitIdle();
    QCOMPARE(m_model->rowCount(), 100); // the reader stays where they are
    QVERIFY(m_model->canFetchMore({}));
}

void TestLogModel::shapeBatchOfLogLinesActsAsAStoreChange()
{
    openModel();
    m_model->setExecution(kSmall);
    waitIdle();
    QVERIFY(m_writer->append(rows(kSmall, 5, 2)).ok());
    ShapeBatch other;
    other.shapeName = QStringLiteral("shared_tasks");
    other.changes.append(RowChange {});
    m_model->applyShapeBatch(other);
    waitIdle();
    QCOMPARE(m_model->rowCount(), 5); // a tasks batch says nothing about log lines
    ShapeBatch logs;
    logs.shapeName = QStringLiteral("node_task_output_logs");
    logs.changes.append(RowChange {});
    m_model->applyShapeBatch(logs);
    waitIdle();
    QCOMPARE(m_model->rowCount(), 7);
}

void TestLogModel::streamsAreVisiblyDifferent()
{
    QVERIFY(
        m_writer->append({{kMixed, QStringLiteral("brand_new_type"), QStringLiteral("?"), {}, {}}})
            .ok()
        == false); // the store refuses unknown types; the model still copes below
    openModel();
    m_model->setExecution(kMixed);
    waitIdle();
    QCOMPARE(m_model->rowCount(), 40);
    const auto at = [this](int row, int role, int column = LogModel::ContentColumn) {
        return m_model->index(row, column).data(role);
    };
    // rows: 0 stdout, 1 stderr, 2 system, 3 json_patch
    QCOMPARE(at(0, LogModel::StreamRole).toInt(), int(LogModel::Stream::Stdout));
    QCOMPARE(at(1, LogModel::StreamRole).toInt(), int(LogModel::Stream::Stderr));
    QCOMPARE(at(2, LogModel::StreamRole).toInt(), int(LogModel::Stream::System));
    QCOMPARE(at(3, LogModel::StreamRole).toInt(), int(LogModel::Stream::Other));
    QVERIFY(!at(0, Qt::ForegroundRole).isValid());
    const QColor err = at(1, Qt::ForegroundRole).value<QBrush>().color();
    const QColor sys = at(2, Qt::ForegroundRole).value<QBrush>().color();
    QVERIFY(err.isValid() && sys.isValid() && err != sys);
    QVERIFY(at(1, Qt::BackgroundRole).isValid());
    QVERIFY(at(2, Qt::FontRole).value<QFont>().italic());
    QCOMPARE(at(1, Qt::DisplayRole).toString(), QStringLiteral("line 1")); // newline trimmed
    QCOMPARE(at(1, LogModel::ContentRole).toString(), QStringLiteral("line 1\n"));
    QCOMPARE(at(1, Qt::DisplayRole, LogModel::StreamColumn).toString(), QStringLiteral("stderr"));
    QCOMPARE(LogModel::streamOf(QStringLiteral("brand_new_type")), LogModel::Stream::Unknown);
}

void TestLogModel::streamFilterAndSearchCoverTheWholeExecution()
{
    openModel();
    m_model->setExecution(kBig);
    waitIdle();
    m_model->setStreamFilter({QStringLiteral("stderr")});
    waitIdle();
    QCOMPARE(m_model->totalCount(), kBigRows / 4);
    for (int row = 0; row < m_model->rowCount(); ++row)
        QCOMPARE(m_model->entry(row).outputType, QStringLiteral("stderr"));
    QCOMPARE(m_model->entry(m_model->rowCount() - 1).content, QStringLiteral("line 997\n"));

    m_model->setStreamFilter({});
    m_model->setSearchText(QStringLiteral("LINE 12")); // 12, 120-129
    waitIdle();
    QCOMPARE(m_model->totalCount(), 11);
    QCOMPARE(m_model->rowCount(), 11);
    QCOMPARE(m_model->entry(0).content, QStringLiteral("line 12\n"));
    m_model->setSearchText(QString());
    waitIdle();
    QCOMPARE(m_model->totalCount(), kBigRows);
}

void TestLogModel::otherStreamKeepsTypesTheDomainDoesNotKnow()
{
    insertUnknownTypeLine(m_path, kSmall, QStringLiteral("brand_new_type"));
    if (QTest::currentTestFailed())
        return;
    openModel();
    m_model->setExecution(kSmall);
    waitIdle();
    QCOMPARE(m_model->rowCount(), 6);
    QCOMPARE(m_model->entry(5).outputType, QStringLiteral("brand_new_type"));
    QCOMPARE(m_model->index(5, 0).data(LogModel::StreamRole).toInt(),
             int(LogModel::Stream::Unknown));

    const auto shownTypes = [this] {
        QStringList types;
        for (int row = 0; row < m_model->rowCount(); ++row)
            types << m_model->entry(row).outputType;
        return types;
    };
    using S = LogModel::Stream;
    // kSmall's rows: stdout, stderr, system, json_patch, stdout, then the unknown one.
    m_model->setShownStreams({S::Other});
    waitIdle();
    QCOMPARE(shownTypes(), QStringList({"json_patch", "brand_new_type"}));
    QCOMPARE(m_model->totalCount(), 2);

    m_model->setShownStreams({S::Stdout, S::Stderr, S::Other});
    waitIdle();
    QCOMPARE(shownTypes(),
             QStringList({"stdout", "stderr", "json_patch", "stdout", "brand_new_type"}));

    m_model->setShownStreams({S::Stdout, S::Stderr, S::System});
    waitIdle();
    QCOMPARE(shownTypes(), QStringList({"stdout", "stderr", "system", "stdout"}));

    m_model->setShownStreams({});
    waitIdle();
    QCOMPARE(m_model->rowCount(), 0);

    m_model->setShownStreams({S::Stdout, S::Stderr, S::System, S::Other});
    waitIdle();
    QCOMPARE(m_model->rowCount(), 6);
    QVERIFY(m_model->filter().isEmpty());
}

void TestLogModel::newStoreOpensEmptyAndCleanly()
{
    m_model = std::make_unique<LogModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy opened(m_model.get(), &LogModel::storeOpened);
    QSignalSpy executions(m_model.get(), &LogModel::executionsChanged);
    QSignalSpy errors(m_model.get(), &LogModel::errorOccurred);
    const QString fresh = m_dir->filePath(QStringLiteral("fresh.sqlite"));
    m_model->setStorePath(fresh);
    QTRY_COMPARE(opened.count(), 1);
    QTRY_COMPARE(executions.count(), 1);
    QVERIFY(executions.first().first().value<QList<ExecutionSummary>>().isEmpty());
    QCOMPARE(errors.count(), 0);
    QCOMPARE(m_model->rowCount(), 0);
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("fresh.sqlite"))));
    m_model->setExecution(kBig); // nothing stored for it in this file
    waitIdle();
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(m_model->totalCount(), 0);
}

void TestLogModel::unusableStoreReportsAnError()
{
    const QString junk = m_dir->filePath(QStringLiteral("junk.sqlite"));
    QFile f(junk);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("not a database at all\n");
    f.close();
    m_model = std::make_unique<LogModel>();
    QSignalSpy errors(m_model.get(), &LogModel::errorOccurred);
    m_model->setStorePath(junk);
    QTRY_VERIFY(errors.count() >= 1);
    QVERIFY(errors.first().first().toString().contains(QLatin1String("not an SQLite database")));
    QCOMPARE(m_model->rowCount(), 0);
}

void TestLogModel::exportWritesTheExecutionOffTheGuiThread()
{
    openModel();
    m_model->setExecution(kSmall);
    waitIdle();
    QSignalSpy done(m_model.get(), &LogModel::exportFinished);
    const QString out = m_dir->filePath(QStringLiteral("small.log"));
    m_model->exportExecution(out);
    QTRY_COMPARE(done.count(), 1);
    QCOMPARE(done.first().at(0).toLongLong(), 5);
    QVERIFY(done.first().at(1).toString().isEmpty());
    QFile f(out);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll().count('\n'), 5);
}

void TestLogModel::exportRunsBesidePagingAndCanBeCancelled()
{
    const QUuid huge = QUuid::fromString(QStringLiteral("aaaaaaaa-0000-4000-8000-0000000000ff"));
    for (int chunk = 0; chunk < 4; ++chunk)
        QVERIFY(m_writer->append(rows(huge, chunk * 50000, 50000)).ok());
    openModel();
    m_model->setExecution(huge);
    waitIdle();
    QSignalSpy progress(m_model.get(), &LogModel::exportProgress);
    QSignalSpy done(m_model.get(), &LogModel::exportFinished);
    const QString out = m_dir->filePath(QStringLiteral("huge.log"));
    m_model->exportExecution(out);
    QTRY_VERIFY(progress.count() >= 1); // the export's query is running
    QSignalSpy applied(m_model.get(), &LogModel::pageApplied);
    m_model->jumpToStart();
    QTRY_VERIFY(applied.count() >= 1);
    // The page came back while the export was still running: it did not wait behind it.
    const bool exportStillRunning = done.isEmpty();
    m_model->cancelExport();
    QTRY_COMPARE(done.count(), 1);
    QVERIFY(exportStillRunning);
    QVERIFY2(done.first().at(1).toString().contains(QLatin1String("cancelled")),
             qPrintable(done.first().at(1).toString()));
    QVERIFY(!QFile::exists(out));
    QCOMPARE(m_model->data(m_model->index(0, 0), Qt::DisplayRole).isValid(), true);
}

void TestLogModel::storeWithoutIndexIsIndexedInTheBackground()
{
    // The store as version 3 left it: lines, no full-text index.
    QSqlQuery q(m_writer->database());
    for (const char *sql :
         {"DROP TRIGGER IF EXISTS log_entries_fts_insert", "DROP TRIGGER log_entries_fts_delete",
          "DROP TRIGGER log_entries_fts_update", "DROP TABLE log_entries_fts",
          "DROP TABLE log_fts_state", "DROP TRIGGER log_entries_runs_update",
          "DROP TABLE log_id_runs", "DROP TRIGGER log_entries_minutes_delete",
          "DROP TRIGGER log_entries_minutes_update", "DROP TABLE log_minute_counts",
          "PRAGMA user_version = 3"})
        QVERIFY2(q.exec(QString::fromLatin1(sql)), sql);
    q.finish();
    m_writer.reset();
    openModel();
    QSignalSpy progress(m_model.get(), &LogModel::indexProgress);
    QTRY_VERIFY(!progress.isEmpty() && progress.last().first().toInt() == 100);
    auto store = LogStore::open(m_path, LogStore::Access::ReadOnly);
    QVERIFY(store);
    QVERIFY(store.value()->indexProgress()->ready());
    QSqlQuery check(store.value()->database());
    QVERIFY(check.exec(QStringLiteral("SELECT count(*) FROM log_entries_fts WHERE "
                                      "log_entries_fts MATCH '\"line 10\"'"))
            && check.next());
    const int byIndex = check.value(0).toInt();
    QVERIFY(check.exec(QStringLiteral("SELECT count(*) FROM log_entries WHERE content LIKE "
                                      "'%line 10%'"))
            && check.next());
    QCOMPARE(byIndex, check.value(0).toInt());
    QCOMPARE(byIndex, 12); // kBig's 10 and 100..109, kMixed's 10
}

QTEST_MAIN(TestLogModel)
#include "tst_logmodel.moc"
