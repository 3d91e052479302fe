#pragma once

#include "ui/hive/ConnectionProfile.h"
#include "ui/hive/ConnectionSettings.h"

#include <QObject>
#include <QUrl>
#include <QUuid>

#include <functional>
#include <memory>

class QComboBox;
class QDockWidget;
class QLabel;
class QPushButton;
class QWidget;

namespace hivewatch {

class AlertModel;
class StderrShareCounter;
class AlertNotifier;
class BatchCoalescer;
class FleetSummary;
class OverviewPanel;
struct MonitorSettings;
class DashboardCommands;
class DemoSession;
class HistoryPruner;
class LogModel;
class LogsPanel;
class PgSetupPanel;
class HiveModels;
class HistoryScrubber;
class HistorySource;
class TrendCharts;
class MainWindow;
class Navigator;
class NodesPanel;
class ProblemsModel;
class ProblemsPanel;
class SecretStore;
class ShapeClient;
class SyncStatusPanel;
class TaskDetailPane;
class TasksPanel;
struct ShapeStatus;

// The wiring of the live dashboard: one ShapeClient (worker thread) per hive syncs the chosen
// shapes into that hive's store; its batches pass through a BatchCoalescer (at most one model
// update per shape per frame) into the hive models; statuses feed the sync status area and the
// status bar. Builds the Tasks and Nodes panels, the sync status dock, the Connect… action and
// the profile switcher (status bar) into the main window, and the rest of the app's window: the
// Logs panel (its model re-wired to each hive's store), the Postgres setup panel, the Problems
// dock and Tools → Migrate legacy logs…. The app's main() only parses options and shows it.
//
// Switching to another profile (another hive) stops the old hive's shapes, empties every view
// and the demo banner, and syncs the new hive into its own store. The demo is a profile that is
// never saved; choosing it asks the app (demoRequested) to start it.
class Dashboard : public QObject
{
    Q_OBJECT
public:
    Dashboard(MainWindow *window, const QString &storePath, QObject *parent = nullptr);
    ~Dashboard() override;

    // Starts syncing; secrets missing from the profile are read from the keychain first.
    void start(const ConnectionProfile &profile);
    void start(const ConnectionSettings &settings, bool secretKnown);
    // Syncs exactly the profile's tables, each from its source (restarts shapes whose endpoint
    // changed, stops and empties the others). Another profile than the current one is a switch.
    void connectTo(const ConnectionProfile &profile);
    // The current profile's store with one source and the given shapes.
    void connectTo(const ConnectionSettings &settings);
    // Offline: shows what the profile's store holds, without any request.
    void showStored(const ConnectionProfile &profile);
    // Opens the connection dialog; on accept saves the profile (secrets to the keychain) unless
    // it is the demo, makes it current and connects to it.
    void editConnection();
    // Switches to the saved profile `name` (the status bar switcher does this).
    void switchToProfile(const QString &name);
    // Where new profiles get their stores (default: beside the first store).
    void setDataDir(const QString &dir) { m_dataDir = dir; }
    // The app's own demo: demoRequested starts the local demo hive (a DemoSession in `dataDir`,
    // Postgres and the shape server) and connects to it once it is up. storePath: the demo's
    // store instead of its own (--store). Tests leave it off and answer demoRequested themselves.
    void enableOwnDemo(const QString &dataDir, const QString &storePath = {});
    void startDemo();
    // The legacy migration's "Open in Logs": the Logs panel on the file that holds the lines
    // (the hive's store, or the migrated file until the next hive switch), on that execution.
    void showMigratedLogs(const QString &path, const QUuid &executionId);

    const ConnectionProfile &profile() const { return m_profile; }
    QString storePath() const { return m_storePath; }
    HiveModels *models() const { return m_models; }
    ShapeClient *shapeClient() const { return m_shapes; }
    BatchCoalescer *coalescer() const { return m_coalescer; }
    TasksPanel *tasksPanel() const { return m_tasksPanel; }
    NodesPanel *nodesPanel() const { return m_nodesPanel; }
    SyncStatusPanel *syncStatusPanel() const { return m_syncPanel; }
    LogModel *logModel() const { return m_logModel; }
    LogsPanel *logsPanel() const { return m_logsPanel; }
    TaskDetailPane *taskDetailPane() const { return m_taskDetail; }
    Navigator *navigator() const { return m_navigator; }
    PgSetupPanel *pgSetupPanel() const { return m_pgSetupPanel; }
    ProblemsModel *problems() const { return m_problems; }
    ProblemsPanel *problemsPanel() const { return m_problemsPanel; }
    DashboardCommands *commands() const { return m_commands; }
    FleetSummary *fleetSummary() const { return m_fleet; }
    AlertModel *alerts() const { return m_alerts; }
    StderrShareCounter *stderrCounter() const { return m_stderrCounter; }
    OverviewPanel *overviewPanel() const { return m_overview; }
    AlertNotifier *alertNotifier() const { return m_notifier; }
    // Thresholds for staleness and alerts: applied to every model that judges them, and saved.
    void setMonitorSettings(const MonitorSettings &settings);
    // Hidden while every shape is live; shown when one has a problem.
    QDockWidget *syncStatusDock() const { return m_syncDock; }
    QDockWidget *problemsDock() const { return m_problemsDock; }
    QLabel *demoBanner() const { return m_banner; }
    QComboBox *profileSwitcher() const { return m_switcher; }
    // Shown when no shape of a saved hive got through at start: Edit connection / Start the demo.
    QWidget *unreachablePrompt() const { return m_unreachable; }

    // The store's history for views (charts, scrubber, "as of"); the Overview embeds its trend
    // charts with `new TrendCharts(dashboard->historySource(), parent)`.
    HistorySource *historySource() const { return m_history; }
    TrendCharts *trendCharts() const { return m_trendCharts; }
    HistoryScrubber *historyScrubber() const { return m_historyScrubber; }

    static QString demoProfileName();
    static QString historyPanelTitle();

signals:
    // The user chose the local demo hive (switcher, or the unreachable prompt).
    void demoRequested();
    // Another hive's store is in use now (a new ShapeClient): re-wire what reads it.
    void storeChanged(const QString &storePath);

private:
    void connectStderrCounter();
    void useStore(const QString &storePath);
    void clearViews();
    void refreshSwitcher();
    void onStatus(const ShapeStatus &status);
    void askForToken(const QString &shape);
    void addToolsMenu();
    void connectToDemo();
    void updateSyncDock();
    void addHistoryPanel();
    void pruneHistory();
    // Keeps `start` (the shapes' start of a connect or offline view) until the window's first
    // paint when the window is shown but not yet painted (true: deferred; a later request
    // replaces an earlier one, as it replaces its profile), see MainWindow::firstPainted.
    bool deferUntilPainted(std::function<void()> start);

    MainWindow *m_window;
    HiveModels *m_models;
    BatchCoalescer *m_coalescer;
    HistorySource *m_history = nullptr;
    TrendCharts *m_trendCharts = nullptr;
    HistoryScrubber *m_historyScrubber = nullptr;
    ShapeClient *m_shapes = nullptr;
    SecretStore *m_secrets;
    TasksPanel *m_tasksPanel;
    NodesPanel *m_nodesPanel;
    SyncStatusPanel *m_syncPanel;
    ProblemsModel *m_problems;
    ProblemsPanel *m_problemsPanel;
    LogModel *m_logModel;
    LogsPanel *m_logsPanel;
    TaskDetailPane *m_taskDetail = nullptr;
    Navigator *m_navigator = nullptr;
    PgSetupPanel *m_pgSetupPanel;
    QLabel *m_banner;
    QComboBox *m_switcher;
    QWidget *m_unreachable;
    QDockWidget *m_syncDock = nullptr;
    QDockWidget *m_problemsDock = nullptr;
    bool m_syncTrouble = false; // some shape of the profile has a problem
    bool m_syncAllLive = false; // every shape of the profile is live
    DashboardCommands *m_commands = nullptr;
    FleetSummary *m_fleet = nullptr;
    AlertModel *m_alerts = nullptr;
    StderrShareCounter *m_stderrCounter = nullptr;
    OverviewPanel *m_overview = nullptr;
    AlertNotifier *m_notifier = nullptr;
    QLabel *m_unreachableText;
    QString m_storePath;
    QString m_dataDir;
    ConnectionProfile m_profile;
    bool m_anyShapeThrough = false; // since the last connect, some shape got an answer
    std::function<void()> m_afterFirstPaint; // shapes waiting for the first paint
    bool m_waitedForPaint = false; // only what comes before the first paint waits for it
    // Keeps the store's history within its retention (setting history/retentionDays).
    std::unique_ptr<HistoryPruner> m_historyPruner;
    // The own demo (enableOwnDemo): declared last so it goes after the shapes have stopped.
    QString m_demoDir;
    QString m_demoStorePath;
    QUrl m_demoUrl; // temporary: only ever held in memory, never saved
    bool m_demoWanted = false; // the user may have chosen another hive while it started
    std::unique_ptr<DemoSession> m_demo;
};

} // namespace hivewatch
