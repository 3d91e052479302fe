#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QTableView;
class QToolButton;

namespace hivewatch {

class HiveFilterProxy;
class KanbanBoard;
class TaskModel;

// Tasks as a sortable table or as a kanban board (one column per status), sharing one search
// field and one "show deleted/archived" switch.
class TasksPanel : public QWidget
{
    Q_OBJECT
public:
    explicit TasksPanel(TaskModel *tasks, QWidget *parent = nullptr);

    void showTable();
    void showBoard();
    bool isShowingBoard() const;
    QTableView *table() const { return m_table; }
    KanbanBoard *board() const { return m_board; }
    HiveFilterProxy *proxy() const { return m_proxy; }
    void setSearchText(const QString &text);
    void setShowHidden(bool show);
    // Selects the task's row in the table (current and selected, scrolled to); false when the
    // filter or the hidden switch leaves it out.
    bool selectTask(const QString &taskId);

private:
    void updateCounts();

    TaskModel *m_tasks;
    HiveFilterProxy *m_proxy;
    QLineEdit *m_search;
    QCheckBox *m_showHidden;
    QLabel *m_counts;
    QToolButton *m_tableButton;
    QToolButton *m_boardButton;
    QStackedWidget *m_stack;
    QTableView *m_table;
    KanbanBoard *m_board;
};

} // namespace hivewatch
