#pragma once

#include <QDateTime>
#include <QStyledItemDelegate>

#include <functional>

namespace hivewatch {

class TaskModel;

// A kanban card: a strip in the status's colour, the title, and a line of what an operator looks
// for at a glance: project, the node running it, age since the last update. Reads the task's row
// through the index's id, so it works over any proxy of the TaskModel.
class TaskCardDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit TaskCardDelegate(const TaskModel *tasks, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // "Hive dashboard · alpha · 3 h": the card's second line (tests, tooltips).
    QString detailLine(const QModelIndex &index) const;
    static QColor statusColour(const QString &canonicalStatus);
    // The clock the ages are read against; injectable for tests and screenshots.
    void setClock(std::function<QDateTime()> clock) { m_clock = std::move(clock); }

private:
    const TaskModel *m_tasks;
    std::function<QDateTime()> m_clock;
};

} // namespace hivewatch
