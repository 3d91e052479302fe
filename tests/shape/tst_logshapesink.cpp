// The hive's log sink (sync/hive) under a real ShapeStore on a real SQLite file: log rows land
// in log_entries keyed by their Electric key (upserted, detached on delete, never held twice),
// a must-refetch or an abandoned snapshot takes them off the shape but keeps them as local log
// history, and stores written before keyed rows resync only if they must.
#include "sync/hive/HiveShapeRowSinks.h"
#include "sync/hive/LogShapeSink.h"
#include "sync/shape/ShapeDefinition.h"
#include "sync/shape/ShapeStore.h"
#include "sync/store/LogStore.h"

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

// A change of the hive's log table whose Electric key names keyId while its row says id: a
// misbehaving server's message when the two disagree.
ShapeMessage logChange(RowChange::Operation operation, int keyId, int id,
                       const QByteArray &content = {})
{
    ShapeMessage change;
    change.operation = operation;
    change.key = QStringLiteral("\"public\".\"node_task_output_logs\"/\"%1\"").arg(keyId);
    change.value = {RawField {"id", QByteArray::number(id)}};
    if (operation != RowChange::Operation::Delete) {
        change.value += {RawField {"execution_process_id", "6f1c2a3e-0b4d-4c1e-9a7f-2d5e8b9c0a11"},
                         RawField {"output_type", "stdout"}, RawField {"content", content},
                         RawField {"timestamp", "2025-12-02 10:11:12.123+00"}};
    }
    return change;
}

ShapeUpdate logUpdate(const QList<ShapeMessage> &changes, const QString &offset, bool reset = false)
{
    ShapeUpdate u;
    u.reset = reset;
    u.changes = changes;
    u.handle = QStringLiteral("h-log");
    u.offset = offset;
    u.schema = testSchema();
    u.receivedAt = QDateTime::currentDateTimeUtc();
    return u;
}

} // namespace

class TestLogShapeSink : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<LogStore> m_writer;
    std::unique_ptr<ShapeStore> m_store;
    std::unique_ptr<LogStore> m_reader;

    QString path() const { return m_dir->filePath(QStringLiteral("store.sqlite")); }
    int attachedLines()
    {
        QSqlQuery q(m_reader->database());
        return q.exec(QStringLiteral(
                   "SELECT count(*) FROM log_entries WHERE shape_derived IS NOT NULL"))
                && q.next()
            ? q.value(0).toInt()
            : -1;
    }
    int allLines()
    {
        QSqlQuery q(m_reader->database());
        return q.exec(QStringLiteral("SELECT count(*) FROM log_entries")) && q.next()
            ? q.value(0).toInt()
            : -1;
    }

    // The log shape's rows as a reader sees them: key -> content, checked against the saved
    // row count.
    QMap<QString, QByteArray> logRows()
    {
        QMap<QString, QByteArray> rows;
        ShapeStore view(*m_reader);
        if (!view.attach(QStringLiteral("log"), std::make_unique<LogShapeSink>()))
            return {{QStringLiteral("<attach failed>"), {}}};
        const auto visited
            = view.forEachRow(QStringLiteral("log"), [&](const QString &key, const RawRow &row) {
                  const RawField *content = findField(row, "content");
                  if (rows.contains(key))
                      rows[key] = "<twice>";
                  else
                      rows.insert(key, content ? content->text : QByteArray("<none>"));
              });
        if (!visited)
            rows.insert(QStringLiteral("<error>"), visited.error().toString().toUtf8());
        return rows;
    }
    // Writes and commits an update of the log shape; the saved row count, or -1.
    qint64 commitLog(const ShapeUpdate &u)
    {
        const QString log = QStringLiteral("log");
        if (!m_store->write(log, u))
            return -1;
        auto committed = m_store->commit(log, log, u);
        return committed ? committed.value() : -1;
    }
    static QString key(int id)
    {
        return QStringLiteral("\"public\".\"node_task_output_logs\"/\"%1\"").arg(id);
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
        auto loaded = m_store->load(QStringLiteral("log"), QStringLiteral("log"),
                                    std::make_unique<LogShapeSink>());
        QVERIFY(loaded.ok() && !loaded.value());
    }
    void cleanup()
    {
        m_reader.reset();
        m_store.reset();
        m_writer.reset();
        m_dir.reset();
    }

    // The wiring's choice: the log table (however the definition spells it) gets the log sink,
    // every other table none.
    void hiveSinksChooseTheLogSinkByTable()
    {
        const ShapeRowSinkFactory sinks = hiveShapeRowSinks();
        ShapeDefinition d;
        for (const char *table : {"node_task_output_logs", "public.node_task_output_logs",
                                  "\"public\".\"node_task_output_logs\""}) {
            d.table = QLatin1String(table);
            const auto sink = sinks(d);
            QVERIFY2(sink && sink->kind() == LogShapeSink::Kind, table);
            QVERIFY(!sink->batchesCarryRows());
        }
        d.table = QStringLiteral("shared_tasks");
        QVERIFY(!sinks(d));
    }

    void logRowsLandInLogEntriesKeyedAndUpserted()
    {
        using Op = RowChange::Operation;
        QCOMPARE(commitLog(logUpdate(
                     {logChange(Op::Insert, 1, 1, "one"), logChange(Op::Insert, 2, 2, "two")},
                     "1_0", true)),
                 2);
        QCOMPARE(attachedLines(), 2);
        QSqlQuery q(m_reader->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM shape_rows")) && q.next());
        QCOMPARE(q.value(0).toInt(), 0); // the lines are the rows: stored once
        q.finish();
        // An update merges into the stored line and replaces it in place.
        QCOMPARE(commitLog(logUpdate({logChange(Op::Update, 2, 2, "changed")}, "2_0")), 2);
        QCOMPARE(logRows(), (QMap<QString, QByteArray> {{key(1), "one"}, {key(2), "changed"}}));
        QCOMPARE(allLines(), 2);
        // A delete takes the line off the shape; the local log history keeps it.
        QCOMPARE(commitLog(logUpdate({logChange(Op::Delete, 1, 1)}, "3_0")), 1);
        QCOMPARE(logRows(), (QMap<QString, QByteArray> {{key(2), "changed"}}));
        QCOMPARE(attachedLines(), 1);
        QCOMPARE(allLines(), 2);
        // A restart resumes keyed: the saved prefix gives the keys back.
        m_store.reset();
        m_store = std::make_unique<ShapeStore>(*m_writer);
        const QString log = QStringLiteral("log");
        auto loaded = m_store->load(log, log, std::make_unique<LogShapeSink>());
        QVERIFY(loaded.ok() && loaded.value());
        QCOMPARE(loaded.value()->offset, QStringLiteral("3_0"));
        QCOMPARE(loaded.value()->rowCount, 1);
        QCOMPARE(commitLog(logUpdate({logChange(Op::Insert, 3, 3, "three")}, "4_0")), 2);
        QCOMPARE(logRows(), (QMap<QString, QByteArray> {{key(2), "changed"}, {key(3), "three"}}));
    }

    // Must-refetch: the new snapshot replaces the shape's lines; the old ones stay as history.
    // A snapshot dropped half-way leaves no line attached.
    void mustRefetchAndAbandonTakeTheLinesOffTheShape()
    {
        using Op = RowChange::Operation;
        QCOMPARE(commitLog(logUpdate(
                     {logChange(Op::Insert, 1, 1, "one"), logChange(Op::Insert, 2, 2, "two")},
                     "1_0", true)),
                 2);
        QCOMPARE(commitLog(logUpdate(
                     {logChange(Op::Insert, 2, 2, "two"), logChange(Op::Insert, 3, 3, "three")},
                     "0_0", true)),
                 2);
        QCOMPARE(logRows(), (QMap<QString, QByteArray> {{key(2), "two"}, {key(3), "three"}}));
        QCOMPARE(attachedLines(), 2);
        QCOMPARE(allLines(), 3);

        const QString log = QStringLiteral("log");
        QVERIFY(m_store->write(log, logUpdate({logChange(Op::Insert, 4, 4, "four")}, "0_0", true)));
        QVERIFY(m_store->abandon(log).ok());
        QCOMPARE(attachedLines(), 0);
        QCOMPARE(allLines(), 4);
        QCOMPARE(logRows(), (QMap<QString, QByteArray> {}));
        QSqlQuery q(m_reader->database());
        QVERIFY(q.exec(QStringLiteral("SELECT \"offset\", row_count FROM shape_state "
                                      "WHERE name = 'log'"))
                && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("-1"));
        QCOMPARE(q.value(1).toInt(), 0);
    }

    void logRowDoesNotVanishWhenAnotherKeyCarriesItsId()
    {
        using Op = RowChange::Operation;
        QCOMPARE(commitLog(logUpdate({logChange(Op::Insert, 1, 1, "one")}, "1_0", true)), 1);
        // Key 2 claims id 1: it must not replace key 1's row.
        QCOMPARE(commitLog(logUpdate({logChange(Op::Insert, 2, 1, "impostor")}, "2_0")), 2);
        const QMap<QString, QByteArray> expected {{key(1), "one"}, {key(2), "impostor"}};
        QCOMPARE(logRows(), expected);
        // An update of key 2 touches key 2 only.
        QCOMPARE(commitLog(logUpdate({logChange(Op::Update, 2, 1, "changed")}, "3_0")), 2);
        const QMap<QString, QByteArray> updated {{key(1), "one"}, {key(2), "changed"}};
        QCOMPARE(logRows(), updated);
    }

    void logRowIsNotStoredTwiceWhenItsIdChanges()
    {
        using Op = RowChange::Operation;
        QCOMPARE(commitLog(logUpdate({logChange(Op::Insert, 1, 1, "one")}, "1_0", true)), 1);
        // An insert for an existing key replaces its row, whatever id it carries ...
        QCOMPARE(commitLog(logUpdate({logChange(Op::Insert, 1, 2, "two")}, "2_0")), 1);
        QCOMPARE(logRows(), (QMap<QString, QByteArray> {{key(1), "two"}}));
        // ... and back to a line of the log when key and id agree again, in one batch too.
        QCOMPARE(commitLog(logUpdate({logChange(Op::Insert, 1, 1, "again"),
                                      logChange(Op::Insert, 3, 7, "odd"),
                                      logChange(Op::Insert, 3, 3, "three")},
                                     "3_0")),
                 2);
        QCOMPARE(logRows(), (QMap<QString, QByteArray> {{key(1), "again"}, {key(3), "three"}}));
        QSqlQuery attached(m_reader->database());
        QVERIFY(attached.exec(QStringLiteral(
            "SELECT group_concat(source_id) FROM log_entries WHERE shape_derived IS NOT NULL")));
        QVERIFY(attached.next());
        QCOMPARE(attached.value(0).toString(), QStringLiteral("1,3"));
    }

    void logDeleteRemovesOnlyTheRowOfItsKey()
    {
        using Op = RowChange::Operation;
        QCOMPARE(commitLog(logUpdate(
                     {logChange(Op::Insert, 1, 1, "one"), logChange(Op::Insert, 2, 2, "two")},
                     "1_0", true)),
                 2);
        // The delete of key 2 carries id 1: key 2 goes, key 1 stays.
        QCOMPARE(commitLog(logUpdate({logChange(Op::Delete, 2, 1)}, "2_0")), 1);
        QCOMPARE(logRows(), (QMap<QString, QByteArray> {{key(1), "one"}}));
        // A stored odd row is deleted by its key too.
        QCOMPARE(commitLog(logUpdate({logChange(Op::Insert, 5, 1, "odd")}, "3_0")), 2);
        QCOMPARE(commitLog(logUpdate({logChange(Op::Delete, 5, 5)}, "4_0")), 1);
        QCOMPARE(logRows(), (QMap<QString, QByteArray> {{key(1), "one"}}));
    }

    void logShapeFromBeforeKeyedRowsResyncsOnlyIfItMust()
    {
        using Op = RowChange::Operation;
        const QString log = QStringLiteral("log");
        QCOMPARE(commitLog(logUpdate(
                     {logChange(Op::Insert, 1, 1, "one"), logChange(Op::Insert, 2, 2, "two")},
                     "1_0", true)),
                 2);
        QSqlQuery q(m_writer->database());
        // As an older Hivewatch left it: not yet checked, all lines keyed by prefix + id.
        QVERIFY(q.exec(QStringLiteral("UPDATE shape_state SET keyed_rows = 0")));
        auto loaded = m_store->load(log, log, std::make_unique<LogShapeSink>());
        QVERIFY(loaded.ok() && loaded.value());
        QCOMPARE(loaded.value()->offset, QStringLiteral("1_0")); // kept: nothing to fix
        QVERIFY(q.exec(QStringLiteral("SELECT keyed_rows FROM shape_state WHERE name = 'log'"))
                && q.next());
        QCOMPARE(q.value(0).toInt(), 1);

        // One line standing for another key, as the id-keyed code could store it.
        QVERIFY(q.exec(QStringLiteral(
            "UPDATE log_entries SET shape_key = 'other', shape_derived = shape_derived & ~64 "
            "WHERE source_id = 2")));
        QVERIFY(q.exec(QStringLiteral("UPDATE shape_state SET keyed_rows = 0")));
        loaded = m_store->load(log, log, std::make_unique<LogShapeSink>());
        QVERIFY(loaded.ok());
        QVERIFY(!loaded.value()); // starts over
        QVERIFY(q.exec(QStringLiteral(
                    "SELECT count(*) FROM log_entries WHERE shape_derived IS NOT NULL"))
                && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestLogShapeSink)
#include "tst_logshapesink.moc"
