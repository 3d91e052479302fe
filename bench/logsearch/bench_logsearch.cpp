// bench_logsearch [--rows N] [--executions K] [--dir DIR]
//
// The full-text index's figures for docs/benchmarks.md ("Log search"): append rate through
// LogStore with and without the index (same schema, index triggers dropped), store size, a
// token search across all executions (hits and full counts), and a jump to a time in the
// largest execution. Wall-clock medians; the machine is shared, so print `uptime` with them.

#include "sync/store/LogSearch.h"
#include "sync/store/LogStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>

using namespace hivewatch;

namespace {

QTextStream out(stdout);

QList<NewLogEntry> makeRows(qint64 first, int count, const QList<QUuid> &execs, qint64 perExec)
{
    static const QString texts[] = {
        QStringLiteral("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\"}]}}"),
        QStringLiteral("test log_migration::splits_batched_rows ... ok"),
        QStringLiteral("npm WARN deprecated inflight@1.0.6: This module is not supported"),
        QStringLiteral("Compiling hivewatch v0.1.0 (/work/main/src/sync/store/LogStore.cpp)"),
    };
    QList<NewLogEntry> rows;
    rows.reserve(count);
    for (int i = 0; i < count; ++i) {
        const qint64 n = first + i;
        NewLogEntry e;
        e.executionId = execs[std::min<qint64>(n / perExec, execs.size() - 1)];
        e.outputType = n % 4 == 2 ? QStringLiteral("stderr") : QStringLiteral("stdout");
        e.content = texts[n % 4] + QLatin1Char(' ') + QString::number(n)
            + (n % 997 == 0 ? QStringLiteral(" rarepanic") : QString());
        const qint64 second = n / 50; // 50 lines a second
        e.timestamp = QStringLiteral("2026-12-06 %1:%2:%3.000")
                          .arg(second / 3600 % 24, 2, 10, QLatin1Char('0'))
                          .arg(second / 60 % 60, 2, 10, QLatin1Char('0'))
                          .arg(second % 60, 2, 10, QLatin1Char('0'));
        e.sourceId = n;
        rows.append(std::move(e));
    }
    return rows;
}

double fill(const QString &path, qint64 rows, const QList<QUuid> &execs, bool withIndex)
{
    auto store = LogStore::open(path, LogStore::Access::ReadWrite).value();
    if (!withIndex) {
        QSqlQuery q(store->database());
        for (const char *sql :
             {"DROP TRIGGER log_entries_fts_insert", "DROP TRIGGER log_entries_fts_delete",
              "DROP TRIGGER log_entries_fts_update"})
            q.exec(QString::fromLatin1(sql));
    }
    const qint64 perExec = (rows + execs.size() - 1) / execs.size();
    QElapsedTimer t;
    t.start();
    for (qint64 at = 0; at < rows; at += 1000) {
        if (!store->append(makeRows(at, int(std::min<qint64>(1000, rows - at)), execs, perExec))) {
            out << "append failed\n";
            return 0;
        }
    }
    const double rate = rows * 1000.0 / std::max<qint64>(1, t.elapsed());
    QSqlQuery(store->database()).exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
    return rate;
}

template<typename F> double medianMs(int runs, F &&f)
{
    QList<double> ms;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        f();
        ms.append(t.nsecsElapsed() / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption rowsOpt(QStringLiteral("rows"), QStringLiteral("Rows."),
                                     QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption execOpt(QStringLiteral("executions"), QStringLiteral("Executions."),
                                     QStringLiteral("K"), QStringLiteral("4"));
    const QCommandLineOption dirOpt(QStringLiteral("dir"), QStringLiteral("Where the stores go."),
                                    QStringLiteral("DIR"));
    parser.addOptions({rowsOpt, execOpt, dirOpt});
    parser.process(app);
    const qint64 rows = parser.value(rowsOpt).toLongLong();
    QList<QUuid> execs;
    for (int i = 0; i < std::max(1, parser.value(execOpt).toInt()); ++i)
        execs.append(QUuid::createUuid());
    QTemporaryDir tmp;
    const QString dir = parser.isSet(dirOpt) ? parser.value(dirOpt) : tmp.path();
    const QString plain = QDir(dir).filePath(QStringLiteral("plain.sqlite"));
    const QString indexed = QDir(dir).filePath(QStringLiteral("indexed.sqlite"));
    QFile::remove(plain);
    QFile::remove(indexed);

    const double plainRate = fill(plain, rows, execs, false);
    const double indexedRate = fill(indexed, rows, execs, true);
    const qint64 plainSize = QFileInfo(plain).size();
    const qint64 indexedSize = QFileInfo(indexed).size();
    out << "rows " << rows << " executions " << execs.size() << "\n"
        << "append without index: " << qint64(plainRate) << " rows/s, " << plainSize / 1048576
        << " MiB\n"
        << "append with index:    " << qint64(indexedRate) << " rows/s, " << indexedSize / 1048576
        << " MiB (rate " << QString::number(indexedRate / plainRate * 100, 'f', 1) << "%, size +"
        << QString::number((indexedSize - plainSize) * 100.0 / plainSize, 'f', 1) << "%)\n";
    out.flush();

    auto store = LogStore::open(indexed, LogStore::Access::ReadOnly).value();
    LogSearch search(*store);
    for (const QString &term : {QStringLiteral("rarepanic"), QStringLiteral("LogStore.cpp")}) {
        LogSearchQuery q;
        q.text = term;
        q.maxLines = 200;
        qint64 hits = 0;
        const double ms = medianMs(5, [&] { hits = search.search(q)->totalHits; });
        out << "search '" << term
            << "' across executions, first 200 lines + full counts: " << QString::number(ms, 'f', 1)
            << " ms median (" << hits << " hits)\n";
        out.flush();
    }
    const QUuid last = execs.last();
    const double jump = medianMs(
        21, [&] { (void)search.firstAtOrAfter(last, QStringLiteral("2026-12-06 23:59:59")); });
    out << "jump to a time past the end of the last execution (worst case): "
        << QString::number(jump, 'f', 2) << " ms median\n";
    return 0;
}
