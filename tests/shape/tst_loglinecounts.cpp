// The Overview's log-rate chart reads the store's lines per minute (store version 7), kept by the
// index builder's steps and the schema's triggers, plus the lines above their mark. Its series
// must equal a count over log_entries whatever has been counted so far, and stay equal when
// counted lines change or go, and when an older store is migrated with its lines.

#include "domain/LogTable.h"
#include "sync/hive/HistoryReader.h"
#include "sync/hive/HiveHistoryRecorder.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogStore.h"
#include "sync/store/LogStoreSchema.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QUuid>

using namespace hivewatch;

namespace {

const QUuid kExec(QStringLiteral("{6f1c9a52-0000-4000-8000-00000000000a}"));

qint64 at(int hour, int minute)
{
    return QDateTime(QDate(2025, 12, 1), QTime(hour, minute), QTimeZone::utc()).toMSecsSinceEpoch();
}

QString text(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
}

// Lines from 08:00 to about 10:30, a few per minute at odd seconds, one in four on stderr.
QList<NewLogEntry> lines(int count, int seed)
{
    QList<NewLogEntry> out;
    for (int i = 0; i < count; ++i) {
        const qint64 ms = at(8, 0) + (qint64(i) * 7919 + seed * 104729) % (150 * 60 * 1000);
        out.append({kExec,
                    LogTable::outputTypeName((i + seed) % 4 ? LogOutputType::Stdout
                                                            : LogOutputType::Stderr),
                    QStringLiteral("line %1 of round %2").arg(i).arg(seed),
                    text(ms),
                    {}});
    }
    return out;
}

} // namespace

class TestLogLineCounts : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<LogStore> m_store;

    qint64 oracle(const QString &where, const QString &from, const QString &to)
    {
        QSqlQuery q(m_store->database());
        q.prepare(QStringLiteral("SELECT count(*) FROM log_entries WHERE timestamp >= ? AND "
                                 "timestamp < ? AND ")
                  + where);
        q.addBindValue(from);
        q.addBindValue(to);
        if (!q.exec() || !q.next())
            return -1;
        return q.value(0).toLongLong();
    }

    // Every bucket of 5 minutes and of an hour over 07:00-11:00 against log_entries itself.
    QString mismatch()
    {
        auto reader = HistoryReader::open(m_path);
        if (!reader)
            return reader.error().toString();
        for (const qint64 bucket : {qint64(5) * 60 * 1000, qint64(3600) * 1000}) {
            auto series = reader->logLines(at(7, 0), at(11, 0), bucket);
            if (!series)
                return series.error().toString();
            for (qsizetype i = 0; i < series->lines.size(); ++i) {
                const QString b0 = text(at(7, 0) + i * bucket);
                const QString b1 = text(at(7, 0) + (i + 1) * bucket);
                const qint64 lines = oracle(QStringLiteral("true"), b0, b1);
                const qint64 stderrLines = oracle(QStringLiteral("output_type = 'stderr'"), b0, b1);
                if (series->lines[i] != lines || series->stderrLines[i] != stderrLines)
                    return QStringLiteral("bucket %1 of %2 ms from %3: %4 lines (%5 stderr), "
                                          "log_entries holds %6 (%7)")
                        .arg(i)
                        .arg(bucket)
                        .arg(b0)
                        .arg(series->lines[i])
                        .arg(series->stderrLines[i])
                        .arg(lines)
                        .arg(stderrLines);
            }
        }
        return {};
    }

    qint64 countedTo()
    {
        QSqlQuery q(m_store->database());
        if (!q.exec(QStringLiteral("SELECT counted_to FROM log_fts_state")) || !q.next())
            return -1;
        return q.value(0).toLongLong();
    }

    void append(const QList<NewLogEntry> &rows)
    {
        auto appended = m_store->append(rows);
        QVERIFY2(appended, qPrintable(appended ? QString() : appended.error().toString()));
    }

    bool indexAll()
    {
        for (;;) {
            auto step = m_store->indexStep(150);
            if (!step)
                return false;
            if (step->ready())
                return true;
        }
    }

    void exec(const QString &sql)
    {
        QSqlQuery q(m_store->database());
        QVERIFY2(q.exec(sql), qPrintable(sql + QStringLiteral(": ") + q.lastError().text()));
    }

private slots:
    void init()
    {
        m_path = m_dir.filePath(QStringLiteral("%1.sqlite").arg(QTest::currentTestFunction()));
        // A store with its history table, as the dashboard makes it: the history's tables
        // come through another connection after the log store opened.
        auto store = LogStore::open(m_path, LogStore::Access::ReadWrite);
        QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
        {
            auto db = SqliteConnection::open(m_path, SqliteConnection::Mode::ReadWrite);
            QVERIFY(db);
            QVERIFY(HiveHistoryRecorder::migrate(db.value()));
        }
        m_store = std::move(store).value();
    }

    void cleanup() { m_store.reset(); }

    void seriesEqualTheLinesWhateverIsCounted()
    {
        append(lines(900, 1));
        QCOMPARE(countedTo(), 0);
        QCOMPARE(mismatch(), QString()); // all above the mark: read line by line
        QVERIFY(m_store->indexStep(40).ok()); // counts ten times the lines it indexes
        QCOMPARE(countedTo(), 400);
        QCOMPARE(m_store->indexProgress()->indexedTo, 40);
        QCOMPARE(mismatch(), QString()); // counted and not, side by side
        QVERIFY(indexAll());
        QCOMPARE(countedTo(), 900);
        QCOMPARE(mismatch(), QString());

        // Counted lines that move to another minute, change type, or go; and new lines.
        exec(QStringLiteral("UPDATE log_entries SET timestamp = '2025-12-01 10:59:59.999' "
                            "WHERE id IN (3, 10, 500)"));
        exec(QStringLiteral("UPDATE log_entries SET output_type = CASE output_type WHEN 'stderr' "
                            "THEN 'stdout' ELSE 'stderr' END WHERE id % 7 = 0"));
        exec(QStringLiteral("DELETE FROM log_entries WHERE id % 11 = 0"));
        append(lines(300, 2));
        QCOMPARE(mismatch(), QString());
        // A minute whose lines all went leaves no row behind.
        exec(QStringLiteral("DELETE FROM log_entries WHERE timestamp LIKE '2025-12-01 09:1%'"));
        QVERIFY(m_store->indexStep(1000).ok());
        QCOMPARE(mismatch(), QString());
        QSqlQuery q(m_store->database());
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM log_minute_counts WHERE minute LIKE "
                                      "'2025-12-01 09:1%' OR lines <= 0"))
                && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }

    void anOlderStoreIsCountedWhenMigrated()
    {
        append(lines(500, 3));
        QVERIFY(m_store->indexStep(200).ok());
        for (const char *sql :
             {"DROP TRIGGER log_entries_minutes_delete", "DROP TRIGGER log_entries_minutes_update",
              "DROP TABLE log_minute_counts", "ALTER TABLE log_fts_state DROP COLUMN counted_to",
              "PRAGMA user_version = 6"})
            exec(QString::fromLatin1(sql));
        // Read-only and not migrated: the lines themselves are read.
        QCOMPARE(mismatch(), QString());
        m_store.reset();
        auto reopened = LogStore::open(m_path, LogStore::Access::ReadWrite);
        QVERIFY(reopened);
        m_store = std::move(reopened).value();
        QSqlQuery q(m_store->database());
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
        QCOMPARE(q.value(0).toInt(), LogStoreSchema::kCurrentVersion);
        QCOMPARE(countedTo(), 500); // all counted by the migration, ahead of the index
        QCOMPARE(mismatch(), QString());
        QVERIFY(indexAll()); // the index catches up, and counts nothing twice
        QCOMPARE(mismatch(), QString());
    }
};

QTEST_GUILESS_MAIN(TestLogLineCounts)
#include "tst_loglinecounts.moc"
