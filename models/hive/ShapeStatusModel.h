#pragma once

#include "sync/shape/ShapeStatus.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QTimer>
#include <functional>

namespace hivewatch {

// One row per synced shape: its state in words (initial sync with the rows so far, live and up to
// date, retrying with a countdown, failed with the reason, sign-in needed, not served by its
// source), row count and last sync time.
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
    // Forgets every shape (another hive is shown now).
    void clear();
    // The name of the source serving `shape`, for "Not served by <source>".
    void setSourceName(const QString &shape, const QString &source);
    ShapeStatus status(const QString &name) const;
    // "3 of 4 shapes live · 1 with errors · 1 needs sign-in". Shapes that need sign-in or are
    // not served concern that shape only: they are not counted as errors.
    QString summary() const;
    // True when some shape has an error that is not one shape's own problem (see summary()).
    bool hasErrors() const;
    static QString stateText(const ShapeStatus &status, const QDateTime &now);
    // "3 warnings, last: column `done`: …"; empty without warnings.
    static QString warningText(const ShapeStatus &status);

    void setClock(std::function<QDateTime()> clock);
    void refreshClock();

signals:
    void summaryChanged(const QString &summary);

private:
    QString stateTextOf(const ShapeStatus &status) const;

    QList<ShapeStatus> m_statuses;
    QHash<QString, QString> m_sourceNames;
    std::function<QDateTime()> m_clock;
    QDateTime m_now;
    QTimer m_timer;
};

} // namespace hivewatch
