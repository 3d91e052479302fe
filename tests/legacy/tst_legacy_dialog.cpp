#include "LegacyMigrationDialog.h"
#include "LegacyTestChecks.h"
#include "NodeDbBuilder.h"

#include <QAbstractItemModel>
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

// The dialog on real widgets (offscreen): a dry run lists the skipped lines and writes nothing,
// then Migrate writes every migratable line while the GUI thread stays free.
class TestLegacyDialog : public QObject
{
    Q_OBJECT

private slots:
    void dryRunThenMigrateFromTheDialog();
    void dropKeepsTheTableUntilTheLossIsAccepted();
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

    QTest::mouseClick(dryRun, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("Done."), 20000);
    QVERIFY2(summary->text().startsWith(QStringLiteral("Dry run: 1 executions")),
             qPrintable(summary->text()));
    QCOMPARE(issues->model()->rowCount(), 2);
    QCOMPARE(issues->model()->index(0, 2).data().toLongLong(), 11);
    QVERIFY(issues->model()->index(1, 3).data().toString().contains(QStringLiteral("Unknown")));
    QVERIFY(readLogEntries(path).isEmpty());

    QTest::mouseClick(migrate, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("Done."), 20000);
    QVERIFY2(summary->text().startsWith(QStringLiteral("Migrated 500 lines of 1 executions")),
             qPrintable(summary->text()));
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
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("Done."), 20000);
    QVERIFY2(summary->text().contains(QStringLiteral("not dropped, execution_process_logs kept: "
                                                     "1 non-blank lines are not in log_entries")),
             qPrintable(summary->text()));
    QVERIFY(!sourceTableDigest(path).startsWith("query failed"));

    accept->setChecked(true);
    status->clear();
    QTest::mouseClick(migrate, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), QStringLiteral("Done."), 20000);
    QVERIFY2(summary->text().contains(QStringLiteral("accepted as lost")),
             qPrintable(summary->text()));
    QVERIFY(summary->text().contains(QStringLiteral("execution_process_logs was dropped.")));
    QVERIFY(sourceTableDigest(path).startsWith("query failed"));
    QCOMPARE(readLogEntries(path).size(), 1);
}

QTEST_MAIN(TestLegacyDialog)
#include "tst_legacy_dialog.moc"
