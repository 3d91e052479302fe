// ShapeStore's isolation between shapes (issue 13) on a real SQLite file: what a second,
// read-only connection sees while one shape is half-way through a multi-part snapshot. And the
// store of a fresh account: ShapeWorker creates its directory, or says which one it cannot.
#include "sync/shape/ShapeStore.h"
#include "sync/shape/ShapeStream.h"
#include "sync/shape/ShapeUrl.h"
#include "sync/shape/ShapeWorker.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogStore.h"
#include "sync/store/LogStoreSchema.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

namespace {

ShapeSchema testSchema()
{
    auto schema
        = ShapeSchema::parse(R"({"id":{"type":"int4","pk_index":0},"title":{"type":"text"}})");
    return schema ? schema.value() : ShapeSchema();
}

ShapeMessage insert(int id)
{
    ShapeMessage change;
    change.key = QStringLiteral("\"public\".\"t\"/\"%1\"").arg(id);
    change.value = {RawField {"id", QByteArray::number(id)},
                    RawField {"title", "row " + QByteArray::number(id)}};
    return change;
}

// Changes inserting rows first..last, ending at `offset`.
ShapeUpdate update(int first, int last, const QString &offset, bool reset = false)
{
    ShapeUpdate u;
    u.reset = reset;
    for (int id = first; id <= last; ++id)
        u.changes.append(insert(id));
    u.handle = QStringLiteral("h-1");
    u.offset = offset;
    u.schema = testSchema();
    u.receivedAt = QDateTime::currentDateTimeUtc();
    return u;
}

// What a RecordingSink saw; the test keeps it while the store owns the sink.
struct SinkRecord
{
    QStringList calls; // "open", "prepare", "apply", "reset", "dropPartial", "resume:<state>"
    bool applyInTransaction = true; // every apply() ran with a transaction open
    bool resumeAccepts = true;
    bool carriesRows = true; // what batchesCarryRows() says
};

// A sink without any hive in it: keeps each inserted row in a table of its own on the store's
// connection (so only the store's transaction makes it visible), hands rows whose key contains
// "generic" back to the store's shape_rows, and fails at a key containing "fail" after writing
// what came before it.
class RecordingSink final : public ShapeRowSink
{
public:
    static constexpr int Kind = 7;
    explicit RecordingSink(std::shared_ptr<SinkRecord> record)
        : m_record(std::move(record))
    {
    }
    int kind() const override { return Kind; }
    bool batchesCarryRows() const override { return m_record->carriesRows; }
    Result<void> open(const SqliteConnection &db) override
    {
        m_db = &db;
        m_record->calls << QStringLiteral("open");
        return db.exec("CREATE TABLE IF NOT EXISTS sink_rows (key TEXT PRIMARY KEY, value TEXT)");
    }
    Result<bool> resume(const QString &, const QByteArray &state, bool) override
    {
        m_record->calls << QStringLiteral("resume:") + QString::fromUtf8(state);
        return m_record->resumeAccepts;
    }
    QByteArray state() const override { return "recorded"; }
    std::shared_ptr<const ShapeSinkPart> prepare(const ShapeUpdate &) override
    {
        m_record->calls << QStringLiteral("prepare");
        return nullptr;
    }
    Result<qint64> apply(const QString &, const ShapeUpdate &update, const ShapeSinkPart *,
                         ShapeRows &rows, QList<AppliedChange> *applied) override
    {
        m_record->calls << QStringLiteral("apply");
        m_record->applyInTransaction = m_record->applyInTransaction && !m_db->isAutocommit();
        qint64 added = 0;
        for (const ShapeMessage &change : update.changes) {
            const QByteArray key = change.key.toUtf8();
            if (key.contains("fail"))
                return Error(QStringLiteral("the sink refused %1").arg(change.key));
            if (key.contains("generic")) {
                if (auto put = rows.put(key, rawRowToJson(change.value)); !put)
                    return put.error();
            } else {
                auto insert = m_db->prepare("INSERT INTO sink_rows (key, value) VALUES (?, ?)");
                if (!insert
                    || !insert->bindText(1, key).bindText(2, rawRowToJson(change.value)).run())
                    return Error(QStringLiteral("the sink could not store %1").arg(change.key));
                ++added;
            }
            if (applied)
                applied->append({change.operation, change.key, change.value});
        }
        return added;
    }
    Result<void> reset(const QString &) override
    {
        m_record->calls << QStringLiteral("reset");
        return m_db->exec("DELETE FROM sink_rows");
    }
    Result<void> dropPartial(const QString &) override
    {
        m_record->calls << QStringLiteral("dropPartial");
        return m_db->exec("DELETE FROM sink_rows");
    }
    Result<void> forEachRow(
        const QString &, const QByteArray &,
        const std::function<Result<void>(const QByteArray &, const RawRow &)> &visit) override
    {
        auto select = m_db->prepare("SELECT key, value FROM sink_rows ORDER BY key");
        if (!select)
            return select.error();
        for (;;) {
            auto next = select->step();
            if (!next)
                return next.error();
            if (!next.value())
                return {};
            auto row = parseRawRow(select->columnByteArray(1));
            if (!row)
                return row.error();
            if (auto visited = visit(select->columnByteArray(0), row.value()); !visited)
                return visited;
        }
    }
    void close() override { m_record->calls << QStringLiteral("close"); }

private:
    std::shared_ptr<SinkRecord> m_record;
    const SqliteConnection *m_db = nullptr;
};

ShapeMessage keyed(const QString &key)
{
    ShapeMessage change;
    change.key = key;
    change.value = {RawField {"id", key.toUtf8()}};
    return change;
}

ShapeUpdate keyedUpdate(const QStringList &keys, const QString &offset, bool reset = false)
{
    ShapeUpdate u = update(1, 0, offset, reset);
    for (const QString &key : keys)
        u.changes.append(keyed(key));
    return u;
}

} // namespace

class TestShapeStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LogStore> m_writer;
    std::unique_ptr<ShapeStore> m_store;
    std::unique_ptr<LogStore> m_reader;

    QString path() const { return m_dir->filePath(QStringLiteral("store.sqlite")); }

    int readerRows(const QString &shape)
    {
        int rows = 0;
        ShapeStore view(*m_reader);
        const auto visited
            = view.forEachRow(shape, [&](const QString &, const RawRow &) { ++rows; });
        return visited ? rows : -1;
    }
    // Every row of `shape` as a reader sees it: key -> title.
    QMap<QString, QByteArray> readerTitles(const QString &shape)
    {
        QMap<QString, QByteArray> rows;
        ShapeStore view(*m_reader);
        const auto visited = view.forEachRow(shape, [&](const QString &key, const RawRow &row) {
            const RawField *title = findField(row, "title");
            rows.insert(key, title ? title->text : QByteArray("<none>"));
        });
        if (!visited)
            rows.insert(QStringLiteral("<error>"), visited.error().toString().toUtf8());
        return rows;
    }
    QString readerOffset(const QString &shape)
    {
        QSqlQuery query(m_reader->database());
        query.prepare(QStringLiteral("SELECT \"offset\" FROM shape_state WHERE name = ?"));
        query.addBindValue(shape);
        return query.exec() && query.next() ? query.value(0).toString() : QStringLiteral("<none>");
    }
    // Writes and commits a whole update of `shape`, as ShapeWorker does at an up-to-date.
    bool commitUpdate(const QString &shape, const ShapeUpdate &u)
    {
        auto written = m_store->write(shape, u);
        return written && m_store->commit(shape, shape, u).ok();
    }

    QStringList readerKeys(const QString &shape, std::unique_ptr<ShapeRowSink> sink)
    {
        QStringList keys;
        ShapeStore view(*m_reader);
        if (!view.attach(shape, std::move(sink)))
            return {QStringLiteral("<attach failed>")};
        const auto visited
            = view.forEachRow(shape, [&](const QString &key, const RawRow &) { keys << key; });
        return visited ? keys : QStringList {visited.error().toString()};
    }
    int readerSinkRows()
    {
        QSqlQuery query(m_reader->database());
        return query.exec(QStringLiteral("SELECT count(*) FROM sink_rows")) && query.next()
            ? query.value(0).toInt()
            : -1;
    }
    // Loads shape "s" with a new RecordingSink reporting into `record`.
    std::optional<StoredShape> loadRecorded(const std::shared_ptr<SinkRecord> &record)
    {
        auto loaded = m_store->load(QStringLiteral("s"), QStringLiteral("s"),
                                    std::make_unique<RecordingSink>(record));
        return loaded ? loaded.value() : std::nullopt;
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        auto writer = LogStore::open(path(), LogStore::Access::ReadWrite);
        QVERIFY2(writer.ok(), qPrintable(writer.ok() ? QString() : writer.error().toString()));
        m_writer = std::move(writer).value();
        m_store = std::make_unique<ShapeStore>(*m_writer);
        QVERIFY(m_store->migrate().ok());
        auto reader = LogStore::open(path(), LogStore::Access::ReadOnly);
        QVERIFY2(reader.ok(), qPrintable(reader.ok() ? QString() : reader.error().toString()));
        m_reader = std::move(reader).value();
        QVERIFY(commitUpdate(QStringLiteral("a"), update(1, 3, QStringLiteral("10_0"), true)));
        QVERIFY(commitUpdate(QStringLiteral("b"), update(1, 2, QStringLiteral("10_0"), true)));
    }
    void cleanup()
    {
        m_reader.reset();
        m_store.reset();
        m_writer.reset();
        m_dir.reset();
    }

    void otherShapesCommitWhileOneIsHalfWayThroughASnapshot()
    {
        // "a" refetches: the first part of its new snapshot is written, the rest still to come.
        QVERIFY(m_store->write(QStringLiteral("a"), update(100, 104, QStringLiteral("0_0"), true)));
        QVERIFY(m_store->isPartial(QStringLiteral("a")));
        QVERIFY(commitUpdate(QStringLiteral("b"), update(3, 3, QStringLiteral("11_0"))));
        // b's commit is on disk at once ...
        QCOMPARE(readerRows(QStringLiteral("b")), 3);
        QCOMPARE(readerOffset(QStringLiteral("b")), QStringLiteral("11_0"));
        // ... carrying a's part, with a saved as a snapshot in progress: a restart resyncs it,
        // and no reader takes the part for a's rows.
        QCOMPARE(readerOffset(QStringLiteral("a")), QStringLiteral("-1"));
        QCOMPARE(readerRows(QStringLiteral("a")), 0);
        auto loaded = m_store->load(QStringLiteral("a"), QStringLiteral("a"));
        QVERIFY(loaded.ok() && loaded.value());
        QCOMPARE(loaded.value()->offset, QStringLiteral("-1"));

        // a's later parts and its up-to-date complete it.
        QVERIFY(m_store->write(QStringLiteral("a"), update(105, 106, QStringLiteral("0_1"))));
        QVERIFY(commitUpdate(QStringLiteral("b"), update(4, 4, QStringLiteral("12_0"))));
        QCOMPARE(readerOffset(QStringLiteral("a")), QStringLiteral("-1"));
        const ShapeUpdate last = update(107, 107, QStringLiteral("0_2"));
        QVERIFY(commitUpdate(QStringLiteral("a"), last));
        QVERIFY(!m_store->isPartial(QStringLiteral("a")));
        QCOMPARE(readerOffset(QStringLiteral("a")), QStringLiteral("0_2"));
        QCOMPARE(readerRows(QStringLiteral("a")), 8);
        QCOMPARE(readerRows(QStringLiteral("b")), 4);
    }

    void writesGoOnAfterAnotherConnectionChangesTheSchema()
    {
        // The history recorder adds its tables through a connection of its own; the sync's
        // writes before and after must not notice.
        auto other = SqliteConnection::open(path(), SqliteConnection::Mode::ReadWrite);
        QVERIFY(other);
        QVERIFY(other->exec("CREATE TABLE added_later (id INTEGER PRIMARY KEY)"));
        QVERIFY(commitUpdate(QStringLiteral("b"), update(3, 3, QStringLiteral("11_0"))));
        QVERIFY(other->exec("CREATE TABLE added_later_too (id INTEGER PRIMARY KEY)"));
        QVERIFY(commitUpdate(QStringLiteral("c"), update(1, 5, QStringLiteral("10_0"), true)));
        QCOMPARE(readerRows(QStringLiteral("b")), 3);
        QCOMPARE(readerRows(QStringLiteral("c")), 5);
    }

    void aStatementThatCannotBePreparedNamesTheStore()
    {
        auto other = SqliteConnection::open(path(), SqliteConnection::Mode::ReadWrite);
        QVERIFY(other);
        QVERIFY(other->exec("DROP TABLE shape_state"));
        // The first attempt fails as it runs (the store's connection then learns the new
        // schema), the second as it is prepared: both name the store and what is missing.
        for (int attempt = 0; attempt < 2; ++attempt) {
            const auto loaded = m_store->load(QStringLiteral("b"), QStringLiteral("b"));
            QVERIFY(!loaded);
            const QString error = loaded.error().toString();
            QVERIFY2(error.contains(QStringLiteral("the local store could not read the saved "
                                                   "shapes"))
                         && error.contains(path()) && error.contains(QStringLiteral("shape_state")),
                     qPrintable(error));
        }
    }

    void abandonedSnapshotIsDroppedAndTheOthersKeepTheirs()
    {
        QVERIFY(m_store->write(QStringLiteral("a"), update(100, 104, QStringLiteral("0_0"), true)));
        QVERIFY(commitUpdate(QStringLiteral("b"), update(3, 3, QStringLiteral("11_0"))));
        QVERIFY(m_store->write(QStringLiteral("a"), update(105, 106, QStringLiteral("0_1"))));
        // a fails: neither its committed part nor its uncommitted one stays as its rows.
        QVERIFY(m_store->abandon(QStringLiteral("a")).ok());
        QVERIFY(!m_store->isPartial(QStringLiteral("a")));
        QCOMPARE(readerRows(QStringLiteral("a")), 0);
        QCOMPARE(readerOffset(QStringLiteral("a")), QStringLiteral("-1"));
        QCOMPARE(readerRows(QStringLiteral("b")), 3);
        QVERIFY(commitUpdate(QStringLiteral("b"), update(4, 4, QStringLiteral("12_0"))));
        QCOMPARE(readerRows(QStringLiteral("b")), 4);
        QCOMPARE(readerOffset(QStringLiteral("a")), QStringLiteral("-1"));
        // Abandoning a shape that is not half-way through anything keeps its rows.
        QVERIFY(m_store->abandon(QStringLiteral("b")).ok());
        QCOMPARE(readerRows(QStringLiteral("b")), 4);
        QCOMPARE(readerOffset(QStringLiteral("b")), QStringLiteral("12_0"));
    }

    void closingHalfWayKeepsTheOthersAndResyncsThePartialShape()
    {
        QVERIFY(m_store->write(QStringLiteral("a"), update(100, 104, QStringLiteral("0_0"), true)));
        QVERIFY(commitUpdate(QStringLiteral("b"), update(3, 3, QStringLiteral("11_0"))));
        QVERIFY(m_store->write(QStringLiteral("a"), update(105, 106, QStringLiteral("0_1"))));
        // As at quit (or a kill after the last commit): the uncommitted part is gone.
        m_store.reset();
        m_writer.reset();
        QCOMPARE(readerRows(QStringLiteral("b")), 3);
        QCOMPARE(readerOffset(QStringLiteral("b")), QStringLiteral("11_0"));
        QCOMPARE(readerOffset(QStringLiteral("a")), QStringLiteral("-1"));
        QCOMPARE(readerRows(QStringLiteral("a")), 0);
    }

    // The seam without any hive: rows reach the sink inside the batch's transaction (a reader
    // sees none before a commit), the rows it hands back are the store's, and both count.
    void sinkRowsArriveInsideTheBatchTransaction()
    {
        auto record = std::make_shared<SinkRecord>();
        QVERIFY(!loadRecorded(record));
        const QString s = QStringLiteral("s");
        const ShapeUpdate first = keyedUpdate({"k3", "k1", "generic-k2"}, "5_0", true);
        QVERIFY(m_store->write(s, first));
        QVERIFY(m_store->isPartial(s)); // waits for the write: applied, not committed
        QCOMPARE(readerSinkRows(), 0);
        QCOMPARE(readerOffset(s), QStringLiteral("<none>"));
        QVERIFY(commitUpdate(QStringLiteral("b"), update(3, 3, QStringLiteral("11_0"))));
        // b's commit carried s's part, without a saved position for s: no reader takes the
        // part for s's rows.
        QCOMPARE(readerSinkRows(), 2);
        QCOMPARE(readerOffset(s), QStringLiteral("<none>"));
        QCOMPARE(readerKeys(s, std::make_unique<RecordingSink>(std::make_shared<SinkRecord>())),
                 QStringList());
        auto committed = m_store->commit(s, s, first);
        QVERIFY2(committed.ok(), qPrintable(committed ? QString() : committed.error().toString()));
        QCOMPARE(committed.value(), 3); // two in the sink, one handed back
        QVERIFY(record->applyInTransaction);
        QCOMPARE(record->calls, (QStringList {"open", "prepare", "reset", "apply"}));
        QCOMPARE(readerOffset(s), QStringLiteral("5_0"));
        QCOMPARE(readerSinkRows(), 2);
        // The sink's rows and the handed-back one, merged by key.
        QCOMPARE(readerKeys(s, std::make_unique<RecordingSink>(std::make_shared<SinkRecord>())),
                 (QStringList {"generic-k2", "k1", "k3"}));
        QCOMPARE(readerKeys(s, nullptr), (QStringList {"generic-k2"}));

        // A restart resumes with the sink's saved state and the saved count.
        auto again = std::make_shared<SinkRecord>();
        const auto stored = loadRecorded(again);
        QVERIFY(stored);
        QCOMPARE(stored->offset, QStringLiteral("5_0"));
        QCOMPARE(stored->rowCount, 3);
        QCOMPARE(again->calls, (QStringList {"open", "resume:recorded"}));
        QVERIFY(record->calls.contains(QStringLiteral("close"))); // the old sink let go
        const ShapeUpdate more = keyedUpdate({"k4"}, "6_0");
        QVERIFY(m_store->write(s, more));
        committed = m_store->commit(s, s, more);
        QVERIFY(committed.ok());
        QCOMPARE(committed.value(), 4);
    }

    // A sink that fails rolls the whole batch back: its own rows, the store's and the position.
    void failingSinkRollsTheBatchBackAndThePositionStays()
    {
        auto record = std::make_shared<SinkRecord>();
        QVERIFY(!loadRecorded(record));
        const QString s = QStringLiteral("s");
        QVERIFY(commitUpdate(s, keyedUpdate({"k1"}, "5_0", true)));
        // Written before the failing key in the same apply: k2 and generic-k3 must not stay.
        const ShapeUpdate failing = keyedUpdate({"k2", "generic-k3", "fail-k4"}, "6_0");
        QVERIFY(m_store->write(s, failing)); // not waited for: its error comes at the commit
        const auto committed = m_store->commit(s, s, failing);
        QVERIFY(!committed.ok());
        QVERIFY2(committed.error().toString().contains(QLatin1String("fail-k4")),
                 qPrintable(committed.error().toString()));
        m_store->rollback();
        QCOMPARE(readerOffset(s), QStringLiteral("5_0"));
        QCOMPARE(readerSinkRows(), 1);
        QCOMPARE(readerKeys(s, std::make_unique<RecordingSink>(std::make_shared<SinkRecord>())),
                 (QStringList {"k1"}));
        QCOMPARE(readerRows(QStringLiteral("a")), 3); // the other shapes keep theirs
        // The store goes on, and counts the sink's rows from what was committed.
        const ShapeUpdate next = keyedUpdate({"k5"}, "7_0");
        QVERIFY(m_store->write(s, next));
        const auto after = m_store->commit(s, s, next);
        QVERIFY(after.ok());
        QCOMPARE(after.value(), 2);
    }

    // write() queues a second part of a shape's rows without waiting for the first; when the
    // first fails, the second is not written (its own error would replace the first's), and the
    // first's error is what the caller gets.
    void aPartQueuedBehindAFailedOneIsNotWritten()
    {
        QSqlQuery q(m_writer->database());
        QVERIFY2(q.exec(QStringLiteral(
                     "CREATE TRIGGER refuse BEFORE INSERT ON shape_row_data WHEN new.key LIKE "
                     "'%\"666\"' OR new.key LIKE '%\"777\"' BEGIN SELECT RAISE(ABORT, "
                     "'refused by the test'); END")),
                 qPrintable(q.lastError().text()));
        q.finish();
        const QString a = QStringLiteral("a");
        const ShapeUpdate failing = update(665, 667, QStringLiteral("11_0"), true);
        const ShapeUpdate next = update(776, 778, QStringLiteral("12_0"));
        // Another connection holds the write lock: the first part waits on the writer thread
        // until the second is queued behind it.
        auto other = SqliteConnection::open(path(), SqliteConnection::Mode::ReadWrite);
        QVERIFY(other);
        QVERIFY(other->exec("BEGIN IMMEDIATE"));
        QVERIFY(m_store->write(a, failing));
        const auto second = m_store->write(a, next);
        QVERIFY(other->exec("COMMIT"));
        QVERIFY2(second.ok(), qPrintable(second.ok() ? QString() : second.error().toString()));
        const auto committed = m_store->commit(a, a, next);
        QVERIFY(!committed.ok());
        const QString text = committed.error().toString();
        QVERIFY2(text.contains(QLatin1String("666")) && !text.contains(QLatin1String("777")),
                 qPrintable(text));
        m_store->rollback();
        QCOMPARE(readerRows(a), 3);
        QCOMPARE(readerOffset(a), QStringLiteral("10_0"));
        // Once a failure is known, the next write() reports it instead of queueing its part.
        QVERIFY(m_store->write(a, failing));
        QVERIFY(!m_store->isPartial(QStringLiteral("none"))); // waits for the writer
        const auto refused = m_store->write(a, next);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().toString().contains(QLatin1String("666")),
                 qPrintable(refused.error().toString()));
        m_store->rollback();
        QCOMPARE(readerRows(a), 3);
    }

    // A shape dropped half-way through a snapshot drops the sink's part too; a shape saved with
    // another sink (or none) starts over instead of reading rows from the wrong place.
    void abandonAndKindChangeReachTheSink()
    {
        auto record = std::make_shared<SinkRecord>();
        QVERIFY(!loadRecorded(record));
        const QString s = QStringLiteral("s");
        QVERIFY(commitUpdate(s, keyedUpdate({"k1", "k2"}, "5_0", true)));
        record->calls.clear();
        QVERIFY(m_store->write(s, keyedUpdate({"k7"}, "0_0", true)));
        QVERIFY(m_store->abandon(s).ok());
        QCOMPARE(record->calls, (QStringList {"prepare", "reset", "apply", "dropPartial"}));
        QCOMPARE(readerOffset(s), QStringLiteral("-1"));
        QCOMPARE(readerSinkRows(), 0);

        QVERIFY(commitUpdate(s, keyedUpdate({"k1"}, "8_0", true)));
        QSqlQuery q(m_reader->database());
        QVERIFY(q.exec(QStringLiteral("SELECT log_rows, key_prefix FROM shape_state "
                                      "WHERE name = 's'"))
                && q.next());
        QCOMPARE(q.value(0).toInt(), RecordingSink::Kind);
        QCOMPARE(q.value(1).toString(), QStringLiteral("recorded"));
        q.finish();
        // Loaded without the sink: its saved position is not used, and the sink's rows go.
        auto plain = m_store->load(s, s);
        QVERIFY(plain.ok());
        QVERIFY(!plain.value());
        QCOMPARE(readerOffset(s), QStringLiteral("<none>"));
        // A sink that does not accept what it finds (resume() false) starts over too.
        QVERIFY(!loadRecorded(record));
        QVERIFY(commitUpdate(s, keyedUpdate({"k1"}, "9_0", true)));
        auto refusing = std::make_shared<SinkRecord>();
        refusing->resumeAccepts = false;
        QVERIFY(!loadRecorded(refusing));
        QCOMPARE(refusing->calls, (QStringList {"open", "resume:recorded", "reset"}));
        QCOMPARE(readerSinkRows(), 0);
    }

    // The worker asks the wiring's factory for each shape's sink, hands it to the store, and
    // replays the stored rows only when the sink says its batches carry them.
    void workerHandsEachShapeTheSinkItIsGiven()
    {
        ShapeDefinition definition;
        definition.table = QStringLiteral("t");
        const ShapeEndpoint endpoint
            = ShapeEndpoint::electric(QUrl(QStringLiteral("http://127.0.0.1:9/v1/shape")));
        const QString name = definition.effectiveName();
        const QString shapeKey = ShapeUrl::shapeKey(endpoint, definition);
        QVERIFY(m_store
                    ->load(name, shapeKey,
                           std::make_unique<RecordingSink>(std::make_shared<SinkRecord>()))
                    .ok());
        const ShapeUpdate saved = keyedUpdate({"k1", "generic-k2"}, "12_0", true);
        QVERIFY(m_store->write(name, saved));
        QVERIFY(m_store->commit(name, shapeKey, saved).ok());

        for (const bool carriesRows : {true, false}) {
            auto record = std::make_shared<SinkRecord>();
            record->carriesRows = carriesRows;
            ShapeWorker worker(path());
            worker.setEmitRows(true);
            worker.setRowSinks([&](const ShapeDefinition &d) -> std::unique_ptr<ShapeRowSink> {
                if (d.table != QLatin1String("t"))
                    return nullptr;
                return std::make_unique<RecordingSink>(record);
            });
            QList<ShapeStatus> statuses;
            QList<ShapeBatch> batches;
            connect(&worker, &ShapeWorker::statusChanged, this,
                    [&](const ShapeStatus &s) { statuses.append(s); });
            connect(&worker, &ShapeWorker::batchReady, this,
                    [&](const ShapeBatch &b) { batches.append(b); });
            worker.showStoredShape(definition, endpoint);
            QVERIFY(!statuses.isEmpty());
            QCOMPARE(statuses.constLast().rowCount, 2);
            QCOMPARE(statuses.constLast().offset, QStringLiteral("12_0"));
            QCOMPARE(record->calls.mid(0, 2), (QStringList {"open", "resume:recorded"}));
            if (!carriesRows) {
                QVERIFY(batches.isEmpty());
                continue;
            }
            QCOMPARE(batches.size(), 1);
            QStringList keys;
            for (const auto &change : batches.constFirst().changes)
                keys << change.key;
            QCOMPARE(keys, (QStringList {"generic-k2", "k1"}));
        }
    }

    // A store written before rows were keyed by shape id (store version 3: shape_rows a table
    // keyed by shape name and whole key) opens with its rows and positions, and syncs on.
    void storeWithTheOlderRowLayoutKeepsItsRowsAndPositions()
    {
        const QString oldPath = m_dir->filePath(QStringLiteral("old.sqlite"));
        {
            auto made = LogStore::open(oldPath, LogStore::Access::ReadWrite);
            QVERIFY(made.ok());
            QSqlQuery q(made.value()->database());
            // Store version 3 as main wrote it: no full-text index (version 4 and 5 add it), so
            // the log store's migrations and the shape rows' run one after the other on it.
            for (const char *sql :
                 {"DROP TRIGGER log_entries_fts_delete", "DROP TRIGGER log_entries_fts_update",
                  "DROP TABLE log_entries_fts", "DROP TABLE log_fts_state",
                  "DROP TRIGGER log_entries_runs_update", "DROP TABLE log_id_runs",
                  "DROP TRIGGER log_entries_minutes_delete",
                  "DROP TRIGGER log_entries_minutes_update", "DROP TABLE log_minute_counts",
                  "PRAGMA user_version = 3"})
                QVERIFY2(q.exec(QString::fromLatin1(sql)), sql);
            for (const char *sql : {
                     R"(CREATE TABLE shape_state (name TEXT PRIMARY KEY, shape_key TEXT NOT NULL,
                        handle TEXT, "offset" TEXT NOT NULL, schema TEXT,
                        row_count INTEGER NOT NULL DEFAULT 0, last_synced_at TEXT,
                        log_rows INTEGER NOT NULL DEFAULT 0, key_prefix TEXT,
                        keyed_rows INTEGER NOT NULL DEFAULT 0))",
                     R"(CREATE TABLE shape_rows (shape TEXT NOT NULL, key TEXT NOT NULL,
                        value TEXT NOT NULL, PRIMARY KEY (shape, key)) WITHOUT ROWID)",
                     R"(INSERT INTO shape_state VALUES ('old', 'old', 'h-old', '7_3',
                        '{"id":{"type":"int4","pk_index":0},"title":{"type":"text"}}', 3,
                        '2026-12-01T10:00:00.000Z', 0, NULL, 1))",
                     R"(INSERT INTO shape_rows VALUES
                        ('old', '"public"."t"/"1"', '{"id":"1","title":"one"}'),
                        ('old', '"public"."t"/"2"', '{"id":"2","title":"two"}'),
                        ('old', char(1) || 'odd', '{"id":"3","title":"odd"}'),
                        ('gone', '"public"."t"/"1"', '{"id":"1","title":"unsaved"}'))",
                 }) {
                QVERIFY2(q.exec(QString::fromUtf8(sql)), qPrintable(q.lastError().text()));
            }
        }
        auto writer = LogStore::open(oldPath, LogStore::Access::ReadWrite);
        QVERIFY(writer.ok());
        ShapeStore store(*writer.value());
        QVERIFY2(store.migrate().ok(), "the old layout must migrate");
        {
            QSqlQuery v(writer.value()->database());
            QVERIFY(v.exec(QStringLiteral("SELECT (SELECT user_version FROM pragma_user_version), "
                                          "(SELECT count(*) FROM log_fts_state)"))
                    && v.next());
            QCOMPARE(v.value(0).toInt(), LogStoreSchema::kCurrentVersion);
            QCOMPARE(v.value(1).toInt(), 1);
        }
        auto loaded = store.load(QStringLiteral("old"), QStringLiteral("old"));
        QVERIFY(loaded.ok() && loaded.value());
        QCOMPARE(loaded.value()->offset, QStringLiteral("7_3"));
        QCOMPARE(loaded.value()->handle, QStringLiteral("h-old"));
        QCOMPARE(loaded.value()->rowCount, 3);
        m_reader = std::move(LogStore::open(oldPath, LogStore::Access::ReadOnly)).value();
        const QMap<QString, QByteArray> before {
            {QStringLiteral("\"public\".\"t\"/\"1\""), "one"},
            {QStringLiteral("\"public\".\"t\"/\"2\""), "two"},
            {QStringLiteral("\x01odd"), "odd"},
        };
        QCOMPARE(readerTitles(QStringLiteral("old")), before);

        // It syncs on: an insert, an update merged into a migrated row, a delete.
        ShapeUpdate next = update(4, 4, QStringLiteral("8_0"));
        ShapeMessage changed;
        changed.operation = RowChange::Operation::Update;
        changed.key = QStringLiteral("\"public\".\"t\"/\"2\"");
        changed.value = {RawField {"id", "2"}, RawField {"title", "TWO"}};
        ShapeMessage deleted;
        deleted.operation = RowChange::Operation::Delete;
        deleted.key = QStringLiteral("\x01odd");
        next.changes += {changed, deleted};
        QVERIFY(store.write(QStringLiteral("old"), next).ok());
        auto committed = store.commit(QStringLiteral("old"), QStringLiteral("old"), next);
        QVERIFY(committed.ok());
        QCOMPARE(committed.value(), 3);
        const QMap<QString, QByteArray> after {
            {QStringLiteral("\"public\".\"t\"/\"1\""), "one"},
            {QStringLiteral("\"public\".\"t\"/\"2\""), "TWO"},
            {QStringLiteral("\"public\".\"t\"/\"4\""), "row 4"},
        };
        QCOMPARE(readerTitles(QStringLiteral("old")), after);

        // Opening it again migrates nothing twice.
        ShapeStore again(*writer.value());
        QVERIFY(again.migrate().ok());
        QCOMPARE(readerTitles(QStringLiteral("old")), after);
    }

    // Keys are stored without their shape's common prefix; keys outside it, or whose rest looks
    // like the escape, must still come back whole and never meet another key's row.
    void keysOutsideTheSharedPrefixAreKeptApart()
    {
        const QString shape = QStringLiteral("c");
        ShapeUpdate snapshot = update(1, 2, QStringLiteral("1_0"), true);
        const QStringList odd {QStringLiteral("other/\"1\""), QStringLiteral("\"1\""),
                               QStringLiteral("\"public\".\"t\"/\x01\"1\""),
                               QStringLiteral("\x01\"1\""), QStringLiteral("no slash")};
        for (const QString &key : odd) {
            ShapeMessage change = insert(9);
            change.key = key;
            change.value[1].text = key.toUtf8();
            snapshot.changes.append(change);
        }
        // A server that sends a key twice in one snapshot: the later row wins.
        ShapeMessage twice = insert(1);
        twice.value[1].text = "again";
        snapshot.changes.append(twice);
        QVERIFY(commitUpdate(shape, snapshot));
        QMap<QString, QByteArray> expected {{QStringLiteral("\"public\".\"t\"/\"1\""), "again"},
                                            {QStringLiteral("\"public\".\"t\"/\"2\""), "row 2"}};
        for (const QString &key : odd)
            expected.insert(key, key.toUtf8());
        QCOMPARE(readerTitles(shape), expected);
        // The prefix comes from the snapshot's first key, whatever order the rows are written in
        // (a part's inserts are written sorted by key, where the odd keys come first).
        {
            QSqlQuery q(m_reader->database());
            QVERIFY(q.exec(QStringLiteral("SELECT key_prefix FROM shape_ids WHERE name = 'c'"))
                    && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("\"public\".\"t\"/"));
        }

        ShapeUpdate deletes;
        deletes.handle = snapshot.handle;
        deletes.schema = snapshot.schema;
        deletes.offset = QStringLiteral("2_0");
        for (const QString &key : {odd[0], odd[3]}) {
            ShapeMessage gone;
            gone.operation = RowChange::Operation::Delete;
            gone.key = key;
            deletes.changes.append(gone);
            expected.remove(key);
        }
        QVERIFY(commitUpdate(shape, deletes));
        QCOMPARE(readerTitles(shape), expected);
        // The other shapes' rows were never touched.
        QCOMPARE(readerRows(QStringLiteral("a")), 3);

        // A new snapshot of another table's keys takes their prefix.
        ShapeUpdate refetch = update(5, 5, QStringLiteral("3_0"), true);
        refetch.changes[0].key = QStringLiteral("\"other\".\"u\"/\"5\"");
        QVERIFY(commitUpdate(shape, refetch));
        QCOMPARE(readerTitles(shape),
                 (QMap<QString, QByteArray> {{QStringLiteral("\"other\".\"u\"/\"5\""), "row 5"}}));
        QSqlQuery q(m_reader->database());
        QVERIFY(q.exec(QStringLiteral("SELECT key_prefix FROM shape_ids WHERE name = 'c'"))
                && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("\"other\".\"u\"/"));
    }

    void nodeDatabaseIsRefusedForShapeSync()
    {
        const QString path = m_dir->filePath(QStringLiteral("db.sqlite"));
        const QString tables = QStringLiteral(
            "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema ORDER BY name)");
        QString before;
        {
            // A node's db.sqlite as the node writes it (docs/hive-schema.md §3.1): no Hivewatch
            // marker.
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("node"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            for (const char *sql : {
                     "CREATE TABLE execution_processes (id BLOB PRIMARY KEY, status TEXT)",
                     "CREATE TABLE execution_process_logs (execution_id BLOB, logs TEXT)",
                     "CREATE TABLE log_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                     "execution_id BLOB NOT NULL, output_type TEXT NOT NULL, content TEXT NOT "
                     "NULL, timestamp TEXT NOT NULL)",
                 })
                QVERIFY2(q.exec(QString::fromLatin1(sql)), qPrintable(q.lastError().text()));
            QVERIFY(q.exec(tables) && q.next());
            before = q.value(0).toString();
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("node"));

        ShapeWorker worker(path);
        QList<ShapeStatus> statuses;
        connect(&worker, &ShapeWorker::statusChanged, this,
                [&](const ShapeStatus &s) { statuses.append(s); });
        ShapeDefinition definition;
        definition.table = QStringLiteral("node_task_output_logs");
        worker.addShape(
            definition,
            ShapeEndpoint::electric(QUrl(QStringLiteral("http://127.0.0.1:9/v1/shape"))));
        QVERIFY(!statuses.isEmpty());
        QCOMPARE(statuses.constLast().state, ShapeStatus::State::Failed);
        QVERIFY2(statuses.constLast().errorText.contains(path)
                     && statuses.constLast().errorText.contains(QLatin1String("node's database")),
                 qPrintable(statuses.constLast().errorText));

        auto node = LogStore::open(path, LogStore::Access::ReadOnly);
        QVERIFY(node.ok());
        QSqlQuery q(node.value()->database());
        QVERIFY(q.exec(tables) && q.next());
        QCOMPARE(q.value(0).toString(), before); // no shape table was written into it
    }

    void workerOnAFreshAccountCreatesTheStoreDirectory()
    {
        const QString path = m_dir->filePath(QStringLiteral("fresh/.local/share/hw/store.sqlite"));
        ShapeWorker worker(path);
        QList<ShapeStatus> statuses;
        connect(&worker, &ShapeWorker::statusChanged, this,
                [&](const ShapeStatus &s) { statuses.append(s); });
        ShapeDefinition definition;
        definition.table = QStringLiteral("shared_tasks");
        // Nothing listens there: the shape retries; what matters is that it got that far.
        worker.addShape(
            definition,
            ShapeEndpoint::electric(QUrl(QStringLiteral("http://127.0.0.1:9/v1/shape"))));
        QVERIFY(!statuses.isEmpty());
        for (const ShapeStatus &status : std::as_const(statuses))
            QVERIFY2(status.state != ShapeStatus::State::Failed, qPrintable(status.errorText));
        QVERIFY(QFileInfo(path).isFile());
    }

    void workerWhoseStoreDirectoryCannotBeMadeNamesIt()
    {
        QFile blocker(m_dir->filePath(QStringLiteral("data")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const QString directory = m_dir->filePath(QStringLiteral("data/hw"));
        ShapeWorker worker(directory + QStringLiteral("/store.sqlite"));
        QHash<QString, ShapeStatus> statuses;
        connect(&worker, &ShapeWorker::statusChanged, this,
                [&](const ShapeStatus &s) { statuses[s.shapeName] = s; });
        for (const char *table : {"shared_tasks", "nodes"}) {
            ShapeDefinition definition;
            definition.table = QLatin1String(table);
            worker.addShape(
                definition,
                ShapeEndpoint::electric(QUrl(QStringLiteral("http://127.0.0.1:9/v1/shape"))));
        }
        QCOMPARE(statuses.size(), 2);
        for (const ShapeStatus &status : std::as_const(statuses)) {
            QCOMPARE(status.state, ShapeStatus::State::Failed);
            QVERIFY2(status.errorText.contains(directory), qPrintable(status.errorText));
        }
    }

    // A write runs on the store's writer thread without being waited for: its failure comes
    // back from the next call, and what was committed before stays.
    void failedWriteSurfacesAtTheNextCallAndKeepsWhatWasCommitted()
    {
        QSqlQuery q(m_writer->database());
        QVERIFY2(q.exec(QStringLiteral(
                     "CREATE TRIGGER refuse BEFORE INSERT ON shape_row_data WHEN new.key LIKE "
                     "'%\"666\"' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")),
                 qPrintable(q.lastError().text()));
        q.finish();
        const ShapeUpdate failing = update(665, 667, QStringLiteral("0_0"), true);
        QVERIFY(m_store->write(QStringLiteral("a"), failing));
        const auto committed = m_store->commit(QStringLiteral("a"), QStringLiteral("a"), failing);
        QVERIFY(!committed.ok());
        const QString text = committed.error().toString();
        QVERIFY2(text.contains(QLatin1String("666")) && text.contains(QLatin1String("refused")),
                 qPrintable(text));
        m_store->rollback();
        QCOMPARE(readerRows(QStringLiteral("a")), 3);
        QCOMPARE(readerOffset(QStringLiteral("a")), QStringLiteral("10_0"));
        // The store goes on after the rollback.
        QVERIFY(commitUpdate(QStringLiteral("b"), update(3, 3, QStringLiteral("11_0"))));
        QCOMPARE(readerRows(QStringLiteral("b")), 3);
    }

    // ShapeWorker without a server: what it replays from the store, and only when asked to.
    void workerEmitsStoredRowsOnlyWhenAsked()
    {
        ShapeDefinition definition;
        definition.table = QStringLiteral("t");
        const ShapeEndpoint endpoint
            = ShapeEndpoint::electric(QUrl(QStringLiteral("http://127.0.0.1:9/v1/shape")));
        const QString name = definition.effectiveName();
        const ShapeUpdate saved = update(7, 9, QStringLiteral("12_0"), true);
        QVERIFY(m_store->write(name, saved));
        const auto committed
            = m_store->commit(name, ShapeUrl::shapeKey(endpoint, definition), saved);
        QVERIFY2(committed.ok(),
                 qPrintable(committed.ok() ? QString() : committed.error().toString()));
        QCOMPARE(committed.value(), 3);

        for (const bool emitRows : {false, true}) {
            ShapeWorker worker(path());
            worker.setEmitRows(emitRows);
            QList<ShapeStatus> statuses;
            QList<ShapeBatch> batches;
            connect(&worker, &ShapeWorker::statusChanged, this,
                    [&](const ShapeStatus &s) { statuses.append(s); });
            connect(&worker, &ShapeWorker::batchReady, this,
                    [&](const ShapeBatch &b) { batches.append(b); });
            worker.showStoredShape(definition, endpoint);
            QVERIFY(!statuses.isEmpty());
            QCOMPARE(statuses.constLast().state, ShapeStatus::State::Idle);
            QCOMPARE(statuses.constLast().rowCount, 3);
            QCOMPARE(statuses.constLast().offset, QStringLiteral("12_0"));
            if (!emitRows) {
                QVERIFY(batches.isEmpty());
                continue;
            }
            QCOMPARE(batches.size(), 1);
            const ShapeBatch &batch = batches.constFirst();
            QVERIFY(batch.reset);
            QCOMPARE(batch.shapeName, name);
            QCOMPARE(batch.changes.size(), 3);
            QCOMPARE(batch.changes.constFirst().key, insert(7).key);
            QCOMPARE(batch.changes.constLast().key, insert(9).key);
        }
    }

    // A shape saved for another definition (another shape key) is not shown: its rows go.
    void workerDoesNotShowRowsOfAnotherDefinition()
    {
        ShapeDefinition definition;
        definition.table = QStringLiteral("a"); // saved in init() under the shape key "a"
        ShapeWorker worker(path());
        worker.setEmitRows(true);
        QList<ShapeStatus> statuses;
        QList<ShapeBatch> batches;
        connect(&worker, &ShapeWorker::statusChanged, this,
                [&](const ShapeStatus &s) { statuses.append(s); });
        connect(&worker, &ShapeWorker::batchReady, this,
                [&](const ShapeBatch &b) { batches.append(b); });
        worker.showStoredShape(
            definition,
            ShapeEndpoint::electric(QUrl(QStringLiteral("http://127.0.0.1:9/v1/shape"))));
        QVERIFY(!statuses.isEmpty());
        QCOMPARE(statuses.constLast().rowCount, 0);
        QVERIFY(batches.isEmpty());
        QCOMPARE(readerRows(QStringLiteral("a")), 0);
        QCOMPARE(readerRows(QStringLiteral("b")), 2); // the other shape keeps its rows
    }
};

QTEST_GUILESS_MAIN(TestShapeStore)
#include "tst_shapestore.moc"
