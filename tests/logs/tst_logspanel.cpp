#include "models/logs/LogExecutionModel.h"
#include "models/logs/LogLineModel.h"
#include "models/logs/LogModel.h"
#include "models/logs/LogSearchResultsModel.h"
#include "ui/MainWindow.h"
#include "ui/logs/LogHistogramStrip.h"
#include "ui/logs/LogLineDelegate.h"
#include "ui/logs/LogsPanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QFileInfo>
#include <QFontInfo>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeView>

#include <semaphore>

using namespace hivewatch;

namespace {

const QUuid kBuild = QUuid::fromString(QStringLiteral("3f1c2b9e-7d7a-4c1e-9a52-0c1f5b0d2e11"));
const QUuid kTests = QUuid::fromString(QStringLiteral("8a41d0c2-5b6e-4f7a-9c3d-2e1f0a9b8c7d"));
const QUuid kReview = QUuid::fromString(QStringLiteral("c9e8d7f6-1a2b-4c3d-8e9f-0a1b2c3d4e5f"));
const QUuid kSynced = QUuid::fromString(QStringLiteral("5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f"));

// Lines that look like what a coding agent's execution prints.
QList<NewLogEntry> agentRun(const QUuid &exec, int lines, int minuteOffset)
{
    const QStringList out = {
        QStringLiteral("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\","
                       "\"text\":\"Reading src/sync/ShapeStream.cpp\"}]}}"),
        QStringLiteral("Running cargo test -p services --test log_migration"),
        QStringLiteral("test log_migration::splits_batched_rows ... ok"),
        QStringLiteral("test log_migration::keeps_unparseable_lines ... ok"),
        QStringLiteral("{\"type\":\"tool_use\",\"name\":\"Edit\",\"input\":{\"file_path\":\"crates/"
                       "db/src/lib.rs\"}}"),
        QStringLiteral("Compiling hivewatch v0.1.0 (/work/main)"),
    };
    QList<NewLogEntry> rows;
    for (int i = 0; i < lines; ++i) {
        NewLogEntry e;
        e.executionId = exec;
        const int second = minuteOffset * 60 + i / 4;
        e.timestamp = QStringLiteral("2026-11-25 %1:%2:%3.%4")
                          .arg(14 + second / 3600, 2, 10, QLatin1Char('0'))
                          .arg(second / 60 % 60, 2, 10, QLatin1Char('0'))
                          .arg(second % 60, 2, 10, QLatin1Char('0'))
                          .arg(i % 4 * 250 + i * 37 % 200, 3, 10, QLatin1Char('0'));
        if (i == 0) {
            e.outputType = QStringLiteral("system");
            e.content = QStringLiteral("Execution started on node berlin-04 (claude-code 1.0.58)");
        } else if (i % 11 == 5) {
            e.outputType = QStringLiteral("stderr");
            e.content = QStringLiteral(
                "npm WARN deprecated inflight@1.0.6: This module is not supported");
        } else if (i % 29 == 13) {
            e.outputType = QStringLiteral("system");
            e.content
                = QStringLiteral("Heartbeat: assignment still running (%1 lines so far)").arg(i);
        } else if (i % 47 == 30) {
            e.outputType = QStringLiteral("json_patch");
            e.content
                = QStringLiteral(
                      "[{\"op\":\"add\",\"path\":\"/entries/%1\",\"value\":{\"type\":\"STDOUT\"}}]")
                      .arg(i);
        } else {
            e.outputType = QStringLiteral("stdout");
            e.content = out[i % out.size()] + QLatin1Char('\n');
        }
        rows.append(e);
    }
    return rows;
}

// Lines as the shape consumer stores them (each with its hive row id), among them a multi-line
// traceback and a pretty JSON object spread over lines.
QList<NewLogEntry> syncedRun(const QUuid &exec, int lines)
{
    QList<NewLogEntry> rows = agentRun(exec, lines, 20);
    for (int i = 0; i < rows.size(); ++i) {
        rows[i].sourceId = 700000 + i;
        if (i % 10 == 3) {
            rows[i].outputType = QStringLiteral("stderr");
            rows[i].content
                = QStringLiteral(
                      "Traceback (most recent call last):\n  File \"sync.py\", line %1, in run\n"
                      "    raise TimeoutError(\"hive did not answer\")\nTimeoutError: hive did not "
                      "answer\n")
                      .arg(i);
        } else if (i % 10 == 7) {
            rows[i].content
                = QStringLiteral("{\n  \"event\": \"shape_sync\",\n  \"rows\": %1\n}\n").arg(i);
        }
    }
    return rows;
}

} // namespace

// The main window with the Logs panel over a store holding three executions, offscreen.
class TestLogsPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void pagesTheSelectedExecutionAsTheUserScrolls();
    void jumpsToALineOrATime();
    void syncedLinesFollowAsTheyArrive();
    void findsHighlightsAndStepsThroughHits();
    void showsOnlyMatchesWithContext();
    void aNewerSearchOutrunsTheRunningOne();
    void streamFilterKeepsLineNumbersJumpsAndHits();
    void stepsThroughEveryHitPageByPage();
    void histogramCountsMinutesAndJumps();
    void searchesAcrossExecutionsAndLandsInContext();
    void showsMultiLineAndJsonEntriesInFull();
    void copiesTheSelectedLines();
    void opensCleanlyOnANewStore();
    void otherBoxKeepsOutputTypesTheDomainDoesNotKnow();
    void systemLinesKeepTheMonospaceFont();
    void exportsTheFilteredViewBesidePagingAndCancels();
    void exportsOnlyMatchesAsTheSearchMatches();

private:
    QTemporaryDir m_dir;
    QString m_path;
};

void TestLogsPanel::initTestCase()
{
    // The export folder is remembered in QSettings: keep it out of the user's own settings.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("hivewatch-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_logspanel"));
    m_path = m_dir.filePath(QStringLiteral("store.sqlite"));
    auto store = LogStore::open(m_path, LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(store.value()->append(agentRun(kReview, 120, 0)).ok());
    QVERIFY(store.value()->append(agentRun(kTests, 900, 10)).ok());
    QVERIFY(store.value()->append(agentRun(kBuild, 2500, 40)).ok());
    QVERIFY(store.value()->append(syncedRun(kSynced, 60)).ok());
}

void TestLogsPanel::pagesTheSelectedExecutionAsTheUserScrolls()
{
    MainWindow window;
    LogModel model;
    auto *panel = new LogsPanel(&model);
    LogLineModel *lines = panel->lineModel();
    window.addPanel(panel, QStringLiteral("Logs"));
    window.tabs()->setCurrentWidget(panel);
    window.resize(1400, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    model.setStorePath(m_path);

    // The most recent execution is chosen by itself; its view has a row for every line, so the
    // scroll bar spans the whole execution, and it opens at the newest line.
    QTRY_COMPARE(panel->executionsView()->model()->rowCount(), 4);
    QTRY_COMPARE(lines->executionId(), kBuild);
    QCOMPARE(panel->linesView()->model(), lines);
    QTRY_COMPARE(lines->rowCount(), 2500);
    QScrollBar *bar = panel->linesView()->verticalScrollBar();
    // The view sets its range in a delayed layout after the rows arrive: wait for the range
    // first (under ASan a check right after "at the maximum" once saw the empty range, 0 = 0).
    QTRY_VERIFY(bar->maximum() - bar->minimum() + bar->pageStep() >= 2500 - 50);
    QTRY_COMPARE(bar->value(), bar->maximum());
    const QList<NewLogEntry> expected = agentRun(kBuild, 2500, 40);
    QTRY_VERIFY(lines->entry(2499) != nullptr);
    QCOMPARE(lines->entry(2499)->content, expected.at(2499).content);
    QCOMPARE(lines->index(2499, LogLineModel::LineColumn).data().toLongLong(), 2500);
    QVERIFY(model.isFollowing());
    // Only the pages in view were read, not the execution.
    QVERIFY(lines->cachedPages() <= 2);

    // Dragging to the top reads the first page: line 1 is the execution's first line.
    bar->setValue(bar->minimum());
    QTRY_VERIFY(lines->entry(0) != nullptr);
    QCOMPARE(lines->entry(0)->content,
             QStringLiteral("Execution started on node berlin-04 (claude-code 1.0.58)"));
    QCOMPARE(lines->index(0, LogLineModel::LineColumn).data().toLongLong(), 1);
    QVERIFY(!model.isFollowing());
    // The middle: each row holds the line of its number, whatever page it came in.
    bar->setValue(1300);
    const QModelIndex top = panel->linesView()->indexAt(QPoint(5, 5));
    QVERIFY(top.row() >= 1290 && top.row() <= 1310);
    QTRY_VERIFY(lines->entry(top.row()) != nullptr);
    for (int row = top.row(); row < top.row() + 20; ++row) {
        QTRY_VERIFY(lines->entry(row) != nullptr);
        QCOMPARE(lines->entry(row)->content, expected.at(row).content);
        QCOMPARE(lines->entry(row)->timestamp, expected.at(row).timestamp);
    }

    // A stream filter narrows the rows; ticking it again brings every line back.
    auto *stdoutBox = panel->findChild<QCheckBox *>(QStringLiteral("streamStdout"));
    QVERIFY(stdoutBox);
    stdoutBox->setChecked(false);
    QTRY_VERIFY(lines->rowCount() > 0 && lines->rowCount() < 2500);
    QCOMPARE(panel->linesView()->model(), lines);
    stdoutBox->setChecked(true);
    QTRY_COMPARE(lines->rowCount(), 2500);

    // Another execution from the list: its own line count, from line 1.
    panel->showExecution(kTests);
    QTRY_COMPARE(lines->executionId(), kTests);
    QTRY_COMPARE(lines->rowCount(), 900);
    QTRY_VERIFY(lines->entry(899) != nullptr);
    QCOMPARE(lines->entry(899)->content, agentRun(kTests, 900, 10).at(899).content);

    // The picture for the README: the panel on the build execution, at its newest lines.
    panel->showExecution(kBuild);
    QTRY_COMPARE(lines->executionId(), kBuild);
    QTRY_COMPARE(lines->rowCount(), 2500);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QTRY_VERIFY(lines->entry(2499) != nullptr);
    QTest::qWait(50);
    const QString dir = qEnvironmentVariable("HIVEWATCH_SCREENSHOT_DIR",
                                             qEnvironmentVariable("HIVEWATCH_BINARY_DIR"));
    const QString file
        = QDir(dir.isEmpty() ? QDir::tempPath() : dir).filePath(QStringLiteral("logs-panel.png"));
    const QPixmap shot = window.grab();
    QVERIFY(!shot.isNull());
    QVERIFY2(shot.save(file), qPrintable(file));
    qInfo("screenshot: %s", qPrintable(file));
}

void TestLogsPanel::jumpsToALineOrATime()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    panel.resize(1000, 600);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    model.setStorePath(m_path);
    QTRY_COMPARE(lines->rowCount(), 2500);
    const QList<NewLogEntry> expected = agentRun(kBuild, 2500, 40);
    const auto landedOn = [&](int row) {
        const QModelIndex current = panel.linesView()->currentIndex();
        return current.row() == row
            && panel.linesView()->viewport()->rect().contains(
                panel.linesView()->visualRect(current).center())
            && lines->entry(row) && lines->entry(row)->content == expected.at(row).content;
    };

    // A line number, typed into the field and entered.
    panel.jumpField()->setFocus();
    QTest::keyClicks(panel.jumpField(), QStringLiteral("1234"));
    QTest::keyClick(panel.jumpField(), Qt::Key_Return);
    QTRY_VERIFY(landedOn(1233));
    QCOMPARE(panel.linesView()->currentIndex().siblingAtColumn(0).data().toLongLong(), 1234);
    QVERIFY(!model.isFollowing());

    // A time of day: the first line at or after 14:45 is line 1201 (four lines a second from
    // 14:40:00), and a full timestamp lands the same way.
    panel.jumpTo(QStringLiteral("14:45"));
    QTRY_VERIFY(landedOn(1200));
    QVERIFY(expected.at(1199).timestamp < QStringLiteral("2026-11-25 14:45"));
    panel.jumpTo(QStringLiteral("2026-11-25 14:48:30"));
    QTRY_VERIFY(landedOn(2040));
    QVERIFY(expected.at(2039).timestamp < QStringLiteral("2026-11-25 14:48:30"));

    // What cannot be found says so and leaves the view where it was.
    const auto status = [&] {
        QString text;
        for (const QLabel *label : panel.findChildren<QLabel *>())
            text += label->text() + u'\n';
        return text;
    };
    panel.jumpTo(QStringLiteral("99999"));
    QTRY_VERIFY(status().contains(QStringLiteral("No line 99999: the execution has 2500 lines")));
    panel.jumpTo(QStringLiteral("half past two"));
    QTRY_VERIFY(status().contains(QStringLiteral("Not a time: \"half past two\"")));
    panel.jumpTo(QStringLiteral("15:30"));
    QTRY_VERIFY(status().contains(QStringLiteral("No line at or after 15:30")));
    QCOMPARE(panel.linesView()->currentIndex().row(), 2040);
}

void TestLogsPanel::syncedLinesFollowAsTheyArrive()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    panel.resize(1000, 600);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("live.sqlite"));
    auto writer = LogStore::open(path, LogStore::Access::ReadWrite);
    QVERIFY(writer);
    QList<NewLogEntry> run = syncedRun(kSynced, 60);
    QVERIFY(writer.value()->append(run.mid(0, 40)).ok());
    model.setStorePath(path);
    QTRY_COMPARE(lines->rowCount(), 40);
    QScrollBar *bar = panel.linesView()->verticalScrollBar();
    QTRY_COMPARE(bar->value(), bar->maximum());
    const auto histogramLines = [lines] {
        qint64 n = 0;
        for (const LogHistogramBucket &b : lines->histogram())
            n += b.lines;
        return n;
    };
    QTRY_COMPARE(histogramLines(), 40);

    // Synced lines arriving while the view follows: new rows, numbered on, and the view stays at
    // the newest. Multi-line entries are one line each.
    QVERIFY(writer.value()->append(run.mid(40)).ok());
    model.notifyStoreChanged();
    QTRY_COMPARE(lines->rowCount(), 60);
    QTRY_VERIFY(lines->entry(59) != nullptr);
    QCOMPARE(lines->entry(59)->sourceId, std::optional<qint64>(700059));
    QCOMPARE(lines->entry(53)->content, run.at(53).content);
    QVERIFY(lines->entry(53)->content.contains(u'\n'));
    QCOMPARE(lines->index(59, LogLineModel::LineColumn).data().toLongLong(), 60);
    QTRY_COMPARE(bar->value(), bar->maximum());
    // The histogram strip counts the new lines too (re-read, throttled, as they arrive).
    QTRY_COMPARE(histogramLines(), 60);
    QCOMPARE(panel.histogramStrip()->buckets().size(), lines->histogram().size());
    QCOMPARE(panel.histogramStrip()->buckets().constFirst().lines, 60);
}

namespace {

// The 0-based lines of `lines` whose content `matches`, as the search must find them.
QList<int> expectedRows(const QList<NewLogEntry> &lines,
                        const std::function<bool(const QString &)> &matches)
{
    QList<int> rows;
    for (int i = 0; i < lines.size(); ++i) {
        if (matches(lines.at(i).content))
            rows.append(i);
    }
    return rows;
}

// A picture for the README, next to logs-panel.png (see CMakeLists.txt).
void saveShot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("HIVEWATCH_SCREENSHOT_DIR",
                                             qEnvironmentVariable("HIVEWATCH_BINARY_DIR"));
    const QString file = QDir(dir.isEmpty() ? QDir::tempPath() : dir).filePath(name);
    QVERIFY2(widget->grab().save(file), qPrintable(file));
    qInfo("screenshot: %s", qPrintable(file));
}

int highlightedPixels(QTableView *view)
{
    const QImage image = view->viewport()->grab().toImage();
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x) {
            if (image.pixelColor(x, y) == LogLineDelegate::highlightColor())
                ++count;
        }
    }
    return count;
}

} // namespace

void TestLogsPanel::findsHighlightsAndStepsThroughHits()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    panel.resize(1300, 700);
    panel.show();
    panel.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    model.setStorePath(m_path);
    QTRY_COMPARE(lines->rowCount(), 2500);
    const QList<NewLogEntry> run = agentRun(kBuild, 2500, 40);

    // Case-insensitive substring by default: every "npm WARN" line, and only those.
    const QList<int> warn = expectedRows(run, [](const QString &c) {
        return c.contains(QStringLiteral("npm warn"), Qt::CaseInsensitive);
    });
    QVERIFY(warn.size() > 200);
    QTest::keyClicks(panel.findField(), QStringLiteral("npm warn"));
    QTRY_COMPARE(lines->hitRows(), warn);
    QTRY_COMPARE(panel.hitCounter()->text(), QStringLiteral("%1 matches").arg(warn.size()));

    // F3 / n forward, Shift+F3 / N back, wrapping, with "k of n".
    QTableView *view = panel.linesView();
    view->setCurrentIndex(lines->index(0, 0));
    view->setFocus();
    QTest::keyClick(view, Qt::Key_F3);
    QTRY_COMPARE(view->currentIndex().row(), warn.at(0));
    QCOMPARE(panel.hitCounter()->text(), QStringLiteral("1 of %1").arg(warn.size()));
    QTest::keyClick(view, Qt::Key_N);
    QCOMPARE(view->currentIndex().row(), warn.at(1));
    QCOMPARE(panel.hitCounter()->text(), QStringLiteral("2 of %1").arg(warn.size()));
    QTest::keyClick(view, Qt::Key_F3, Qt::ShiftModifier);
    QCOMPARE(view->currentIndex().row(), warn.at(0));
    QTest::keyClick(view, Qt::Key_N, Qt::ShiftModifier);
    QCOMPARE(view->currentIndex().row(), warn.last());
    QCOMPARE(panel.hitCounter()->text(), QStringLiteral("%1 of %1").arg(warn.size()));

    // The hits in view are painted highlighted; without a search nothing is.
    QTRY_VERIFY(lines->entry(warn.last()) != nullptr);
    QTRY_VERIFY(highlightedPixels(view) > 0);
    const QRect hitRect
        = view->visualRect(view->currentIndex().siblingAtColumn(LogLineModel::ContentColumn));
    QVERIFY(view->viewport()->rect().intersects(hitRect));
    saveShot(&panel, QStringLiteral("logs-find-hits.png"));

    // Match case: the upper-case line does not match lower-case "warn".
    panel.caseButton()->click();
    QTRY_COMPARE(panel.hitCounter()->text(), QStringLiteral("no matches"));
    QVERIFY(lines->hitRows().isEmpty());
    panel.caseButton()->click();
    QTRY_COMPARE(lines->hitRows(), warn);

    // A regular expression, exactly; the same text without the toggle is a literal.
    const QList<int> tests = expectedRows(run, [](const QString &c) {
        return c.contains(QStringLiteral("log_migration::splits"))
            || c.contains(QStringLiteral("log_migration::keeps"));
    });
    panel.findField()->setText(QStringLiteral("log_migration::(splits|keeps)"));
    QTRY_COMPARE(panel.hitCounter()->text(), QStringLiteral("no matches"));
    panel.regexButton()->click();
    QTRY_COMPARE(lines->hitRows(), tests);
    QCOMPARE(lines->totalHits(), tests.size());

    // Terms to leave out: lines with any of them are no hits.
    panel.regexButton()->click();
    panel.findField()->setText(QStringLiteral("log_migration"));
    panel.excludeField()->setText(QStringLiteral("splits"));
    const QList<int> keeps = expectedRows(run, [](const QString &c) {
        return c.contains(QStringLiteral("log_migration")) && !c.contains(QStringLiteral("splits"));
    });
    QTRY_COMPARE(lines->hitRows(), keeps);
    QVERIFY(keeps.size() < tests.size() && !keeps.isEmpty());

    // A broken regular expression says what is wrong, and nothing is highlighted.
    panel.excludeField()->clear();
    panel.regexButton()->click();
    panel.findField()->setText(QStringLiteral("log_(migration"));
    QTRY_VERIFY(lines->lastError().contains(QStringLiteral("Invalid regular expression")));
    QTRY_COMPARE(panel.hitCounter()->text(), QStringLiteral("no matches"));

    panel.regexButton()->click();
    panel.findField()->clear();
    QTRY_VERIFY(panel.hitCounter()->text().isEmpty());
    QTRY_COMPARE(highlightedPixels(view), 0);
}

void TestLogsPanel::showsOnlyMatchesWithContext()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    panel.resize(1300, 700);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    model.setStorePath(m_path);
    panel.showExecution(kSynced);
    QTRY_COMPARE(lines->executionId(), kSynced);
    QTRY_COMPARE(lines->rowCount(), 60);
    const QList<NewLogEntry> run = syncedRun(kSynced, 60);

    // The multi-line tracebacks (synced lines) with one line of context on each side.
    const QList<int> hits = expectedRows(
        run, [](const QString &c) { return c.contains(QStringLiteral("TimeoutError")); });
    QVERIFY(hits.size() >= 5);
    QList<int> shown;
    for (int hit : hits) {
        for (int line = qMax(0, hit - 1); line <= qMin(59, hit + 1); ++line) {
            if (!shown.contains(line))
                shown.append(line);
        }
    }
    std::sort(shown.begin(), shown.end());
    panel.contextBox()->setValue(1);
    panel.matchesOnlyBox()->setChecked(true);
    panel.findField()->setText(QStringLiteral("timeouterror"));
    QTRY_COMPARE(lines->rowCount(), shown.size());
    QVERIFY(lines->isMatchesOnly());
    for (int row = 0; row < shown.size(); ++row) {
        // Numbered by their line in the execution, hits told from context.
        QCOMPARE(lines->index(row, LogLineModel::LineColumn).data().toLongLong(),
                 shown.at(row) + 1);
        QCOMPARE(lines->entry(row)->content, run.at(shown.at(row)).content);
        QCOMPARE(lines->index(row, 0).data(LogLineModel::HitRole).toBool(),
                 hits.contains(shown.at(row)));
    }
    QCOMPARE(lines->hitRows().size(), hits.size());

    // A jump lands on the line when it is shown, and says so when it is not.
    panel.jumpTo(QString::number(hits.at(1) + 1));
    QTRY_COMPARE(panel.linesView()->currentIndex().siblingAtColumn(0).data().toLongLong(),
                 hits.at(1) + 1);
    const int hidden = hits.at(0) + 3;
    panel.jumpTo(QString::number(hidden + 1));
    QTRY_VERIFY(panel.findChildren<QLabel *>().size() > 0);
    bool said = false;
    for (const QLabel *label : panel.findChildren<QLabel *>())
        said = said || label->text().contains(QStringLiteral("not among the matches"));
    QVERIFY(said);

    // Unticked: every line again.
    panel.matchesOnlyBox()->setChecked(false);
    QTRY_COMPARE(lines->rowCount(), 60);
    QTRY_COMPARE(lines->hitRows(), hits);
}

void TestLogsPanel::aNewerSearchOutrunsTheRunningOne()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    panel.show();
    model.setStorePath(m_path);
    QTRY_COMPARE(lines->rowCount(), 2500);
    QSignalSpy answered(lines, &LogLineModel::searchFinished);
    LogSearchQuery first;
    first.text = QStringLiteral("Compiling");
    LogSearchQuery second;
    second.text = QStringLiteral("Heartbeat");
    lines->setSearch(first);
    lines->setSearch(second); // before the first could answer: it never does
    QTRY_COMPARE(answered.count(), 1);
    QCOMPARE(lines->cancelledSearches(), 1);
    const QList<int> heartbeats = expectedRows(agentRun(kBuild, 2500, 40), [](const QString &c) {
        return c.contains(QStringLiteral("heartbeat"), Qt::CaseInsensitive);
    });
    QCOMPARE(lines->hitRows(), heartbeats);
    QTest::qWait(300); // room for a stale answer to (wrongly) arrive
    QCOMPARE(answered.count(), 1);
    QCOMPARE(lines->hitRows(), heartbeats);
}

void TestLogsPanel::streamFilterKeepsLineNumbersJumpsAndHits()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    lines->setPageSize(50); // several pages of shown lines
    panel.resize(1300, 700);
    panel.show();
    panel.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    model.setStorePath(m_path);
    QTRY_COMPARE(lines->rowCount(), 2500);
    const QList<NewLogEntry> run = agentRun(kBuild, 2500, 40);
    // stdout left out: the rows are the other lines, numbered by their line in the execution.
    QList<qint64> shown; // 1-based line numbers, by row
    for (int i = 0; i < run.size(); ++i) {
        if (run.at(i).outputType != QLatin1String("stdout"))
            shown.append(i + 1);
    }
    QVERIFY(shown.size() > 300 && shown.size() < 1000);
    panel.findChild<QCheckBox *>(QStringLiteral("streamStdout"))->setChecked(false);
    QTRY_COMPARE(lines->rowCount(), shown.size());
    QTableView *view = panel.linesView();
    const auto numberOf = [&](int row) {
        return lines->index(row, LogLineModel::LineColumn).data().toLongLong();
    };
    // Pages read after the page before them, and pages read alone (a jump into the middle),
    // number their lines the same.
    // A request is asked again while waiting: a newer batch (the view painting) skips the pages
    // of an older one not read yet, as a view re-asks for the rows it shows.
    const auto loaded = [&](int row) {
        lines->prefetch(row, row);
        return lines->entry(row) != nullptr;
    };
    for (int row : {0, 60, int(shown.size()) / 2, int(shown.size()) - 1})
        QTRY_VERIFY(loaded(row));
    lines->prefetch(0, int(shown.size()) - 1);
    for (int row = 0; row < shown.size(); ++row) {
        QTRY_VERIFY(loaded(row));
        QCOMPARE(numberOf(row), shown.at(row));
        QCOMPARE(lines->entry(row)->content, run.at(shown.at(row) - 1).content);
    }
    const auto landedOnLine = [&](qint64 line) {
        const QModelIndex current = view->currentIndex();
        return current.isValid() && numberOf(current.row()) == line
            && view->viewport()->rect().contains(view->visualRect(current).center());
    };
    const auto firstShownFrom = [&](qint64 line) {
        return *std::lower_bound(shown.begin(), shown.end(), line);
    };

    // A line number: a shown line lands on itself, a hidden one on the next shown line.
    const qint64 hidden = 1234;
    QVERIFY(!shown.contains(hidden));
    panel.jumpTo(QString::number(hidden));
    QTRY_VERIFY(landedOnLine(firstShownFrom(hidden)));
    panel.jumpTo(QString::number(shown.at(100)));
    QTRY_VERIFY(landedOnLine(shown.at(100)));
    // A time: the first shown line at or after it (line 1201 is the first at 14:45).
    panel.jumpTo(QStringLiteral("14:45"));
    QTRY_VERIFY(landedOnLine(firstShownFrom(1201)));
    // The histogram's minutes too.
    emit panel.histogramStrip()->minuteClicked(QStringLiteral("2026-11-25 14:48"));
    QTRY_VERIFY(landedOnLine(firstShownFrom(8 * 60 * 4 + 1))); // 14:40 + 8 min, 4 lines/s

    // Hits among the shown lines: stepping goes from hit to hit, "k of n" counts them.
    QList<qint64> warn;
    for (qint64 line : std::as_const(shown)) {
        if (run.at(line - 1).content.contains(QStringLiteral("npm WARN")))
            warn.append(line);
    }
    QVERIFY(warn.size() > 100);
    QTest::keyClicks(panel.findField(), QStringLiteral("npm warn"));
    QTRY_COMPARE(lines->totalHits(), warn.size());
    QCOMPARE(lines->hitRows().size(), warn.size());
    QCOMPARE(numberOf(lines->hitRows().first()), warn.first());
    view->setCurrentIndex(lines->index(0, 0));
    view->setFocus();
    QTest::keyClick(view, Qt::Key_F3);
    QTRY_VERIFY(landedOnLine(warn.at(0)));
    QCOMPARE(panel.hitCounter()->text(), QStringLiteral("1 of %1").arg(warn.size()));
    QTest::keyClick(view, Qt::Key_N);
    QTRY_VERIFY(landedOnLine(warn.at(1)));
    QTest::keyClick(view, Qt::Key_N, Qt::ShiftModifier);
    QTest::keyClick(view, Qt::Key_N, Qt::ShiftModifier);
    QTRY_VERIFY(landedOnLine(warn.last()));
    QVERIFY(view->currentIndex().data(LogLineModel::HitRole).toBool());
    // A hit of a hidden stream is no hit: "Compiling" is stdout only.
    panel.findField()->setText(QStringLiteral("Compiling"));
    QTRY_COMPARE(panel.hitCounter()->text(), QStringLiteral("no matches"));

    panel.findField()->clear();
    panel.findChild<QCheckBox *>(QStringLiteral("streamStdout"))->setChecked(true);
    QTRY_COMPARE(lines->rowCount(), 2500);
    QCOMPARE(numberOf(1233), 1234);
}

void TestLogsPanel::stepsThroughEveryHitPageByPage()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    lines->setHitPageSize(40); // MaxHits scaled down: the pages of a hit list of millions
    panel.resize(1300, 700);
    panel.show();
    panel.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    model.setStorePath(m_path);
    QTRY_COMPARE(lines->rowCount(), 2500);
    const QList<int> warn = expectedRows(agentRun(kBuild, 2500, 40), [](const QString &c) {
        return c.contains(QStringLiteral("npm warn"), Qt::CaseInsensitive);
    });
    const int n = int(warn.size());
    QVERIFY(n > 5 * 40);
    panel.findField()->setText(QStringLiteral("npm warn"));
    QTRY_COMPARE(lines->totalHits(), n);
    QCOMPARE(lines->hitRows(), warn.mid(0, 40)); // the first page

    QTableView *view = panel.linesView();
    view->setCurrentIndex(lines->index(0, 0));
    view->setFocus();
    const QString of = QStringLiteral(" of %1").arg(n);
    // Forward through every hit, page after page, and around to the first again.
    for (int k = 0; k <= n; ++k) {
        QTest::keyClick(view, Qt::Key_F3);
        QTRY_COMPARE(view->currentIndex().row(), warn.at(k % n));
        QTRY_COMPARE(panel.hitCounter()->text(), QString::number(k % n + 1) + of);
    }
    // Back around to the last, and back over page edges.
    for (int k = 0; k < 100; ++k) {
        QTest::keyClick(view, Qt::Key_N, Qt::ShiftModifier);
        const int expected = (n - 1 - k + n) % n;
        QTRY_COMPARE(view->currentIndex().row(), warn.at(expected));
        QTRY_COMPARE(panel.hitCounter()->text(), QString::number(expected + 1) + of);
    }
    // From a line far from the page held: the next hit after that line, either way.
    panel.jumpTo(QStringLiteral("2000"));
    QTRY_COMPARE(view->currentIndex().row(), 1999);
    QTest::keyClick(view, Qt::Key_N);
    QTRY_COMPARE(view->currentIndex().row(), *std::upper_bound(warn.begin(), warn.end(), 1999));
    panel.jumpTo(QStringLiteral("300"));
    QTRY_COMPARE(view->currentIndex().row(), 299);
    QTest::keyClick(view, Qt::Key_N, Qt::ShiftModifier);
    QTRY_COMPARE(view->currentIndex().row(),
                 *(std::lower_bound(warn.begin(), warn.end(), 299) - 1));
    // Past the last hit, whatever page is held: around to the first.
    panel.jumpTo(QStringLiteral("2500"));
    QTRY_COMPARE(view->currentIndex().row(), 2499);
    QVERIFY(warn.last() < 2499);
    QTest::keyClick(view, Qt::Key_F3);
    QTRY_COMPARE(view->currentIndex().row(), warn.first());
    QTRY_COMPARE(panel.hitCounter()->text(), QStringLiteral("1") + of);
    // And before the first, around to the last.
    panel.jumpTo(QStringLiteral("1"));
    QTRY_COMPARE(view->currentIndex().row(), 0);
    QTest::keyClick(view, Qt::Key_F3, Qt::ShiftModifier);
    QTRY_COMPARE(view->currentIndex().row(), warn.last());
    QTRY_COMPARE(panel.hitCounter()->text(), QString::number(n) + of);
}

void TestLogsPanel::histogramCountsMinutesAndJumps()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    panel.resize(1300, 700);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    model.setStorePath(m_path);
    QTRY_COMPARE(lines->rowCount(), 2500);

    // One bucket per minute with its lines and its stderr lines, as generated.
    const QList<NewLogEntry> run = agentRun(kBuild, 2500, 40);
    QMap<QString, std::pair<qint64, qint64>> expected;
    for (const NewLogEntry &e : run) {
        auto &[all, err] = expected[e.timestamp.left(16)];
        ++all;
        err += e.outputType == QStringLiteral("stderr") ? 1 : 0;
    }
    LogHistogramStrip *strip = panel.histogramStrip();
    QTRY_COMPARE(strip->buckets().size(), expected.size());
    int i = 0;
    for (auto it = expected.cbegin(); it != expected.cend(); ++it, ++i) {
        const LogHistogramBucket &b = strip->buckets().at(i);
        QCOMPARE(b.minute, it.key());
        QCOMPARE(b.lines, it->first);
        QCOMPARE(b.stderrLines, it->second);
    }
    // Painted: stderr red somewhere in the strip.
    const QImage image = strip->grab().toImage();
    bool red = false;
    for (int x = 0; x < image.width() && !red; ++x)
        red = image.pixelColor(x, image.height() - 1) == QColor(0xc6, 0x28, 0x28);
    QVERIFY(red);

    // A click on the 14:45 bar lands on that minute's first line (line 1201).
    const int bucket = int(expected.keys().indexOf(QStringLiteral("2026-11-25 14:45")));
    QVERIFY(bucket > 0);
    QTest::mouseClick(strip, Qt::LeftButton, {}, strip->barRect(bucket).center());
    QTRY_COMPARE(panel.linesView()->currentIndex().row(), 1200);
    QCOMPARE(run.at(1200).timestamp.left(16), QStringLiteral("2026-11-25 14:45"));
    QVERIFY(run.at(1199).timestamp < QStringLiteral("2026-11-25 14:45"));
    QTRY_VERIFY(lines->entry(1200) != nullptr);
    QCOMPARE(lines->entry(1200)->content, run.at(1200).content);
}

void TestLogsPanel::searchesAcrossExecutionsAndLandsInContext()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    panel.resize(1300, 700);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    model.setStorePath(m_path);
    QTRY_COMPARE(lines->rowCount(), 2500);

    // Every execution's hits, counted per execution, synced and plain lines alike.
    const QMap<QUuid, QList<NewLogEntry>> runs = {
        {kReview, agentRun(kReview, 120, 0)},
        {kTests, agentRun(kTests, 900, 10)},
        {kBuild, agentRun(kBuild, 2500, 40)},
        {kSynced, syncedRun(kSynced, 60)},
    };
    const auto isHit = [](const QString &c) {
        return c.contains(QStringLiteral("npm warn"), Qt::CaseInsensitive);
    };
    QMap<QUuid, qint64> expected;
    qint64 total = 0;
    for (auto it = runs.cbegin(); it != runs.cend(); ++it) {
        const qint64 n = expectedRows(*it, isHit).size();
        if (n > 0)
            expected.insert(it.key(), n);
        total += n;
    }
    QCOMPARE(expected.size(), 4);

    panel.allExecutionsBox()->setChecked(true);
    panel.findField()->setText(QStringLiteral("npm warn"));
    LogSearchResultsModel *results = panel.searchResults();
    QTRY_VERIFY(!results->isSearching() && results->rowCount() > 0);
    QVERIFY(panel.resultsView()->isVisible());
    QCOMPARE(results->totalHits(), total);
    QMap<QUuid, qint64> found;
    for (int row = 0; row < results->rowCount(); ++row) {
        const QModelIndex group = results->index(row, 0);
        const QUuid exec = group.data(LogSearchResultsModel::ExecutionIdRole).toUuid();
        found.insert(exec, group.data(LogSearchResultsModel::HitsRole).toLongLong());
        // Labelled as the executions list labels it (here: no assignments, so by id).
        const int listRow = panel.executionModel()->rowOf(exec);
        QVERIFY(listRow >= 0);
        QVERIFY(group.data().toString().startsWith(panel.executionModel()->label(listRow)));
        QVERIFY(group.data().toString().contains(QStringLiteral("%1 hit").arg(found.value(exec))));
        // Each line below is a hit, numbered by its line in its execution.
        for (int i = 0; i < results->rowCount(group); ++i) {
            const QModelIndex line = results->index(i, 0, group);
            const qint64 number = line.data(LogSearchResultsModel::LineNumberRole).toLongLong();
            QVERIFY(isHit(runs.value(exec).at(number - 1).content));
        }
    }
    QCOMPARE(found, expected);

    // A click on a hit in another execution shows that execution at that line.
    const int testsRow = [&] {
        for (int row = 0; row < results->rowCount(); ++row) {
            if (results->index(row, 0).data(LogSearchResultsModel::ExecutionIdRole).toUuid()
                == kTests)
                return row;
        }
        return -1;
    }();
    QVERIFY(testsRow >= 0);
    const QModelIndex hit = results->index(5, 0, results->index(testsRow, 0));
    const qint64 number = hit.data(LogSearchResultsModel::LineNumberRole).toLongLong();
    panel.resultsView()->scrollTo(hit);
    QTest::mouseClick(panel.resultsView()->viewport(), Qt::LeftButton, {},
                      panel.resultsView()->visualRect(hit).center());
    QTRY_COMPARE(lines->executionId(), kTests);
    QTRY_COMPARE(panel.linesView()->currentIndex().row(), int(number - 1));
    QTRY_VERIFY(lines->entry(int(number - 1)) != nullptr);
    QCOMPARE(lines->entry(int(number - 1))->content, runs.value(kTests).at(number - 1).content);
    QCOMPARE(panel.hitCounter()->text(), QStringLiteral("6 of %1").arg(expected.value(kTests)));
    saveShot(&panel, QStringLiteral("logs-search-all.png"));

    // Off again: the results go.
    panel.allExecutionsBox()->setChecked(false);
    QTRY_COMPARE(results->rowCount(), 0);
    QVERIFY(!panel.resultsView()->isVisible());
}

void TestLogsPanel::showsMultiLineAndJsonEntriesInFull()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    panel.resize(1300, 800);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    model.setStorePath(m_path);
    panel.showExecution(kSynced);
    QTRY_COMPARE(lines->executionId(), kSynced);
    QTRY_COMPARE(lines->rowCount(), 60);
    const QList<NewLogEntry> run = syncedRun(kSynced, 60);

    // A traceback: every one of its lines, as stored.
    panel.jumpTo(QStringLiteral("24"));
    QTRY_COMPARE(panel.linesView()->currentIndex().row(), 23);
    QTRY_COMPARE(panel.detailPane()->toPlainText(), run.at(23).content.chopped(1));
    QCOMPARE(panel.detailPane()->toPlainText().count(u'\n'), 3);

    // JSON: pretty-printed.
    panel.jumpTo(QStringLiteral("18"));
    QTRY_COMPARE(panel.linesView()->currentIndex().row(), 17);
    const QString pretty = QString::fromUtf8(
        QJsonDocument::fromJson(run.at(17).content.toUtf8()).toJson(QJsonDocument::Indented));
    QTRY_COMPARE(panel.detailPane()->toPlainText(), pretty.chopped(1));
    QVERIFY(panel.detailPane()->toPlainText().contains(QStringLiteral("    \"rows\": 17")));

    // Expanded in place: Space on the traceback, a double-click on the JSON, the triangle of a
    // one-line JSON entry; each row as tall as its text, and back to one line again.
    QTableView *view = panel.linesView();
    const int oneLine = view->rowHeight(0);
    const auto expandedText = [&](int row) {
        return lines->index(row, LogLineModel::ContentColumn)
            .data(LogLineModel::ExpandedTextRole)
            .toString();
    };
    panel.jumpTo(QStringLiteral("24"));
    QTRY_COMPARE(view->currentIndex().row(), 23);
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Space);
    QVERIFY(lines->isExpanded(23));
    QCOMPARE(expandedText(23), run.at(23).content.chopped(1));
    QVERIFY(view->rowHeight(23) >= 4 * view->fontMetrics().lineSpacing());
    view->scrollTo(lines->index(17, LogLineModel::ContentColumn));
    const QRect message
        = view->visualRect(lines->index(17, LogLineModel::ContentColumn)).adjusted(20, 0, 0, 0);
    QVERIFY(view->viewport()->rect().contains(message.center()));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, message.center());
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, message.center());
    QTRY_VERIFY(lines->isExpanded(17));
    QCOMPARE(expandedText(17), pretty.chopped(1));
    QVERIFY(view->rowHeight(17) >= 4 * view->fontMetrics().lineSpacing()); // 4 lines pretty
    const QModelIndex oneLineJson = lines->index(6, LogLineModel::ContentColumn);
    QVERIFY(run.at(6).content.startsWith(u'{'));
    QVERIFY(oneLineJson.data(LogLineModel::ExpandableRole).toBool());
    QVERIFY(!lines->index(1, 0).data(LogLineModel::ExpandableRole).toBool()); // one plain line
    view->scrollTo(oneLineJson);
    const QRect cell = view->visualRect(oneLineJson);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      QPoint(cell.left() + 6, cell.top() + oneLine / 2));
    QTRY_VERIFY(lines->isExpanded(6));
    QVERIFY(expandedText(6).contains(QStringLiteral("\n    \"message\": {")));
    QVERIFY(view->rowHeight(6) > 3 * oneLine);
    // A plain line has nothing more to show: Space leaves it one line.
    view->setCurrentIndex(lines->index(1, LogLineModel::ContentColumn));
    QTest::keyClick(view, Qt::Key_Space);
    QVERIFY(!lines->isExpanded(1));
    QCOMPARE(view->rowHeight(1), oneLine);
    view->scrollToTop();
    view->setCurrentIndex(lines->index(17, LogLineModel::ContentColumn));
    QTest::qWait(50);
    saveShot(&panel, QStringLiteral("logs-multiline.png"));
    panel.toggleExpanded(6);
    QVERIFY(!lines->isExpanded(6));
    QCOMPARE(view->rowHeight(6), oneLine);

    // Copy as a reference: execution id and line number.
    panel.copyReference();
    QCOMPARE(QApplication::clipboard()->text(),
             kSynced.toString(QUuid::WithoutBraces) + QStringLiteral(":18"));
}

void TestLogsPanel::copiesTheSelectedLines()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    panel.resize(1000, 600);
    panel.show();
    model.setStorePath(m_path);
    QTRY_COMPARE(lines->executionId(), kBuild);
    QTRY_COMPARE(lines->rowCount(), 2500);
    QTRY_VERIFY(lines->entry(2498) != nullptr);
    // Not selectRow(): its command follows the keyboard modifiers an earlier test's key clicks
    // may have left behind.
    panel.linesView()->selectionModel()->select(
        lines->index(2498, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QCOMPARE(panel.linesView()->selectionModel()->selectedRows().size(), 1);
    panel.copySelection();
    const LogEntry &e = *lines->entry(2498);
    QCOMPARE(QApplication::clipboard()->text().left(40),
             QString(e.timestamp + QStringLiteral(" [") + e.outputType + QStringLiteral("] ")
                     + e.content)
                 .left(40));
}

void TestLogsPanel::opensCleanlyOnANewStore()
{
    MainWindow window;
    LogModel model;
    auto *panel = new LogsPanel(&model);
    window.addPanel(panel, QStringLiteral("Logs"));
    window.show();
    QSignalSpy executions(&model, &LogModel::executionsChanged);
    model.setStorePath(m_dir.filePath(QStringLiteral("never-synced.sqlite")));
    QTRY_COMPARE(executions.count(), 1);
    QCOMPARE(panel->executionsView()->model()->rowCount(), 0);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.lastError().isEmpty());
    QVERIFY(!panel->linesView()->isVisible()); // a hint instead of an empty table
}

void TestLogsPanel::systemLinesKeepTheMonospaceFont()
{
    MainWindow window;
    LogModel model;
    auto *panel = new LogsPanel(&model);
    window.addPanel(panel, QStringLiteral("Logs"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    model.setStorePath(m_path);
    panel->showExecution(kReview);
    QTRY_COMPARE(model.executionId(), kReview);
    QTRY_VERIFY(model.rowCount() > 0 && !model.isLoading());
    QTableView *view = panel->linesView();
    int system = -1;
    for (int row = 0; row < model.rowCount() && system < 0; ++row) {
        if (model.index(row, 0).data(LogModel::StreamRole).toInt() == int(LogModel::Stream::System))
            system = row;
    }
    QVERIFY(system >= 0);
    // What the view's delegate paints with: the model's font resolved over the view's.
    const QFont painted = model.index(system, LogModel::ContentColumn)
                              .data(Qt::FontRole)
                              .value<QFont>()
                              .resolve(view->font());
    QVERIFY(QFontInfo(view->font()).fixedPitch());
    QVERIFY(painted.fixedPitch());
    QVERIFY(QFontInfo(painted).fixedPitch());
    QCOMPARE(QFontInfo(painted).family(), QFontInfo(view->font()).family());
    QCOMPARE(painted.style(), QFont::StyleOblique);
}

void TestLogsPanel::otherBoxKeepsOutputTypesTheDomainDoesNotKnow()
{
    // A newer node's database: one line of a type this build has never heard of, written past
    // the CHECK that Hivewatch's own writers keep.
    const QString path = m_dir.filePath(QStringLiteral("newer-node.sqlite"));
    {
        auto store = LogStore::open(path, LogStore::Access::ReadWrite);
        QVERIFY(store);
        QVERIFY(store.value()
                    ->append({{kReview, QStringLiteral("stdout"), QStringLiteral("out\n"), {}, {}},
                              {kReview, QStringLiteral("json_patch"), QStringLiteral("[]"), {}, {}},
                              {kReview, QStringLiteral("stderr"), QStringLiteral("err\n"), {}, {}}})
                    .ok());
    }
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA ignore_check_constraints = ON")));
        QVERIFY(q.prepare(QStringLiteral(
            "INSERT INTO log_entries (execution_id, output_type, content) VALUES (?, ?, ?)")));
        q.addBindValue(kReview.toRfc4122());
        q.addBindValue(QStringLiteral("agent_trace"));
        q.addBindValue(QStringLiteral("{\"trace\":1}"));
        QVERIFY(q.exec());
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));

    LogModel model;
    LogsPanel panel(&model);
    panel.resize(1000, 600);
    panel.show();
    model.setStorePath(path);
    QTRY_COMPARE(model.executionId(), kReview);
    QTRY_COMPARE(model.rowCount(), 4);
    // Shown, as a type the view flags, in the Other group.
    QCOMPARE(model.index(3, LogModel::StreamColumn).data().toString(),
             QStringLiteral("unknown: agent_trace"));

    auto *stdoutBox = panel.findChild<QCheckBox *>(QStringLiteral("streamStdout"));
    auto *stderrBox = panel.findChild<QCheckBox *>(QStringLiteral("streamStderr"));
    auto *otherBox = panel.findChild<QCheckBox *>(QStringLiteral("streamOther"));
    QVERIFY(stdoutBox && stderrBox && otherBox);
    QVERIFY(otherBox->toolTip().contains(QStringLiteral("json_patch")));
    const auto shownTypes = [&model] {
        QStringList types;
        for (int row = 0; row < model.rowCount(); ++row)
            types << model.entry(row).outputType;
        return types;
    };
    const auto settle = [&model] {
        QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), 10000);
        QTest::qWait(20);
        QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), 10000);
    };

    // Hiding stdout keeps the unknown type: Other is still checked.
    stdoutBox->setChecked(false);
    settle();
    QCOMPARE(shownTypes(), QStringList({"json_patch", "stderr", "agent_trace"}));
    // Hiding Other hides it with the node's other types.
    otherBox->setChecked(false);
    settle();
    QCOMPARE(shownTypes(), QStringList({"stderr"}));
    // Other alone: the node's other types and the unknown one.
    stderrBox->setChecked(false);
    otherBox->setChecked(true);
    settle();
    QCOMPARE(shownTypes(), QStringList({"json_patch", "agent_trace"}));
    stdoutBox->setChecked(true);
    stderrBox->setChecked(true);
    settle();
    QCOMPARE(model.rowCount(), 4);
}

void TestLogsPanel::exportsOnlyMatchesAsTheSearchMatches()
{
    LogModel model;
    LogsPanel panel(&model);
    LogLineModel *lines = panel.lineModel();
    panel.resize(1300, 700);
    panel.show();
    model.setStorePath(m_path);
    QTRY_COMPARE(lines->rowCount(), 2500);
    const QList<NewLogEntry> run = agentRun(kBuild, 2500, 40);
    QSignalSpy finished(&model, &LogModel::exportFinished);
    QTemporaryDir dir;
    const auto exported = [&](const QString &name) {
        const QString path = dir.filePath(name);
        panel.exportToFile(path);
        const int before = int(finished.count());
        [&] {
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), before + 1, 30000);
        }();
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    };
    // What the view would show: hits and their ±context lines of the shown streams, in order.
    const auto expected = [&](const std::function<bool(const NewLogEntry &)> &hit, int context,
                              const std::function<bool(const NewLogEntry &)> &shown) {
        QList<int> kept;
        for (int i = 0; i < run.size(); ++i) {
            if (shown(run.at(i)))
                kept.append(i);
        }
        QString text;
        for (int k = 0; k < kept.size(); ++k) {
            bool near = false;
            for (int d = -context; d <= context && !near; ++d)
                near = k + d >= 0 && k + d < kept.size() && hit(run.at(kept.at(k + d)));
            if (!near)
                continue;
            const NewLogEntry &e = run.at(kept.at(k));
            text += e.timestamp + QStringLiteral(" [") + e.outputType + QStringLiteral("] ")
                + e.content + (e.content.endsWith(u'\n') ? QString() : QStringLiteral("\n"));
        }
        return text;
    };
    const auto all = [](const NewLogEntry &) {
        return true;
    };

    // A regex with a left-out term and context: once refused, now written as shown.
    panel.regexButton()->click();
    panel.findField()->setText(QStringLiteral("log_migration::(splits|keeps)"));
    panel.excludeField()->setText(QStringLiteral("splits"));
    panel.contextBox()->setValue(1);
    panel.matchesOnlyBox()->setChecked(true);
    const auto keeps = [](const NewLogEntry &e) {
        return e.content.contains(QStringLiteral("log_migration::keeps"));
    };
    QTRY_VERIFY(lines->totalHits() > 0 && !lines->isSearching());
    const QString regexText = exported(QStringLiteral("regex.log"));
    QVERIFY2(finished.last().at(1).toString().isEmpty(),
             qPrintable(finished.last().at(1).toString()));
    QCOMPARE(regexText, expected(keeps, 1, all));
    QCOMPARE(finished.last().at(0).toLongLong(), qint64(regexText.count(u'\n')));

    // Match case, no context, stderr left out by its box: "npm WARN" in upper case only.
    panel.regexButton()->click();
    panel.excludeField()->clear();
    panel.contextBox()->setValue(0);
    panel.caseButton()->click();
    panel.findField()->setText(QStringLiteral("WARN"));
    panel.findChild<QCheckBox *>(QStringLiteral("streamStderr"))->setChecked(false);
    QTRY_COMPARE(lines->searchQuery().text, QStringLiteral("WARN"));
    QTRY_VERIFY(!lines->isSearching() && lines->isStreamFiltered());
    const QString cased = exported(QStringLiteral("case.log"));
    QCOMPARE(
        cased,
        expected([](const NewLogEntry &e) { return e.content.contains(QStringLiteral("WARN")); }, 0,
                 [](const NewLogEntry &e) { return e.outputType != QLatin1String("stderr"); }));
    panel.findChild<QCheckBox *>(QStringLiteral("streamStderr"))->setChecked(true);
    const QString warned = exported(QStringLiteral("case-all.log"));
    QCOMPARE(
        warned,
        expected([](const NewLogEntry &e) { return e.content.contains(QStringLiteral("WARN")); }, 0,
                 all));
    QVERIFY(warned.count(u'\n') > 200);
    panel.caseButton()->click();
    panel.findField()->clear();
    panel.matchesOnlyBox()->setChecked(false);
}

QTEST_MAIN(TestLogsPanel)
void TestLogsPanel::exportsTheFilteredViewBesidePagingAndCancels()
{
    // An execution of its own, large enough that the store checks for Cancel while writing.
    const QUuid huge = QUuid::fromString(QStringLiteral("e0e0e0e0-0000-4000-8000-0000000000aa"));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("export-store.sqlite"));
    {
        auto store = LogStore::open(path, LogStore::Access::ReadWrite);
        QVERIFY(store);
        QVERIFY(store.value()->append(agentRun(huge, 30000, 100)).ok());
    }
    QSettings().remove(QLatin1String(LogsPanel::kExportFolderKey));
    const QString outDir = dir.filePath(QStringLiteral("exports"));
    QVERIFY(QDir().mkpath(outDir));

    LogModel model;
    LogsPanel panel(&model);
    panel.resize(1200, 700);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    model.setStorePath(path);
    QTRY_COMPARE(panel.lineModel()->executionId(), huge);
    // Leave stderr out: the view shows the other streams' lines, and that is what is exported.
    panel.findChild<QCheckBox *>(QStringLiteral("streamStderr"))->setChecked(false);
    QTRY_VERIFY(!model.isLoading() && model.totalCount() > 20000);
    QTRY_COMPARE(panel.lineModel()->lineCount(), model.totalCount());
    const qint64 filtered = model.totalCount();
    QVERIFY(filtered < 30000);

    QStringList events;
    connect(&model, &LogModel::pageApplied, &panel, [&] { events << QStringLiteral("page"); });
    connect(&model, &LogModel::exportFinished, &panel, [&](qint64, const QString &error) {
        events << (error.isEmpty() ? QStringLiteral("exported") : QStringLiteral("failed"));
    });
    QSignalSpy finished(&model, &LogModel::exportFinished);

    // Hold the export thread, so the export is certainly not done when the page is asked for:
    // the page must still answer, since paging has a thread of its own.
    std::binary_semaphore gate(0);
    model.exportThread().post([&gate] { gate.acquire(); });
    const QString out = QDir(outDir).filePath(QStringLiteral("filtered.log"));
    panel.exportToFile(out);
    QVERIFY(panel.exportProgressBar()->isVisible());
    QVERIFY(panel.exportCancelButton()->isVisible());
    QVERIFY(!panel.exportButton()->isEnabled());
    model.jumpToStart();
    QTRY_VERIFY_WITH_TIMEOUT(events.contains(QStringLiteral("page")), 20000);
    gate.release();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(events.first(), QStringLiteral("page"));
    QCOMPARE(events.last(), QStringLiteral("exported"));
    QCOMPARE(finished.first().at(0).toLongLong(), filtered);
    QVERIFY(!panel.exportProgressBar()->isVisible());
    QVERIFY(!panel.exportCancelButton()->isVisible());
    QVERIFY(panel.exportButton()->isEnabled());
    {
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray text = f.readAll();
        QCOMPARE(text.count('\n'), filtered); // agentRun's lines are single-line
        QVERIFY(!text.contains("[stderr]"));
        QVERIFY(text.contains("[stdout]"));
    }
    // Paging kept working: the first filtered line is loaded.
    QVERIFY(model.rowCount() > 0);
    QCOMPARE(
        model.data(model.index(0, LogModel::StreamColumn), LogModel::OutputTypeRole).toString(),
        QStringLiteral("system"));

    // Cancel pressed while the export waits its turn: it never writes, and nothing is left.
    model.exportThread().post([&gate] { gate.acquire(); });
    const QString cancelled = QDir(outDir).filePath(QStringLiteral("cancelled.log"));
    panel.exportToFile(cancelled);
    QTest::mouseClick(panel.exportCancelButton(), Qt::LeftButton);
    gate.release();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
    QVERIFY2(finished.last().at(1).toString().contains(QLatin1String("cancelled")),
             qPrintable(finished.last().at(1).toString()));
    QVERIFY(finished.last().at(1).toString().contains(cancelled));
    QVERIFY(!QFile::exists(cancelled));
    QCOMPARE(QDir(outDir).entryList(QDir::Files | QDir::Hidden | QDir::System),
             QStringList {QStringLiteral("filtered.log")});

    // An unwritable target: the message names the file, nothing else is touched.
    const QString nowhere = dir.filePath(QStringLiteral("missing/folder/x.log"));
    panel.exportToFile(nowhere);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 60000);
    QVERIFY2(finished.last().at(1).toString().contains(nowhere),
             qPrintable(finished.last().at(1).toString()));
    QVERIFY(panel.exportButton()->isEnabled());

    // The folder of the last successful export is offered again, also by a panel created
    // afterwards (the failed one above is not remembered).
    QCOMPARE(QSettings().value(QLatin1String(LogsPanel::kExportFolderKey)).toString(),
             QFileInfo(out).absolutePath());
    LogsPanel second(&model);
    QCOMPARE(QFileInfo(second.exportFolder()).canonicalFilePath(),
             QFileInfo(outDir).canonicalFilePath());
}

#include "tst_logspanel.moc"
