// The dashboard starts its sync after the window's first paint, so the two do not compete for the
// cores at start-up; a window that is not shown does not hold the sync back.
#include "app/hivewatch/Dashboard.h"
#include "models/hive/HiveModels.h"
#include "models/hive/ShapeStatusModel.h"
#include "models/hive/TaskModel.h"
#include "tests/support/ScriptedHttpServer.h"
#include "ui/MainWindow.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace hivewatch;

using Server = ScriptedHttpServer;

namespace {
QByteArray oneTask()
{
    return "[{\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"shared_tasks\"]},"
           "\"key\":\"\\\"public\\\".\\\"shared_tasks\\\"/\\\"1\\\"\",\"value\":{\"id\":\"1\","
           "\"title\":\"t\",\"status\":\"todo\"}},"
           "{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"1\"}}]";
}

ConnectionSettings settingsFor(const Server &server)
{
    ConnectionSettings settings;
    settings.mode = ConnectionSettings::Mode::Electric;
    settings.url = server.url();
    settings.shapes = {QStringLiteral("shared_tasks")};
    return settings;
}

// A scripted server with one task, and a dashboard on a store of its own (its window not shown).
struct Hive
{
    Server server;
    QTemporaryDir dir;
    MainWindow window;
    Dashboard dashboard {&window, dir.filePath(QStringLiteral("store.sqlite"))};

    bool ready()
    {
        if (!server.listen() || !dir.isValid())
            return false;
        server.enqueue(Server::shape(oneTask(), "H1", "0_0"));
        return true;
    }
};

// Whether the shape worker reports the shape within `ms`, while the GUI thread only delivers
// queued calls (the worker's status signals) and never paints: a started shape says Syncing at
// once, from its worker thread.
bool shapeReportedWithin(Dashboard &dashboard, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!deadline.hasExpired()) {
        QThread::msleep(20);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::MetaCall);
        if (dashboard.models()->shapeStatuses()->rowCount() > 0)
            return true;
    }
    return false;
}
} // namespace

class TestDashboardStart : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void theSyncStartsAfterTheFirstPaint()
    {
        Hive hive;
        QVERIFY(hive.ready());
        auto &[server, dir, window, dashboard] = hive;
        window.show();
        QSignalSpy painted(&window, &MainWindow::firstPainted);
        qsizetype requestsAtPaint = -1;
        connect(&window, &MainWindow::firstPainted, this,
                [&] { requestsAtPaint = server.requests().size(); });

        dashboard.connectTo(settingsFor(server));
        // Shown but not painted yet: nothing of the sync runs. Shorter than the dashboard's 1 s
        // fallback, which would otherwise be due before the paint once events flow again.
        QVERIFY(!shapeReportedWithin(dashboard, 700));
        QVERIFY(!window.hasPainted());
        QCOMPARE(window.windowTitle().startsWith(QStringLiteral("Hivewatch — ")), true);

        QTRY_COMPARE_WITH_TIMEOUT(painted.size(), 1, 10000);
        QCOMPARE(requestsAtPaint, 0);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.models()->tasks()->rowCount(), 1, 10000);
        QCOMPARE(server.requests().size() >= 1, true);
        QCOMPARE(painted.size(), 1); // once only
    }

    void aWindowNotShownDoesNotHoldTheSyncBack()
    {
        Hive hive;
        QVERIFY(hive.ready());
        auto &[server, dir, window, dashboard] = hive;

        dashboard.connectTo(settingsFor(server));
        QVERIFY(shapeReportedWithin(dashboard, 10000));
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.models()->tasks()->rowCount(), 1, 10000);
        QVERIFY(!window.hasPainted());
    }
};

QTEST_MAIN(TestDashboardStart)
#include "tst_dashboardstart.moc"
