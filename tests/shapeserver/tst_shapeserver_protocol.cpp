#include "tests/shapeserver/ServerTestEnv.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTcpSocket>

// The rules of docs/electric-protocol.md §8 (wire examples), checked against hive-shape-server on
// a real Postgres over real HTTP.
class TestShapeServerProtocol : public QObject
{
    Q_OBJECT

    static QJsonObject headersOf(const QJsonValue &message)
    {
        return message.toObject().value(QStringLiteral("headers")).toObject();
    }
    static QJsonObject valueOf(const QJsonValue &message)
    {
        return message.toObject().value(QStringLiteral("value")).toObject();
    }

    // Syncs to up-to-date, then runs `sqlScript` and returns the next live answer's messages.
    static QJsonArray liveAfter(ServerTestEnv &env, const Query &definition,
                                const QString &sqlScript, HttpReply *replyOut = nullptr)
    {
        ShapeClient::Synced s = env.client->sync(definition);
        if (!s.error.isEmpty() || !env.sql(sqlScript))
            return {};
        HttpReply r = env.client->liveUntilData(definition, s);
        if (replyOut)
            *replyOut = r;
        return r.messages();
    }

private slots:
    void healthReportsActive()
    {
        START_ENV(env);
        const HttpReply r = env.client->get(QStringLiteral("/v1/health"), {});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("{\"status\":\"active\"}"));
        QCOMPARE(r.header("cache-control"), QByteArray("no-cache, no-store, must-revalidate"));
    }

    void initialSnapshotEndsWithSnapshotEndAndNoUpToDate()
    {
        START_ENV(env);
        const HttpReply r
            = env.client->shape({q("table", "items"), q("offset", "-1"), q("where", "num > 3")});
        QCOMPARE(r.status, 200);
        QVERIFY(!r.header("electric-handle").isEmpty());
        QCOMPARE(r.header("electric-offset"), QByteArray("0_0"));
        QVERIFY(!r.upToDate());
        QVERIFY(!r.has("electric-cursor"));
        QCOMPARE(r.header("electric-has-data"), QByteArray("true"));
        QCOMPARE(
            r.header("cache-control"),
            QByteArray("public, max-age=604800, s-maxage=3600, stale-while-revalidate=2629746"));
        QCOMPARE(r.header("etag"), "\"" + r.header("electric-handle") + ":-1:0_0\"");
        const QJsonObject schema = QJsonDocument::fromJson(r.header("electric-schema")).object();
        QCOMPARE(
            schema.value(QStringLiteral("id")).toObject().value(QStringLiteral("type")).toString(),
            QStringLiteral("int8"));
        QCOMPARE(schema.value(QStringLiteral("id"))
                     .toObject()
                     .value(QStringLiteral("pk_index"))
                     .toInt(-1),
                 0);
        QCOMPARE(schema.value(QStringLiteral("title")).toObject(),
                 QJsonObject({{QStringLiteral("type"), QStringLiteral("text")}}));

        const QJsonArray m = r.messages();
        QCOMPARE(m.size(), 3); // rows 4 and 5, then snapshot-end
        const QJsonObject first = m[0].toObject();
        QCOMPARE(first.value(QStringLiteral("key")).toString(),
                 QStringLiteral("\"public\".\"items\"/\"4\""));
        QCOMPARE(headersOf(first),
                 QJsonObject({{QStringLiteral("operation"), QStringLiteral("insert")},
                              {QStringLiteral("relation"),
                               QJsonArray {QStringLiteral("public"), QStringLiteral("items")}}}));
        QCOMPARE(valueOf(first).value(QStringLiteral("done")).toString(),
                 QStringLiteral("true")); // col::text form
        QCOMPARE(valueOf(first).value(QStringLiteral("num")).toString(), QStringLiteral("4"));
        QVERIFY(valueOf(first).value(QStringLiteral("note")).isNull());
        const QJsonObject end = headersOf(m[2]);
        QCOMPARE(end.value(QStringLiteral("control")).toString(), QStringLiteral("snapshot-end"));
        QVERIFY(end.contains(QStringLiteral("xmin")) && end.contains(QStringLiteral("xmax"))
                && end.value(QStringLiteral("xip_list")).isArray());
    }

    void emptyShapeSnapshotIsOnlySnapshotEnd()
    {
        START_ENV(env);
        const HttpReply r
            = env.client->shape({q("table", "items"), q("offset", "-1"), q("where", "num > 100")});
        QCOMPARE(r.messages().size(), 1);
        QCOMPARE(headersOf(r.messages()[0]).value(QStringLiteral("control")).toString(),
                 QStringLiteral("snapshot-end"));
    }

    void requestAfterSnapshotIsUpToDateAtSnapshotEnd()
    {
        START_ENV(env);
        const HttpReply first = env.client->shape({q("table", "items"), q("offset", "-1")});
        const QString handle = QString::fromUtf8(first.header("electric-handle"));
        const HttpReply r
            = env.client->shape({q("table", "items"), q("offset", "0_0"), q("handle", handle)});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("electric-offset"), QByteArray("0_inf"));
        QVERIFY(r.upToDate());
        QVERIFY(r.has("electric-schema"));
        QVERIFY(!r.has("electric-cursor"));
        QCOMPARE(r.header("cache-control"),
                 QByteArray("public, max-age=60, stale-while-revalidate=300"));
        QCOMPARE(r.messages().size(), 1);
        const QJsonObject utd = headersOf(r.messages()[0]);
        QCOMPARE(utd.value(QStringLiteral("control")).toString(), QStringLiteral("up-to-date"));
        QVERIFY(QRegularExpression(QStringLiteral("^\\d+$"))
                    .match(utd.value(QStringLiteral("global_last_seen_lsn")).toString())
                    .hasMatch());
    }

    void upToDateHeaderIsOnTheWireWithAnEmptyValue()
    {
        START_ENV(env);
        const HttpReply first = env.client->shape({q("table", "items"), q("offset", "-1")});
        QTcpSocket socket;
        socket.connectToHost(QStringLiteral("127.0.0.1"), quint16(env.server.baseUrl().port()));
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET /v1/shape?table=items&offset=0_0&handle="
                     + first.header("electric-handle")
                     + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        QByteArray raw;
        while (socket.waitForReadyRead(5000))
            raw += socket.readAll();
        raw += socket.readAll();
        QVERIFY2(raw.startsWith("HTTP/1.1 200 OK\r\n"), raw.constData());
        QVERIFY2(raw.contains("\r\nelectric-up-to-date: \r\n"), raw.constData());
        QVERIFY(raw.contains("\r\nelectric-has-data: true\r\n"));
    }

    void snapshotIsChunkedBySizeWithSnapshotEndInTheLastChunk()
    {
        START_ENV(env, {QStringLiteral("--chunk-bytes"), QStringLiteral("200")});
        QString offset = QStringLiteral("-1"), handle;
        QStringList offsets;
        int rows = 0;
        bool sawEnd = false;
        for (int i = 0; i < 20; ++i) {
            Query query {q("table", "items"), q("offset", offset)};
            if (!handle.isEmpty())
                query.append(q("handle", handle));
            const HttpReply r = env.client->shape(query);
            QCOMPARE(r.status, 200);
            handle = QString::fromUtf8(r.header("electric-handle"));
            offset = QString::fromUtf8(r.header("electric-offset"));
            offsets.append(offset);
            QVERIFY2(!sawEnd || r.upToDate(), "nothing but up-to-date follows snapshot-end");
            for (const QJsonValue &m : r.messages()) {
                if (m.toObject().contains(QStringLiteral("key")))
                    ++rows;
                else if (headersOf(m).value(QStringLiteral("control")).toString()
                         == QLatin1String("snapshot-end"))
                    sawEnd = true;
            }
            if (r.upToDate())
                break;
        }
        QCOMPARE(rows, 5);
        QVERIFY(sawEnd);
        QVERIFY2(offsets.size() >= 4, qPrintable(offsets.join(QLatin1Char(' '))));
        for (int i = 0; i + 1 < offsets.size(); ++i)
            QCOMPARE(offsets[i], QStringLiteral("0_%1").arg(i));
        QCOMPARE(offsets.last(), QStringLiteral("0_inf"));
    }

    void liveLongPollTimesOutWithUpToDateAndNoData()
    {
        START_ENV(env);
        const Query def {q("table", "items")};
        ShapeClient::Synced s = env.client->sync(def);
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        const HttpReply r = env.client->live(def, s);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.messages().size(), 1);
        QCOMPARE(headersOf(r.messages()[0]).value(QStringLiteral("control")).toString(),
                 QStringLiteral("up-to-date"));
        QCOMPARE(r.header("electric-has-data"), QByteArray("false"));
        QCOMPARE(r.header("electric-offset"), QByteArray("0_inf"));
        QVERIFY(r.upToDate());
        QVERIFY(r.has("electric-cursor"));
        QVERIFY(!r.has("electric-schema"));
        QCOMPARE(r.header("cache-control"),
                 QByteArray("public, max-age=5, stale-while-revalidate=5"));
        QVERIFY(QRegularExpression(QStringLiteral("^\"[^:]+:0_inf:0_inf:\\d+\"$"))
                    .match(QString::fromUtf8(r.header("etag")))
                    .hasMatch());
    }

    void liveTransactionKeepsOrderOffsetsAndLastFlag()
    {
        START_ENV(env);
        HttpReply r;
        const QJsonArray m = liveAfter(
            env, {q("table", "items")},
            QStringLiteral(
                "BEGIN; INSERT INTO items VALUES (10, 'ten', true, 10, 'n');"
                "UPDATE items SET num = 11 WHERE id = 1; DELETE FROM items WHERE id = 2; COMMIT"),
            &r);
        QCOMPARE(m.size(), 4);
        const QString lsn = headersOf(m[0]).value(QStringLiteral("lsn")).toString();
        QVERIFY(QRegularExpression(QStringLiteral("^\\d+$")).match(lsn).hasMatch());
        QStringList ops;
        for (int i = 0; i < 3; ++i) {
            const QJsonObject h = headersOf(m[i]);
            ops.append(h.value(QStringLiteral("operation")).toString());
            QCOMPARE(h.value(QStringLiteral("lsn")).toString(), lsn);
            QCOMPARE(h.value(QStringLiteral("op_position")).toInt(-1), i * 2);
            QCOMPARE(h.value(QStringLiteral("txids")).toArray().size(), 1);
            QCOMPARE(h.contains(QStringLiteral("last")), i == 2);
        }
        QCOMPARE(ops,
                 (QStringList {QStringLiteral("insert"), QStringLiteral("update"),
                               QStringLiteral("delete")}));
        QCOMPARE(valueOf(m[0]).value(QStringLiteral("done")).toString(),
                 QStringLiteral("t")); // pgoutput text form
        QCOMPARE(r.header("electric-offset"), (lsn + QStringLiteral("_4")).toUtf8());
        QVERIFY(r.has("electric-cursor"));
        QVERIFY(!r.has("electric-schema"));
        QCOMPARE(r.header("electric-has-data"), QByteArray("true"));
        QCOMPARE(headersOf(m[3]).value(QStringLiteral("global_last_seen_lsn")).toString(), lsn);
    }

    void defaultReplicaSendsKeyAndChangedColumnsAndKeyOnlyDeletes()
    {
        START_ENV(env);
        const QJsonArray m = liveAfter(
            env, {q("table", "items")},
            QStringLiteral(
                "UPDATE items SET title = 'renamed' WHERE id = 3; DELETE FROM items WHERE id = 4"));
        QCOMPARE(m.size(), 3);
        QCOMPARE(valueOf(m[0]),
                 QJsonObject({{QStringLiteral("id"), QStringLiteral("3")},
                              {QStringLiteral("title"), QStringLiteral("renamed")}}));
        QVERIFY(!m[0].toObject().contains(QStringLiteral("old_value")));
        QCOMPARE(valueOf(m[1]), QJsonObject({{QStringLiteral("id"), QStringLiteral("4")}}));
    }

    void fullReplicaSendsWholeRowsAndOldValues()
    {
        START_ENV(env);
        const QJsonArray m = liveAfter(
            env, {q("table", "items"), q("replica", "full")},
            QStringLiteral(
                "UPDATE items SET title = 'renamed' WHERE id = 3; DELETE FROM items WHERE id = 4"));
        QCOMPARE(m.size(), 3);
        QCOMPARE(valueOf(m[0]).size(), 5);
        QCOMPARE(valueOf(m[0]).value(QStringLiteral("title")).toString(),
                 QStringLiteral("renamed"));
        QCOMPARE(m[0].toObject().value(QStringLiteral("old_value")).toObject(),
                 QJsonObject({{QStringLiteral("title"), QStringLiteral("item 3")}}));
        QCOMPARE(valueOf(m[1]).size(), 5);
    }

    void primaryKeyChangeIsDeleteThenInsert()
    {
        START_ENV(env);
        const QJsonArray m = liveAfter(env, {q("table", "items")},
                                       QStringLiteral("UPDATE items SET id = 20 WHERE id = 1"));
        QCOMPARE(m.size(), 3);
        const QJsonObject del = headersOf(m[0]), ins = headersOf(m[1]);
        QCOMPARE(del.value(QStringLiteral("operation")).toString(), QStringLiteral("delete"));
        QCOMPARE(del.value(QStringLiteral("key_change_to")).toString(),
                 QStringLiteral("\"public\".\"items\"/\"20\""));
        QCOMPARE(valueOf(m[0]), QJsonObject({{QStringLiteral("id"), QStringLiteral("1")}}));
        QCOMPARE(ins.value(QStringLiteral("operation")).toString(), QStringLiteral("insert"));
        QCOMPARE(ins.value(QStringLiteral("key_change_from")).toString(),
                 QStringLiteral("\"public\".\"items\"/\"1\""));
        QCOMPARE(ins.value(QStringLiteral("op_position")).toInt(),
                 del.value(QStringLiteral("op_position")).toInt() + 1);
        QCOMPARE(valueOf(m[1]).size(), 5);
        QVERIFY(ins.value(QStringLiteral("last")).toBool());
    }

    void rowsMovingIntoAndOutOfWhereBecomeInsertAndDelete()
    {
        START_ENV(env);
        const QJsonArray m
            = liveAfter(env, {q("table", "items"), q("where", "num > $1"), q("params[1]", "3")},
                        QStringLiteral("BEGIN; UPDATE items SET num = 6 WHERE id = 1; UPDATE items "
                                       "SET num = 0 WHERE id = 5;"
                                       "UPDATE items SET num = 1 WHERE id = 2; COMMIT"));
        QCOMPARE(m.size(), 3);
        QCOMPARE(headersOf(m[0]).value(QStringLiteral("operation")).toString(),
                 QStringLiteral("insert"));
        QCOMPARE(valueOf(m[0]).size(), 5);
        QCOMPARE(headersOf(m[1]).value(QStringLiteral("operation")).toString(),
                 QStringLiteral("delete"));
        QCOMPARE(valueOf(m[1]), QJsonObject({{QStringLiteral("id"), QStringLiteral("5")}}));
        QVERIFY(headersOf(m[1]).value(QStringLiteral("last")).toBool());
    }

    void updateOfUnselectedColumnsIsNotSent()
    {
        START_ENV(env);
        const Query def {q("table", "items"), q("columns", "\"id\",\"title\"")};
        ShapeClient::Synced s = env.client->sync(def);
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        QCOMPARE(s.rows.value(QStringLiteral("\"public\".\"items\"/\"1\"")).keys(),
                 (QStringList {QStringLiteral("id"), QStringLiteral("title")}));
        QVERIFY(env.sql(QStringLiteral("UPDATE items SET num = 99 WHERE id = 1; UPDATE items SET "
                                       "title = 'seen' WHERE id = 2")));
        const HttpReply r = env.client->liveUntilData(def, s);
        QCOMPARE(r.messages().size(), 2);
        QCOMPARE(valueOf(r.messages()[0]).value(QStringLiteral("id")).toString(),
                 QStringLiteral("2"));
    }

    void unknownHandleGets409WithTheShapesHandle()
    {
        START_ENV(env);
        const HttpReply first = env.client->shape({q("table", "items"), q("offset", "-1")});
        const HttpReply r
            = env.client->shape({q("table", "items"), q("offset", "0_0"), q("handle", "nope-1")});
        QCOMPARE(r.status, 409);
        QCOMPARE(r.body, QByteArray("[{\"headers\":{\"control\":\"must-refetch\"}}]"));
        QCOMPARE(r.header("electric-handle"), first.header("electric-handle"));
        QVERIFY(!r.has("electric-offset"));
        QCOMPARE(r.header("cache-control"), QByteArray("public, max-age=60, must-revalidate"));
    }

    void differentReplicaIsADifferentShape()
    {
        START_ENV(env);
        const HttpReply a = env.client->shape({q("table", "items"), q("offset", "-1")});
        const HttpReply b
            = env.client->shape({q("table", "items"), q("offset", "-1"), q("replica", "full")});
        const HttpReply c = env.client->shape({q("table", "items"), q("offset", "-1")});
        QVERIFY(a.header("electric-handle") != b.header("electric-handle"));
        QCOMPARE(a.header("electric-handle"), c.header("electric-handle"));
    }

    void truncateMakesLiveClientsRefetch()
    {
        // A hold long enough that the TRUNCATE surely ends it, not the long-poll timeout.
        START_ENV(env, {QStringLiteral("--long-poll-ms"), QStringLiteral("60000")});
        const Query def {q("table", "items")};
        ShapeClient::Synced s = env.client->sync(def);
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        // A live request parked by the server before the TRUNCATE (the server says so).
        QNetworkAccessManager manager;
        QUrl url = env.server.shapeUrl();
        url.setQuery(QStringLiteral("table=items&live=true&cursor=&offset=%1&handle=%2")
                         .arg(s.offset, s.handle));
        QNetworkRequest request(url);
        std::unique_ptr<QNetworkReply> live(manager.get(request));
        QTRY_VERIFY_WITH_TIMEOUT(
            env.client->get(QStringLiteral("/v1/admin/parked"), {q("handle", s.handle)}).body
                == "{\"parked\":1}",
            15000);
        QVERIFY(env.sql(QStringLiteral("TRUNCATE items")));
        QTRY_VERIFY_WITH_TIMEOUT(live->isFinished(), 15000);
        // Electric 1.7: the 409 that ends a live hold does not know the next shape's handle.
        QCOMPARE(live->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 409);
        QCOMPARE(live->readAll(), QByteArray("[{\"headers\":{\"control\":\"must-refetch\"}}]"));
        QVERIFY(!live->hasRawHeader("electric-handle"));
        QCOMPARE(live->rawHeader("cache-control"),
                 QByteArray("public, max-age=1, must-revalidate"));
        // The old handle, asked again, gets the 409 that names the new shape.
        const HttpReply again409 = env.client->shape(
            {q("table", "items"), q("offset", s.offset), q("handle", s.handle)});
        QCOMPARE(again409.status, 409);
        const QByteArray next = again409.header("electric-handle");
        QVERIFY(!next.isEmpty());
        QVERIFY(next != s.handle.toUtf8());
        ShapeClient::Synced again = env.client->sync(def);
        QVERIFY2(again.error.isEmpty(), qPrintable(again.error));
        QVERIFY(again.rows.isEmpty());
        QCOMPARE(again.handle.toUtf8(), next);
    }

    void live409CarriesTheNewHandleOnlyWhenAskedTo()
    {
        START_ENV(env, {QStringLiteral("--live-409-with-handle")});
        HttpReply r;
        liveAfter(env, {q("table", "items")}, QStringLiteral("TRUNCATE items"), &r);
        QCOMPARE(r.status, 409);
        QVERIFY(!r.header("electric-handle").isEmpty());
        ShapeClient::Synced again = env.client->sync({q("table", "items")});
        QCOMPARE(again.handle.toUtf8(), r.header("electric-handle"));
    }

    void columnTypeChangeMakesLiveClientsRefetch()
    {
        START_ENV(env);
        HttpReply r;
        // Same column names: only the Relation message's type tells the change apart.
        liveAfter(env, {q("table", "items")},
                  QStringLiteral("ALTER TABLE items ALTER COLUMN num TYPE bigint; "
                                 "UPDATE items SET num = 8 WHERE id = 1"),
                  &r);
        QCOMPARE(r.status, 409);
        const HttpReply fresh = env.client->shape({q("table", "items"), q("offset", "-1")});
        QCOMPARE(fresh.status, 200);
        const QJsonObject schema
            = QJsonDocument::fromJson(fresh.header("electric-schema")).object();
        QCOMPARE(schema.value(QStringLiteral("num")).toObject().value(QStringLiteral("type")),
                 QJsonValue(QStringLiteral("int8")));
    }

    void columnTypeChangeIsNoticedAtTheNextRequestWithoutAnyWrite()
    {
        START_ENV(env);
        const Query def {q("table", "items")};
        ShapeClient::Synced s = env.client->sync(def);
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        QVERIFY(env.sql(QStringLiteral("ALTER TABLE items ALTER COLUMN title TYPE varchar(40)")));
        const HttpReply r = env.client->shape(
            {q("table", "items"), q("offset", s.offset), q("handle", s.handle)});
        QCOMPARE(r.status, 409);
        QVERIFY(!r.header("electric-handle").isEmpty());
        QVERIFY(r.header("electric-handle") != s.handle.toUtf8());
    }

    void shapeBodiesAreStreamedChunkedAndErrorsAreNot()
    {
        START_ENV(env, {QStringLiteral("--chunk-bytes"), QStringLiteral("100000")});
        const HttpReply viaQt = env.client->shape({q("table", "items"), q("offset", "-1")});
        const RawReply raw = RawReply::get(env.server.baseUrl(), "/v1/shape?table=items&offset=-1");
        QVERIFY2(raw.error.isEmpty(), qPrintable(raw.error));
        QCOMPARE(raw.status, 200);
        QCOMPARE(raw.headers.value("transfer-encoding"), QByteArray("chunked"));
        QVERIFY(!raw.headers.contains("content-length"));
        QVERIFY(raw.chunkFrames >= 2); // written in pieces, like Electric's stream
        QCOMPARE(raw.body, viaQt.body);
        const RawReply bad = RawReply::get(env.server.baseUrl(), "/v1/shape?table=items");
        QCOMPARE(bad.status, 400);
        QCOMPARE(bad.headers.value("content-length"), QByteArray::number(bad.body.size()));
        QVERIFY(!bad.headers.contains("transfer-encoding"));
    }

    void schemaChangeMakesLiveClientsRefetchWithTheNewColumns()
    {
        START_ENV(env);
        HttpReply r;
        liveAfter(
            env, {q("table", "items")},
            QStringLiteral(
                "ALTER TABLE items ADD COLUMN extra int; UPDATE items SET extra = 7 WHERE id = 1"),
            &r);
        QCOMPARE(r.status, 409);
        ShapeClient::Synced again = env.client->sync({q("table", "items")});
        QVERIFY2(again.error.isEmpty(), qPrintable(again.error));
        QCOMPARE(again.rows.value(QStringLiteral("\"public\".\"items\"/\"1\""))
                     .value(QStringLiteral("extra")),
                 QStringLiteral("7"));
    }

    void deleteRotatesTheShapeWhenEnabled()
    {
        START_ENV(env, {QStringLiteral("--enable-delete")});
        ShapeClient::Synced s = env.client->sync({q("table", "items")});
        const HttpReply del
            = env.client->get(QStringLiteral("/v1/shape"), {q("table", "items")}, {}, "DELETE");
        QCOMPARE(del.status, 202);
        const HttpReply r = env.client->shape(
            {q("table", "items"), q("offset", s.offset), q("handle", s.handle)});
        QCOMPARE(r.status, 409);
        QVERIFY(!r.header("electric-handle").isEmpty());
        QVERIFY(r.header("electric-handle") != s.handle.toUtf8());
        const HttpReply gone
            = env.client->get(QStringLiteral("/v1/shape"),
                              {q("handle", "nope-2"), q("table", "items")}, {}, "DELETE");
        QCOMPARE(gone.status, 404);
    }

    void deleteIsRefusedByDefault()
    {
        START_ENV(env);
        const HttpReply del
            = env.client->get(QStringLiteral("/v1/shape"), {q("table", "items")}, {}, "DELETE");
        QCOMPARE(del.status, 405);
        QCOMPARE(del.body, QByteArray("{\"message\":\"DELETE not allowed\"}"));
    }

    void badParametersGetElectricsErrorBodies()
    {
        START_ENV(env);
        const struct
        {
            Query query;
            QByteArray field;
            QString message;
        } cases[] = {
            {{q("table", "items"), q("offset", "10")},
             "offset",
             QStringLiteral("has invalid format")},
            {{q("table", "items"), q("offset", "1_2_3")},
             "offset",
             QStringLiteral("has invalid format")},
            {{q("table", "items"), q("offset", "0_-1")},
             "offset",
             QStringLiteral("has invalid format")},
            {{q("table", "items"), q("offset", "0_0")},
             "handle",
             QStringLiteral("can't be blank when offset != -1")},
            {{q("table", "items"), q("offset", "-1"), q("live", "true")},
             "live",
             QStringLiteral("can't be true when offset == -1")},
            {{q("offset", "-1")}, "table", QStringLiteral("can't be blank")},
            {{q("table", ".invalid_shape"), q("offset", "-1")},
             "table",
             QStringLiteral("Invalid zero-length delimited identifier")},
            {{q("table", "missing"), q("offset", "-1")},
             "table",
             QStringLiteral("Table \"public\".\"missing\" does not exist. If the table name "
                            "contains capitals or special characters you must quote it.")},
            {{q("table", "items"), q("offset", "-1"), q("columns", "title")},
             "columns",
             QStringLiteral(
                 "The list of columns must include all primary key columns, missing: id")},
        };
        for (const auto &c : cases) {
            const HttpReply r = env.client->shape(c.query);
            QCOMPARE(r.status, 400);
            const QJsonObject body = QJsonDocument::fromJson(r.body).object();
            QCOMPARE(body.value(QStringLiteral("message")).toString(),
                     QStringLiteral("Invalid request"));
            QCOMPARE(body.value(QStringLiteral("errors"))
                         .toObject()
                         .value(QString::fromUtf8(c.field))
                         .toArray()
                         .first()
                         .toString(),
                     c.message);
            QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
        }
        const HttpReply missingParam
            = env.client->shape({q("table", "items"), q("offset", "-1"), q("where", "num > $1")});
        QCOMPARE(missingParam.status, 400);
        QVERIFY(QJsonDocument::fromJson(missingParam.body)
                    .object()
                    .value(QStringLiteral("errors"))
                    .toObject()
                    .contains(QStringLiteral("params")));
        const HttpReply where
            = env.client->shape({q("table", "items"), q("offset", "-1"), q("where", "num >< 1")});
        QCOMPARE(where.status, 400);
        QVERIFY2(QJsonDocument::fromJson(where.body)
                     .object()
                     .value(QStringLiteral("errors"))
                     .toObject()
                     .value(QStringLiteral("where"))
                     .toArray()
                     .first()
                     .toString()
                     .startsWith(QLatin1String("At location")),
                 where.body.constData());
    }

    void secretIsRequiredWhenConfigured()
    {
        START_ENV(env, {QStringLiteral("--secret"), QStringLiteral("s3cret")});
        const HttpReply denied = env.client->shape({q("table", "items"), q("offset", "-1")});
        QCOMPARE(denied.status, 401);
        QCOMPARE(denied.body, QByteArray("{\"message\":\"Unauthorized - Invalid API secret\"}"));
        QCOMPARE(env.client->shape({q("table", "items"), q("offset", "-1"), q("secret", "wrong")})
                     .status,
                 401);
        QCOMPARE(env.client->shape({q("table", "items"), q("offset", "-1"), q("secret", "s3cret")})
                     .status,
                 200);
        QCOMPARE(env.client->get(QStringLiteral("/v1/health"), {}).status, 200);
    }

    void offsetBeyondTheShapeGives400AfterWaiting()
    {
        START_ENV(env);
        ShapeClient::Synced s = env.client->sync({q("table", "items")});
        const HttpReply r = env.client->shape(
            {q("table", "items"), q("offset", "999999999999_0"), q("handle", s.handle)});
        QCOMPARE(r.status, 400);
        QCOMPARE(r.body,
                 QByteArray("{\"message\":\"Invalid request\",\"errors\":{\"offset\":[\"out of "
                            "bounds for this shape\"]}}"));
    }

    void offsetNowSkipsHistory()
    {
        START_ENV(env);
        const HttpReply r = env.client->shape({q("table", "items"), q("offset", "now")});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.messages().size(), 1);
        QCOMPARE(headersOf(r.messages()[0]).value(QStringLiteral("control")).toString(),
                 QStringLiteral("up-to-date"));
        QCOMPARE(r.header("electric-offset"), QByteArray("0_inf"));
        QCOMPARE(r.header("electric-has-data"), QByteArray("false"));
        QVERIFY(r.has("electric-schema"));
    }

    void valuesHaveTheSameTextInSnapshotsAndChangesExceptBool()
    {
        START_ENV(env);
        QVERIFY(env.sql(
            QStringLiteral("CREATE TABLE typed (id int8 PRIMARY KEY, at timestamptz, doc jsonb, "
                           "tags text[], amount numeric(10,2), u uuid, "
                           "flag bool, note text, fixed char(4));"
                           "INSERT INTO typed VALUES (-9223372036854775808, '2025-03-04 "
                           "05:06:07.5+02', '{\"a\": [1, null]}', "
                           "'{x,NULL,\"y z\"}', 12.5, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', "
                           "true, E'l\u00e4ine\\n2', 'ab')")));
        const Query def {q("table", "typed")};
        const HttpReply snap = env.client->shape({q("table", "typed"), q("offset", "-1")});
        const QJsonObject fromSnapshot = valueOf(snap.messages()[0]);
        const QJsonArray m
            = liveAfter(env, def,
                        QStringLiteral("INSERT INTO typed SELECT 9223372036854775807, at, doc, "
                                       "tags, amount, u, flag, note, fixed FROM typed"));
        QCOMPARE(m.size(), 2);
        const QJsonObject fromChange = valueOf(m[0]);
        for (const QString &column :
             {QStringLiteral("at"), QStringLiteral("doc"), QStringLiteral("tags"),
              QStringLiteral("amount"), QStringLiteral("u"), QStringLiteral("note"),
              QStringLiteral("fixed")})
            QCOMPARE(fromChange.value(column).toString(), fromSnapshot.value(column).toString());
        QCOMPARE(fromSnapshot.value(QStringLiteral("at")).toString(),
                 QStringLiteral("2025-03-04 03:06:07.5+00"));
        QCOMPARE(fromSnapshot.value(QStringLiteral("tags")).toString(),
                 QStringLiteral("{x,NULL,\"y z\"}"));
        QCOMPARE(fromSnapshot.value(QStringLiteral("id")).toString(),
                 QStringLiteral("-9223372036854775808"));
        QCOMPARE(fromChange.value(QStringLiteral("id")).toString(),
                 QStringLiteral("9223372036854775807"));
        QCOMPARE(fromSnapshot.value(QStringLiteral("flag")).toString(), QStringLiteral("true"));
        QCOMPARE(fromChange.value(QStringLiteral("flag")).toString(), QStringLiteral("t"));
        QCOMPARE(fromSnapshot.value(QStringLiteral("fixed")).toString(),
                 QStringLiteral("ab  ")); // padding kept
        QCOMPARE(fromSnapshot.value(QStringLiteral("note")).toString(),
                 QString::fromUtf8("l\u00e4ine\n2"));
    }

    void unknownPathsAndRootAnswerLikeElectric()
    {
        START_ENV(env);
        QCOMPARE(env.client->get(QStringLiteral("/"), {}).status, 200);
        QCOMPARE(env.client->get(QStringLiteral("/v2/nothing"), {}).status, 404);
        QCOMPARE(
            env.client->get(QStringLiteral("/v1//shape/"), {q("table", "items"), q("offset", "-1")})
                .status,
            200);
    }
};

QTEST_GUILESS_MAIN(TestShapeServerProtocol)
#include "tst_shapeserver_protocol.moc"
