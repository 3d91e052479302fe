#include "Dashboard.h"

#include "BatchCoalescer.h"
#include "ConnectionDialog.h"
#include "HiveModels.h"
#include "MainWindow.h"
#include "NodesPanel.h"
#include "SecretStore.h"
#include "ShapeClient.h"
#include "ShapeStatusModel.h"
#include "SyncStatusPanel.h"
#include "TasksPanel.h"
#include "UiLog.h"

#include <QAction>
#include <QMenu>
#include <QSettings>

namespace {
ShapeEndpoint endpointFor(const ConnectionSettings &settings, const QString &table)
{
    if (settings.mode == ConnectionSettings::Mode::Proxy) {
        QUrl url = settings.url;
        QString path = url.path();
        if (!path.endsWith(QLatin1Char('/')))
            path += QLatin1Char('/');
        url.setPath(path + table);
        return ShapeEndpoint::proxy(url, settings.secret);
    }
    return ShapeEndpoint::electric(settings.url, settings.secret);
}
} // namespace

Dashboard::Dashboard(MainWindow *window, const QString &storePath, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_models(new HiveModels(this))
    , m_coalescer(new BatchCoalescer(this))
    , m_shapes(new ShapeClient(storePath, this))
    , m_secrets(new SecretStore(QStringLiteral("hivewatch"), this))
    , m_tasksPanel(new TasksPanel(m_models->tasks()))
    , m_nodesPanel(
          new NodesPanel(m_models->nodes(), m_models->assignments(), m_models->progressEvents()))
    , m_syncPanel(new SyncStatusPanel(m_models->shapeStatuses()))
{
    registerShapeBatchMetaTypes();
    m_coalescer->setAcceptedShapes(HiveModels::tables());
    // A third of a 60 Hz frame for model updates leaves the rest for painting and input.
    m_coalescer->setFrameBudget(5);
    connect(m_shapes, &ShapeClient::batchReady, m_coalescer, &BatchCoalescer::enqueue);
    connect(m_coalescer, &BatchCoalescer::batchReady, m_models, &HiveModels::applyBatch);
    connect(m_coalescer, &BatchCoalescer::largeBatchAhead, m_models, &HiveModels::expectRows);
    connect(m_shapes, &ShapeClient::statusChanged, m_models->shapeStatuses(),
            &ShapeStatusModel::setStatus);
    connect(m_models->shapeStatuses(), &ShapeStatusModel::summaryChanged, window,
            &MainWindow::setStatusText);
    connect(m_shapes, &ShapeClient::statusChanged, this, [this](const ShapeStatus &status) {
        if (status.state == ShapeStatus::State::Failed)
            m_window->showMessage(tr("%1: %2").arg(status.shapeName, status.errorText));
    });

    window->addPanel(m_tasksPanel, tr("Tasks"));
    window->addPanel(m_nodesPanel, tr("Nodes"));
    window->addDock(m_syncPanel, tr("Sync status"), QStringLiteral("syncStatusDock"));
    window->setStatusText(m_models->shapeStatuses()->summary());

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
}

Dashboard::~Dashboard()
{
    // Join the worker before the models go: no batch may arrive into a half-destroyed window.
    m_shapes->stop();
}

void Dashboard::start(const ConnectionSettings &settings, bool secretKnown)
{
    if (!settings.isComplete()) {
        m_window->showMessage(tr("Not connected: choose File → Connect… (Ctrl+K)"), 0);
        return;
    }
    if (secretKnown) {
        connectTo(settings);
        return;
    }
    m_secrets->read(settings.secretKey(), [this, settings](bool ok, const QString &secretOrError) {
        ConnectionSettings withSecret = settings;
        if (ok)
            withSecret.secret = secretOrError;
        else
            qCInfo(lcUi) << "no stored secret for" << settings.url.toDisplayString() << ":"
                         << secretOrError;
        connectTo(withSecret);
    });
}

void Dashboard::connectTo(const ConnectionSettings &settings)
{
    const ConnectionSettings previous = std::exchange(m_connection, settings);
    for (const QString &shape : previous.shapes) {
        if (!settings.shapes.contains(shape)) {
            m_shapes->removeShape(shape);
            m_models->clearShape(shape);
        }
    }
    for (const QString &table : settings.shapes) {
        ShapeDefinition definition;
        definition.name = table;
        definition.table = table;
        m_shapes->addShape(definition, endpointFor(settings, table));
    }
    m_window->setWindowTitle(
        tr("Hivewatch — %1")
            .arg(settings.url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)));
}

void Dashboard::editConnection()
{
    ConnectionDialog dialog(m_connection, m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const ConnectionSettings chosen = dialog.settings();
    QSettings settings;
    chosen.save(settings);
    if (dialog.rememberSecret() && !chosen.secret.isEmpty()) {
        m_secrets->write(chosen.secretKey(), chosen.secret, [this](bool ok, const QString &error) {
            if (!ok)
                m_window->showMessage(tr("The secret is used for this session only: the system "
                                         "keychain refused it (%1).")
                                          .arg(error));
        });
    }
    connectTo(chosen);
}
