#pragma once

#include <QList>
#include <QWidget>

class HiveFilterProxy;
class QLabel;
class QListView;
class TaskModel;

// One column per task status, in workflow order, plus an "Unknown status" column that appears
// as soon as a task carries a status outside the vocabulary (flagged, never hidden). Each column
// is a list view over its own sorted, status-filtered proxy of the tasks, so batches update the
// board with the same minimal signals as the table.
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
        HiveFilterProxy *proxy = nullptr;
    };
    void addColumn(const QString &status, const QString &label);
    void updateHeaders();
    const Column *column(const QString &status) const;

    TaskModel *m_tasks;
    QList<Column> m_columns;
    QListView *m_lastView = nullptr;
};
