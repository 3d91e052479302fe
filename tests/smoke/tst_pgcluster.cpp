#include "sync/pg/PgConnection.h"
#include "tests/support/TestDatabase.h"

#include <QTest>

using namespace hivewatch;

// The private cluster every Postgres test stands on: it must be real and ready for logical
// replication, and PgConnection must quote what it is given.
class TestPgCluster : public QObject
{
    Q_OBJECT
private slots:
    void clusterRunsWithLogicalWal()
    {
        TestDatabase db(QStringLiteral("smoke"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto conn = PgConnection::connect(db.conninfo());
        QVERIFY2(conn.ok(), qPrintable(conn.ok() ? QString() : conn.error().toString()));
        auto wal = (*conn)->exec(QStringLiteral("SHOW wal_level"));
        QVERIFY(wal.ok());
        QCOMPARE(wal->text(0, 0), QStringLiteral("logical"));
        QVERIFY((*conn)->serverVersion() >= 150000);
    }

    void boundParametersAndQuotingRoundTrip()
    {
        TestDatabase db(QStringLiteral("smoke"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto conn = PgConnection::connect(db.conninfo());
        QVERIFY(conn.ok());
        const QString odd = QStringLiteral("Odd \"Table\" name");
        QVERIFY((*conn)
                    ->exec(QStringLiteral("CREATE TABLE ") + (*conn)->quoteIdentifier(odd)
                           + QStringLiteral(" (v text)"))
                    .ok());
        QVERIFY((*conn)
                    ->exec(QStringLiteral("INSERT INTO ") + (*conn)->quoteIdentifier(odd)
                               + QStringLiteral(" VALUES ($1), ($2)"),
                           {QStringLiteral("it's ünïcode"), QString()})
                    .ok());
        auto rows = (*conn)->exec(QStringLiteral("SELECT v FROM ") + (*conn)->quoteIdentifier(odd)
                                  + QStringLiteral(" ORDER BY v NULLS LAST"));
        QVERIFY(rows.ok());
        QCOMPARE(rows->rows(), 2);
        QCOMPARE(rows->text(0, 0), QStringLiteral("it's ünïcode"));
        QVERIFY(rows->isNull(1, 0));
    }

    void connectionFailureNamesTheProblem()
    {
        auto conn = PgConnection::connect(
            QStringLiteral("host=/nonexistent-socket-dir port=1 user=postgres"));
        QVERIFY(!conn.ok());
        QVERIFY(conn.error().message.contains(QStringLiteral("Could not connect")));
        QVERIFY(!conn.error().detail.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPgCluster)
#include "tst_pgcluster.moc"
