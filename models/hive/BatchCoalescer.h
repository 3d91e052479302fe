#pragma once

#include "sync/shape/ShapeBatch.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace hivewatch {

// Sits between the shape consumer's batches and the models on the GUI thread, so that however
// fast the network is the GUI stays responsive:
//  - bursts of batches are merged per shape and handed on at most once per frame (~60/s);
//  - a huge batch (an initial snapshot of 100k rows), or a burst merged into one, is handed on
//    in slices, one per frame (a reset becomes a reset with the first slice followed by
//    appends), sized to a time budget per frame when one is set; a spent budget also ends a
//    flush before the next shape, which then goes first a frame later;
//  - batches of shapes nobody here shows (execution logs, which the log views read from the
//    store) are not held, and every batch's memory is released on a pool thread: freeing a
//    million rows' values costs more than applying them.
// A reset drops whatever was queued for its shape before it.
class BatchCoalescer : public QObject
{
    Q_OBJECT
public:
    explicit BatchCoalescer(QObject *parent = nullptr);
    ~BatchCoalescer() override;

    void setInterval(int milliseconds);
    // The slice size without a budget, and with one until a shape's cost per change is known.
    void setMaxChangesPerFlush(int changes) { m_maxChanges = qMax(1, changes); }
    // With a budget, each shape's slices are sized from what its receivers took per change so
    // far, so that a frame's model updates stay near `milliseconds` on any machine (a slice of
    // 1,000 tasks took 10-35 ms through the table and the kanban columns here, an assignment
    // costs a fraction of a task). A flush gives each shape only what the shapes before it
    // left of the budget. 0 = fixed slices.
    void setFrameBudget(int milliseconds) { m_budgetMs = milliseconds; }
    int maxChangesPerFlush() const { return m_maxChanges; }
    // The slice `shapeName` would get from a whole frame's budget.
    qsizetype sliceSize(const QString &shapeName) const { return sliceSize(shapeName, m_budgetMs); }
    // Only these shapes are handed on (empty: all).
    void setAcceptedShapes(const QStringList &shapeNames);
    int pendingChanges() const;

public slots:
    void enqueue(const ShapeBatch &batch);
    void flush();
    // Forgets everything queued (the dashboard switched to another hive: none of it may show).
    void discardPending();

signals:
    void batchReady(const ShapeBatch &batch);
    // After the first slice of a sliced batch: `changes` more of `shapeName` follow.
    void largeBatchAhead(const QString &shapeName, qsizetype changes);

private:
    void schedule();
    void releaseLater(ShapeBatch batch);
    void releaseGraveyard();
    qsizetype sliceSize(const QString &shapeName, double budgetMs) const;
    void learnCost(const QString &shapeName, qsizetype changes, double elapsedMs);

    struct Pending
    {
        ShapeBatch batch;
        qsizetype handedOn = 0; // changes of batch already sent in earlier slices
    };
    QHash<QString, Pending> m_pending;
    QStringList m_order;
    QSet<QString> m_accepted;
    QList<ShapeBatch> m_graveyard;
    QHash<QString, double> m_msPerChange; // per shape, learnt from its slices
    int m_maxChanges = 1000;
    int m_budgetMs = 0;
    QTimer m_timer;
    QElapsedTimer m_sinceFlush;
};

} // namespace hivewatch
