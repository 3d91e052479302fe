#include "sync/store/LogStore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

// Runs the built hivectl binary, as a user would, against real store files.
class TestHivectlLogs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void helpListsTheCommands();
    void pageBackwardPrintsOldestFirstWithTheNextCursor();
    void pageJsonMatchesTheNodesPaginatedLogs();
    void pageForwardWalksTheWholeExecution();
    void statsCountsExecutionsAndOutputTypes();
    void badUsageExitsWithTwo_data();
    void badUsageExitsWithTwo();
    void unusableFilesExitWithOneAndSayWhy_data();
    void unusableFilesExitWithOneAndSayWhy();
    void migrateLegacyIsDispatched();
    void searchPrintsHitsWithLineNumbersAndContext();
    void searchJsonWithRegexAndExclude();
    void searchWithABadRegexSaysWhatIsWrong();
    void searchScansANodeDatabaseAndLeavesItsBytesAlone();

private:
    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    Run hivectl(const QStringList &args);

    QTemporaryDir m_dir;
    QString m_store;
    const QUuid m_exec = QUuid::fromString(QStringLiteral("11111111-2222-4333-8444-555555555555"));
};

void TestHivectlLogs::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_store = m_dir.filePath(QStringLiteral("store.sqlite"));
    auto store = LogStore::open(m_store, LogStore::Access::ReadWrite);
    QVERIFY(store);
    QList<NewLogEntry> rows;
    for (int i = 1; i <= 25; ++i)
        rows.append({m_exec, i % 5 == 0 ? QStringLiteral("stderr") : QStringLiteral("stdout"),
                     QStringLiteral("line %1\n").arg(i),
                     QStringLiteral("2025-12-26 10:00:%1.000").arg(i, 2, 10, QLatin1Char('0')),
                     1000 + i});
    rows.append({QUuid::createUuid(), QStringLiteral("system"), QStringLiteral("other"), {}, {}});
    QVERIFY(store.value()->append(rows).ok());
    // Indexed as the app's builder does behind the writer (store version 5), so a search reads
    // the index.
    QVERIFY(store.value()->indexStep(1000).value().ready());
}

TestHivectlLogs::Run TestHivectlLogs::hivectl(const QStringList &args)
{
    const QString binary
        = qEnvironmentVariable("HIVEWATCH_BINARY_DIR") + QStringLiteral("/app/hivectl/hivectl");
    QProcess p;
    p.start(binary, args);
    Run r;
    if (!p.waitForStarted() || !p.waitForFinished(30000)) {
        r.err = QStringLiteral("could not run ") + binary;
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError());
    return r;
}

void TestHivectlLogs::helpListsTheCommands()
{
    const Run r = hivectl({QStringLiteral("logs"), QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    for (const char *word : {"page", "stats", "migrate-legacy"})
        QVERIFY2(r.out.contains(QLatin1String(word)), qPrintable(r.out));
    const Run page
        = hivectl({QStringLiteral("logs"), QStringLiteral("page"), QStringLiteral("--help")});
    QCOMPARE(page.exitCode, 0);
    for (const char *word : {"--db", "--execution", "--cursor", "--direction", "--limit", "--json"})
        QVERIFY2(page.out.contains(QLatin1String(word)), qPrintable(page.out));
    const Run stats
        = hivectl({QStringLiteral("logs"), QStringLiteral("stats"), QStringLiteral("-h")});
    QCOMPARE(stats.exitCode, 0);
    QVERIFY(stats.out.contains(QLatin1String("--db")));
}

void TestHivectlLogs::pageBackwardPrintsOldestFirstWithTheNextCursor()
{
    const Run r = hivectl({QStringLiteral("logs"), QStringLiteral("page"), QStringLiteral("--db"),
                           m_store, QStringLiteral("--execution"), m_exec.toString(),
                           QStringLiteral("--limit"), QStringLiteral("10")});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 11);
    QVERIFY2(lines[0].contains(QLatin1String("line 16")), qPrintable(r.out));
    QVERIFY(lines[0].contains(QLatin1String("2025-12-26 10:00:16.000")));
    QVERIFY(lines[4].contains(QLatin1String("stderr")));
    QVERIFY(lines[9].contains(QLatin1String("line 25")));
    QVERIFY2(lines[10].contains(QLatin1String("10 of 25 rows; next page: --cursor 16 --direction "
                                              "backward")),
             qPrintable(lines[10]));
}

void TestHivectlLogs::pageJsonMatchesTheNodesPaginatedLogs()
{
    const Run r
        = hivectl({QStringLiteral("logs"), QStringLiteral("page"), QStringLiteral("--db"), m_store,
                   QStringLiteral("--execution"), m_exec.toString(QUuid::WithoutBraces),
                   QStringLiteral("--cursor"), QStringLiteral("16"), QStringLiteral("--limit"),
                   QStringLiteral("10"), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    QJsonParseError error;
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(o.value(QLatin1String("total_count")).toInteger(), 25);
    QCOMPARE(o.value(QLatin1String("has_more")).toBool(), true);
    QCOMPARE(o.value(QLatin1String("next_cursor")).toInteger(), 6);
    const QJsonArray entries = o.value(QLatin1String("entries")).toArray();
    QCOMPARE(entries.size(), 10);
    // Backward pages keep the node's order: newest first.
    QCOMPARE(entries.first().toObject().value(QLatin1String("id")).toInteger(), 15);
    QCOMPARE(entries.last().toObject().value(QLatin1String("id")).toInteger(), 6);
    const QJsonObject first = entries.first().toObject();
    QCOMPARE(first.value(QLatin1String("content")).toString(), QStringLiteral("line 15\n"));
    QCOMPARE(first.value(QLatin1String("output_type")).toString(), QStringLiteral("stderr"));
    QCOMPARE(first.value(QLatin1String("execution_id")).toString(),
             m_exec.toString(QUuid::WithoutBraces));
    QCOMPARE(first.value(QLatin1String("source_id")).toInteger(), 1015);

    const Run last
        = hivectl({QStringLiteral("logs"), QStringLiteral("page"), QStringLiteral("--db"), m_store,
                   QStringLiteral("--execution"), m_exec.toString(), QStringLiteral("--cursor"),
                   QStringLiteral("6"), QStringLiteral("--json")});
    const QJsonObject lo = QJsonDocument::fromJson(last.out.toUtf8()).object();
    QCOMPARE(lo.value(QLatin1String("entries")).toArray().size(), 5);
    QVERIFY(lo.value(QLatin1String("next_cursor")).isNull());
    QCOMPARE(lo.value(QLatin1String("has_more")).toBool(), false);
}

void TestHivectlLogs::pageForwardWalksTheWholeExecution()
{
    QStringList seen;
    QString cursor;
    for (int guard = 0; guard < 10; ++guard) {
        QStringList args {QStringLiteral("logs"),        QStringLiteral("page"),
                          QStringLiteral("--db"),        m_store,
                          QStringLiteral("--execution"), m_exec.toString(),
                          QStringLiteral("--direction"), QStringLiteral("forward"),
                          QStringLiteral("--limit"),     QStringLiteral("7"),
                          QStringLiteral("--json")};
        if (!cursor.isEmpty())
            args << QStringLiteral("--cursor") << cursor;
        const Run r = hivectl(args);
        QCOMPARE(r.exitCode, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        for (const QJsonValue &e : o.value(QLatin1String("entries")).toArray())
            seen << e.toObject().value(QLatin1String("content")).toString().trimmed();
        if (!o.value(QLatin1String("has_more")).toBool())
            break;
        cursor = QString::number(o.value(QLatin1String("next_cursor")).toInteger());
    }
    QCOMPARE(seen.size(), 25);
    QCOMPARE(seen.first(), QStringLiteral("line 1"));
    QCOMPARE(seen.last(), QStringLiteral("line 25"));
}

void TestHivectlLogs::statsCountsExecutionsAndOutputTypes()
{
    const Run text = hivectl(
        {QStringLiteral("logs"), QStringLiteral("stats"), QStringLiteral("--db"), m_store});
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains(QLatin1String("rows: 26")), qPrintable(text.out));
    QVERIFY(text.out.contains(QLatin1String("executions: 2")));
    QVERIFY(text.out.contains(m_exec.toString(QUuid::WithoutBraces)));

    const Run r = hivectl({QStringLiteral("logs"), QStringLiteral("stats"), QStringLiteral("--db"),
                           m_store, QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o.value(QLatin1String("total_rows")).toInteger(), 26);
    const QJsonObject types = o.value(QLatin1String("output_types")).toObject();
    QCOMPARE(types.value(QLatin1String("stdout")).toInteger(), 20);
    QCOMPARE(types.value(QLatin1String("stderr")).toInteger(), 5);
    QCOMPARE(types.value(QLatin1String("system")).toInteger(), 1);
    const QJsonArray execs = o.value(QLatin1String("executions")).toArray();
    QCOMPARE(execs.size(), 2);
    qint64 rowsOfExec = 0;
    for (const QJsonValue &e : execs) {
        if (e.toObject().value(QLatin1String("execution_id")).toString()
            == m_exec.toString(QUuid::WithoutBraces))
            rowsOfExec = e.toObject().value(QLatin1String("rows")).toInteger();
    }
    QCOMPARE(rowsOfExec, 25);
}

void TestHivectlLogs::badUsageExitsWithTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const QString db = QStringLiteral("--db");
    const QString ex = QStringLiteral("--execution");
    const QString id = QStringLiteral("11111111-2222-4333-8444-555555555555");
    QTest::newRow("no subcommand") << QStringList {} << "Usage";
    QTest::newRow("unknown subcommand")
        << QStringList {QStringLiteral("tail")} << "unknown command 'tail'";
    QTest::newRow("page without db")
        << QStringList {QStringLiteral("page"), ex, id} << "--db FILE is required";
    QTest::newRow("page without execution")
        << QStringList {QStringLiteral("page"), db, QStringLiteral("x")}
        << "--execution ID is required";
    QTest::newRow("bad uuid") << QStringList {QStringLiteral("page"), db, QStringLiteral("x"), ex,
                                              QStringLiteral("42")}
                              << "'42' is not a UUID";
    QTest::newRow("bad direction") << QStringList {
        QStringLiteral("page"), db, QStringLiteral("x"), ex, id, QStringLiteral("--direction"),
        QStringLiteral("up")} << "forward or backward";
    QTest::newRow("bad limit") << QStringList {
        QStringLiteral("page"), db, QStringLiteral("x"), ex, id, QStringLiteral("--limit"),
        QStringLiteral("0")} << "--limit '0'";
    QTest::newRow("bad cursor") << QStringList {
        QStringLiteral("page"), db, QStringLiteral("x"), ex, id, QStringLiteral("--cursor"),
        QStringLiteral("abc")} << "--cursor 'abc'";
    QTest::newRow("unknown option")
        << QStringList {QStringLiteral("stats"), QStringLiteral("--frobnicate")} << "frobnicate";
}

void TestHivectlLogs::badUsageExitsWithTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Run r = hivectl(QStringList {QStringLiteral("logs")} + args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(expected), qPrintable(r.err));
}

void TestHivectlLogs::unusableFilesExitWithOneAndSayWhy_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing") << "missing.sqlite" << QByteArray() << "does not exist";
    QTest::newRow("not sqlite") << "notes.txt" << QByteArray("just some text\n")
                                << "not an SQLite database";
    QTest::newRow("no log_entries")
        << "other.sqlite" << QByteArray("<foreign>") << "without a log_entries table";
}

void TestHivectlLogs::unusableFilesExitWithOneAndSayWhy()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, contents);
    QFETCH(QString, expected);
    const QString path = m_dir.filePath(file);
    if (contents == "<foreign>") {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("f"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery(db).exec(QStringLiteral("CREATE TABLE tasks (id INTEGER)"));
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("f"));
    } else if (!contents.isEmpty()) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(contents);
    }
    for (const QString &sub :
         {QStringLiteral("page"), QStringLiteral("stats"), QStringLiteral("search")}) {
        QStringList args {QStringLiteral("logs"), sub, QStringLiteral("--db"), path};
        if (sub == QLatin1String("page"))
            args << QStringLiteral("--execution") << m_exec.toString();
        if (sub == QLatin1String("search"))
            args << QStringLiteral("line");
        const Run r = hivectl(args);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(expected), qPrintable(r.err));
        QVERIFY2(r.err.contains(path), qPrintable(r.err));
    }
}

void TestHivectlLogs::migrateLegacyIsDispatched()
{
    // The legacy area owns the command; here only that `logs migrate-legacy` reaches it.
    const Run r = hivectl(
        {QStringLiteral("logs"), QStringLiteral("migrate-legacy"), QStringLiteral("--help")});
    QVERIFY2(!r.err.contains(QLatin1String("unknown command")), qPrintable(r.err));
    QVERIFY2(!r.out.isEmpty() || !r.err.isEmpty(), "migrate-legacy printed nothing");
}

void TestHivectlLogs::searchPrintsHitsWithLineNumbersAndContext()
{
    const Run r = hivectl({QStringLiteral("logs"), QStringLiteral("search"), QStringLiteral("--db"),
                           m_store, QStringLiteral("LINE 7"), QStringLiteral("--context"),
                           QStringLiteral("1")});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(
        lines,
        QStringList(
            {QStringLiteral("== execution %1: 1 hit").arg(m_exec.toString(QUuid::WithoutBraces)),
             QStringLiteral("       6- 2025-12-26 10:00:06.000  stdout   line 6"),
             QStringLiteral("       7: 2025-12-26 10:00:07.000  stdout   line 7"),
             QStringLiteral("       8- 2025-12-26 10:00:08.000  stdout   line 8"),
             QStringLiteral("-- 1 hit in 1 execution (full-text index)")}));
}

void TestHivectlLogs::searchJsonWithRegexAndExclude()
{
    const Run r
        = hivectl({QStringLiteral("logs"), QStringLiteral("search"), QStringLiteral("--db"),
                   m_store, QStringLiteral("^line 1\\d$"), QStringLiteral("--regex"),
                   QStringLiteral("--exclude"), QStringLiteral("15"), QStringLiteral("--execution"),
                   m_exec.toString(), QStringLiteral("--json")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(o.value(QStringLiteral("total_hits")).toInt(), 9);
    QCOMPARE(o.value(QStringLiteral("used_index")).toBool(), false);
    const QJsonArray groups = o.value(QStringLiteral("executions")).toArray();
    QCOMPARE(groups.size(), 1);
    QList<int> numbers;
    for (const QJsonValue &l : groups[0].toObject().value(QStringLiteral("lines")).toArray())
        numbers.append(l.toObject().value(QStringLiteral("line")).toInt());
    QCOMPARE(numbers, QList<int>({10, 11, 12, 13, 14, 16, 17, 18, 19}));
}

void TestHivectlLogs::searchWithABadRegexSaysWhatIsWrong()
{
    const Run r = hivectl({QStringLiteral("logs"), QStringLiteral("search"), QStringLiteral("--db"),
                           m_store, QStringLiteral("line (1"), QStringLiteral("--regex")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1String("Invalid regular expression \"line (1\"")),
             qPrintable(r.err));
}

void TestHivectlLogs::searchScansANodeDatabaseAndLeavesItsBytesAlone()
{
    const QString path = m_dir.filePath(QStringLiteral("node-db.sqlite"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("n"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral(
            "CREATE TABLE log_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, execution_id BLOB "
            "NOT NULL, output_type TEXT NOT NULL, content TEXT NOT NULL, timestamp TEXT NOT "
            "NULL)")));
        for (int i = 1; i <= 30; ++i) {
            q.prepare(QStringLiteral("INSERT INTO log_entries (execution_id, output_type, content, "
                                     "timestamp) VALUES (?, 'stdout', ?, '2025-12-26 10:00:00')"));
            q.addBindValue(m_exec.toRfc4122());
            q.addBindValue(i % 10 == 3 ? QStringLiteral("Größe %1 überschritten").arg(i)
                                       : QStringLiteral("ok %1").arg(i));
            QVERIFY(q.exec());
        }
        q.finish();
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("n"));
    }
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray before = f.readAll();
    f.close();
    const Run r2
        = hivectl({QStringLiteral("logs"), QStringLiteral("search"), QStringLiteral("--db"), path,
                   QStringLiteral("ÜBERSCHRITTEN"), QStringLiteral("--json")});
    QCOMPARE(r2.exitCode, 0);
    const QJsonObject o2 = QJsonDocument::fromJson(r2.out.toUtf8()).object();
    QCOMPARE(o2.value(QStringLiteral("total_hits")).toInt(), 3);
    QVERIFY(o2.value(QStringLiteral("note")).toString().contains(QLatin1String("node's database")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), before);
}

QTEST_GUILESS_MAIN(TestHivectlLogs)
#include "tst_hivectl_logs.moc"
