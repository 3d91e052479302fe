#pragma once

#include "ConnectionSettings.h"

#include <QObject>

class BatchCoalescer;
class HiveModels;
class MainWindow;
class NodesPanel;
class SecretStore;
class ShapeClient;
class SyncStatusPanel;
class TasksPanel;

// The wiring of the live dashboard: one ShapeClient (worker thread) syncs the chosen shapes; its
// batches pass through a BatchCoalescer (at most one model update per shape per frame) into the
// hive models; statuses feed the sync status area and the status bar. Builds the Tasks and Nodes
// panels, the sync status dock and the Connect… action into the main window.
class Dashboard : public QObject
{
    Q_OBJECT
public:
    Dashboard(MainWindow *window, const QString &storePath, QObject *parent = nullptr);
    ~Dashboard() override;

    // Starts syncing; reads the secret from the keychain first unless `secretKnown`.
    void start(const ConnectionSettings &settings, bool secretKnown);
    // Syncs exactly settings.shapes from settings' endpoint (restarts shapes whose endpoint
    // changed, stops and empties the others).
    void connectTo(const ConnectionSettings &settings);
    // Opens the connection dialog; on accept saves the settings (secret to the keychain) and
    // reconnects.
    void editConnection();

    const ConnectionSettings &connection() const { return m_connection; }
    HiveModels *models() const { return m_models; }
    ShapeClient *shapeClient() const { return m_shapes; }
    BatchCoalescer *coalescer() const { return m_coalescer; }
    TasksPanel *tasksPanel() const { return m_tasksPanel; }
    NodesPanel *nodesPanel() const { return m_nodesPanel; }
    SyncStatusPanel *syncStatusPanel() const { return m_syncPanel; }

private:
    MainWindow *m_window;
    HiveModels *m_models;
    BatchCoalescer *m_coalescer;
    ShapeClient *m_shapes;
    SecretStore *m_secrets;
    TasksPanel *m_tasksPanel;
    NodesPanel *m_nodesPanel;
    SyncStatusPanel *m_syncPanel;
    ConnectionSettings m_connection;
};
