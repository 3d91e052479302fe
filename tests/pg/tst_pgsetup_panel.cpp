#include "tests/pg/PgSetupFixture.h"

#include "models/pg/PgTableListModel.h"
#include "ui/pg/PgApplyConfirmDialog.h"
#include "ui/pg/PgPasswordKeychain.h"
#include "ui/pg/PgSetupPanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeWidget>

using namespace hivewatch;

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

    // Apply asks first; the dialog is the panel's (window-modal), found and answered here.
    static PgApplyConfirmDialog *clickApply(PgSetupPanel &panel)
    {
        QTest::mouseClick(panel.findChild<QPushButton *>(QStringLiteral("pgApply")),
                          Qt::LeftButton);
        const QList<PgApplyConfirmDialog *> dialogs = panel.findChildren<PgApplyConfirmDialog *>();
        for (PgApplyConfirmDialog *dialog : dialogs) {
            if (dialog->isVisible())
                return dialog;
        }
        return nullptr;
    }

    // Pixels of the checklist's dots as painted: how many are red and how many green.
    static std::pair<int, int> paintedDots(QTreeWidget *checklist)
    {
        const QImage image = checklist->viewport()->grab().toImage();
        int red = 0;
        int green = 0;
        for (int i = 0; i < checklist->topLevelItemCount(); ++i) {
            const QRect row = checklist->visualItemRect(checklist->topLevelItem(i));
            for (int x = row.left(); x < row.left() + 24 && x < image.width(); ++x) {
                for (int y = row.top(); y <= row.bottom() && y < image.height(); ++y) {
                    const QColor c = image.pixelColor(x, y);
                    red += c.red() > 180 && c.green() < 80 && c.blue() < 90;
                    green += c.green() > 130 && c.red() < 90 && c.blue() < 110;
                }
            }
        }
        return {red, green};
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().remove(QStringLiteral("PgSetupPanel"));
    }

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
        QVERIFY(paintedDots(checklist).first > 0);
        // The first red check's fix is shown in full under the list.
        auto *fix = panel.findChild<QLabel *>(QStringLiteral("pgFix"));
        QVERIFY(fix && fix->isVisible() && fix->text().contains(QLatin1String("Fix:")));
        QVERIFY(fix->wordWrap());
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

        // Copy SQL and Save SQL give the script Show SQL shows.
        QTest::mouseClick(panel.findChild<QPushButton *>(QStringLiteral("pgCopySql")),
                          Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), panel.sqlScript());
        QVERIFY(sql->toPlainText().endsWith(panel.sqlScript()));
        QTemporaryDir out;
        QVERIFY(panel.saveSql(out.filePath(QStringLiteral("setup.sql"))));
        QFile saved(out.filePath(QStringLiteral("setup.sql")));
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(saved.readAll()), panel.sqlScript());

        // Apply asks first, listing the statements; nothing leaves the publication here.
        PgApplyConfirmDialog *confirm = clickApply(panel);
        QVERIFY(confirm);
        QVERIFY(confirm->statements()->toPlainText().contains(
            QStringLiteral("CREATE PUBLICATION \"electric_publication_default\"")));
        QVERIFY(!confirm->removals()->isVisibleTo(confirm));
        QVERIFY(!confirm->applyButton()->isDefault());
        QSignalSpy applied(&panel, &PgSetupPanel::reportShown);
        QTest::mouseClick(confirm->applyButton(), Qt::LeftButton);
        QVERIFY(applied.wait(30000));
        const QList<bool> states = checkStates(checklist);
        QVERIFY(states.size() > 10);
        QVERIFY2(
            !states.contains(false),
            qPrintable(panel.findChild<QPlainTextEdit *>(QStringLiteral("pgLog"))->toPlainText()));
        QVERIFY(summary->text().contains(QStringLiteral("Ready for Electric")));
        // The dots as painted, not only the items' data: every one green now.
        const auto [red, green] = paintedDots(checklist);
        QCOMPARE(red, 0);
        QVERIFY(green > 0);
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

        // The confirmation calls the removal out; Cancel leaves the database alone.
        confirm = clickApply(panel);
        QVERIFY(confirm);
        QVERIFY(confirm->removals()->isVisibleTo(confirm));
        QVERIFY2(confirm->removals()->text().contains(QLatin1String("public.projects")),
                 qPrintable(confirm->removals()->text()));
        QTest::qWait(50); // laid out before the screenshot
        QVERIFY(confirm->grab().save(screenshotPath(QStringLiteral("pg-apply-confirm.png"))));
        QSignalSpy more(&panel, &PgSetupPanel::reportShown);
        QPointer<PgApplyConfirmDialog> cancelled(confirm);
        QTest::mouseClick(
            confirm->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Cancel),
            Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!cancelled, 2000); // closed and gone
        QCOMPARE(more.count(), 0);
        QVERIFY(!panel.isBusy());
        auto still = (*admin)->exec(
            QStringLiteral("SELECT count(*) FROM pg_publication_tables WHERE pubname = "
                           "'electric_publication_default'"));
        QCOMPARE(still->int64(0, 0), 7);
    }

    void theKeychainIsTouchedOnlyWhenRememberIsChecked()
    {
        TestDatabase db(QStringLiteral("pgpanelkc"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        PgSetupPanel panel;
        auto *remember = panel.findChild<QCheckBox *>();
        QVERIFY(remember && !remember->isChecked());
        auto *conninfo = panel.findChild<QLineEdit *>(QStringLiteral("pgConninfo"));
        conninfo->setText(db.conninfo());
        emit conninfo->editingFinished();
        QVERIFY(clickAndWait(panel, panel.findChild<QPushButton *>(QStringLiteral("pgInspect"))));
        QCOMPARE(panel.keychain()->requests(), 0);
        QVERIFY(!panel.findChild<QPlainTextEdit *>(QStringLiteral("pgLog"))
                     ->toPlainText()
                     .contains(QLatin1String("Keychain")));
        if (!remember->isEnabled())
            QSKIP("built without keychain support");
        remember->setChecked(true); // asks the keychain for this connection's password
        QCOMPARE(panel.keychain()->requests(), 1);
        QSettings().remove(QStringLiteral("PgSetupPanel"));
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
