#include "app/hivewatch/FirstRunScreenshots.h"

#include "app/hivewatch/Dashboard.h"
#include "domain/LogTable.h"
#include "models/hive/HiveModels.h"
#include "models/hive/NodeModel.h"
#include "models/hive/TaskModel.h"
#include "models/logs/LogLineModel.h"
#include "models/logs/LogModel.h"
#include "sync/shape/ShapeClient.h"
#include "ui/MainWindow.h"
#include "ui/logs/LogsPanel.h"

#include <QApplication>
#include <QDir>
#include <QPixmap>
#include <QTableView>

#include <cstdio>

namespace hivewatch {

namespace {
constexpr int kGiveUpMs = 120000;
// Once everything is on screen, let the hive move a little: the pictures then show live data
// (fresh heartbeats, running assignments), and the printout proves that updates kept arriving.
constexpr int kSettleMs = 8000;
constexpr int kPageWaitMs = 5000;
const QString kLogShape = LogTable::Name;
} // namespace

FirstRunScreenshots::FirstRunScreenshots(MainWindow *window, Dashboard *dashboard, LogsPanel *logs,
                                         QString dir, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_dashboard(dashboard)
    , m_logs(logs)
    , m_dir(std::move(dir))
{
    m_elapsed.start();
    connect(logs->model(), &LogModel::executionsChanged, this,
            [this](const QList<ExecutionSummary> &executions) {
                for (const ExecutionSummary &execution : executions) {
                    if (execution.rows > m_busiestRows) {
                        m_busiestRows = execution.rows;
                        m_busiestExecution = execution.executionId;
                    }
                }
            });
    connect(&m_poll, &QTimer::timeout, this, &FirstRunScreenshots::check);
    m_poll.start(500);
}

void FirstRunScreenshots::check()
{
    const int tasks = m_dashboard->models()->tasks()->rowCount();
    const int nodes = m_dashboard->models()->nodes()->rowCount();
    if (!m_busiestExecution.isNull() && m_logs->model()->rowCount() == 0)
        m_logs->showExecution(m_busiestExecution);
    const int lines = m_logs->model()->rowCount();
    // A hive that syncs no execution logs (a proxy serving tasks and nodes only) shows none.
    const bool logsSynced = m_dashboard->profile().tables().contains(kLogShape);
    if (tasks > 0 && nodes > 0 && (lines > 0 || !logsSynced)) {
        m_poll.stop();
        m_shownAfterMs = m_elapsed.elapsed();
        m_logRowsWhenShown = m_dashboard->shapeClient()->status(kLogShape).rowCount;
        QTimer::singleShot(kSettleMs, this, &FirstRunScreenshots::saveAndQuit);
        return;
    }
    if (m_elapsed.elapsed() > kGiveUpMs) {
        std::fprintf(stderr,
                     "hivewatch: after %d s the window shows %d tasks, %d nodes and %d log lines; "
                     "giving up on the screenshots\n",
                     kGiveUpMs / 1000, tasks, nodes, lines);
        QApplication::exit(1);
    }
}

// The lines view reads a page only for the rows it shows, so right after the tab appears its rows
// are "…" placeholders; the picture should show the lines, as a user sees them a moment later.
void FirstRunScreenshots::waitForVisibleLines()
{
    QTableView *view = m_logs->linesView();
    const LogLineModel *lines = m_logs->lineModel();
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < kPageWaitMs) {
        const int first = view->rowAt(0);
        int last = view->rowAt(view->viewport()->height() - 1);
        if (last < 0)
            last = lines->rowCount() - 1;
        bool loaded = first >= 0;
        for (int row = qMax(first, 0); loaded && row <= last; ++row)
            loaded = lines->isLoaded(row);
        if (loaded || lines->rowCount() == 0)
            return;
        QApplication::processEvents(QEventLoop::AllEvents, 50);
    }
}

void FirstRunScreenshots::saveAndQuit()
{
    QDir().mkpath(m_dir);
    const QStringList panels = {QStringLiteral("Overview"), QStringLiteral("Tasks"),
                                QStringLiteral("Nodes"), QStringLiteral("Logs")};
    for (const QString &panel : panels) {
        m_window->showPanel(panel);
        QApplication::processEvents();
        if (panel == QLatin1String("Logs"))
            waitForVisibleLines();
        const QString file
            = QDir(m_dir).filePath(QStringLiteral("first-run-%1.png").arg(panel.toLower()));
        if (!m_window->grab().save(file)) {
            std::fprintf(stderr, "hivewatch: could not write %s\n", qPrintable(file));
            QApplication::exit(1);
            return;
        }
    }
    const qint64 logRows = m_dashboard->shapeClient()->status(kLogShape).rowCount;
    std::printf("first run: %d tasks, %d nodes, %d log lines shown after %.1f s; "
                "%lld log lines synced live in the next %d s\n",
                m_dashboard->models()->tasks()->rowCount(),
                m_dashboard->models()->nodes()->rowCount(), m_logs->model()->rowCount(),
                m_shownAfterMs / 1000.0, static_cast<long long>(logRows - m_logRowsWhenShown),
                kSettleMs / 1000);
    std::fflush(stdout);
    QApplication::exit(0);
}

} // namespace hivewatch
