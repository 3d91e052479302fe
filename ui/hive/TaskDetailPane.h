#pragma once

#include <QDateTime>
#include <QList>
#include <QTimer>
#include <QUuid>
#include <QWidget>

class QGroupBox;
class QLabel;
class QPushButton;
class QTextBrowser;
class QUrl;

namespace hivewatch {

class HistoryScrubber;
class HistorySource;
class HiveModels;

// One task and everything the store knows about it: description, project, status history,
// assignments (node names link to the node, each has Open logs) and the latest progress events
// (PR and branch from their metadata as links). Links are handled here and turned into requests
// the app's navigation carries out; the pane follows live updates of the shown task.
class TaskDetailPane : public QWidget
{
    Q_OBJECT
public:
    // A step of the task's status history. Today the store knows only the row's own times
    // (created, last updated, deleted/archived); issue 17 adds the real history behind
    // statusHistory() without changing the pane.
    struct HistoryEntry
    {
        QDateTime at;
        QString text;
    };

    explicit TaskDetailPane(HiveModels *models, QWidget *parent = nullptr);

    void showTask(const QString &taskId);
    QString taskId() const { return m_taskId; }
    // The execution Open logs opens: the active assignment, else the most recent one.
    QString logsAssignmentId() const;
    QList<HistoryEntry> statusHistory() const;
    // The pane as plain text (tests, screenshots).
    QString text() const;
    QTextBrowser *browser() const { return m_browser; }
    QPushButton *openLogsButton() const { return m_openLogs; }
    // Adds the "as of" control: the task as it was at a time, and what changed between two.
    void setHistorySource(HistorySource *source);
    HistoryScrubber *asOfControl() const { return m_asOf; }

public slots:
    // hivewatch:node/<id>, hivewatch:logs/<assignment id>, hivewatch:task/<id>; other URLs
    // (a PR) open in the desktop's browser.
    void activateLink(const QUrl &url);
    void refresh();

signals:
    void openLogsRequested(const QUuid &executionId);
    void nodeRequested(const QString &nodeId);
    void taskRequested(const QString &taskId);

private:
    QString assignmentsHtml() const;
    QString eventsHtml(const QStringList &assignmentIds) const;

    HiveModels *m_models;
    QString m_taskId;
    QLabel *m_title;
    QTextBrowser *m_browser;
    QPushButton *m_openLogs;
    QTimer m_refreshTimer;
    HistoryScrubber *m_asOf = nullptr;
    QGroupBox *m_historyBox = nullptr;
};

} // namespace hivewatch
