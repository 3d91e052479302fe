#include "tests/legacy/LegacyTestChecks.h"
#include "tests/legacy/NodeDbBuilder.h"
#include "ui/legacy/LegacyMigrationDialog.h"

#include <QAbstractItemModel>
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

// The dialog on real widgets (offscreen): a dry run lists the skipped lines and writes nothing,
// then Migrate writes every migratable line while the GUI thread stays free.
class TestLegacyDialog : public QObject
{
    Q_OBJECT

private slots:
    void dryRunThenMigrateFromTheDialog();
    void dropKeepsTheTableUntilTheLossIsAccepted();
    void cancellingTheConfirmationWritesNothing();

private:
    // Migrate in place asks first; `answer` is the button clicked.
    static bool answerConfirmation(LegacyMigrationDialog &dialog,
                                   QMessageBox::StandardButton answer, QString *text = nullptr)
    {
        QMessageBox *box = nullptr;
        for (QMessageBox *candidate : dialog.findChildren<QMessageBox *>()) {
            if (candidate->isVisible())
                box = candidate;
        }
        if (!box || box->defaultButton() != box->button(QMessageBox::Cancel))
            return false;
        if (text)
            *text = box->text();
        QTest::mouseClick(box->button(answer), Qt::LeftButton);
        return true;
    }
};

void TestLegacyDialog::dryRunThenMigrateFromTheDialog()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("node.sqlite"));
    NodeDbBuilder node(path, LegacyEra::Batches);
    QVERIFY(node.create());
    QList<LegacyLineSpec> lines;
    for (int i = 0; i < 500; ++i)
        lines.append(NodeDbBuilder::stdoutLine("dialog line " + QByteArray::number(i)));
    lines.insert(10, NodeDbBuilder::badLine("{not json"));
    lines.insert(20, NodeDbBuilder::badLine("{\"Unknown\":1}"));
    node.addExecution(lines, QStringLiteral("2025-12-31 12:00:00.000"));
    node.close();

    LegacyMigrationDialog dialog;
    dialog.setNodeDatabase(path);
    dialog.show();
    auto *dryRun = dialog.findChild<QPushButton *>(QStringLiteral("dryRunButton"));
    auto *migrate = dialog.findChild<QPushButton *>(QStringLiteral("migrateButton"));
    auto *cancel = dialog.findChild<QPushButton *>(QStringLiteral("cancelButton"));
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("status"));
    auto *summary = dialog.findChild<QLabel *>(QStringLiteral("summary"));
    auto *issues = dialog.findChild<QTableView *>(QStringLiteral("issues"));
    QVERIFY(dryRun && migrate && cancel && status && summary && issues);
    QAbstractItemModelTester tester(issues->model());
    QVERIFY(!cancel->isEnabled());
    // One source and one target chosen from the start.
    const QList<QRadioButton *> radios = dialog.findChildren<QRadioButton *>();
    QCOMPARE(radios.size(), 4);
    int checked = 0;
    for (QRadioButton *radio : radios)
        checked += radio->isChecked();
    QCOMPARE(checked, 2);
    QVERIFY(radios.at(0)->isChecked()); // the node database

    QTest::mouseClick(dryRun, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("Done."), 20000);
    QVERIFY2(summary->text().startsWith(QStringLiteral("Dry run: 1 executions")),
             qPrintable(summary->text()));
    QCOMPARE(issues->model()->rowCount(), 2);
    QCOMPARE(issues->model()->index(0, 2).data().toLongLong(), 11);
    QVERIFY(issues->model()->index(1, 3).data().toString().contains(QStringLiteral("Unknown")));
    // Plain reasons, with the offending text beside them.
    QCOMPARE(issues->model()->index(0, 3).data().toString(),
             QStringLiteral("not valid JSON (each line must be one JSON value)"));
    QVERIFY(issues->model()
                ->index(0, 3)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QLatin1String("malformed JSON")));
    QCOMPARE(issues->model()->index(0, 4).data().toString(), QStringLiteral("{not json"));
    QCOMPARE(issues->model()->index(1, 4).data().toString(), QStringLiteral("{\"Unknown\":1}"));
    QVERIFY(readLogEntries(path).isEmpty());

    QSignalSpy openInLogs(&dialog, &LegacyMigrationDialog::openInLogs);
    auto *open = dialog.findChild<QPushButton *>(QStringLiteral("openInLogs"));
    QVERIFY(open && !open->isVisible());
    QTest::mouseClick(migrate, Qt::LeftButton);
    QString question;
    QVERIFY(answerConfirmation(dialog, QMessageBox::Yes, &question));
    QVERIFY2(question.contains(QLatin1String("node's own database")), qPrintable(question));
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("Done."), 20000);
    QVERIFY2(summary->text().startsWith(QStringLiteral("Migrated 500 lines of 1 executions")),
             qPrintable(summary->text()));
    // The result opens in the Logs panel: the file written and the migrated execution.
    QVERIFY(open->isVisible());
    QTest::mouseClick(open, Qt::LeftButton);
    QCOMPARE(openInLogs.count(), 1);
    QCOMPARE(openInLogs.at(0).at(0).toString(), path);
    QVERIFY(!openInLogs.at(0).at(1).value<QUuid>().isNull());
    const QString differences = compareEntries(readLogEntries(path), node.expected());
    QVERIFY2(differences.isEmpty(), qPrintable(differences));
    QVERIFY(migrate->isEnabled());
    QVERIFY(!cancel->isEnabled());
}

// The dialog offers the same drop rule as hivectl: a line that could not be migrated keeps
// execution_process_logs until the user ticks the accept box under the drop box.
void TestLegacyDialog::dropKeepsTheTableUntilTheLossIsAccepted()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("node.sqlite"));
    NodeDbBuilder node(path, LegacyEra::RowPerMessage);
    QVERIFY(node.create());
    node.addExecution({NodeDbBuilder::stdoutLine("kept"), NodeDbBuilder::badLine("{not json")},
                      QStringLiteral("2025-12-31 13:00:00.000"));
    node.close();

    LegacyMigrationDialog dialog;
    dialog.setNodeDatabase(path);
    dialog.show();
    auto *migrate = dialog.findChild<QPushButton *>(QStringLiteral("migrateButton"));
    auto *drop = dialog.findChild<QCheckBox *>(QStringLiteral("dropSource"));
    auto *accept = dialog.findChild<QCheckBox *>(QStringLiteral("acceptSkipped"));
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("status"));
    auto *summary = dialog.findChild<QLabel *>(QStringLiteral("summary"));
    QVERIFY(migrate && drop && accept && status && summary);
    QVERIFY(!accept->isEnabled());
    drop->setChecked(true);
    QVERIFY(accept->isEnabled());

    QTest::mouseClick(migrate, Qt::LeftButton);
    QString question;
    QVERIFY(answerConfirmation(dialog, QMessageBox::Yes, &question));
    QVERIFY2(question.contains(QLatin1String("drop execution_process_logs")), qPrintable(question));
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("Done."), 20000);
    QVERIFY2(summary->text().contains(QStringLiteral("not dropped, execution_process_logs kept: "
                                                     "1 non-blank lines are not in log_entries")),
             qPrintable(summary->text()));
    QVERIFY(!sourceTableDigest(path).startsWith("query failed"));

    accept->setChecked(true);
    status->clear();
    QTest::mouseClick(migrate, Qt::LeftButton);
    QVERIFY(answerConfirmation(dialog, QMessageBox::Yes, &question));
    QVERIFY2(question.contains(QLatin1String("losing")), qPrintable(question));
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("Done."), 20000);
    QVERIFY2(summary->text().contains(QStringLiteral("accepted as lost")),
             qPrintable(summary->text()));
    QVERIFY(summary->text().contains(QStringLiteral("execution_process_logs was dropped.")));
    QVERIFY(sourceTableDigest(path).startsWith("query failed"));
    QCOMPARE(readLogEntries(path).size(), 1);
}

void TestLegacyDialog::cancellingTheConfirmationWritesNothing()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("node.sqlite"));
    NodeDbBuilder node(path, LegacyEra::RowPerMessage);
    QVERIFY(node.create());
    node.addExecution({NodeDbBuilder::stdoutLine("kept")},
                      QStringLiteral("2025-12-31 13:00:00.000"));
    node.close();

    LegacyMigrationDialog dialog;
    dialog.setNodeDatabase(path);
    dialog.show();
    auto *migrate = dialog.findChild<QPushButton *>(QStringLiteral("migrateButton"));
    auto *status = dialog.findChild<QLabel *>(QStringLiteral("status"));
    QTest::mouseClick(migrate, Qt::LeftButton);
    QVERIFY(answerConfirmation(dialog, QMessageBox::Cancel));
    QVERIFY(status->text().isEmpty());
    QVERIFY(migrate->isEnabled());
    QVERIFY(readLogEntries(path).isEmpty());
}

QTEST_MAIN(TestLegacyDialog)
#include "tst_legacy_dialog.moc"
