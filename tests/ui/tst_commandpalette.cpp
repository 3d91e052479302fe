// The keyboard side of the real dashboard, tasks synced from a scripted Electric server: the
// command palette jumps to a task by part of its title (keys through QTest), runs menu actions,
// opens with `:` only outside text fields; `/` focuses the panel's filter; `?` shows the shortcut
// sheet; Alt+T belongs to the Tasks table alone; the sync status dock stays hidden while live.
#include "app/hivewatch/Dashboard.h"
#include "app/hivewatch/DashboardCommands.h"
#include "models/hive/HiveRoles.h"
#include "models/logs/LogModel.h"
#include "sync/store/LogStore.h"
#include "tests/support/ScriptedHttpServer.h"
#include "ui/CommandPalette.h"
#include "ui/MainWindow.h"
#include "ui/ShortcutSheet.h"
#include "ui/hive/TasksPanel.h"
#include "ui/logs/LogsPanel.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFileInfo>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace hivewatch;

using Server = ScriptedHttpServer;

namespace {
QByteArray taskInsert(int id, const QByteArray &title)
{
    return "{\"headers\":{\"operation\":\"insert\",\"relation\":[\"public\",\"shared_tasks\"]},"
           "\"key\":\"\\\"public\\\".\\\"shared_tasks\\\"/\\\""
        + QByteArray::number(id) + "\\\"\",\"value\":{\"id\":\"" + QByteArray::number(id)
        + "\",\"title\":\"" + title + "\",\"status\":\"todo\",\"updated_at\":\"2026-12-06 04:00:0"
        + QByteArray::number(id % 10) + "+00\"}}";
}

QByteArray tasks()
{
    QByteArray body = "[";
    const QList<QByteArray> titles
        = {"Write the release notes", "Fix login redirect loop", "Rotate the staging keys",
           "Upgrade Postgres to 16", "Triage flaky e2e test"};
    for (int i = 0; i < titles.size(); ++i)
        body += taskInsert(i + 1, titles.at(i)) + ",";
    return body + "{\"headers\":{\"control\":\"up-to-date\",\"global_last_seen_lsn\":\"1\"}}]";
}

QString currentTab(const MainWindow &window)
{
    return window.tabs()->tabText(window.tabs()->currentIndex());
}
} // namespace

class TestCommandPalette : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void fuzzyScoreRanksSubstringsAndWordStartsFirst()
    {
        QVERIFY(CommandPalette::fuzzyScore(QStringLiteral("login"), QStringLiteral("Fix login"))
                > CommandPalette::fuzzyScore(QStringLiteral("login"),
                                             QStringLiteral("Lots of generic inputs")));
        QVERIFY(CommandPalette::fuzzyScore(QStringLiteral("flr"), QStringLiteral("Fix login")) < 0);
        QVERIFY(CommandPalette::fuzzyScore(QStringLiteral("fxlg"), QStringLiteral("Fix login"))
                >= 0);
        QCOMPARE(CommandPalette::fuzzyScore(QStringLiteral("zz"), QStringLiteral("Fix login")), -1);
    }

    void keyboardFirst()
    {
        Server server;
        QVERIFY(server.listen());
        server.enqueue(Server::shape(tasks(), "H1", "0_0"));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MainWindow window;
        Dashboard dashboard(&window, dir.filePath(QStringLiteral("store.sqlite")));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *syncDock = window.findChild<QDockWidget *>(QStringLiteral("syncStatusDock"));
        QVERIFY(syncDock);
        QVERIFY(!syncDock->isVisible());

        ConnectionSettings settings;
        settings.mode = ConnectionSettings::Mode::Electric;
        settings.url = server.url();
        settings.shapes = {QStringLiteral("shared_tasks")};
        dashboard.connectTo(settings);
        TasksPanel *tasksPanel = dashboard.tasksPanel();
        QTRY_COMPARE_WITH_TIMEOUT(tasksPanel->table()->model()->rowCount(), 5, 10000);
        QVERIFY(!syncDock->isVisible()); // live: the status bar summary is enough

        // Ctrl+P from another panel; part of a title; Enter.
        window.showPanel(QStringLiteral("Nodes"));
        CommandPalette *palette = dashboard.commands()->palette();
        QTest::keyClick(&window, Qt::Key_P, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(palette->isVisible(), 2000);
        QTest::keyClicks(palette->input(), QStringLiteral("login"));
        QCOMPARE(palette->shownTexts().value(0), QStringLiteral("Fix login redirect loop"));
        QTest::keyClick(palette->input(), Qt::Key_Return);
        QVERIFY(!palette->isVisible());
        QCOMPARE(currentTab(window), QStringLiteral("Tasks"));
        const QModelIndexList selected = tasksPanel->table()->selectionModel()->selectedRows();
        QCOMPARE(selected.size(), 1);
        QCOMPARE(selected.constFirst().data(HiveRoles::IdRole).toString(), QStringLiteral("2"));
        QVERIFY(tasksPanel->table()->hasFocus());

        // `:` with the table focused opens the palette; a fuzzy "rot stg" and arrow keys.
        QTest::keyClick(tasksPanel->table(), Qt::Key_Colon);
        QTRY_VERIFY_WITH_TIMEOUT(palette->isVisible(), 2000);
        QTest::keyClicks(palette->input(), QStringLiteral("rot stg"));
        QCOMPARE(palette->shownTexts().value(0), QStringLiteral("Rotate the staging keys"));
        QTest::keyClick(palette->input(), Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(!palette->isVisible(), 2000);

        // `/` focuses the Tasks filter; `:` typed there is text, not the palette.
        QTest::keyClick(tasksPanel->table(), Qt::Key_Slash);
        auto *filter = tasksPanel->findChild<QLineEdit *>(QStringLiteral("taskSearch"));
        QVERIFY(filter);
        QTRY_VERIFY_WITH_TIMEOUT(filter->hasFocus(), 2000);
        QTest::keyClick(filter, Qt::Key_Colon);
        QCOMPARE(filter->text(), QStringLiteral(":"));
        QVERIFY(!palette->isVisible());
        filter->clear();

        // A menu action through the palette: Pause sync.
        QAction *pause = nullptr;
        for (QAction *action : window.menuBar()->actions().constFirst()->menu()->actions()) {
            if (action->text().contains(QLatin1String("Pause")))
                pause = action;
        }
        QVERIFY(pause && !pause->isChecked());
        dashboard.commands()->openPalette();
        QTest::keyClicks(palette->input(), QStringLiteral("pause sync"));
        QVERIFY2(palette->shownTexts().value(0).endsWith(QLatin1String("Pause sync")),
                 qPrintable(palette->shownTexts().join(", ")));
        QTest::keyClick(palette->input(), Qt::Key_Return);
        QVERIFY(pause->isChecked());
        pause->trigger();

        // `?`: the sheet lists the palette's keys, read from the menus.
        QTest::keyClick(tasksPanel->table(), Qt::Key_Question);
        ShortcutSheet *sheet = dashboard.commands()->shortcutSheet();
        QTRY_VERIFY_WITH_TIMEOUT(sheet->isVisible(), 2000);
        QStringList rows;
        for (int row = 0; row < sheet->table()->rowCount(); ++row)
            rows.append(sheet->table()->item(row, 0)->text() + " = "
                        + sheet->table()->item(row, 1)->text());
        QVERIFY2(rows.join('\n').contains(QLatin1String("Ctrl+P, :")), qPrintable(rows.join('\n')));
        sheet->close();

        // Alt+T: no menu title claims it (the Tasks table button does).
        for (QAction *menu : window.menuBar()->actions())
            QVERIFY2(!menu->text().contains(QLatin1String("&T")), qPrintable(menu->text()));
    }

    // Hidden while live, shown when a shape has a problem, hidden again once all are live.
    void theSyncDockAppearsOnlyForProblems()
    {
        Server server;
        QVERIFY(server.listen());
        server.enqueue(Server::status(503));
        server.enqueue(Server::shape(tasks(), "H1", "0_0"));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MainWindow window;
        Dashboard dashboard(&window, dir.filePath(QStringLiteral("store.sqlite")));
        window.show();
        auto *dock = window.findChild<QDockWidget *>(QStringLiteral("syncStatusDock"));
        QVERIFY(dock && !dock->isVisible());
        ConnectionSettings settings;
        settings.mode = ConnectionSettings::Mode::Electric;
        settings.url = server.url();
        settings.shapes = {QStringLiteral("shared_tasks")};
        // The retry after the 503 may come a few ms later (full jitter), and the dock go again
        // before a poll would see it: what it did is recorded as it happens.
        QSignalSpy shownOrHidden(dock, &QDockWidget::visibilityChanged);
        dashboard.connectTo(settings);
        const auto shown = [&] {
            return std::any_of(shownOrHidden.cbegin(), shownOrHidden.cend(),
                               [](const QList<QVariant> &args) { return args.at(0).toBool(); });
        };
        QTRY_VERIFY_WITH_TIMEOUT(shown(), 10000); // the 503: backing off
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.tasksPanel()->table()->model()->rowCount(), 5, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(!dock->isVisible(), 10000);
    }

    // The legacy migration's "Open in Logs" lands on the migrated execution's lines, read from
    // the file the migration wrote.
    void migratedLogsOpenInTheLogsPanel()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString migrated = dir.filePath(QStringLiteral("node-db.sqlite"));
        const QUuid execution = QUuid::createUuid();
        const QUuid other = QUuid::createUuid();
        {
            auto store = LogStore::open(migrated, LogStore::Access::ReadWrite);
            QVERIFY(store);
            QVERIFY(store.value()
                        ->append({{other,
                                   QStringLiteral("stdout"),
                                   QStringLiteral("one\n"),
                                   QStringLiteral("2025-12-30 12:00:00.000"),
                                   {}},
                                  {other,
                                   QStringLiteral("stdout"),
                                   QStringLiteral("two\n"),
                                   QStringLiteral("2025-12-30 12:00:01.000"),
                                   {}}})
                        .ok());
            QVERIFY(store.value()
                        ->append({{execution,
                                   QStringLiteral("stdout"),
                                   QStringLiteral("migrated line\n"),
                                   QStringLiteral("2025-12-31 12:00:00.000"),
                                   {}}})
                        .ok());
        }
        MainWindow window;
        Dashboard dashboard(&window, dir.filePath(QStringLiteral("store.sqlite")));
        window.show();
        dashboard.showMigratedLogs(migrated, execution);
        QCOMPARE(currentTab(window), QStringLiteral("Logs"));
        QCOMPARE(dashboard.logModel()->storePath(), QFileInfo(migrated).canonicalFilePath());
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.logModel()->executionId(), execution, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.logModel()->rowCount(), 1, 5000);

        // The palette jumps to the other execution by its id's first characters.
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.logsPanel()->executionsView()->model()->rowCount(), 2,
                                  5000);
        window.showPanel(QStringLiteral("Tasks"));
        CommandPalette *palette = dashboard.commands()->palette();
        dashboard.commands()->openPalette();
        QTest::keyClicks(palette->input(), other.toString(QUuid::WithoutBraces).left(8));
        QVERIFY2(
            palette->shownTexts().value(0).startsWith(other.toString(QUuid::WithoutBraces).left(8)),
            qPrintable(palette->shownTexts().join(", ")));
        QTest::keyClick(palette->input(), Qt::Key_Return);
        QCOMPARE(currentTab(window), QStringLiteral("Logs"));
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.logModel()->executionId(), other, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.logModel()->rowCount(), 2, 5000);
    }
};

QTEST_MAIN(TestCommandPalette)
#include "tst_commandpalette.moc"
