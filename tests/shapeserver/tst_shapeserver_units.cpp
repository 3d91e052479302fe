#include "tools/shape-server/JwtToken.h"
#include "tools/shape-server/LogOffset.h"
#include "tools/shape-server/ServerOptions.h"
#include "tools/shape-server/ShapeDefinition.h"
#include "tools/shape-server/TableInfo.h"

#include <QTest>

// The server's parsers, which decide between a 400 and a served request.
class TestShapeServerUnits : public QObject
{
    Q_OBJECT
private slots:
    void offsetsParseAndOrderLikeElectric()
    {
        QVERIFY(LogOffset::parse(QStringLiteral("-1"))->beforeAll);
        QCOMPARE(LogOffset::parse(QStringLiteral("0_02"))->toString(), QStringLiteral("0_2"));
        QCOMPARE(LogOffset::parse(QStringLiteral("0_inf"))->toString(), QStringLiteral("0_inf"));
        QCOMPARE(LogOffset::parse(QStringLiteral("18446744073709551615_4"))->tx, UINT64_MAX);
        for (const char *bad :
             {"10", "1_2_3", "1_2 ", "10_32.1", "0_-1", "invalid", "", "_1", "1_"})
            QVERIFY2(!LogOffset::parse(QString::fromLatin1(bad)), bad);
        QVERIFY(*LogOffset::parse(QStringLiteral("-1")) < *LogOffset::parse(QStringLiteral("0_0")));
        QVERIFY(*LogOffset::parse(QStringLiteral("0_5")) < LogOffset::snapshotEnd());
        QVERIFY(LogOffset::snapshotEnd() < *LogOffset::parse(QStringLiteral("1_0")));
        QVERIFY(*LogOffset::parse(QStringLiteral("9_10"))
                < *LogOffset::parse(QStringLiteral("10_0")));
    }

    void columnListsFollowPostgresQuoting()
    {
        QStringList out;
        QVERIFY(parseColumnList(QStringLiteral("id,\"Odd, \"\"name\"\"\",Title"), &out));
        QCOMPARE(out,
                 (QStringList {QStringLiteral("id"), QStringLiteral("Odd, \"name\""),
                               QStringLiteral("title")}));
        QStringList bad;
        QVERIFY(!parseColumnList(QStringLiteral("id,,x"), &bad));
        QVERIFY(!parseColumnList(QStringLiteral("\"open"), &bad));
    }

    void tableNamesFollowPostgresQuoting()
    {
        QCOMPARE(parseTableName(QStringLiteral("Items")).value(),
                 qMakePair(QStringLiteral("public"), QStringLiteral("items")));
        QCOMPARE(parseTableName(QStringLiteral("s.\"My.Table\"")).value(),
                 qMakePair(QStringLiteral("s"), QStringLiteral("My.Table")));
        QCOMPARE(parseTableName(QStringLiteral(".invalid_shape")).error().message,
                 QStringLiteral("Invalid zero-length delimited identifier"));
    }

    void faultSpecsAreValidated()
    {
        const auto latency = FaultSpec::parse(QStringLiteral("latency:ms=250"));
        QVERIFY(latency.ok());
        QCOMPARE(latency->latencyMs, 250);
        QCOMPARE(latency->remaining, -1);
        const auto unavailable
            = FaultSpec::parse(QStringLiteral("unavailable:retry-after=7:count=always"));
        QVERIFY(unavailable.ok());
        QCOMPARE(unavailable->retryAfterSeconds, 7);
        QCOMPARE(unavailable->remaining, -1);
        QVERIFY(!FaultSpec::parse(QStringLiteral("explode")).ok());
        QVERIFY(!FaultSpec::parse(QStringLiteral("drop:ms=3")).ok());
    }

    void statusFaultsNameACodeAndMayNarrowToATable()
    {
        const auto f = FaultSpec::parse(QStringLiteral("status:code=401:table=Log:skip=2"));
        QVERIFY(f.ok());
        QCOMPARE(f->statusCode, 401);
        QCOMPARE(f->skip, 2);
        QCOMPARE(f->remaining, 1);
        QVERIFY(f->matchesTable(QStringLiteral("log")));
        QVERIFY(f->matchesTable(QStringLiteral("public.log")));
        QVERIFY(!f->matchesTable(QStringLiteral("items")));
        QVERIFY(FaultSpec::parse(QStringLiteral("status:code=500:count=always"))
                    ->matchesTable(QStringLiteral("anything")));
        QCOMPARE(FaultSpec::electricBody(401),
                 QByteArray(R"({"message":"Unauthorized - Invalid API secret"})"));
        QCOMPARE(FaultSpec::electricBody(409),
                 QByteArray(R"([{"headers":{"control":"must-refetch"}}])"));
        const auto noCode = FaultSpec::parse(QStringLiteral("status"));
        QVERIFY(!noCode.ok());
        QVERIFY(noCode.error().message.contains(QStringLiteral("code=N")));
        QVERIFY(!FaultSpec::parse(QStringLiteral("status:code=99")).ok());
        QVERIFY(!FaultSpec::parse(QStringLiteral("status:code=401:skip=-1")).ok());
        QVERIFY(!FaultSpec::parse(QStringLiteral("status:code=401:table=.bad")).ok());
    }

    void jwtTokensVerifyOnlyWithTheKeyAndBeforeExpiry()
    {
        const qint64 now = 1'800'000'000;
        const QByteArray token = JwtToken::mint("k1", QStringLiteral("user-1"), 60, now);
        QCOMPARE(token.count('.'), 2);
        const auto ok = JwtToken::verify(token, "k1", now + 59);
        QVERIFY(ok.ok());
        QCOMPARE(ok.value(), QStringLiteral("user-1"));
        QVERIFY(JwtToken::verify(token, "k1", now + 60)
                    .error()
                    .message.contains(QStringLiteral("expired")));
        QVERIFY(JwtToken::verify(token, "k2", now)
                    .error()
                    .message.contains(QStringLiteral("signature")));
        QVERIFY(!JwtToken::verify("abc", "k1", now).ok());
        QVERIFY(!JwtToken::verify("a.b.c", "k1", now).ok());
        // A payload swapped for another user's keeps the old signature: rejected.
        const QList<QByteArray> parts = token.split('.');
        const QByteArray other = JwtToken::mint("k1", QStringLiteral("user-2"), 60, now);
        QVERIFY(!JwtToken::verify(parts[0] + '.' + other.split('.')[1] + '.' + parts[2], "k1", now)
                     .ok());
        // "alg":"none" with an empty signature is never accepted.
        const QByteArray none
            = QByteArray(R"({"alg":"none"})")
                  .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        const auto unsignedToken = JwtToken::verify(none + '.' + parts[1] + '.', "k1", now);
        QVERIFY(!unsignedToken.ok());
        QVERIFY(!unsignedToken.error().message.contains(QString::fromLatin1(token)));
    }

    void commandLineNeedsADsnAndRejectsRemoteHosts()
    {
        QVERIFY(!ServerOptions::parse({}).ok());
        QVERIFY(!ServerOptions::parse({QStringLiteral("--dsn"), QStringLiteral("x"),
                                       QStringLiteral("--host"), QStringLiteral("10.0.0.1")})
                     .ok());
        const auto o = ServerOptions::parse(
            {QStringLiteral("--dsn"), QStringLiteral("x"), QStringLiteral("--long-poll-ms"),
             QStringLiteral("500"), QStringLiteral("--enable-delete")});
        QVERIFY(o.ok());
        QCOMPARE(o->longPollMs, 500);
        QVERIFY(o->enableDelete);
    }
};

QTEST_GUILESS_MAIN(TestShapeServerUnits)
#include "tst_shapeserver_units.moc"
