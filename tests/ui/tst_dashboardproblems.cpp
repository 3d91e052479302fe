// The Problems dock of the real dashboard stays away while there is nothing in it, comes with a
// shape's typing warning, a double-click on it shows the shape's panel, and Clear puts it away.
#include "app/hivewatch/Dashboard.h"
#include "models/hive/ProblemsModel.h"
#include "tests/support/ScriptedHttpServer.h"
#include "ui/MainWindow.h"
#include "ui/hive/ProblemsPanel.h"

#include <QApplication>
#include <QDockWidget>
#include <QMenu>
#include <QPushButton>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

using Server = ScriptedHttpServer;

namespace {
QByteArray badTask()
{
    return "[{\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"shared_tasks\"]},"
           "\"key\":\"\\\"public\\\".\\\"shared_tasks\\\"/\\\"1\\\"\",\"value\":{\"id\":\"1\","
           "\"title\":\"t\",\"done\":\"maybe\"}},"
           "{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"1\"}}]";
}
} // namespace

class TestDashboardProblems : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void theProblemsDockListsATypingWarning()
    {
        Server server;
        QVERIFY(server.listen());
        server.enqueue(Server::shape(badTask(), "H1", "0_0"));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        MainWindow window;
        Dashboard dashboard(&window, dir.filePath(QStringLiteral("store.sqlite")));
        window.show();
        auto *dock = window.findChild<QDockWidget *>(QStringLiteral("problemsDock"));
        QVERIFY(dock);
        QVERIFY(window.viewMenu()->actions().contains(dock->toggleViewAction()));
        QTableView *table = dashboard.problemsPanel()->table();
        QCOMPARE(dock->widget(), dashboard.problemsPanel());
        QVERIFY(!dock->isVisible()); // nothing to list yet

        ConnectionSettings settings;
        settings.mode = ConnectionSettings::Mode::Electric;
        settings.url = server.url();
        settings.shapes = {QStringLiteral("shared_tasks")};
        dashboard.connectTo(settings);

        QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);
        QVERIFY(dock->isVisible()); // the first problem brings the dock
        const QString text = table->model()->index(0, ProblemsModel::Text).data().toString();
        QVERIFY2(text.contains(QLatin1String("`done`")), qPrintable(text));
        QCOMPARE(table->model()->index(0, ProblemsModel::Shape).data().toString(),
                 QStringLiteral("shared_tasks"));
        QCOMPARE(table->model()->index(0, ProblemsModel::Count).data().toString(),
                 QStringLiteral("1"));

        window.tabs()->setCurrentIndex(window.tabs()->count() - 1);
        const QModelIndex cell = table->model()->index(0, ProblemsModel::Text);
        table->scrollTo(cell);
        const QPoint at = table->visualRect(cell).center();
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, at);
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(window.tabs()->tabText(window.tabs()->currentIndex()), QStringLiteral("Tasks"));

        // Clear empties the list and puts the dock away.
        auto *clear
            = dashboard.problemsPanel()->findChild<QPushButton *>(QStringLiteral("clearProblems"));
        QVERIFY(clear);
        QTest::mouseClick(clear, Qt::LeftButton);
        QCOMPARE(table->model()->rowCount(), 0);
        QVERIFY(!dock->isVisible());
    }
};

QTEST_MAIN(TestDashboardProblems)
#include "tst_dashboardproblems.moc"
