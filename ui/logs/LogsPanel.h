#pragma once

#include <QUuid>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QSpinBox;
class QTableView;
class QTreeView;
class QToolButton;

namespace hivewatch {

struct LogSearchQuery;
class ExecutionListProxy;
class LogExecutionModel;
class LogHistogramStrip;
class LogLineDelegate;
class LogLineModel;
class LogModel;
class LogSearchResultsModel;

// The Logs panel: the executions in the local store on the left, the selected execution's lines
// on the right, one row per line of the execution (LogLineModel: the scroll bar spans the whole
// execution, `#` is the line number, pages are read for what is in view). Follow mode keeps the
// view at the newest line while lines arrive; it turns off when the user scrolls up and on again
// at the bottom. A jump field (Ctrl+G) goes to a line number or a time. The find field searches
// the execution (regex and case toggles, terms to leave out): hits are highlighted, F3 / Shift+F3
// and n / N step through them with a "k of n" counter, and "only matches" shows just the hits
// with ±N lines of context. Stream check boxes narrow the rows to the lines of the ticked streams,
// still numbered by their line in the execution; jumps and stepping work over what is shown. The
// panel reads only through models/ (no SQL here).
class LogsPanel : public QWidget
{
    Q_OBJECT
public:
    // `model` is shared with the app's wiring (which calls its notifyStoreChanged() or
    // applyShapeBatch()); the panel does not take ownership.
    explicit LogsPanel(LogModel *model, QWidget *parent = nullptr);
    ~LogsPanel() override;

    LogModel *model() const { return m_model; }
    // The shown execution's lines (of the ticked streams), what the lines view shows.
    LogLineModel *lineModel() const { return m_lineModel; }
    QLineEdit *jumpField() const { return m_jump; }
    QLineEdit *findField() const { return m_search; }
    QLineEdit *excludeField() const { return m_exclude; }
    QToolButton *regexButton() const { return m_regex; }
    QToolButton *caseButton() const { return m_case; }
    QCheckBox *matchesOnlyBox() const { return m_matchesOnly; }
    QSpinBox *contextBox() const { return m_context; }
    QLabel *hitCounter() const { return m_counter; }
    LogLineDelegate *lineDelegate() const { return m_delegate; }
    LogHistogramStrip *histogramStrip() const { return m_histogram; }
    // Searching every execution: the box that turns it on, and the grouped results.
    QCheckBox *allExecutionsBox() const { return m_allExecutions; }
    LogSearchResultsModel *searchResults() const { return m_results; }
    QTreeView *resultsView() const { return m_resultsView; }
    // Shows `lineNumber` (1-based) of an execution in context, as a click on a result does.
    void openLine(const QUuid &executionId, qint64 lineNumber);
    // The current line in full: every line of a multi-line entry, JSON pretty-printed.
    QPlainTextEdit *detailPane() const { return m_detail; }
    // Shows the line at `row` whole in the list (JSON pretty-printed), or one line again, as
    // Space, a double-click or its triangle do; a line with nothing more to show stays as it is.
    void toggleExpanded(int row);
    // "<execution id>:<line number>" of the current line, to the clipboard.
    void copyReference();
    // Moves to the next (or previous) hit after the current line, wrapping around.
    void stepHit(bool forward);
    // Goes to a line number ("1234") or the first line at or after a time ("14:05",
    // "2026-11-25 14:05:30"), as Enter in the jump field does.
    void jumpTo(const QString &target);
    QTableView *linesView() const { return m_lines; }
    QTableView *executionsView() const { return m_executions; }
    // The list's source (the app gives it the assignments that label executions) and the
    // sorted, filterable view of it the list shows.
    LogExecutionModel *executionModel() const { return m_executionModel; }
    ExecutionListProxy *executionProxy() const { return m_executionProxy; }
    QCheckBox *runningOnlyBox() const { return m_runningOnly; }
    // Selects an execution (as a click in the list would).
    void showExecution(const QUuid &executionId);

    // Export: the bar and its Cancel button, shown while an export runs, and the folder the
    // next export is offered in (remembered in QSettings under kExportFolderKey).
    QProgressBar *exportProgressBar() const { return m_exportProgress; }
    QToolButton *exportCancelButton() const { return m_exportCancel; }
    QToolButton *exportButton() const { return m_exportButton; }
    static QString exportFolder();
    static constexpr const char *kExportFolderKey = "logs/exportFolder";

public slots:
    void copySelection();
    // Writes what the view shows (the execution, its stream-filtered lines, or its "only
    // matches" lines) to `filePath` on the model's export thread; remembers the folder.
    void exportToFile(const QString &filePath);

private:
    void buildUi();
    void onExecutionsChanged();
    void onScroll(int value);
    void scrollToBottom();
    void applyStreamFilter();
    void updateStatus();
    void chooseExportFile();
    void selectExecution(const QUuid &executionId);
    void showLine(int row);
    void applySearch();
    LogSearchQuery fieldsQuery() const;
    void updateCounter();
    void tryPendingJump();
    void showDetail();

    LogModel *m_model;
    LogLineModel *m_lineModel;
    LogExecutionModel *m_executionModel;
    ExecutionListProxy *m_executionProxy;
    QCheckBox *m_runningOnly = nullptr;
    QTableView *m_executions = nullptr;
    QTableView *m_lines = nullptr;
    QList<QCheckBox *> m_streams;
    QLineEdit *m_search = nullptr;
    QLineEdit *m_jump = nullptr;
    QLineEdit *m_exclude = nullptr;
    QToolButton *m_regex = nullptr;
    QToolButton *m_case = nullptr;
    QCheckBox *m_matchesOnly = nullptr;
    QSpinBox *m_context = nullptr;
    QLabel *m_counter = nullptr;
    LogLineDelegate *m_delegate = nullptr;
    LogHistogramStrip *m_histogram = nullptr;
    LogSearchResultsModel *m_results = nullptr;
    QCheckBox *m_allExecutions = nullptr;
    QTreeView *m_resultsView = nullptr;
    QPlainTextEdit *m_detail = nullptr;
    QUuid m_pendingExecution; // a line to show once its execution is read (openLine)
    qint64 m_pendingLine = 0;
    QToolButton *m_follow = nullptr;
    QToolButton *m_exportButton = nullptr;
    QToolButton *m_exportCancel = nullptr;
    QProgressBar *m_exportProgress = nullptr;
    QString m_exportPath; // of the running export
    QLabel *m_status = nullptr;
    QLabel *m_emptyHint = nullptr;
    QString m_lastMessage;
    bool m_adjustingScroll = false;
};

} // namespace hivewatch
