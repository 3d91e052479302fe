#pragma once

#include <QUuid>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QTableView;
class QToolButton;

namespace hivewatch {

class ExecutionListProxy;
class LogExecutionModel;
class LogModel;

// The Logs panel: the executions in the local store on the left, the selected execution's lines
// on the right, paged lazily as the user scrolls (up: older pages, down: newer ones). Follow mode
// keeps the view at the newest line while lines arrive; it turns off when the user scrolls up and
// on again at the bottom. Stream check boxes and a search field filter the whole execution.
// The panel reads only through LogModel (no SQL here).
class LogsPanel : public QWidget
{
    Q_OBJECT
public:
    // `model` is shared with the app's wiring (which calls its notifyStoreChanged() or
    // applyShapeBatch()); the panel does not take ownership.
    explicit LogsPanel(LogModel *model, QWidget *parent = nullptr);

    LogModel *model() const { return m_model; }
    QTableView *linesView() const { return m_lines; }
    QTableView *executionsView() const { return m_executions; }
    // The list's source (the app gives it the assignments that label executions) and the
    // sorted, filterable view of it the list shows.
    LogExecutionModel *executionModel() const { return m_executionModel; }
    ExecutionListProxy *executionProxy() const { return m_executionProxy; }
    QCheckBox *runningOnlyBox() const { return m_runningOnly; }
    // Selects an execution (as a click in the list would).
    void showExecution(const QUuid &executionId);

public slots:
    void copySelection();
    void exportToFile(const QString &filePath);

private:
    void buildUi();
    void onExecutionsChanged();
    void onScroll(int value);
    void onRowsInserted(int first);
    void scrollToBottom();
    void applyPendingScroll();
    void applyStreamFilter();
    void updateStatus();
    void chooseExportFile();

    LogModel *m_model;
    LogExecutionModel *m_executionModel;
    ExecutionListProxy *m_executionProxy;
    QCheckBox *m_runningOnly = nullptr;
    QTableView *m_executions = nullptr;
    QTableView *m_lines = nullptr;
    QList<QCheckBox *> m_streams;
    QLineEdit *m_search = nullptr;
    QToolButton *m_follow = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_emptyHint = nullptr;
    QString m_lastMessage;
    bool m_adjustingScroll = false;
    int m_pendingScrollValue = -1; // where to scroll once the range allows it (older rows added)
};

} // namespace hivewatch
