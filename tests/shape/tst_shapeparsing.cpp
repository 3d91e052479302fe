// Parsing rules of issue 4 items 1–2: canonical URLs, the message body, and value typing.
#include "domain/LogTable.h"
#include "sync/hive/ShapeLogLine.h"
#include "sync/shape/ShapeContentEncoding.h"
#include "sync/shape/ShapeDefinition.h"
#include "sync/shape/ShapeMessage.h"
#include "sync/shape/ShapeSchema.h"
#include "sync/shape/ShapeUrl.h"
#include "sync/shape/ShapeValue.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QTest>

#include <cmath>
#include <limits>
#include <tuple>

using namespace hivewatch;

Q_DECLARE_METATYPE(RawField)

namespace {

ColumnType column(const char *type, int dims = 0, bool notNull = false)
{
    ColumnType c;
    c.type = QString::fromLatin1(type);
    c.dims = dims;
    c.notNull = notNull;
    return c;
}

QVariant typedValue(const ColumnType &type, const QByteArray &text)
{
    RawField field {"c", text, false};
    auto value = ShapeValue::typed(&type, field);
    if (!value)
        return QString(QStringLiteral("ERROR: ") + value.error().message);
    return value.value();
}

QByteArray dump(const QVariant &value)
{
    return ShapeValue::toDumpJson(value);
}

} // namespace

class TestShapeParsing : public QObject
{
    Q_OBJECT

private slots:
    void sortsQueryParametersLikeTheOfficialClient()
    {
        ShapeDefinition definition;
        definition.table = QStringLiteral("foo");
        definition.where = QStringLiteral("a=$1 and b=$2");
        definition.params = {QStringLiteral("test1"), QStringLiteral("test2")};
        definition.columns = {QStringLiteral("id")};
        ShapeRequestPosition position;
        position.handle = QStringLiteral("potato");
        const QUrl url = ShapeUrl::requestUrl(
            ShapeEndpoint::electric(QUrl(QStringLiteral("http://127.0.0.1:3000/v1/shape"))),
            definition, position);
        // The example URL from the official client's stream.test.ts.
        QCOMPARE(
            url.toEncoded(),
            QByteArray(
                "http://127.0.0.1:3000/v1/shape?columns=%22id%22&handle=potato&log=full&offset=-1"
                "&params%5B1%5D=test1&params%5B2%5D=test2&table=foo&where=a%3D%241+and+b%3D%242"));
    }

    void addsLiveCursorCacheBusterExpiredHandleAndSecret()
    {
        ShapeDefinition definition;
        definition.table = QStringLiteral("items");
        definition.replica = ShapeDefinition::Replica::Full;
        ShapeRequestPosition position;
        position.offset = QStringLiteral("26800584_4");
        position.handle = QStringLiteral("h-1");
        position.live = true;
        position.cacheBuster = QStringLiteral("123-abc");
        position.expiredHandle = QStringLiteral("h-0");
        const QUrl url = ShapeUrl::requestUrl(
            ShapeEndpoint::electric(QUrl(QStringLiteral("http://127.0.0.1:3000/v1/shape")),
                                    QStringLiteral("s3 cret")),
            definition, position);
        // cursor is sent even when empty, as the official client does before it has seen one.
        QCOMPARE(
            url.toEncoded(),
            QByteArray(
                "http://127.0.0.1:3000/v1/shape?cache-buster=123-abc&cursor=&expired_handle=h-0"
                "&handle=h-1&live=true&log=full&offset=26800584_4&replica=full&secret=s3+cret&"
                "table=items"));
        QVERIFY(!ShapeUrl::redacted(url).contains(QLatin1String("s3")));
    }

    void proxyUrlsCarryNoTableAndNoSecret()
    {
        ShapeDefinition definition;
        definition.table = QStringLiteral("shared_tasks");
        ShapeEndpoint endpoint = ShapeEndpoint::fromUrl(
            QUrl(QStringLiteral("http://127.0.0.1:8080/v1/shape/shared_tasks")));
        QCOMPARE(endpoint.style, ShapeEndpoint::Style::Proxy);
        QCOMPARE(endpoint.proxyTable(), QStringLiteral("shared_tasks"));
        endpoint.secret = QStringLiteral("never-sent");
        const QUrl url = ShapeUrl::requestUrl(endpoint, definition, {});
        QCOMPARE(url.toEncoded(),
                 QByteArray("http://127.0.0.1:8080/v1/shape/shared_tasks?log=full&offset=-1"));
        QCOMPARE(ShapeEndpoint::fromUrl(QUrl(QStringLiteral("http://h/v1/shape"))).style,
                 ShapeEndpoint::Style::Electric);
    }

    void shapeKeyIgnoresProtocolParameters()
    {
        ShapeDefinition definition;
        definition.table = QStringLiteral("t");
        const ShapeEndpoint endpoint = ShapeEndpoint::electric(
            QUrl(QStringLiteral("http://h/v1/shape")), QStringLiteral("x"));
        QCOMPARE(ShapeUrl::shapeKey(endpoint, definition),
                 QStringLiteral("http://h/v1/shape?table=t"));
        definition.where = QStringLiteral("id > 1");
        QCOMPARE(ShapeUrl::shapeKey(endpoint, definition),
                 QStringLiteral("http://h/v1/shape?table=t&where=id+%3E+1"));
    }

    void keepsTheBaseQueryButNeverItsSecretsInTheKey()
    {
        ShapeDefinition definition;
        definition.table = QStringLiteral("items");
        const QUrl base(QStringLiteral("https://user:pw@api.example.com/v1/shape"
                                       "?source_id=src-1&secret=s3%2Bcr&api_secret=a1"
                                       "&access_token=t0k&table=other&handle=h0&gw=a+b"));
        const ShapeEndpoint endpoint = ShapeEndpoint::fromUrl(base);
        QCOMPARE(endpoint.style, ShapeEndpoint::Style::Electric); // by path, not query
        ShapeRequestPosition position;
        position.offset = QStringLiteral("0_0");
        position.handle = QStringLiteral("H1");
        const QUrl url = ShapeUrl::requestUrl(endpoint, definition, position);
        // Protocol and shape parameters replace same-named base ones; all sorted by key.
        QCOMPARE(url.query(QUrl::FullyEncoded),
                 QStringLiteral("access_token=t0k&api_secret=a1&gw=a+b&handle=H1&log=full"
                                "&offset=0_0&secret=s3%2Bcr&source_id=src-1&table=items"));
        // The stored key: the same shape whatever the credentials.
        QCOMPARE(ShapeUrl::shapeKey(endpoint, definition),
                 QStringLiteral("https://api.example.com/v1/shape?gw=a+b&source_id=src-1"
                                "&table=items"));
        ShapeEndpoint explicitSecret = endpoint;
        explicitSecret.secret = QStringLiteral("other");
        QCOMPARE(ShapeUrl::shapeKey(explicitSecret, definition),
                 ShapeUrl::shapeKey(endpoint, definition));
        QVERIFY(ShapeUrl::requestUrl(explicitSecret, definition, {})
                    .query(QUrl::FullyEncoded)
                    .contains(QLatin1String("&secret=other&")));

        const QString shown = ShapeUrl::redacted(url);
        for (const char *secret : {"s3", "a1", "t0k", "user", "pw"})
            QVERIFY2(!shown.contains(QLatin1String(secret)), qPrintable(shown));
        QVERIFY2(shown.contains(QLatin1String("source_id=src-1")), qPrintable(shown));
        QVERIFY2(shown.contains(QLatin1String("secret=***")), qPrintable(shown));
        QVERIFY2(shown.contains(QLatin1String("access_token=***")), qPrintable(shown));
    }

    void decodesContentEncodingsAndNamesWhatIsWrong()
    {
        const QByteArray text
            = QByteArray("[{\"headers\":{\"control\":\"up-to-date\"}}]").repeated(500);
        const QByteArray zlibStream = qCompress(text).mid(4); // drop Qt's length prefix
        QByteArray body = zlibStream;
        QCOMPARE(ShapeContentEncoding::decode(body, "deflate"), QString());
        QCOMPARE(body, text);
        body = text;
        QCOMPARE(ShapeContentEncoding::decode(body, "identity"), QString());
        QCOMPARE(body, text);
        // Already decoded (by Qt, which leaves the header): kept as it is.
        QCOMPARE(ShapeContentEncoding::decode(body, "gzip"), QString());
        QCOMPARE(body, text);

        body = zlibStream.left(zlibStream.size() / 2);
        const QString cut = ShapeContentEncoding::decode(body, "deflate");
        QVERIFY2(ShapeContentEncoding::isCutOff(cut), qPrintable(cut));
        QCOMPARE(cut.left(17), QStringLiteral("its deflate strea"));

        body = "not gzip at all";
        const QString corrupt = ShapeContentEncoding::decode(body, "gzip");
        QVERIFY2(corrupt.startsWith(QLatin1String("its gzip data is corrupt (zlib: ")),
                 qPrintable(corrupt));
        QVERIFY(!ShapeContentEncoding::isCutOff(corrupt));
        QCOMPARE(body, QByteArray("not gzip at all")); // left as it was

        const QString unknown = ShapeContentEncoding::decode(body, "br");
        QVERIFY2(unknown.contains(QLatin1String("Content-Encoding br")), qPrintable(unknown));
    }

    void recognisesTheLogTableInAnySpelling()
    {
        ShapeDefinition d;
        for (const char *name : {"node_task_output_logs", "public.node_task_output_logs",
                                 "\"public\".\"node_task_output_logs\"", "Node_Task_Output_Logs"}) {
            d.table = QString::fromLatin1(name);
            QVERIFY2(LogTable::isNamedBy(d.table), name);
        }
        d.table = QStringLiteral("\"Node_Task_Output_Logs\"");
        QVERIFY(!LogTable::isNamedBy(d.table));
    }

    void parsesChangeAndControlMessages()
    {
        const QByteArray body
            = "[\n"
              "            "
              "{\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"]},\"key\":"
              "\"\\\"public\\\".\\\"items\\\"/"
              "\\\"1\\\"\",\"value\":{\"id\":\"1\",\"title\":\"Hello\",\"note\":null}},\n"
              "            "
              "{\"headers\":{\"operation\":\"update\",\"lsn\":\"10\",\"op_position\":2},\"key\":"
              "\"\\\"public\\\".\\\"items\\\"/"
              "\\\"1\\\"\",\"value\":{\"id\":\"1\",\"title\":\"Hi\"},\"old_value\":{\"title\":"
              "\"Hello\"}},\n"
              "            "
              "{\"headers\":{\"operation\":\"delete\"},\"key\":\"\\\"public\\\".\\\"items\\\"/"
              "\\\"2\\\"\",\"value\":{\"id\":\"2\"}},\n"
              "            "
              "{\"headers\":{\"control\":\"snapshot-end\",\"xmin\":\"1\",\"xmax\":\"2\",\"xip_"
              "list\":[]}},\n"
              "            "
              "{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"10\"}}\n"
              "        ]";
        auto parsed = parseShapeBody(body);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
        QCOMPARE(parsed->changes.size(), 3);
        QVERIFY(parsed->upToDate);
        QVERIFY(!parsed->mustRefetch);
        QCOMPARE(parsed->skipped, 0);
        const ShapeMessage &insert = parsed->changes[0];
        QCOMPARE(insert.operation, RowChange::Operation::Insert);
        QCOMPARE(insert.key, QStringLiteral("\"public\".\"items\"/\"1\""));
        QCOMPARE(insert.value.size(), 3);
        QCOMPARE(findField(insert.value, "title")->text, QByteArray("Hello"));
        QVERIFY(findField(insert.value, "note")->isNull);
        QCOMPARE(parsed->changes[1].operation, RowChange::Operation::Update);
        QCOMPARE(findField(parsed->changes[1].oldValue, "title")->text, QByteArray("Hello"));
        QCOMPARE(parsed->changes[2].operation, RowChange::Operation::Delete);
    }

    void handsOutSlicesOnlyOfABodyThatParsesWhole()
    {
        const auto row = [](int id) -> QByteArray {
            return "{\"headers\":{\"operation\":\"insert\"},\"key\":\"k" + QByteArray::number(id)
                + "\",\"value\":{\"id\":\"" + QByteArray::number(id) + "\"}}";
        };
        QByteArrayList rows;
        for (int id = 0; id < 7; ++id)
            rows << row(id);
        const QByteArray upToDate = "{\"headers\":{\"control\":\"up-to-date\"}}";
        QList<QList<ShapeMessage>> taken;
        ShapeBodySlices slices;
        slices.rows = 3;
        slices.take = [&](QList<ShapeMessage> &&changes) {
            taken.append(std::move(changes));
        };

        // A whole body: two slices of 3, the seventh row left in changes; same rows as unsliced.
        const QByteArray body = '[' + rows.join(',') + ',' + upToDate + ']';
        auto parsed = parseShapeBody(body, true, &slices);
        QVERIFY(parsed.ok());
        QCOMPARE(taken.size(), 2);
        QCOMPARE(taken[0].size(), 3);
        QCOMPARE(taken[1].size(), 3);
        QCOMPARE(parsed->handedOut, 6);
        QCOMPARE(parsed->changes.size(), 1);
        QVERIFY(parsed->upToDate);
        auto whole = parseShapeBody(body, true);
        QVERIFY(whole.ok());
        const QList<ShapeMessage> joined = taken[0] + taken[1] + parsed->changes;
        QCOMPARE(joined.size(), whole->changes.size());
        for (qsizetype i = 0; i < joined.size(); ++i) {
            QCOMPARE(joined[i].keyUtf8, whole->changes[i].keyUtf8);
            QCOMPARE(joined[i].json, whole->changes[i].json);
        }

        // A body that fails at its last message, or says must-refetch: nothing handed out.
        taken.clear();
        const QByteArray broken = '[' + rows.join(',')
            + ",{\"headers\":{\"operation\":\"insert\"},\"key\":\"x\",\"value\":7}]";
        QVERIFY(!parseShapeBody(broken, true, &slices).ok());
        QVERIFY(taken.isEmpty());
        const QByteArray refetch
            = '[' + rows.join(',') + ",{\"headers\":{\"control\":\"must-refetch\"}}]";
        auto dropped = parseShapeBody(refetch, true, &slices);
        QVERIFY(dropped.ok());
        QVERIFY(dropped->mustRefetch);
        QVERIFY(taken.isEmpty());
        QCOMPARE(dropped->changes.size(), 7);
    }

    void keepsNullDistinctFromEmptyString()
    {
        auto parsed = parseShapeBody("[{\"headers\":{\"operation\":\"insert\"},\"key\":\"k\","
                                     "\"value\":{\"a\":\"\",\"b\":null}}]");
        QVERIFY(parsed.ok());
        const RawRow &row = parsed->changes[0].value;
        QVERIFY(!findField(row, "a")->isNull);
        QVERIFY(findField(row, "a")->text.isEmpty());
        QVERIFY(findField(row, "b")->isNull);
        const QVariantHash typed = ShapeValue::typedRow(ShapeSchema(), row);
        QVERIFY(!typed.value(QStringLiteral("a")).isNull());
        QCOMPARE(typed.value(QStringLiteral("a")).toString(), QString());
        QVERIFY(typed.value(QStringLiteral("b")).isNull());
        // And round trips through the stored form unchanged.
        auto back = parseRawRow(rawRowToJson(row));
        QVERIFY(back.ok());
        QCOMPARE(back.value(), row);
    }

    // A store-only consumer gets an insert's stored form straight from the parse: it must be
    // the exact bytes of the RawRow path (stores stay byte-identical), keep its NULL fields for
    // the NOT NULL check, and rebuild into the same row.
    void insertsAsJsonMatchTheRowPath()
    {
        const QByteArray body
            = "[{\"headers\":{\"operation\":\"insert\"},\"key\":\"k1\",\"value\":"
              "{\"id\":\"1\",\"t\":\"q\\\"uo\\\\te\\n\\u00e9\\u2028/\",\"n\":null,"
              "\"e\":\"\",\"num\":12.5,\"obj\":{\"a\":[1,null]},\"b\":true}},"
              "{\"headers\":{\"operation\":\"update\"},\"key\":\"k1\","
              "\"value\":{\"t\":\"x\"}},"
              "{\"headers\":{\"operation\":\"insert\"},\"key\":\"k2\","
              "\"value\":{}}]";
        auto rows = parseShapeBody(body);
        auto stored = parseShapeBody(body, true);
        QVERIFY(rows.ok());
        QVERIFY(stored.ok());
        QCOMPARE(stored->changes.size(), 3);
        for (qsizetype i : {0, 2}) {
            ShapeMessage &insert = stored->changes[i];
            QCOMPARE(insert.json, rawRowToJson(rows->changes[i].value));
            QVERIFY(insert.key.isEmpty()); // kept as UTF-8 only, as the store writes it
            QCOMPARE(insert.keyText(), rows->changes[i].key);
            QCOMPARE(insert.keyUtf8, rows->changes[i].key.toUtf8());
            QVERIFY(materializeRow(insert).ok());
            QCOMPARE(insert.key, rows->changes[i].key);
            QCOMPARE(insert.value, rows->changes[i].value);
            QVERIFY(insert.json.isEmpty());
        }
        const RawRow nulls = parseShapeBody(body, true)->changes[0].value;
        QCOMPARE(nulls.size(), 1);
        QCOMPARE(nulls[0].column, QByteArray("n"));
        QVERIFY(nulls[0].isNull);
        // Only inserts change form.
        QVERIFY(stored->changes[1].json.isEmpty());
        QCOMPARE(stored->changes[1].value, rows->changes[1].value);
    }

    void skipsUnknownMessageKinds()
    {
        auto parsed = parseShapeBody(
            "[\n"
            "            {\"headers\":{\"event\":\"move-in\",\"patterns\":[]}},\n"
            "            {\"headers\":{\"control\":\"some-future-control\"}},\n"
            "            {\"headers\":{\"operation\":\"upsert\"},\"key\":\"k\",\"value\":{}},\n"
            "            "
            "{\"headers\":{\"operation\":\"insert\"},\"key\":\"k2\",\"value\":{\"id\":\"2\"}}\n"
            "        ]");
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->skipped, 3);
        QCOMPARE(parsed->changes.size(), 1);
        QVERIFY(!parsed->upToDate);
    }

    // The parser lets its large buffers go at an up-to-date (ShapeMessage.cpp): what was parsed
    // from that body, and every body after it, must not depend on them.
    void parsesLargeBodiesOneAfterAnother()
    {
        const auto body = [](int rows, char fill, bool padded) {
            QByteArray json;
            if (padded)
                json.reserve(rows * 2100 + kShapeBodyPadding);
            json.append('[');
            const QByteArray content(2000, fill);
            for (int i = 0; i < rows; ++i) {
                if (i > 0)
                    json.append(',');
                const QByteArray id = QByteArray::number(i);
                json.append("{\"headers\":{\"operation\":\"insert\"},\"key\":\"k");
                json.append(id).append("\",\"value\":{\"id\":\"").append(id);
                json.append("\",\"content\":\"").append(content).append("\"}}");
            }
            json.append(",{\"headers\":{\"control\":\"up-to-date\"}}]");
            return json;
        };
        for (const auto &[rows, fill, padded] :
             {std::tuple {1000, 'a', true}, std::tuple {3, 'b', false},
              std::tuple {1200, 'c', false}, std::tuple {1100, 'd', true}}) {
            const QByteArray json = body(rows, fill, padded);
            auto parsed = parseShapeBody(json);
            QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
            QCOMPARE(parsed->changes.size(), rows);
            QVERIFY(parsed->upToDate);
            const ShapeMessage &last = parsed->changes.constLast();
            QCOMPARE(last.key, QStringLiteral("k%1").arg(rows - 1));
            QCOMPARE(findField(last.value, "id")->text, QByteArray::number(rows - 1));
            QCOMPARE(findField(parsed->changes[0].value, "content")->text, QByteArray(2000, fill));
        }
    }

    void acceptsAnEmptyArray()
    {
        auto parsed = parseShapeBody("[]");
        QVERIFY(parsed.ok());
        QVERIFY(parsed->changes.isEmpty());
        QVERIFY(!parsed->upToDate);
    }

    void reportsMalformedBodies_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expected");
        QTest::newRow("not json") << QByteArray("[{\"headers\":")
                                  << QStringLiteral("not valid JSON");
        QTest::newRow("object") << QByteArray("{\"message\":\"x\"}")
                                << QStringLiteral("not a JSON array");
        QTest::newRow("scalar message") << QByteArray("[1]") << QStringLiteral("message 0");
        QTest::newRow("insert without value")
            << QByteArray("[{\"headers\":{\"operation\":\"insert\"},\"key\":\"k\"}]")
            << QStringLiteral("without a value");
        QTest::newRow("change without operation") << QByteArray("[{\"key\":\"k\",\"value\":{}}]")
                                                  << QStringLiteral("without headers.operation");
        QTest::newRow("non-string key")
            << QByteArray("[{\"headers\":{\"operation\":\"insert\"},\"key\":5,\"value\":{}}]")
            << QStringLiteral("not a string");
    }
    void reportsMalformedBodies()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        auto parsed = parseShapeBody(body);
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().toString().contains(expected),
                 qPrintable(parsed.error().toString()));
    }

    void batchRowsShareTheirColumnListAndTypeLikeTheHash()
    {
        auto schema = ShapeSchema::parse("{\"id\":{\"type\":\"int8\",\"pk_index\":0},"
                                         "\"title\":{\"type\":\"text\"}}");
        QVERIFY(schema.ok());
        auto parsed = parseShapeBody(
            "[{\"headers\":{\"operation\":\"insert\"},\"key\":\"1\",\"value\":{\"id\":\"1\","
            "\"title\":\"a\"}},{\"headers\":{\"operation\":\"insert\"},\"key\":\"2\","
            "\"value\":{\"id\":\"2\",\"title\":null}},{\"headers\":{\"operation\":"
            "\"insert\"},\"key\":\"3\",\"value\":{\"title\":\"c\",\"id\":\"x\"}}]");
        QVERIFY(parsed.ok());
        ShapeRow::Columns columns;
        QStringList problems;
        QList<ShapeRow> rows;
        for (const ShapeMessage &change : parsed->changes)
            rows.append(ShapeValue::typedShapeRow(*schema, change.value, columns, &problems));
        // The first two rows list the same columns in the same order: one list for both.
        QCOMPARE(rows[0].columns().get(), rows[1].columns().get());
        QVERIFY(rows[2].columns().get() != rows[1].columns().get());
        QCOMPARE(rows[0].value(QStringLiteral("id")), QVariant(qlonglong(1)));
        QVERIFY(rows[1].value(QStringLiteral("title")).isNull());
        QVERIFY(!rows[1].value(QStringLiteral("missing")).isValid());
        QCOMPARE(rows[2].value(QStringLiteral("title")).toString(), QStringLiteral("c"));
        // A value that does not type is kept as its text, with the problem named.
        QCOMPARE(rows[2].value(QStringLiteral("id")).toString(), QStringLiteral("x"));
        QCOMPARE(problems.size(), 1);
        QVERIFY(problems.first().contains(QLatin1String("`id`")));
        for (qsizetype i = 0; i < rows.size(); ++i) {
            QCOMPARE(rows[i].toHash(), ShapeValue::typedRow(*schema, parsed->changes[i].value));
            QCOMPARE(rows[i], ShapeRow(rows[i].toHash())); // equal whatever the column order
        }
    }

    void parsesTheSchemaHeader()
    {
        auto schema = ShapeSchema::parse(
            "{\"id\":{\"type\":\"int8\",\"pk_index\":0,\"not_null\":true},\"tags\":{\"type\":"
            "\"text\",\"dims\":1},\"v\":{\"type\":\"text\"}}");
        QVERIFY(schema.ok());
        QCOMPARE(schema->column(QStringLiteral("id"))->type, QStringLiteral("int8"));
        QVERIFY(schema->column(QStringLiteral("id"))->notNull);
        QCOMPARE(schema->column(QStringLiteral("tags"))->dims, 1);
        QCOMPARE(schema->primaryKey(), QStringList {QStringLiteral("id")});
        QVERIFY(!ShapeSchema::parse("{\"id\":{}}").ok());
        QVERIFY(!ShapeSchema::parse("[]").ok());
    }

    void typesInt8ExactlyAtBothExtremes()
    {
        const ColumnType int8 = column("int8");
        QCOMPARE(typedValue(int8, "9223372036854775807").toLongLong(),
                 std::numeric_limits<qint64>::max());
        QCOMPARE(typedValue(int8, "-9223372036854775808").toLongLong(),
                 std::numeric_limits<qint64>::min());
        QCOMPARE(typedValue(int8, "9007199254740993").toLongLong(),
                 Q_INT64_C(9007199254740993)); // 2^53+1
        QCOMPARE(dump(typedValue(int8, "9223372036854775807")), QByteArray("9223372036854775807"));
        QCOMPARE(typedValue(column("int2"), "-32768").toLongLong(), -32768);
        QCOMPARE(typedValue(column("int4"), "2147483647").toLongLong(), 2147483647);
        QVERIFY(
            typedValue(int8, "9223372036854775808").toString().startsWith(QLatin1String("ERROR")));
        QVERIFY(typedValue(int8, "12x").toString().startsWith(QLatin1String("ERROR")));
    }

    void typesFloatsIncludingNaNAndInfinities()
    {
        const ColumnType f8 = column("float8");
        QCOMPARE(typedValue(f8, "4.5").toDouble(), 4.5);
        QVERIFY(std::isnan(typedValue(f8, "NaN").toDouble()));
        QCOMPARE(typedValue(f8, "Infinity").toDouble(), std::numeric_limits<double>::infinity());
        QCOMPARE(typedValue(f8, "-Infinity").toDouble(), -std::numeric_limits<double>::infinity());
        QCOMPARE(typedValue(column("float4"), "1.1").toDouble(), 1.1);
        QCOMPARE(dump(typedValue(f8, "NaN")), QByteArray("\"NaN\""));
        QCOMPARE(dump(typedValue(f8, "-Infinity")), QByteArray("\"-Infinity\""));
        QCOMPARE(dump(typedValue(f8, "1e+21")), QByteArray("1e+21"));
        QCOMPARE(dump(typedValue(f8, "123456789012345680000")),
                 QByteArray("123456789012345680000"));
        QCOMPARE(dump(typedValue(f8, "0.000001")), QByteArray("0.000001"));
        QCOMPARE(dump(typedValue(f8, "1.5e-7")), QByteArray("1.5e-7"));
        QCOMPARE(dump(typedValue(f8, "-0")), QByteArray("0"));
        QCOMPARE(dump(typedValue(f8, "3.0")), QByteArray("3"));
        QCOMPARE(dump(typedValue(f8, "0.1")), QByteArray("0.1"));
    }

    void typesBoolFromBothSpellings()
    {
        const ColumnType b = column("bool");
        QCOMPARE(typedValue(b, "t"), QVariant(true));
        QCOMPARE(typedValue(b, "true"), QVariant(true));
        QCOMPARE(typedValue(b, "f"), QVariant(false));
        QCOMPARE(typedValue(b, "false"), QVariant(false));
        QVERIFY(typedValue(b, "yes").toString().startsWith(QLatin1String("ERROR")));
    }

    void parsesJsonAndJsonb()
    {
        const QVariant object
            = typedValue(column("jsonb"), "{\"foo\": \"bar\", \"n\": [1, 2.5, null]}");
        QCOMPARE(object.typeId(), QMetaType::QJsonValue);
        QCOMPARE(object.value<QJsonValue>().toObject().value(QLatin1String("foo")).toString(),
                 QStringLiteral("bar"));
        QCOMPARE(dump(object), QByteArray("{\"foo\": \"bar\", \"n\": [1, 2.5, null]}"));
        QCOMPARE(dump(typedValue(column("json"), "\"just a string\"")),
                 QByteArray("\"just a string\""));
        QCOMPARE(dump(typedValue(column("json"), "42")), QByteArray("42"));
        QCOMPARE(dump(typedValue(column("json"), "null")), QByteArray("null"));
        QVERIFY(typedValue(column("json"), "{oops").toString().startsWith(QLatin1String("ERROR")));
    }

    void parsesNestedAndQuotedArrayLiterals()
    {
        QCOMPARE(dump(typedValue(column("int8", 2), "{{1,2,3},{4,5,6}}")),
                 QByteArray("[[1, 2, 3], [4, 5, 6]]"));
        QCOMPARE(dump(typedValue(column("float8", 1), "{1.2,-3.2,Infinity,-Infinity,NaN}")),
                 QByteArray("[1.2, -3.2, \"Infinity\", \"-Infinity\", \"NaN\"]"));
        QCOMPARE(dump(typedValue(column("bool", 1), "{t,f,t}")), QByteArray("[true, false, true]"));
        QCOMPARE(dump(typedValue(column("text", 1),
                                 "{\"a,b\",\"with \\\"quote\\\"\",\"back\\\\slash\",plain}")),
                 QByteArray("[\"a,b\", \"with \\\"quote\\\"\", \"back\\\\slash\", \"plain\"]"));
        QCOMPARE(dump(typedValue(column("jsonb", 1), "{\"{\\\"foo\\\": \\\"bar\\\"}\",\"[1]\"}")),
                 QByteArray("[{\"foo\": \"bar\"}, [1]]"));
        QCOMPARE(dump(typedValue(column("text", 1), "{}")), QByteArray("[]"));
        QCOMPARE(dump(typedValue(column("int4", 1), "[0:1]={7,8}")), QByteArray("[7, 8]"));
    }

    void distinguishesUnquotedNullFromTheStringNull()
    {
        const QVariant value = typedValue(column("text", 1), "{NULL,\"NULL\",x}");
        const QVariantList list = value.toList();
        QCOMPARE(list.size(), 3);
        QVERIFY(list[0].isNull());
        QCOMPARE(list[1].toString(), QStringLiteral("NULL"));
        QCOMPARE(dump(value), QByteArray("[null, \"NULL\", \"x\"]"));
        QCOMPARE(dump(typedValue(column("int8", 1), "{1,NULL}")), QByteArray("[1, null]"));
    }

    void reportsMalformedArrayLiterals()
    {
        for (const char *bad : {"{1,2", "1,2}", "{\"open}", "{1,,2}", "{1}x"}) {
            QVERIFY2(
                typedValue(column("int4", 1), bad).toString().startsWith(QLatin1String("ERROR")),
                bad);
        }
    }

    void refusesArraysNestedDeeperThanPostgresAllows()
    {
        // Found by fuzz_shape_value: 60000 '{' overflowed the stack of the recursive parser.
        const QByteArray deep(60000, '{');
        const QString error = typedValue(column("int4", 1), deep).toString();
        QVERIFY2(error.contains(QLatin1String("deeper than the 6 dimensions")), qPrintable(error));
        QVERIFY(!ShapeValue::parseArrayLiteral("{{{{{{{1}}}}}}}").ok());
        // Six dimensions, Postgres's limit, still parse.
        QCOMPARE(dump(typedValue(column("int4", 6), "{{{{{{1}}}}}}")), QByteArray("[[[[[[1]]]]]]"));
    }

    void keepsOtherTypesAsText()
    {
        QCOMPARE(typedValue(column("numeric"), "12345678901234567890.123456789"),
                 QVariant(QStringLiteral("12345678901234567890.123456789")));
        QCOMPARE(typedValue(column("timestamptz"), "2025-12-02 10:11:12.5+00"),
                 QVariant(QStringLiteral("2025-12-02 10:11:12.5+00")));
        QCOMPARE(typedValue(column("bytea"), "\\x0001fffe"),
                 QVariant(QStringLiteral("\\x0001fffe")));
        RawField unknownColumn {"x", "7", false};
        QCOMPARE(ShapeValue::typed(nullptr, unknownColumn).value(), QVariant(QStringLiteral("7")));
    }

    void reportsNullInNotNullColumns()
    {
        auto schema = ShapeSchema::parse(
            "{\"id\":{\"type\":\"int8\",\"pk_index\":0,\"not_null\":true},\"title\":{\"type\":"
            "\"text\",\"not_null\":true},\"note\":{\"type\":\"text\"}}");
        QVERIFY(schema.ok());
        const RawRow row {{"id", "1", false}, {"title", {}, true}, {"note", {}, true}};
        const QStringList problems
            = ShapeValue::notNullViolations(schema.value(), QStringLiteral("k1"), row);
        QCOMPARE(problems.size(), 1);
        QVERIFY(problems[0].contains(QLatin1String("`title`")));
        QVERIFY(problems[0].contains(QLatin1String("k1")));
    }

    void dumpsObjectsWithSortedKeysAndEscapes()
    {
        QVariantHash row;
        row.insert(QStringLiteral("b"), QStringLiteral("tab\there \"q\" é"));
        row.insert(QStringLiteral("a"), QVariant());
        row.insert(QStringLiteral("c"), QVariant(qlonglong(-5)));
        QCOMPARE(dump(row),
                 QByteArray("{\"a\": null, \"b\": \"tab\\there \\\"q\\\" \xc3\xa9\", \"c\": -5}"));
    }

    void mergesPartialUpdates()
    {
        RawRow row {{"id", "1", false}, {"a", "x", false}, {"b", "y", false}};
        mergeRow(row, RawRow {{"id", "1", false}, {"b", {}, true}, {"c", "new", false}});
        QCOMPARE(
            row,
            (RawRow {{"id", "1", false}, {"a", "x", false}, {"b", {}, true}, {"c", "new", false}}));
    }

    void logRowsComeBackExactlyFromTheirLines_data()
    {
        QTest::addColumn<RawRow>("row");
        const QByteArray uuid = "52ddb625-f088-64c2-0560-412fb26909af";
        const QByteArray other = "0a2b3c4d-1111-4222-8333-944455556666";
        QTest::addRow("hive row, ms timestamp")
            << RawRow {{"id", "1", false},
                       {"assignment_id", uuid, false},
                       {"output_type", "stdout", false},
                       {"content", "line 1", false},
                       {"timestamp", "2025-12-02 08:00:00.01+00", false},
                       {"created_at", "2025-12-02 08:00:00.26+00", false}};
        QTest::addRow("whole seconds, microseconds, odd type, empty content")
            << RawRow {{"id", "2", false},
                       {"assignment_id", uuid, false},
                       {"output_type", "telemetry", false},
                       {"content", "", false},
                       {"timestamp", "2025-12-02 08:00:00+00", false}};
        QTest::addRow("microsecond timestamp kept, NULL content kept")
            << RawRow {{"id", "3", false},
                       {"assignment_id", uuid, false},
                       {"content", {}, true},
                       {"timestamp", "2025-12-02 08:00:00.123456+00", false}};
        QTest::addRow("execution process id used, assignment id kept")
            << RawRow {{"id", "4", false},
                       {"assignment_id", uuid, false},
                       {"execution_process_id", other, false},
                       {"content", "x", false}};
        QTest::addRow("execution process id NULL, assignment id used") << RawRow {
            {"id", "5", false}, {"assignment_id", uuid, false}, {"execution_process_id", {}, true}};
        QTest::addRow("execution process id only")
            << RawRow {{"id", "6", false}, {"execution_process_id", other, false}};
        QTest::addRow("upper-case uuid and another time zone are kept as sent")
            << RawRow {{"id", "7", false},
                       {"assignment_id", uuid.toUpper(), false},
                       {"timestamp", "2025-12-02 09:00:00.5+01", false}};
        QTest::addRow("id with leading zeros, braced uuid, timestamp without +00")
            << RawRow {{"id", "007", false},
                       {"assignment_id", '{' + uuid + '}', false},
                       {"timestamp", "2025-12-02 08:00:00.120", false}};
        QTest::addRow("empty timestamp") << RawRow {
            {"id", "9", false}, {"assignment_id", uuid, false}, {"timestamp", "", false}};
        QTest::addRow("text that only looks derivable")
            << RawRow {{"id", "8", false},
                       {"assignment_id", uuid, false},
                       {"output_type", "stdout ", false},
                       {"content", "🚀 \"quoted\"\n", false}};
    }

    void logRowsComeBackExactlyFromTheirLines()
    {
        // The log shape stores a line once and rebuilds the shape row from it: every column
        // must come back byte for byte (order aside), whatever could or could not be derived.
        QFETCH(RawRow, row);
        const auto line = shapeLogLine(QStringLiteral("k"), row);
        QVERIFY(line);
        auto rebuilt = shapeLogRow(*line);
        if (!rebuilt)
            QFAIL(qPrintable(rebuilt.error().toString()));
        const auto sorted = [](RawRow r) {
            std::sort(r.begin(), r.end(),
                      [](const RawField &a, const RawField &b) { return a.column < b.column; });
            return r;
        };
        QCOMPARE(sorted(rebuilt.value()), sorted(row));
    }

    void logKeysAreDerivedOnlyWhenTheyFollowThePrefix()
    {
        const RawRow row {{"id", "42", false},
                          {"assignment_id", "52ddb625-f088-64c2-0560-412fb26909af", false}};
        const QString key = QStringLiteral("\"public\".\"node_task_output_logs\"/\"42\"");
        const QByteArray prefix = shapeLogKeyPrefix(key, row);
        QCOMPARE(prefix, QByteArray("\"public\".\"node_task_output_logs\"/"));
        const auto derived = shapeLogLine(key, row, prefix);
        QVERIFY(derived && derived->shapeKey.isEmpty());
        QCOMPARE(prefix + '"' + QByteArray::number(derived->sourceId) + '"', key.toUtf8());
        // Another relation's prefix, or a key of another form, is kept as sent.
        const QString other = QStringLiteral("\"logs\".\"node_task_output_logs\"/\"42\"");
        QCOMPARE(shapeLogLine(other, row, prefix)->shapeKey, other.toUtf8());
        QCOMPARE(shapeLogLine(QStringLiteral("42"), row, prefix)->shapeKey, QByteArray("42"));
        // A prefix beyond ASCII (a schema named in another script) is compared as UTF-8.
        const QString wide = QStringLiteral("\"d\u00e9p\u00f4t\".\"node_task_output_logs\"/\"42\"");
        const QByteArray widePrefix = shapeLogKeyPrefix(wide, row);
        QCOMPARE(widePrefix, wide.toUtf8().chopped(4));
        QVERIFY(shapeLogLine(wide, row, widePrefix)->shapeKey.isEmpty());
        QCOMPARE(shapeLogLine(wide + u'0', row, widePrefix)->shapeKey, (wide + u'0').toUtf8());
        QCOMPARE(shapeLogLine(QStringLiteral("\"42\""), row, prefix)->shapeKey,
                 QByteArray("\"42\""));
        QVERIFY(shapeLogKeyPrefix(QStringLiteral("\"42\""), row).isEmpty());
        QVERIFY(shapeLogKeyPrefix(QStringLiteral("x/\"7\""), row).isEmpty());
    }

    void logRowsWithoutIdOrExecutionAreNotLines()
    {
        QVERIFY(!shapeLogLine(QStringLiteral("k"), RawRow {{"content", "x", false}}));
        QVERIFY(!shapeLogLine(QStringLiteral("k"),
                              RawRow {{"id", "1", false}, {"assignment_id", {}, true}}));
        QVERIFY(!shapeLogLine(QStringLiteral("k"),
                              RawRow {{"id", "x1", false}, {"assignment_id", "nope", false}}));
    }
};

QTEST_GUILESS_MAIN(TestShapeParsing)
#include "tst_shapeparsing.moc"
