// Warnings that do not stop a shape (a value that fails typing) reach its status, the status
// view, the Problems list and the log once, from a real ShapeWorker over real HTTP.
#include "models/hive/ProblemsModel.h"
#include "models/hive/ShapeStatusModel.h"
#include "sync/shape/ShapeWorker.h"
#include "tests/support/ScriptedHttpServer.h"

#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

using Server = ScriptedHttpServer;

namespace {

QByteArray insert(int id, const char *done)
{
    return "{\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"items\"]},\"key\":"
           "\"\\\"public\\\".\\\"items\\\"/\\\""
        + QByteArray::number(id) + "\\\"\",\"value\":{\"id\":\"" + QByteArray::number(id)
        + "\",\"title\":\"t\",\"done\":\"" + done + "\"}}";
}
const QByteArray kUpToDate
    = "{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"1\"}}";

QByteArray array(std::initializer_list<QByteArray> messages)
{
    QByteArrayList list(messages);
    return '[' + list.join(',') + ']';
}

QStringList g_syncWarnings;
QtMessageHandler g_previous = nullptr;

void recordSyncWarnings(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (type == QtWarningMsg && qstrcmp(context.category, "hivewatch.sync") == 0)
        g_syncWarnings << text;
    else
        g_previous(type, context, text);
}

} // namespace

class TestShapeStatusProblems : public QObject
{
    Q_OBJECT
private slots:
    void init()
    {
        g_syncWarnings.clear();
        g_previous = qInstallMessageHandler(recordSyncWarnings);
    }
    void cleanup() { qInstallMessageHandler(g_previous); }

    void typingWarningsAreCountedShownListedAndLoggedOnce()
    {
        Server server;
        QVERIFY(server.listen());
        server.enqueue(Server::shape(
            array({insert(1, "maybe"), insert(2, "maybe"), insert(3, "f"), kUpToDate}), "H1",
            "0_0"));
        server.enqueue(Server::live(array({insert(4, "maybe"), insert(5, "perhaps"), kUpToDate}),
                                    "H1", "0_1", "1"));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ShapeWorker worker(dir.filePath(QStringLiteral("store.sqlite")));
        worker.setEmitRows(true); // typing happens for the rows a consumer reads
        ShapeStatusModel statuses;
        ProblemsModel problems;
        problems.setProfile(QStringLiteral("hive A"));
        connect(&worker, &ShapeWorker::statusChanged, &statuses, &ShapeStatusModel::setStatus);
        connect(&worker, &ShapeWorker::statusChanged, &problems, &ProblemsModel::setStatus);
        QStringList signalled;
        connect(&worker, &ShapeWorker::warning, this,
                [&](const QString &, const QString &text) { signalled << text; });

        ShapeDefinition definition;
        definition.name = QStringLiteral("items");
        definition.table = QStringLiteral("items");
        worker.addShape(definition, ShapeEndpoint::electric(server.url()));

        QTRY_COMPARE_WITH_TIMEOUT(statuses.status(QStringLiteral("items")).warningCount, 4, 10000);
        const ShapeStatus status = statuses.status(QStringLiteral("items"));
        QCOMPARE(status.rowCount, 5); // nothing stored is lost to a warning
        QVERIFY2(status.lastWarning.contains(QLatin1String("`done`"))
                     && status.lastWarning.contains(QLatin1String("perhaps")),
                 qPrintable(status.lastWarning));
        QVERIFY(status.lastWarningAt.isValid());

        // The status view: the count and the text in the Error column and the tooltip.
        const QModelIndex error = statuses.index(0, ShapeStatusModel::Error);
        const QString errorText = error.data().toString();
        QVERIFY2(errorText.startsWith(QLatin1String("4 warnings, last: ")), qPrintable(errorText));
        QVERIFY(error.data(Qt::ToolTipRole).toString().contains(status.lastWarning));

        // One Problems row per distinct text, counting every occurrence.
        QCOMPARE(problems.rowCount(), 2);
        QCOMPARE(problems.index(0, ProblemsModel::Shape).data().toString(),
                 QStringLiteral("items"));
        QCOMPARE(problems.index(0, ProblemsModel::Profile).data().toString(),
                 QStringLiteral("hive A"));
        QVERIFY(problems.index(0, ProblemsModel::Text).data().toString().contains("maybe"));
        QCOMPARE(problems.index(0, ProblemsModel::Count).data().toString(), QStringLiteral("3"));
        QCOMPARE(problems.index(1, ProblemsModel::Text).data().toString(), status.lastWarning);
        QCOMPARE(problems.index(1, ProblemsModel::Count).data().toString(), QStringLiteral("1"));

        // Said once per distinct text and batch, logged once per text (counts stay under ten).
        QCOMPARE(signalled.size(), 3);
        QStringList logged;
        for (const QString &line : std::as_const(g_syncWarnings)) {
            if (line.contains(QLatin1String("maybe")))
                logged << line;
        }
        QCOMPARE(logged.size(), 1);
        QVERIFY2(logged[0].contains(QLatin1String("items")) && logged[0].contains("(2 times)"),
                 qPrintable(logged[0]));
    }

    // A snapshot in parts is typed part by part (its raw rows are not all held at once), yet
    // shown as one reset batch at its up-to-date, with its warnings counted over all parts.
    void aSnapshotInPartsIsOneBatchWithItsWarningsCountedOnce()
    {
        Server server;
        QVERIFY(server.listen());
        server.enqueue(Server::shape(array({insert(1, "maybe"), insert(2, "f")}), "H1", "0_0"));
        server.enqueue(Server::shape(array({insert(3, "maybe"), insert(4, "t")}), "H1", "0_1"));
        server.enqueue(Server::shape(array({insert(5, "maybe"), kUpToDate}), "H1", "0_2"));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        ShapeWorker worker(dir.filePath(QStringLiteral("store.sqlite")));
        worker.setEmitRows(true);
        worker.setFlushThreshold(1); // every chunk is a part of its own
        QList<ShapeBatch> batches;
        QStringList signalled;
        ShapeStatus last;
        connect(&worker, &ShapeWorker::batchReady, this,
                [&](const ShapeBatch &batch) { batches.append(batch); });
        connect(&worker, &ShapeWorker::warning, this,
                [&](const QString &, const QString &text) { signalled << text; });
        connect(&worker, &ShapeWorker::statusChanged, this,
                [&](const ShapeStatus &status) { last = status; });

        ShapeDefinition definition;
        definition.name = QStringLiteral("items");
        definition.table = QStringLiteral("items");
        worker.addShape(definition, ShapeEndpoint::electric(server.url()));

        QTRY_COMPARE_WITH_TIMEOUT(batches.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(last.warningCount, 3, 5000);
        const ShapeBatch &batch = batches.constFirst();
        QVERIFY(batch.reset);
        QCOMPARE(batch.changes.size(), 5);
        for (int i = 0; i < 5; ++i)
            QVERIFY2(batch.changes.at(i).key.contains(QString::number(i + 1)),
                     qPrintable(batch.changes.at(i).key));
        QCOMPARE(batch.changes.at(1).value.value(QStringLiteral("done")), QVariant(false));
        QCOMPARE(batch.changes.at(3).value.value(QStringLiteral("done")), QVariant(true));
        QCOMPARE(batch.changes.at(4).value.value(QStringLiteral("title")),
                 QVariant(QStringLiteral("t")));
        QCOMPARE(last.rowCount, 5);
        // Said once for the batch, not once per part.
        QCOMPARE(signalled.filter(QStringLiteral("maybe")).size(), 1);
        QCOMPARE(batches.size(), 1); // no batch for a part
    }

    void aRestartedShapeCountsAgainWithoutLosingTheList()
    {
        ProblemsModel problems;
        ShapeStatus status;
        status.shapeName = QStringLiteral("items");
        status.warningCount = 5;
        status.lastWarning = QStringLiteral("column `done`: not a bool");
        problems.setStatus(status);
        problems.setStatus(status); // the same status again adds nothing
        QCOMPARE(problems.index(0, ProblemsModel::Count).data().toString(), QStringLiteral("5"));
        status.warningCount = 2; // restarted: counts from zero
        problems.setStatus(status);
        QCOMPARE(problems.rowCount(), 1);
        QCOMPARE(problems.index(0, ProblemsModel::Count).data().toString(), QStringLiteral("7"));
        status.lastWarning = QStringLiteral("column `id`: not an integer");
        status.warningCount = 3;
        problems.setStatus(status);
        QCOMPARE(problems.rowCount(), 2);
        problems.clear();
        QCOMPARE(problems.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestShapeStatusProblems)
#include "tst_shapestatusproblems.moc"
