#pragma once

#include <QList>
#include <QSet>
#include <QWidget>

class QToolButton;
class QComboBox;
class QHBoxLayout;
class QLabel;
class QListView;
class QPushButton;

namespace hivewatch {

class TaskBoardProxy;
class TaskCardDelegate;
class TaskModel;

// One column per task status, in workflow order, plus an "Unknown status" column that appears
// as soon as a task carries a status outside the vocabulary (flagged, never hidden). Each column
// is a list view over its own sorted, status-filtered proxy of the tasks, so batches update the
// board with the same minimal signals as the table. Tasks are cards (TaskCardDelegate). Done and
// Cancelled grow without end, so they show the last doneWindowHours() (QSettings, default 24 h)
// and an "N older" button that shows the rest of that column.
class KanbanBoard : public QWidget
{
    Q_OBJECT
public:
    explicit KanbanBoard(TaskModel *tasks, QWidget *parent = nullptr);

    void setFilterText(const QString &text);
    void setShowHidden(bool show);
    // For tests and screenshots: the titles shown in the column of `status` ("?" = unknown).
    QStringList columnTitles(const QString &status) const;
    QString columnHeader(const QString &status) const;
    bool isColumnVisible(const QString &status) const;
    // The column's list (tests, context menus); nullptr for an unknown status.
    QListView *columnView(const QString &status) const;
    // The task under the keyboard focus: the current card of the column last used.
    QString currentTaskId() const;
    TaskCardDelegate *cardDelegate() const { return m_cards; }

    int doneWindowHours() const { return m_windowHours; }
    // 0 shows every Done and Cancelled task. Saved in QSettings.
    void setDoneWindowHours(int hours);
    // Tasks of a windowed column (done, cancelled) hidden because they are older than the window.
    int olderCount(const QString &status) const;
    QPushButton *olderButton(const QString &status) const;
    // Shows the column's older tasks too (what the "N older" button does).
    void expandOlder(const QString &status);

    // The filter chips: only these projects / nodes running the task (empty: all), and which
    // status columns are shown.
    void setProjectFilter(const QSet<QString> &projectIds);
    void setNodeFilter(const QSet<QString> &nodeIds);
    void setStatusShown(const QString &status, bool shown);

signals:
    // Enter or double-click on a card.
    void taskActivated(const QString &taskId);

private:
    struct Column
    {
        QString status;
        QString label;
        QWidget *frame = nullptr;
        QLabel *header = nullptr;
        QListView *view = nullptr;
        TaskBoardProxy *proxy = nullptr;
        QToolButton *chip = nullptr; // shows or hides the column
        QPushButton *older = nullptr; // windowed columns only
        bool expanded = false;
    };
    void addColumn(const QString &status, const QString &label);
    void updateHeaders();
    void applyWindow();
    QToolButton *makeChooser(const QString &what, bool nodes);
    void updateChooser(QToolButton *chooser, const QString &what, int chosen);
    const Column *column(const QString &status) const;

    TaskModel *m_tasks;
    TaskCardDelegate *m_cards;
    QHBoxLayout *m_columnsLayout;
    QComboBox *m_window;
    QList<Column> m_columns;
    int m_windowHours = 24;
    QString m_filterText;
    QSet<QString> m_projects;
    QSet<QString> m_nodes;
    QToolButton *m_projectChip = nullptr;
    QToolButton *m_nodeChip = nullptr;
    bool m_showHidden = false;
    QListView *m_lastView = nullptr;
};

} // namespace hivewatch
