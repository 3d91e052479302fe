#pragma once

#include <QWidget>

class QPushButton;
class QTableView;

namespace hivewatch {

class ProblemsModel;

// The Problems dock: warnings that did not stop a shape (values that fail typing, resyncs), with
// when, where and how often. Double-clicking a row asks to show that shape's panel.
class ProblemsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ProblemsPanel(ProblemsModel *problems, QWidget *parent = nullptr);
    QTableView *table() const { return m_table; }

signals:
    void shapeActivated(const QString &shape);

private:
    QTableView *m_table;
};

} // namespace hivewatch
