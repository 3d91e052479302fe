#pragma once

#include <QWidget>

class QTableView;

namespace hivewatch {

class ShapeStatusModel;

// The sync status area: one row per shape (state, rows, last sync, error and retry countdown).
// Double-clicking a shape that needs sign-in asks for a new token.
class SyncStatusPanel : public QWidget
{
    Q_OBJECT
public:
    explicit SyncStatusPanel(ShapeStatusModel *statuses, QWidget *parent = nullptr);
    QTableView *table() const { return m_table; }

signals:
    // The user asked to sign in again for a shape that needs it (double-click on its row).
    void signInRequested(const QString &shape);

private:
    QTableView *m_table;
};

} // namespace hivewatch
