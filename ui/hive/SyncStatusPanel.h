#pragma once

#include <QWidget>

class QTableView;
class ShapeStatusModel;

// The sync status area: one row per shape (state, rows, last sync, error and retry countdown).
class SyncStatusPanel : public QWidget
{
    Q_OBJECT
public:
    explicit SyncStatusPanel(ShapeStatusModel *statuses, QWidget *parent = nullptr);
    QTableView *table() const { return m_table; }

private:
    QTableView *m_table;
};
