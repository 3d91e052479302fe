#include "models/logs/LogModel.h"
#include "ui/MainWindow.h"
#include "ui/logs/LogsPanel.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QFontInfo>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace hivewatch;

namespace {

const QUuid kBuild = QUuid::fromString(QStringLiteral("3f1c2b9e-7d7a-4c1e-9a52-0c1f5b0d2e11"));
const QUuid kTests = QUuid::fromString(QStringLiteral("8a41d0c2-5b6e-4f7a-9c3d-2e1f0a9b8c7d"));
const QUuid kReview = QUuid::fromString(QStringLiteral("c9e8d7f6-1a2b-4c3d-8e9f-0a1b2c3d4e5f"));

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

} // namespace

// The main window with the Logs panel over a store holding three executions, offscreen.
class TestLogsPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void pagesTheSelectedExecutionAsTheUserScrolls();
    void copiesTheSelectedLines();
    void opensCleanlyOnANewStore();
    void otherBoxKeepsOutputTypesTheDomainDoesNotKnow();
    void systemLinesKeepTheMonospaceFont();

private:
    QTemporaryDir m_dir;
    QString m_path;
};

void TestLogsPanel::initTestCase()
{
    m_path = m_dir.filePath(QStringLiteral("store.sqlite"));
    auto store = LogStore::open(m_path, LogStore::Access::ReadWrite);
    QVERIFY(store);
    QVERIFY(store.value()->append(agentRun(kReview, 120, 0)).ok());
    QVERIFY(store.value()->append(agentRun(kTests, 900, 10)).ok());
    QVERIFY(store.value()->append(agentRun(kBuild, 2500, 40)).ok());
}

void TestLogsPanel::pagesTheSelectedExecutionAsTheUserScrolls()
{
    MainWindow window;
    LogModel model;
    model.setPageSize(200);
    auto *panel = new LogsPanel(&model);
    window.addPanel(panel, QStringLiteral("Logs"));
    window.tabs()->setCurrentWidget(panel);
    window.resize(1400, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    model.setStorePath(m_path);

    // The most recent execution is chosen by itself and opens at its newest lines.
    QTRY_COMPARE(panel->executionsView()->model()->rowCount(), 3);
    QTRY_COMPARE(model.executionId(), kBuild);
    QTRY_COMPARE(model.rowCount(), 200);
    QTRY_VERIFY(!model.isLoading());
    QCOMPARE(model.totalCount(), 2500);
    QVERIFY(model.isFollowing());
    QScrollBar *bar = panel->linesView()->verticalScrollBar();
    QTRY_COMPARE(bar->value(), bar->maximum());

    // Scrolling to the top loads the page before it, and the view stays on the same lines.
    const qint64 topId = model.entry(0).id;
    bar->setValue(bar->minimum());
    QTRY_COMPARE(model.rowCount(), 400);
    QTRY_VERIFY(!model.isLoading());
    QVERIFY(!model.isFollowing());
    const QModelIndex top = panel->linesView()->indexAt(QPoint(5, 5));
    QCOMPARE(model.entry(top.row()).id, topId);

    // Jump to the start, then scroll down: fetchMore() pages forwards.
    model.jumpToStart();
    QTRY_VERIFY(!model.isLoading() && model.rowCount() > 0 && !model.hasOlder());
    QCOMPARE(model.entry(0).content,
             QStringLiteral("Execution started on node berlin-04 (claude-code 1.0.58)"));
    QVERIFY(model.canFetchMore({}));
    const int loaded = model.rowCount();
    bar->setValue(bar->maximum());
    QTRY_VERIFY(model.rowCount() >= loaded + 200);
    for (int row = 1; row < model.rowCount(); ++row)
        QCOMPARE(model.entry(row).id, model.entry(row - 1).id + 1);

    // Another execution from the list.
    panel->showExecution(kTests);
    QTRY_COMPARE(model.executionId(), kTests);
    QTRY_COMPARE(model.rowCount(), 200);
    QTRY_VERIFY(!model.isLoading());
    QCOMPARE(model.totalCount(), 900);

    // The picture for the README: the panel on the build execution, at its newest lines.
    panel->showExecution(kBuild);
    QTRY_COMPARE(model.executionId(), kBuild);
    QTRY_VERIFY(!model.isLoading());
    QTRY_COMPARE(bar->value(), bar->maximum());
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

void TestLogsPanel::copiesTheSelectedLines()
{
    LogModel model;
    LogsPanel panel(&model);
    panel.resize(1000, 600);
    panel.show();
    model.setStorePath(m_path);
    QTRY_COMPARE(model.executionId(), kBuild);
    QTRY_VERIFY(model.rowCount() > 0 && !model.isLoading());
    panel.linesView()->selectRow(model.rowCount() - 2);
    panel.copySelection();
    const LogEntry &e = model.entry(model.rowCount() - 2);
    QVERIFY(QApplication::clipboard()->text().startsWith(e.timestamp + QStringLiteral(" [")
                                                         + e.outputType + QStringLiteral("] ")));
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

QTEST_MAIN(TestLogsPanel)
#include "tst_logspanel.moc"
