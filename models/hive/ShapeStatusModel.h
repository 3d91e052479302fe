#pragma once

#include "ShapeStatus.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QTimer>
#include <functional>

// One row per synced shape: its state in words (initial sync with the rows so far, live and up to
// date, retrying with a countdown, failed with the reason), row count and last sync time.
class ShapeStatusModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Shape, State, Rows, LastSync, Error, ColumnCount };

    explicit ShapeStatusModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setStatus(const ShapeStatus &status);
    void removeShape(const QString &name);
    ShapeStatus status(const QString &name) const;
    // "3 of 4 shapes live · 1 retrying in 4 s"
    QString summary() const;
    static QString stateText(const ShapeStatus &status, const QDateTime &now);

    void setClock(std::function<QDateTime()> clock);
    void refreshClock();

signals:
    void summaryChanged(const QString &summary);

private:
    QList<ShapeStatus> m_statuses;
    std::function<QDateTime()> m_clock;
    QDateTime m_now;
    QTimer m_timer;
};
