#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QUuid>

namespace hivewatch {

class Dashboard;
class LogsPanel;
class MainWindow;

// `hivewatch --screenshot DIR`: waits until the window shows tasks, nodes and log lines, lets the
// hive move for a few seconds, saves a PNG of the Overview, Tasks, Nodes and Logs panels in DIR,
// prints what it saw and quits (exit status 1 when that did not happen within two minutes). Used
// for the README's screenshots and by the first-run test, which runs the real binary exactly as a
// newcomer would.
class FirstRunScreenshots : public QObject
{
    Q_OBJECT
public:
    FirstRunScreenshots(MainWindow *window, Dashboard *dashboard, LogsPanel *logs, QString dir,
                        QObject *parent = nullptr);

private:
    void check();
    void waitForVisibleLines();
    void saveAndQuit();

    MainWindow *m_window;
    Dashboard *m_dashboard;
    LogsPanel *m_logs;
    QString m_dir;
    QTimer m_poll;
    QElapsedTimer m_elapsed;
    QUuid m_busiestExecution;
    qint64 m_busiestRows = 0;
    qint64 m_shownAfterMs = 0;
    qint64 m_logRowsWhenShown = 0;
};

} // namespace hivewatch
