// Hostile local stores (issue 14), through the real `hivectl shape sync --db` and `hivectl logs
// stats --db`: a store that cannot be written, corrupt files, a directory that is missing or
// cannot be made, a node's db.sqlite, a store from a newer Hivewatch, a full disk and a store
// another process holds. Each must end in one message naming the file or directory and saying
// what is wrong, and nothing already stored may change.
//
// Kill -9 during a write is held elsewhere (see docs/failure-modes.md): tst_logstore's
// writerKilled* (the store), tst_shapeintegration's hivectlResumesFromTheSavedOffsetAfterSigkill
// (shape sync) and tst_hivectl_migrate_legacy (the legacy migration).
#include "tests/hostile/HivectlRun.h"
#include "tests/hostile/PrivateMounts.h"
#include "tests/support/ScriptedHttpServer.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cerrno>
#include <cstring>
#include <functional>
#include <sys/mount.h>
#include <unistd.h>

using Server = ScriptedHttpServer;

namespace {

QByteArray insert(const QByteArray &table, int id, const QByteArray &title = "t")
{
    return "{\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"" + table
        + "\"]},\"key\":\"\\\"public\\\".\\\"" + table + "\\\"/\\\"" + QByteArray::number(id)
        + "\\\"\",\"value\":{\"id\":\"" + QByteArray::number(id) + "\",\"title\":\"" + title
        + "\",\"done\":\"f\"}}";
}

const QByteArray kUpToDate
    = "{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"1\"}}";

Server::Response snapshot(const QByteArray &table, int rows, const QByteArray &title = "t")
{
    QByteArray body = "[";
    for (int id = 1; id <= rows; ++id)
        body += insert(table, id, title) + ',';
    return Server::shape(body + kUpToDate + ']', "H-" + table, "0_inf");
}

QByteArray digest(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return "unreadable: " + path.toUtf8();
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex();
}

// Rows of one shape, read through Qt Sql (independent of the code under test); -1 on error.
int storedRows(const QString &path, const QString &shape)
{
    int rows = -1;
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT count(*) FROM shape_rows WHERE shape = ?"));
            q.addBindValue(shape);
            if (q.exec() && q.next())
                rows = q.value(0).toInt();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("check"));
    return rows;
}

} // namespace

class TestHostileStore : public QObject
{
    Q_OBJECT

    std::unique_ptr<Server> m_server;
    qsizetype m_requestsAfterMake = 0; // what the server had seen when makeStore returned
    std::unique_ptr<QTemporaryDir> m_dir;

    QStringList syncArgs(const QString &db, const QByteArray &table = "items") const
    {
        return {QStringLiteral("shape"),
                QStringLiteral("sync"),
                QStringLiteral("--url"),
                m_server->url().toString(),
                QStringLiteral("--table"),
                QString::fromLatin1(table),
                QStringLiteral("--follow-ms"),
                QStringLiteral("0"),
                QStringLiteral("--give-up-after"),
                QStringLiteral("20s"),
                QStringLiteral("--db"),
                db};
    }

    // A healthy store holding `rows` rows of shape items, written by hivectl itself.
    bool makeStore(const QString &path, int rows)
    {
        m_server->enqueue(snapshot("items", rows));
        const HivectlRun r = HivectlRun::run(syncArgs(path));
        if (r.exitCode != 0)
            qWarning().noquote() << r.describe();
        // hivectl may have sent its first live request just before it exited; the server reads
        // it only when this loop runs, and it must not be counted as a later run's.
        QTest::qWait(300);
        m_requestsAfterMake = m_server->requests().size();
        return r.exitCode == 0 && storedRows(path, QStringLiteral("items")) == rows;
    }

    // The one line a failed hivectl must print: it names `what` and says `why`.
    static void checkOneMessage(const HivectlRun &r, const QString &what, const QString &why)
    {
        QCOMPARE(r.exitCode, 1);
        const QByteArrayList lines = r.errLines();
        QVERIFY2(lines.size() == 1, qPrintable(r.describe()));
        const QString line = QString::fromUtf8(lines.first());
        QVERIFY2(line.contains(what), qPrintable(r.describe()));
        QVERIFY2(line.contains(why), qPrintable(r.describe()));
    }

private slots:
    void init()
    {
        m_server = std::make_unique<Server>();
        QVERIFY(m_server->listen());
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
    }
    void cleanup()
    {
        m_server.reset();
        m_dir.reset();
    }

    void readOnlyStoreIsNotCalledCorrupted()
    {
        const QString directory = m_dir->filePath(QStringLiteral("ro"));
        QVERIFY(QDir().mkdir(directory));
        const QString path = directory + QStringLiteral("/store.sqlite");
        QVERIFY(makeStore(path, 3));

        // File modes stop everyone but root; for root the directory is bind-mounted read-only
        // in a mount namespace of this test alone (EROFS stops root too).
        const QByteArray dir = QFile::encodeName(directory);
        std::function<void()> restore;
        if (::geteuid() != 0) {
            QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::ReadGroup));
            QVERIFY(QFile::setPermissions(directory, QFile::ReadOwner | QFile::ExeOwner));
            restore = [=] {
                QFile::setPermissions(directory,
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
                QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
            };
        } else {
            if (const QString why = privateMounts(); !why.isEmpty())
                QSKIP(qPrintable(QStringLiteral("running as root, file modes do not stop root, "
                                                "and a read-only bind is impossible: ")
                                 + why));
            QVERIFY(::mount(dir.constData(), dir.constData(), nullptr, MS_BIND, nullptr) == 0);
            restore = [=] {
                ::umount2(dir.constData(), MNT_DETACH);
            };
            QVERIFY(::mount(nullptr, dir.constData(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY,
                            nullptr)
                    == 0);
        }
        auto undo = qScopeGuard([&] { restore(); });
        QCOMPARE(::access(dir.constData(), W_OK), -1);
        const QByteArray before = digest(path);

        const HivectlRun sync = HivectlRun::run(syncArgs(path));
        checkOneMessage(sync, path, QStringLiteral("cannot be written"));
        QVERIFY2(sync.err.contains("not damaged") && !sync.err.contains("corrupt"),
                 sync.err.constData());
        QCOMPARE(m_server->requests().size(), m_requestsAfterMake); // only makeStore's

        // A healthy store on a read-only medium can still be read.
        const HivectlRun stats = HivectlRun::run(
            {QStringLiteral("logs"), QStringLiteral("stats"), QStringLiteral("--db"), path});
        QVERIFY2(stats.exitCode == 0, qPrintable(stats.describe()));

        undo.dismiss();
        restore();
        QCOMPARE(digest(path), before);
        QCOMPARE(storedRows(path, QStringLiteral("items")), 3);
    }

    void corruptStoresAreNamedAndLeftAlone_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("text file") << "text"
                                   << "is not an SQLite database";
        QTest::newRow("random bytes") << "random"
                                      << "is not an SQLite database";
        QTest::newRow("SQLite header, then garbage") << "header"
                                                     << "is corrupted";
        QTest::newRow("truncated store") << "truncated"
                                         << "is corrupted";
    }

    void corruptStoresAreNamedAndLeftAlone()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        const QString path = m_dir->filePath(QStringLiteral("store.sqlite"));
        if (kind == QLatin1String("truncated")) {
            // Big enough that half of it cuts through the shape's rows and their index.
            QVERIFY(makeStore(path, 4000));
            const int requestsBefore = m_server->requests().size();
            QVERIFY(QFile::resize(path, QFileInfo(path).size() / 2));
            QCOMPARE(m_server->requests().size(), requestsBefore);
        } else {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            if (kind == QLatin1String("text"))
                file.write("{\"Stdout\":\"this is a log, not a store\"}\n");
            else if (kind == QLatin1String("random"))
                for (int i = 0; i < 4096; ++i)
                    file.write(QByteArray::number(quint64(std::rand()) * 2654435761u, 16));
            else
                file.write(QByteArray("SQLite format 3", 16) + QByteArray(64 * 1024, '\xA5'));
        }
        QFile::remove(path + QStringLiteral("-wal"));
        QFile::remove(path + QStringLiteral("-shm"));
        const QByteArray before = digest(path);
        const int requests = m_server->requests().size();

        const HivectlRun sync = HivectlRun::run(syncArgs(path));
        checkOneMessage(sync, path, expected);
        QVERIFY2(!sync.err.contains("cannot be written"), sync.err.constData());
        QCOMPARE(m_server->requests().size(), requests); // nothing is synced into it

        const HivectlRun stats = HivectlRun::run(
            {QStringLiteral("logs"), QStringLiteral("stats"), QStringLiteral("--db"), path});
        QCOMPARE(stats.exitCode, 1);
        QVERIFY2(stats.err.contains(path.toUtf8()) && stats.err.contains(expected.toUtf8()),
                 qPrintable(stats.describe()));
        QCOMPARE(digest(path), before); // never "repaired", emptied or replaced
    }

    void missingStoreDirectoryIsCreated()
    {
        const QString path = m_dir->filePath(QStringLiteral("home/.local/share/hw/store.sqlite"));
        QVERIFY(makeStore(path, 2));
    }

    void storeDirectoryThatCannotBeCreatedIsNamed()
    {
        // A file where a directory should be: no permission bit or root privilege helps.
        const QString blocker = m_dir->filePath(QStringLiteral("share"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("in the way\n");
        file.close();
        const QString directory = blocker + QStringLiteral("/hivewatch");
        const HivectlRun r = HivectlRun::run(syncArgs(directory + QStringLiteral("/s.sqlite")));
        checkOneMessage(r, QStringLiteral("directory ") + directory,
                        QStringLiteral("Could not create"));
        QCOMPARE(m_server->requests().size(), 0);
        QCOMPARE(digest(blocker),
                 QCryptographicHash::hash("in the way\n", QCryptographicHash::Sha256).toHex());
    }

    void nodeDatabaseIsRefusedUnchanged()
    {
        // A node's db.sqlite: its tables, no Hivewatch marker. Nothing may be written into it.
        const QString path = m_dir->filePath(QStringLiteral("db.sqlite"));
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("node"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            for (const char *sql :
                 {"CREATE TABLE execution_processes (id BLOB PRIMARY KEY, status TEXT)",
                  "CREATE TABLE execution_process_logs (execution_id BLOB, logs TEXT)",
                  "CREATE TABLE log_entries (id INTEGER PRIMARY KEY AUTOINCREMENT, execution_id "
                  "BLOB NOT NULL, output_type TEXT NOT NULL, content TEXT NOT NULL, timestamp "
                  "TEXT NOT NULL)",
                  "INSERT INTO log_entries (execution_id, output_type, content, timestamp) "
                  "VALUES (x'01', 'stdout', 'kept', '2025-12-01 00:00:00.000')"})
                QVERIFY(q.exec(QString::fromLatin1(sql)));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("node"));
        const QByteArray before = digest(path);
        const QDateTime modified = QFileInfo(path).lastModified();
        m_server->enqueue(snapshot("items", 1));

        const HivectlRun r = HivectlRun::run(syncArgs(path));
        checkOneMessage(r, path, QStringLiteral("is a node's database"));
        QCOMPARE(m_server->requests().size(), 0);
        QCOMPARE(digest(path), before);
        QCOMPARE(QFileInfo(path).lastModified(), modified);
        QVERIFY(!QFileInfo::exists(path + QStringLiteral("-wal"))
                || QFileInfo(path + QStringLiteral("-wal")).size() == 0);
    }

    void storeFromANewerHivewatchIsRefusedUnchanged()
    {
        const QString path = m_dir->filePath(QStringLiteral("store.sqlite"));
        QVERIFY(makeStore(path, 2));
        {
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("newer"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QVERIFY(QSqlQuery(db).exec(QStringLiteral("PRAGMA user_version = 99")));
            QVERIFY(QSqlQuery(db).exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)")));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("newer"));
        const QByteArray before = digest(path);

        const HivectlRun r = HivectlRun::run(syncArgs(path));
        checkOneMessage(r, path, QStringLiteral("was written by a newer Hivewatch"));
        QCOMPARE(m_server->requests().size(), m_requestsAfterMake); // only makeStore's
        QCOMPARE(digest(path), before);
    }

    void fullDiskKeepsWhatWasSyncedAndResumes()
    {
        // A 1 MiB tmpfs in this test's own mount namespace: a real ENOSPC, no root mount left.
        const QString directory = m_dir->filePath(QStringLiteral("small-disk"));
        QVERIFY(QDir().mkdir(directory));
        if (const QString why = mountSmallDisk(directory, "1m"); !why.isEmpty())
            QSKIP(qPrintable(QStringLiteral("a full disk needs a private tmpfs: ") + why));
        const QByteArray dir = QFile::encodeName(directory);
        const auto unmount = qScopeGuard([&] { ::umount2(dir.constData(), MNT_DETACH); });
        const QString path = directory + QStringLiteral("/store.sqlite");
        QVERIFY(makeStore(path, 5));

        // 2,000 rows of 1 KB cannot fit in what is left of 1 MiB.
        const QByteArray title(1000, 'x');
        m_server->enqueue(snapshot("big", 2000, title));
        const HivectlRun full = HivectlRun::run(syncArgs(path, "big"));
        checkOneMessage(full, path, QStringLiteral("full"));
        QCOMPARE(storedRows(path, QStringLiteral("items")), 5);
        QCOMPARE(storedRows(path, QStringLiteral("big")), 0); // not half of it

        // Room again: the same command completes and the earlier shape is still whole.
        QVERIFY(::mount(nullptr, dir.constData(), nullptr, MS_REMOUNT, "size=64m") == 0);
        m_server->enqueue(snapshot("big", 2000, title));
        const HivectlRun resumed = HivectlRun::run(syncArgs(path, "big"));
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.describe()));
        QCOMPARE(storedRows(path, QStringLiteral("big")), 2000);
        QCOMPARE(storedRows(path, QStringLiteral("items")), 5);
    }

    void storeHeldByAnotherProcessIsNamedInUse()
    {
        const QString path = m_dir->filePath(QStringLiteral("store.sqlite"));
        QVERIFY(makeStore(path, 3));
        {
            // Another program writing: an exclusive transaction held open on a second
            // connection of this process, which is another process to hivectl.
            QSqlDatabase other
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("other"));
            other.setDatabaseName(path);
            QVERIFY(other.open());
            QSqlQuery q(other);
            QVERIFY(q.exec(QStringLiteral("BEGIN EXCLUSIVE")));
            QVERIFY(q.exec(QStringLiteral("UPDATE shape_row_data SET value = value")));

            m_server->enqueue(snapshot("busy", 2));
            // SQLite waits out the node's busy_timeout (30 s) before it gives up.
            const HivectlRun r = HivectlRun::run(syncArgs(path, "busy"), 90000);
            checkOneMessage(r, path, QStringLiteral("in use by another process"));
            QVERIFY(q.exec(QStringLiteral("ROLLBACK")));
            other.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("other"));
        QCOMPARE(storedRows(path, QStringLiteral("items")), 3);
        QCOMPARE(storedRows(path, QStringLiteral("busy")), 0);

        m_server->enqueue(snapshot("busy", 2));
        const HivectlRun again = HivectlRun::run(syncArgs(path, "busy"));
        QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
        QCOMPARE(storedRows(path, QStringLiteral("busy")), 2);
    }
};

QTEST_GUILESS_MAIN(TestHostileStore)
#include "tst_hostile_store.moc"
