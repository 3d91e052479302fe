// PendingChanges packs a batch's applied changes until its up-to-date: what comes out of drain()
// must be exactly what went in, in order (NULL apart from the empty text, odd column lists, keys
// and texts beyond ASCII, rows larger than a block), and it must be reusable after.
#include "sync/shape/PendingChanges.h"

#include <QTest>

using namespace hivewatch;

namespace {
RawField field(const char *column, const QByteArray &text, bool isNull = false)
{
    return {QByteArray(column), text, isNull};
}

AppliedChange change(RowChange::Operation operation, const QString &key, RawRow row)
{
    return {operation, key, std::move(row)};
}

QList<AppliedChange> drained(PendingChanges &pending)
{
    QList<AppliedChange> out;
    pending.drain([&out](const AppliedChange &change) {
        // The texts point into the pending blocks only during the call: keep a deep copy.
        AppliedChange copy = change;
        for (RawField &f : copy.row) {
            if (!f.text.isNull()) // a null text's constData() is "", which would copy as empty
                f.text = QByteArray(f.text.constData(), f.text.size());
        }
        out.append(copy);
    });
    return out;
}

void compare(const QList<AppliedChange> &actual, const QList<AppliedChange> &expected)
{
    QCOMPARE(actual.size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QCOMPARE(int(actual[i].operation), int(expected[i].operation));
        QCOMPARE(actual[i].key, expected[i].key);
        QCOMPARE(actual[i].row.size(), expected[i].row.size());
        for (qsizetype f = 0; f < expected[i].row.size(); ++f) {
            const RawField &a = actual[i].row[f];
            const RawField &e = expected[i].row[f];
            QCOMPARE(a.column, e.column);
            QCOMPARE(a.isNull, e.isNull);
            QCOMPARE(a.text, e.isNull ? QByteArray() : e.text);
            // An empty text stays a text: typing makes a null QString of a null one.
            QCOMPARE(a.text.isNull(), e.isNull);
        }
    }
}
} // namespace

class TestPendingChanges : public QObject
{
    Q_OBJECT
private slots:
    void drainGivesBackEveryChangeInOrder()
    {
        QList<AppliedChange> in;
        in << change(RowChange::Operation::Insert, QStringLiteral("\"public\".\"t\"/\"1\""),
                     {field("id", "1"), field("title", "first"), field("note", {}, true)});
        in << change(RowChange::Operation::Update, QStringLiteral("\"public\".\"t\"/\"2\""),
                     {field("id", "2"), field("title", ""), field("note", "ü ✓ 😀")});
        // A delete carries only the key columns: another column list.
        in << change(RowChange::Operation::Delete, QStringLiteral("\"public\".\"t\"/\"ä\""),
                     {field("id", "ä")});
        in << change(RowChange::Operation::Insert, QStringLiteral("k"), {});
        // Back to the first column list, after another.
        in << change(RowChange::Operation::Insert, QStringLiteral("\"public\".\"t\"/\"3\""),
                     {field("id", "3"), field("title", "third"), field("note", "x")});
        PendingChanges pending;
        for (const AppliedChange &c : in)
            pending.append(c);
        QCOMPARE(pending.size(), in.size());
        compare(drained(pending), in);
        QVERIFY(pending.isEmpty());
        // Reusable after a drain, and after a clear.
        pending.append(in.at(1));
        compare(drained(pending), {in.at(1)});
        pending.append(in.at(0));
        pending.clear();
        QVERIFY(pending.isEmpty());
        compare(drained(pending), {});
    }

    void rowsLargerThanABlockAndManyBlocks()
    {
        QList<AppliedChange> in;
        const QByteArray huge(3 * 1024 * 1024, 'h'); // larger than a block
        for (int i = 0; i < 5000; ++i) {
            const QByteArray text = i % 1000 == 7 ? huge : QByteArray::number(i).repeated(i % 50);
            in << change(RowChange::Operation::Insert, QStringLiteral("key %1").arg(i),
                         {field("id", QByteArray::number(i)), field("body", text),
                          field("maybe", {}, i % 3 == 0)});
        }
        PendingChanges pending;
        for (const AppliedChange &c : in)
            pending.append(c);
        int visited = 0;
        pending.drain([&](const AppliedChange &c) {
            // Every earlier block is freed by now; this change's texts must still be intact.
            QCOMPARE(c.key, in.at(visited).key);
            QCOMPARE(c.row.at(1).text, in.at(visited).row.at(1).text);
            ++visited;
        });
        QCOMPARE(visited, in.size());
    }

    void manyDistinctColumnListsKeepTheirNames()
    {
        // A server may send rows whose columns keep changing: more distinct column lists than
        // a 16-bit index holds must still come back under their own names.
        PendingChanges pending;
        constexpr int kLists = 70000;
        for (int i = 0; i < kLists; ++i) {
            const QByteArray column = "c" + QByteArray::number(i);
            pending.append(change(RowChange::Operation::Insert, QString::number(i),
                                  {field("id", QByteArray::number(i)),
                                   RawField {column, QByteArray::number(i * 7), false}}));
        }
        int visited = 0;
        pending.drain([&](const AppliedChange &c) {
            QCOMPARE(c.row.at(1).column, "c" + QByteArray::number(visited));
            QCOMPARE(c.row.at(1).text, QByteArray::number(visited * 7));
            ++visited;
        });
        QCOMPARE(visited, kLists);
    }
};

QTEST_GUILESS_MAIN(TestPendingChanges)
#include "tst_pendingchanges.moc"
