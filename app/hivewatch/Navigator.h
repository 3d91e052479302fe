#pragma once

#include "ui/NavigationHistory.h"

#include <QObject>
#include <QUuid>

class QAbstractItemView;
class QAction;

namespace hivewatch {

class HiveModels;
class LogsPanel;
class MainWindow;
class NodesPanel;
class TaskDetailPane;
class TasksPanel;

// Drill-down across the panels, k9s style: Enter or double-click (or the context menu) on a task
// in the table or the board opens its detail; on an assignment in Nodes it opens the execution's
// lines in Logs, on a progress event its task; node names in the detail select the node. Every
// jump is recorded in a browser-like history: Esc or Alt+Left goes back, Alt+Right forward.
class Navigator : public QObject
{
    Q_OBJECT
public:
    Navigator(MainWindow *window, HiveModels *models, TasksPanel *tasks, NodesPanel *nodes,
              LogsPanel *logs, TaskDetailPane *detail, QObject *parent = nullptr);

    NavigationHistory *history() const { return m_history; }
    // The panel titles the locations name (as the window's tabs show them).
    static QString tasksPanel();
    static QString taskPanel();
    static QString nodesPanel();
    static QString logsPanel();

public slots:
    void openTask(const QString &taskId);
    void openNode(const QString &nodeId);
    void openLogs(const QUuid &executionId);
    void openAssignmentTask(const QString &assignmentId);
    void back();
    void forward();

private:
    void go(const NavigationLocation &to);
    void apply(const NavigationLocation &location);
    NavigationLocation here() const;
    void addActions(QAbstractItemView *view, const QList<QAction *> &actions);

    MainWindow *m_window;
    HiveModels *m_models;
    TasksPanel *m_tasks;
    NodesPanel *m_nodes;
    LogsPanel *m_logs;
    TaskDetailPane *m_detail;
    NavigationHistory *m_history;
};

} // namespace hivewatch
