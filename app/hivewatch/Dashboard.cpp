#include "app/hivewatch/Dashboard.h"

#include "app/hivewatch/AllocatorTrimmer.h"
#include "app/hivewatch/DashboardCommands.h"
#include "app/hivewatch/DemoSession.h"
#include "app/hivewatch/Navigator.h"
#include "domain/HiveTables.h"
#include "domain/LogTable.h"
#include "models/hive/AlertModel.h"
#include "models/hive/AssignmentModel.h"
#include "models/hive/BatchCoalescer.h"
#include "models/hive/FleetSummary.h"
#include "models/hive/HistorySource.h"
#include "models/hive/HiveModels.h"
#include "models/hive/MonitorSettings.h"
#include "models/hive/NodeModel.h"
#include "models/hive/ProblemsModel.h"
#include "models/hive/ShapeStatusModel.h"
#include "models/hive/SortedFilterProxy.h"
#include "models/hive/StderrShareCounter.h"
#include "models/hive/StoreHistoryQueries.h"
#include "models/logs/LogExecutionModel.h"
#include "models/logs/LogModel.h"
#include "sync/hive/HistoryPruner.h"
#include "sync/hive/HiveHistoryRecorder.h"
#include "sync/hive/HiveShapeRowSinks.h"
#include "sync/shape/ShapeClient.h"
#include "ui/MainWindow.h"
#include "ui/NewRowsPill.h"
#include "ui/UiLog.h"
#include "ui/hive/AlertNotifier.h"
#include "ui/hive/ConnectionDialog.h"
#include "ui/hive/HistoryScrubber.h"
#include "ui/hive/NodesPanel.h"
#include "ui/hive/OverviewPanel.h"
#include "ui/hive/ProblemsPanel.h"
#include "ui/hive/ProfileStore.h"
#include "ui/hive/SecretStore.h"
#include "ui/hive/SyncStatusPanel.h"
#include "ui/hive/TaskDetailPane.h"
#include "ui/hive/TasksPanel.h"
#include "ui/hive/TrendCharts.h"
#include "ui/legacy/LegacyMigrationDialog.h"
#include "ui/logs/LogsPanel.h"
#include "ui/pg/PgSetupPanel.h"

#include <QAbstractItemView>
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

#include <cstdio>
#include <dlfcn.h>
#include <functional>
#include <malloc.h>
#include <memory>

namespace hivewatch {

namespace {
// Item data of the demo entry of the switcher (a saved profile may have any name).
const QString kDemoEntry = QStringLiteral("\x01demo");

// The tab that shows a shape's rows.
QString panelTitleFor(const QString &shape)
{
    if (shape == HiveTables::SharedTasks)
        return Dashboard::tr("Tasks");
    if (shape == HiveTables::NodeTaskOutputLogs)
        return Dashboard::tr("Logs");
    return Dashboard::tr("Nodes");
}

// The hivewatch executable allocates with jemalloc (app/hivewatch/JemallocConfig.cpp), which
// returns freed pages by itself; glibc's tuning and trims below serve the builds without it
// (the tests' and the sanitizer build's).
bool glibcAllocates()
{
    return dlsym(RTLD_DEFAULT, "mallctl") == nullptr;
}

// glibc's defaults cost the dashboard ~150 MiB of peak RSS while a large snapshot syncs
// (docs/benchmarks.md, "Peak RSS at 100k tasks and 1M log lines"): every thread that allocates
// under contention gets an arena of its own, and memory the sync threads free there stays
// mapped; buffers over the dynamic mmap threshold (which grows to the largest freed block, up to
// 32 MiB: Electric's 10 MiB bodies, a part's row lists) are then carved from those arenas too.
// One arena and a fixed 256 KiB threshold give large buffers back when they are freed.
// Today the arena limit has no effect: the worker threads Dashboard's members start made an arena
// each before this runs, and glibc keeps its limit once more than eight exist. Setting it at load
// time did take effect and saved ~200 MiB, but doubled the GUI thread's CPU (every thread under
// one arena lock), so it stays here (docs/benchmarks.md, "Where the dashboard's extra 300 MiB").
void limitAllocatorRetention()
{
#ifdef __GLIBC__
    if (!glibcAllocates())
        return;
    mallopt(M_ARENA_MAX, 1);
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
}

// Often enough that a snapshot's freed batches do not pile up between trims (a 100k-task
// snapshot arrives in ~10 s); each trim costs the trimmer's thread a few ms.
constexpr int kAllocatorTrimMs = 2000;

bool isOwnProblem(const ShapeStatus &status)
{
    return status.problem == ShapeStatus::Problem::SignInNeeded
        || status.problem == ShapeStatus::Problem::NotServed;
}
} // namespace

Dashboard::Dashboard(MainWindow *window, const QString &storePath, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_models(new HiveModels(this))
    , m_coalescer(new BatchCoalescer(this))
    , m_secrets(new SecretStore(QStringLiteral("hivewatch"), this))
    , m_tasksPanel(new TasksPanel(m_models->tasks()))
    , m_nodesPanel(
          new NodesPanel(m_models->nodes(), m_models->assignments(), m_models->progressEvents()))
    , m_syncPanel(new SyncStatusPanel(m_models->shapeStatuses()))
    , m_problems(new ProblemsModel(this))
    , m_problemsPanel(new ProblemsPanel(m_problems))
    , m_logModel(new LogModel(this))
    , m_logsPanel(new LogsPanel(m_logModel))
    , m_pgSetupPanel(new PgSetupPanel)
    , m_banner(
          new QLabel(tr("<b>Local demo hive</b> — File → Connect… (Ctrl+K) watches a real hive")))
    , m_switcher(new QComboBox)
    , m_unreachable(new QWidget)
    , m_unreachableText(new QLabel(m_unreachable))
    , m_dataDir(QFileInfo(storePath).absolutePath())
{
    // Retention runs at each store switch and hourly, on the pruner's own thread.
    auto *pruneTimer = new QTimer(this);
    pruneTimer->setInterval(std::chrono::hours(1));
    connect(pruneTimer, &QTimer::timeout, this, &Dashboard::pruneHistory);
    pruneTimer->start();
    limitAllocatorRetention(); // before the sync threads start
    if (glibcAllocates())
        new AllocatorTrimmer(kAllocatorTrimMs, this);
    registerShapeBatchMetaTypes();
    m_logsPanel->executionModel()->setAssignmentModel(m_models->assignments());
    m_coalescer->setAcceptedShapes(HiveModels::tables());
    // A third of a 60 Hz frame for model updates leaves the rest for painting and input.
    m_coalescer->setFrameBudget(5);
    connect(m_coalescer, &BatchCoalescer::batchReady, m_models, &HiveModels::applyBatch);
    connect(m_coalescer, &BatchCoalescer::largeBatchAhead, m_models, &HiveModels::expectRows);
    connect(m_models->shapeStatuses(), &ShapeStatusModel::summaryChanged, window,
            &MainWindow::setStatusText);
    connect(m_syncPanel, &SyncStatusPanel::signInRequested, this, &Dashboard::askForToken);
    // Charts and the scrubber read the store's history on the source's own thread.
    m_history = new HistorySource(StoreHistoryQueries::factory(), this);
    useStore(storePath);

    m_fleet = new FleetSummary(m_models->nodes(), m_models->assignments(), m_models->tasks(), this);
    m_alerts = new AlertModel(m_models->nodes(), m_models->assignments(), m_models->tasks(),
                              m_fleet, this);
    m_stderrCounter = new StderrShareCounter(m_models->assignments(), this);
    m_stderrCounter->setStorePath(m_storePath);
    connect(m_stderrCounter, &StderrShareCounter::talliesChanged, m_alerts,
            [this] { m_alerts->setStderrTallies(m_stderrCounter->tallies()); });
    // New log lines (committed before the batch is announced) or a changed running set.
    connect(m_models->assignments(), &KeyedTableModel::batchApplied, m_stderrCounter,
            &StderrShareCounter::scheduleRefresh);
    connectStderrCounter();
    // The stuck rule's clock: when each candidate entered its status, from the history, asked
    // whenever the trends are read again (after batches, and as time moves on).
    connect(m_history, &HistorySource::trendsReady, m_alerts,
            [this, ticket = std::make_shared<HistorySource::Ticket>()] {
                m_history->lastStatusChanges(*ticket, m_alerts, HiveTables::SharedTasks,
                                             m_alerts->stuckCandidateIds(),
                                             [this](const StatusChanges &changes) {
                                                 if (changes.error.isEmpty())
                                                     m_alerts->setLastStatusChanges(changes.byKey);
                                             });
            });
    m_overview = new OverviewPanel(m_fleet, m_alerts);
    {
        QSettings settings;
        setMonitorSettings(MonitorSettings::load(settings));
    }
    connect(m_overview, &OverviewPanel::settingsChanged, this, &Dashboard::setMonitorSettings);
    m_notifier = new AlertNotifier(m_alerts, this);
    connect(m_notifier, &AlertNotifier::alertsRequested, window, [window] {
        window->showNormal();
        window->raise();
        window->activateWindow();
        window->showPanel(Navigator::overviewPanel());
    });

    window->addPanel(m_overview, Navigator::overviewPanel());
    window->addPanel(m_tasksPanel, tr("Tasks"));
    window->addPanel(m_nodesPanel, tr("Nodes"));
    window->addPanel(m_pgSetupPanel, tr("Postgres setup"));
    window->addPanel(m_logsPanel, tr("Logs"));
    addHistoryPanel();
    m_nodesPanel->setHistorySource(m_history);
    m_taskDetail = new TaskDetailPane(m_models);
    m_taskDetail->setHistorySource(m_history);
    window->addPanel(m_taskDetail, Navigator::taskPanel());
    m_navigator = new Navigator(window, m_models, m_tasksPanel, m_nodesPanel, m_logsPanel,
                                m_taskDetail, this);
    m_navigator->setFleetSummary(m_fleet);
    connect(m_fleet, &FleetSummary::changed, m_nodesPanel,
            [this] { m_nodesPanel->setStrandedNodes(m_fleet->counts().staleNodeIdsWithWork); });
    connect(m_overview, &OverviewPanel::staleAssignmentsRequested, m_navigator,
            &Navigator::openStaleAssignments);
    connect(m_overview, &OverviewPanel::alertActivated, m_navigator, &Navigator::openAlert);
    m_syncDock = window->addDock(m_syncPanel, tr("Sync status"), QStringLiteral("syncStatusDock"));
    // The status bar summary says all is well; the dock comes when a shape has a problem.
    m_syncDock->hide();
    m_problemsDock
        = window->addDock(m_problemsPanel, tr("Problems"), QStringLiteral("problemsDock"));
    // Out of the way until there is something in it: a new problem brings it (a repeat of one
    // listed only counts up), and Clear puts it away again.
    m_problemsDock->hide();
    connect(m_problems, &QAbstractItemModel::rowsInserted, m_problemsDock, &QWidget::show);
    connect(m_problems, &QAbstractItemModel::modelReset, m_problemsDock, [this] {
        if (m_problems->rowCount() == 0)
            m_problemsDock->hide();
    });
    connect(m_problemsPanel, &ProblemsPanel::shapeActivated, this,
            [this](const QString &shape) { m_window->showPanel(panelTitleFor(shape)); });
    window->setStatusText(m_models->shapeStatuses()->summary());

    // Like k9s contexts: the hive being watched, and the others one click away.
    m_switcher->setObjectName(QStringLiteral("profileSwitcher"));
    m_switcher->setToolTip(tr("The hive being watched"));
    m_switcher->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_switcher, &QComboBox::activated, this, [this](int index) {
        const QString name = m_switcher->itemData(index).toString();
        if (name == kDemoEntry) {
            if (!m_profile.demo)
                emit demoRequested();
        } else if (name != m_profile.name || m_profile.demo) {
            switchToProfile(name);
        }
    });
    m_banner->setObjectName(QStringLiteral("demoBanner"));
    m_banner->hide();
    auto *edit = new QPushButton(tr("Edit connection…"), m_unreachable);
    auto *demo = new QPushButton(tr("Start the demo"), m_unreachable);
    auto *promptLayout = new QHBoxLayout(m_unreachable);
    promptLayout->setContentsMargins(0, 0, 0, 0);
    promptLayout->addWidget(m_unreachableText);
    promptLayout->addWidget(edit);
    promptLayout->addWidget(demo);
    connect(edit, &QPushButton::clicked, this, &Dashboard::editConnection);
    connect(demo, &QPushButton::clicked, this, &Dashboard::demoRequested);
    m_unreachable->hide();
    window->statusBar()->addWidget(m_unreachable);
    window->statusBar()->addPermanentWidget(m_banner);
    window->statusBar()->addPermanentWidget(m_switcher);
    refreshSwitcher();

    QAction *connectAction = new QAction(tr("&Connect…"), this);
    connectAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    connect(connectAction, &QAction::triggered, this, &Dashboard::editConnection);
    QAction *pause = new QAction(tr("&Pause sync"), this);
    pause->setCheckable(true);
    pause->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
    connect(pause, &QAction::toggled, this, [this](bool paused) {
        if (paused)
            m_shapes->pause();
        else
            m_shapes->resume();
    });
    QMenu *file = window->fileMenu();
    QAction *first = file->actions().value(0);
    file->insertAction(first, connectAction);
    file->insertAction(first, pause);
    file->insertSeparator(first);
    addToolsMenu();
    m_commands = new DashboardCommands(this, window);

    // Live lists hold still under the pointer or a selection (NewRowsPill).
    for (QWidget *panel :
         {static_cast<QWidget *>(m_tasksPanel), static_cast<QWidget *>(m_nodesPanel)}) {
        const QList<QAbstractItemView *> views = panel->findChildren<QAbstractItemView *>();
        for (QAbstractItemView *view : views) {
            if (qobject_cast<SortedFilterProxy *>(view->model()))
                new NewRowsPill(view);
        }
    }
}

void Dashboard::connectStderrCounter()
{
    connect(m_shapes, &ShapeClient::batchReady, m_stderrCounter, [this](const ShapeBatch &batch) {
        if (batch.shapeName == LogTable::Name || batch.shapeName.endsWith(u'/' + LogTable::Name))
            m_stderrCounter->scheduleRefresh();
    });
}

void Dashboard::setMonitorSettings(const MonitorSettings &settings)
{
    m_models->nodes()->setStaleAfterSeconds(settings.staleAfterSeconds);
    m_alerts->setSettings(settings);
    if (m_overview->settings() != settings)
        m_overview->setSettings(settings);
    QSettings stored;
    settings.save(stored);
}

void Dashboard::addToolsMenu()
{
    // Tools → Migrate legacy logs…: a modeless dialog; the migration runs on its own thread.
    // Alt+O: Alt+T is the Tasks panel's table view.
    auto *tools = new QMenu(tr("T&ools"), m_window);
    m_window->menuBar()->insertMenu(m_window->menuBar()->actions().constLast(), tools);
    tools->addAction(tr("Migrate legacy logs…"), m_window, [this] {
        auto *dialog = new LegacyMigrationDialog(m_window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(dialog, &LegacyMigrationDialog::openInLogs, this, &Dashboard::showMigratedLogs);
        dialog->show();
    });
}

void Dashboard::showMigratedLogs(const QString &path, const QUuid &executionId)
{
    const QString file = QFileInfo(path).canonicalFilePath();
    if (file != QFileInfo(m_storePath).canonicalFilePath() && file != m_logModel->storePath()) {
        // Another file than the hive's store (the node's own db.sqlite, a separate store): the
        // Logs panel reads it until the next hive switch.
        m_logModel->setStorePath(file);
        m_window->showMessage(
            tr("Logs shows the migrated file %1; switching hives shows the hive's logs again.")
                .arg(QDir::toNativeSeparators(file)),
            0);
    } else {
        m_logModel->notifyStoreChanged();
    }
    m_window->showPanel(tr("Logs"));
    m_logsPanel->showExecution(executionId);
}

void Dashboard::enableOwnDemo(const QString &dataDir, const QString &storePath)
{
    m_demoDir = dataDir;
    m_demoStorePath = storePath;
    connect(this, &Dashboard::demoRequested, this, &Dashboard::startDemo, Qt::UniqueConnection);
}

void Dashboard::startDemo()
{
    m_demoWanted = true;
    if (m_demo) {
        if (!m_demoUrl.isEmpty())
            connectToDemo();
        return;
    }
    m_demo = std::make_unique<DemoSession>(m_demoDir);
    connect(m_demo.get(), &DemoSession::progress, m_window,
            [this](const QString &step) { m_window->showMessage(step, 0); });
    connect(m_demo.get(), &DemoSession::failed, m_window, [this](const QString &why) {
        std::fprintf(stderr, "hivewatch: the local demo hive could not start: %s\n",
                     qPrintable(why));
        m_window->showMessage(tr("The local demo hive could not start: %1").arg(why), 0);
    });
    connect(m_demo.get(), &DemoSession::ready, this, [this](const QUrl &shapeUrl) {
        m_demoUrl = shapeUrl;
        if (m_demoWanted)
            connectToDemo();
    });
    m_demo->start();
}

void Dashboard::connectToDemo()
{
    ConnectionSettings settings;
    settings.mode = ConnectionSettings::Mode::Electric;
    settings.url = m_demoUrl;
    settings.shapes = ConnectionSettings::availableShapes();
    ConnectionProfile profile = ConnectionProfile::fromConnection(settings, demoProfileName());
    profile.demo = true; // never saved: the next run starts the demo again
    // With --store the demo uses that store; switching hives then keeps that file.
    profile.storePath = m_demoStorePath.isEmpty() ? m_demo->storePath() : m_demoStorePath;
    connectTo(profile);
    m_window->showMessage(tr("Local demo hive is live"));
}

Dashboard::~Dashboard()
{
    // Join the worker before the models go: no batch may arrive into a half-destroyed window.
    // The demo (a member) goes after: first the shapes, then its shape server and cluster.
    m_shapes->stop();
}

QString Dashboard::demoProfileName()
{
    return tr("Local demo hive");
}

void Dashboard::useStore(const QString &storePath)
{
    if (m_shapes) {
        // The old hive's worker stops before anything of the new one shows: no late batch.
        m_shapes->stop();
        delete m_shapes;
        m_shapes = nullptr;
        clearViews();
    }
    m_storePath = storePath;
    m_shapes = new ShapeClient(storePath, hiveShapeRowSinks(), hiveChangeRecorders(), this);
    connect(m_shapes, &ShapeClient::batchReady, m_coalescer, &BatchCoalescer::enqueue);
    connect(m_shapes, &ShapeClient::statusChanged, m_models->shapeStatuses(),
            &ShapeStatusModel::setStatus);
    connect(m_shapes, &ShapeClient::statusChanged, this, &Dashboard::onStatus);
    m_problems->restartCounts();
    connect(m_shapes, &ShapeClient::statusChanged, m_problems, &ProblemsModel::setStatus);
    // Logs are read from the store on the model's own thread; synced log batches (already
    // committed) tell it that new lines are there.
    connect(m_shapes, &ShapeClient::batchReady, m_logModel, &LogModel::applyShapeBatch);
    m_logModel->setStorePath(storePath);
    // Every committed batch may have added history; the source refreshes at most every few s.
    connect(m_shapes, &ShapeClient::batchReady, m_history, &HistorySource::noteChanges);
    m_history->setStorePath(storePath);
    m_historyPruner = std::make_unique<HistoryPruner>(storePath);
    pruneHistory();
    if (m_stderrCounter) {
        m_stderrCounter->setStorePath(storePath);
        connectStderrCounter();
    }
    if (m_demo && storePath != m_demo->storePath() && storePath != m_demoStorePath)
        m_demoWanted = false;
    emit storeChanged(storePath);
}

void Dashboard::addHistoryPanel()
{
    // The trends answer "is work flowing?", so they sit on the Overview beside the fleet strip;
    // the History tab keeps the hive-wide scrubber ("what changed").
    m_trendCharts = new TrendCharts(m_history, m_overview);
    m_overview->chartsSlot()->addWidget(m_trendCharts);
    auto *panel = new QWidget;
    m_historyScrubber = new HistoryScrubber(m_history, panel);
    m_historyScrubber->setSubject({}, {});
    auto *layout = new QVBoxLayout(panel);
    layout->addWidget(new QLabel(tr("<b>What changed</b>"), panel));
    layout->addWidget(m_historyScrubber, 1);
    m_window->addPanel(panel, historyPanelTitle());
}

QString Dashboard::historyPanelTitle()
{
    return tr("History");
}

void Dashboard::pruneHistory()
{
    if (!m_historyPruner)
        return;
    const int days
        = QSettings()
              .value(QStringLiteral("history/retentionDays"), HistoryPruner::DefaultRetentionDays)
              .toInt();
    m_historyPruner->pruneInBackground(
        HistoryPruner::cutoffForDays(std::max(1, days)), [](const Result<qint64> &pruned) {
            if (!pruned)
                qWarning("history retention: %s", qPrintable(pruned.error().toString()));
        });
}

void Dashboard::clearViews()
{
    m_coalescer->discardPending();
    for (const QString &table : HiveModels::tables())
        m_models->clearShape(table);
    m_models->shapeStatuses()->clear();
    m_unreachable->hide();
}

void Dashboard::updateSyncDock()
{
    const ShapeStatusModel *statuses = m_models->shapeStatuses();
    bool allLive = !m_profile.tables().isEmpty();
    bool trouble = false;
    for (const QString &table : m_profile.tables()) {
        const ShapeStatus status = statuses->status(table);
        allLive = allLive && status.state == ShapeStatus::State::Live;
        trouble = trouble || status.state == ShapeStatus::State::BackingOff
            || status.state == ShapeStatus::State::Failed
            || status.problem != ShapeStatus::Problem::None;
    }
    // On the change only: a user who opens the dock while all is live keeps it open.
    if (trouble && !m_syncTrouble)
        m_syncDock->show();
    else if (allLive && !m_syncAllLive)
        m_syncDock->hide();
    m_syncTrouble = trouble;
    m_syncAllLive = allLive;
}

void Dashboard::onStatus(const ShapeStatus &status)
{
    updateSyncDock();
    if (status.state == ShapeStatus::State::Live || status.lastSyncedAt.isValid()
        || isOwnProblem(status)) {
        m_anyShapeThrough = true;
        m_unreachable->hide();
    }
    // A shape's own problem (sign-in, not served) shows on its row only.
    if (status.state == ShapeStatus::State::Failed && !isOwnProblem(status))
        m_window->showMessage(tr("%1: %2").arg(status.shapeName, status.errorText));
    const bool unreachable = status.state == ShapeStatus::State::BackingOff
        || (status.state == ShapeStatus::State::Failed && !isOwnProblem(status));
    if (unreachable && !m_anyShapeThrough && !m_profile.demo && !m_profile.name.isEmpty()) {
        m_unreachableText->setText(
            tr("%1 cannot be reached: %2").arg(m_profile.name, status.errorText));
        m_unreachable->show();
    }
}

void Dashboard::start(const ConnectionSettings &settings, bool secretKnown)
{
    ConnectionProfile profile = ConnectionProfile::fromConnection(settings, m_profile.name);
    if (secretKnown && profile.sources.constFirst().secret.isEmpty())
        profile.sources.first().auth = ProfileSource::Auth::None;
    start(profile);
}

void Dashboard::start(const ConnectionProfile &profile)
{
    if (!profile.isComplete()) {
        m_window->showMessage(tr("Not connected: choose File → Connect… (Ctrl+K)"), 0);
        return;
    }
    // Secrets not given (environment, dialog) come from the keychain, one source at a time.
    auto pending = std::make_shared<ConnectionProfile>(profile);
    auto next = std::make_shared<std::function<void(int)>>();
    *next = [this, pending, next](int index) {
        while (index < pending->sources.size()
               && (!pending->sources.at(index).needsSecret()
                   || !pending->sources.at(index).secret.isEmpty()))
            ++index;
        if (index >= pending->sources.size()) {
            connectTo(*pending);
            *next = nullptr; // breaks the cycle
            return;
        }
        const QString key = pending->sources.at(index).secretKey();
        m_secrets->read(key, [pending, next, index, key](bool ok, const QString &secretOrError) {
            if (ok)
                pending->sources[index].secret = secretOrError;
            else
                qCInfo(lcUi) << "no stored secret for" << key << ":" << secretOrError;
            if (*next)
                (*next)(index + 1);
        });
    };
    (*next)(0);
}

void Dashboard::connectTo(const ConnectionSettings &settings)
{
    ConnectionProfile profile = ConnectionProfile::fromConnection(settings, m_profile.name);
    profile.storePath = m_storePath;
    profile.demo = m_profile.demo;
    connectTo(profile);
}

void Dashboard::connectTo(const ConnectionProfile &requested)
{
    ConnectionProfile profile = requested;
    if (profile.storePath.isEmpty())
        profile.storePath = m_storePath;
    const bool otherHive = !m_profile.tables().isEmpty()
        && (profile.name != m_profile.name || profile.demo != m_profile.demo);
    if (otherHive || profile.storePath != m_storePath) {
        useStore(profile.storePath);
    } else {
        for (const QString &shape : m_profile.tables()) {
            if (!profile.tableSources.contains(shape)) {
                m_shapes->removeShape(shape);
                m_models->clearShape(shape);
            }
        }
    }
    m_profile = profile;
    m_problems->setProfile(profile.demo ? demoProfileName() : profile.name);
    m_anyShapeThrough = false;
    m_unreachable->hide();
    auto startShapes = [this, profile] {
        for (const QString &table : profile.tables()) {
            const ProfileSource *source = profile.sourceFor(table);
            ShapeDefinition definition;
            definition.name = table;
            definition.table = table;
            m_models->shapeStatuses()->setSourceName(table, source->name);
            m_shapes->addShape(definition, source->endpointFor(table));
        }
    };
    if (!deferUntilPainted(startShapes))
        startShapes();
    m_banner->setVisible(profile.demo);
    const QString where = profile.demo ? demoProfileName()
        : profile.name.isEmpty()
        ? profile.sources.value(0).url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)
        : profile.name;
    m_window->setWindowTitle(tr("Hivewatch — %1").arg(where));
    refreshSwitcher();
}

void Dashboard::showStored(const ConnectionProfile &requested)
{
    ConnectionProfile profile = requested;
    if (profile.storePath.isEmpty())
        profile.storePath = m_storePath;
    if (profile.storePath != m_storePath || profile.name != m_profile.name)
        useStore(profile.storePath);
    m_profile = profile;
    m_problems->setProfile(profile.name);
    auto showShapes = [this, profile] {
        for (const QString &table : profile.tables()) {
            ShapeDefinition definition;
            definition.name = table;
            definition.table = table;
            m_shapes->showStoredShape(definition, profile.sourceFor(table)->endpointFor(table));
        }
    };
    if (!deferUntilPainted(showShapes))
        showShapes();
    m_banner->setVisible(false);
    m_window->setWindowTitle(tr("Hivewatch — %1 (offline)").arg(profile.name));
    m_window->showMessage(tr("Offline: showing what the local store holds. File → Connect… "
                             "(Ctrl+K) syncs."),
                          0);
    refreshSwitcher();
}

bool Dashboard::deferUntilPainted(std::function<void()> start)
{
    // The sync's start-up (seven requests, the store opened, the first answers parsed, and on
    // one machine the servers answering them) competes with the window's first paint for the
    // cores: that paint then waited 25-137 ms for one (docs/benchmarks.md, "Retakes at the end
    // of session 9"). A window never painted (hidden, or never exposed) must not hold the sync
    // back: unshown it starts at once, and a shown one at most a second later.
    if (m_waitedForPaint || m_window->hasPainted() || !m_window->isVisible())
        return false;
    const bool first = !m_afterFirstPaint;
    m_afterFirstPaint = std::move(start);
    if (first) {
        auto run = [this] {
            m_waitedForPaint = true;
            if (auto pending = std::exchange(m_afterFirstPaint, {}))
                pending();
        };
        connect(m_window, &MainWindow::firstPainted, this, run, Qt::SingleShotConnection);
        QTimer::singleShot(1000, this, run);
    }
    return true;
}

void Dashboard::refreshSwitcher()
{
    QSettings settings;
    m_switcher->clear();
    for (const QString &name : ProfileStore::names(settings))
        m_switcher->addItem(name, name);
    if (!m_profile.demo && !m_profile.name.isEmpty() && m_switcher->findData(m_profile.name) < 0)
        m_switcher->addItem(m_profile.name, m_profile.name); // unsaved: the command line's
    m_switcher->addItem(demoProfileName(), kDemoEntry);
    const int current = m_switcher->findData(m_profile.demo ? kDemoEntry : m_profile.name);
    m_switcher->setCurrentIndex(current);
}

void Dashboard::switchToProfile(const QString &name)
{
    QSettings settings;
    auto profile = ProfileStore::load(settings, name);
    if (!profile) {
        m_window->showMessage(tr("No saved profile \"%1\".").arg(name));
        refreshSwitcher();
        return;
    }
    ProfileStore::setCurrent(settings, name);
    if (profile->storePath.isEmpty())
        profile->storePath = ProfileStore::defaultStorePath(m_dataDir, name);
    start(*profile);
}

void Dashboard::editConnection()
{
    QSettings settings;
    QList<ConnectionProfile> saved;
    for (const QString &name : ProfileStore::names(settings)) {
        if (auto profile = ProfileStore::load(settings, name)) {
            if (profile->name == m_profile.name && !m_profile.demo)
                saved.append(m_profile); // with the secrets in use
            else
                saved.append(*profile);
        }
    }
    ConnectionDialog dialog(saved, m_profile, m_window);
    const bool accepted = dialog.exec() == QDialog::Accepted;
    // Deleting is immediate for the user, accepted or not; the hive on screen keeps syncing.
    for (const QString &name : dialog.deletedProfiles())
        ProfileStore::remove(settings, name);
    refreshSwitcher();
    if (!accepted)
        return;
    ConnectionProfile chosen = dialog.profile();
    if (chosen.storePath.isEmpty())
        chosen.storePath = ProfileStore::defaultStorePath(m_dataDir, chosen.name);
    ProfileStore::save(settings, chosen);
    ProfileStore::setCurrent(settings, chosen.name);
    if (dialog.rememberSecrets()) {
        for (const ProfileSource &source : std::as_const(chosen.sources)) {
            if (!source.needsSecret() || source.secret.isEmpty())
                continue;
            m_secrets->write(
                source.secretKey(), source.secret, [this](bool ok, const QString &error) {
                    if (!ok)
                        m_window->showMessage(tr("The secret is used for this session only: the "
                                                 "system keychain refused it (%1).")
                                                  .arg(error));
                });
        }
    }
    start(chosen);
}

void Dashboard::askForToken(const QString &shape)
{
    ProfileSource *source = nullptr;
    const QString sourceName = m_profile.tableSources.value(shape);
    source = m_profile.source(sourceName);
    if (!source)
        return;
    bool ok = false;
    const QString token = QInputDialog::getText(
        m_window, tr("Sign in"),
        tr("%1 refused the credentials for %2. New bearer token for %1:").arg(sourceName, shape),
        QLineEdit::Password, {}, &ok);
    if (!ok || token.isEmpty())
        return;
    if (source->auth != ProfileSource::Auth::Secret)
        source->auth = ProfileSource::Auth::Token;
    source->secret = token;
    // A saved hive remembers it, as the connection dialog would; the demo and a hive named on the
    // command line keep it for this session.
    QSettings settings;
    if (!m_profile.demo && ProfileStore::names(settings).contains(m_profile.name)) {
        m_secrets->write(source->secretKey(), token, [this](bool ok, const QString &error) {
            if (!ok)
                m_window->showMessage(tr("The token is used for this session only: the system "
                                         "keychain refused it (%1).")
                                          .arg(error));
        });
    }
    // Every shape of that source gets the new token; the others keep going untouched.
    for (const QString &table : m_profile.tables()) {
        if (m_profile.tableSources.value(table) != sourceName)
            continue;
        ShapeDefinition definition;
        definition.name = table;
        definition.table = table;
        m_shapes->addShape(definition, source->endpointFor(table));
    }
}

} // namespace hivewatch
