#include "PgSetupFixture.h"

#include "PgSetupPanel.h"
#include "PgTableListModel.h"

#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTreeWidget>

using namespace PgSetupFixture;

// The panel on a real database, offscreen: Inspect, Show SQL, Apply, and the checklist turns
// green. Screenshots go to $HIVEWATCH_SCREENSHOT_DIR (docs/screenshots when refreshing them),
// else into the build tree.
class TestPgSetupPanel : public QObject
{
    Q_OBJECT

    static QString screenshotPath(const QString &name)
    {
        QString dir = qEnvironmentVariable("HIVEWATCH_SCREENSHOT_DIR");
        if (dir.isEmpty())
            dir = qEnvironmentVariable("HIVEWATCH_BINARY_DIR") + QStringLiteral("/screenshots");
        QDir().mkpath(dir);
        return dir + QLatin1Char('/') + name;
    }

    static QList<bool> checkStates(QTreeWidget *checklist)
    {
        QList<bool> states;
        for (int i = 0; i < checklist->topLevelItemCount(); ++i)
            states.append(checklist->topLevelItem(i)->data(0, Qt::UserRole).toBool());
        return states;
    }

    static bool clickAndWait(PgSetupPanel &panel, QPushButton *button)
    {
        QSignalSpy shown(&panel, &PgSetupPanel::reportShown);
        QTest::mouseClick(button, Qt::LeftButton);
        return shown.wait(30000);
    }

private slots:
    void applyOnFreshDatabaseTurnsTheChecklistGreen()
    {
        TestDatabase db(QStringLiteral("pgpanel"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        TestRole role(TestDatabase::clusterConninfo(), db.name());
        auto admin = PgConnection::connect(db.conninfo());
        QVERIFY(admin.ok());
        QString error;
        QVERIFY2(loadHiveSchema(**admin, &error), qPrintable(error));

        PgSetupPanel panel;
        panel.resize(1180, 760);
        panel.setConninfo(db.conninfo());
        panel.setRole(role.name());
        panel.show();
        auto *inspect = panel.findChild<QPushButton *>(QStringLiteral("pgInspect"));
        auto *apply = panel.findChild<QPushButton *>(QStringLiteral("pgApply"));
        auto *showSql = panel.findChild<QPushButton *>(QStringLiteral("pgShowSql"));
        auto *checklist = panel.findChild<QTreeWidget *>(QStringLiteral("pgChecklist"));
        auto *sql = panel.findChild<QPlainTextEdit *>(QStringLiteral("pgSql"));
        auto *summary = panel.findChild<QLabel *>(QStringLiteral("pgSummary"));
        QVERIFY(inspect && apply && showSql && checklist && sql && summary);
        QVERIFY(!apply->isEnabled()); // nothing to apply before an inspection

        QVERIFY(clickAndWait(panel, inspect));
        QVERIFY(checkStates(checklist).contains(false));
        QVERIFY(summary->text().contains(QStringLiteral("failed")));
        QCOMPARE(panel.tableModel()->chosenTables(), PgTableName::hiveTables());
        QVERIFY(panel.tableModel()->rowCount() > 7); // users, organizations, … listed, unchecked
        QVERIFY(apply->isEnabled());

        QTest::mouseClick(showSql, Qt::LeftButton);
        QVERIFY(sql->isVisible());
        QTest::qWait(50); // let the splitter lay the SQL pane out before the screenshot
        QVERIFY(sql->toPlainText().contains(
            QStringLiteral("CREATE PUBLICATION \"electric_publication_default\"")));
        QVERIFY(sql->toPlainText().contains(
            QStringLiteral("ALTER TABLE \"public\".\"nodes\" REPLICA IDENTITY FULL")));
        QVERIFY(panel.grab().save(screenshotPath(QStringLiteral("pg-setup-plan.png"))));

        QVERIFY(clickAndWait(panel, apply));
        const QList<bool> states = checkStates(checklist);
        QVERIFY(states.size() > 10);
        QVERIFY2(
            !states.contains(false),
            qPrintable(panel.findChild<QPlainTextEdit *>(QStringLiteral("pgLog"))->toPlainText()));
        QVERIFY(summary->text().contains(QStringLiteral("Ready for Electric")));
        QVERIFY(sql->toPlainText().contains(QStringLiteral("Nothing to do")));
        QVERIFY(!apply->isEnabled()); // a second apply would change nothing
        auto pub = (*admin)->exec(
            QStringLiteral("SELECT count(*) FROM pg_publication_tables WHERE pubname = "
                           "'electric_publication_default'"));
        QCOMPARE(pub->int64(0, 0), 7);
        QVERIFY(panel.grab().save(screenshotPath(QStringLiteral("pg-setup.png"))));

        // Unchecking a table in the editor re-plans at once: the SQL shows its removal.
        QSignalSpy replanned(&panel, &PgSetupPanel::reportShown);
        QVERIFY(panel.tableModel()->setChosen(
            PgTableName {QStringLiteral("public"), QStringLiteral("projects")}, false));
        QVERIFY(replanned.wait(30000));
        QVERIFY(sql->toPlainText().contains(
            QStringLiteral("ALTER PUBLICATION \"electric_publication_default\" DROP TABLE "
                           "\"public\".\"projects\"")));
        QVERIFY(apply->isEnabled());
    }

    void connectionFailureIsShownNotThrown()
    {
        PgSetupPanel panel;
        panel.setConninfo(QStringLiteral("host=/nonexistent-hw-socket port=5 user=postgres"));
        QVERIFY(clickAndWait(panel, panel.findChild<QPushButton *>(QStringLiteral("pgInspect"))));
        QVERIFY(panel.findChild<QLabel *>(QStringLiteral("pgSummary"))
                    ->text()
                    .contains(QStringLiteral("Not connected")));
        QVERIFY(panel.findChild<QPlainTextEdit *>(QStringLiteral("pgLog"))
                    ->toPlainText()
                    .contains(QStringLiteral("Could not connect")));
        QVERIFY(!panel.findChild<QPushButton *>(QStringLiteral("pgApply"))->isEnabled());
    }
};

QTEST_MAIN(TestPgSetupPanel)
#include "tst_pgsetup_panel.moc"
