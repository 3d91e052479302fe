#pragma once

#include "ShapeBatch.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

// Sits between the shape consumer's batches and the models on the GUI thread, so that however
// fast the network is the GUI stays responsive:
//  - bursts of batches are merged per shape and handed on at most once per frame (~60/s);
//  - a huge batch (an initial snapshot of 100k rows) is handed on in slices of at most
//    maxChangesPerFlush() changes, one slice per frame (a reset becomes a reset with the first
//    slice followed by appends);
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
    void setMaxChangesPerFlush(int changes) { m_maxChanges = qMax(1, changes); }
    int maxChangesPerFlush() const { return m_maxChanges; }
    // Only these shapes are handed on (empty: all).
    void setAcceptedShapes(const QStringList &shapeNames);
    int pendingChanges() const;

public slots:
    void enqueue(const ShapeBatch &batch);
    void flush();

signals:
    void batchReady(const ShapeBatch &batch);

private:
    void schedule();
    void releaseLater(ShapeBatch batch);
    void releaseGraveyard();

    struct Pending
    {
        ShapeBatch batch;
        qsizetype handedOn = 0; // changes of batch already sent in earlier slices
    };
    QHash<QString, Pending> m_pending;
    QStringList m_order;
    QSet<QString> m_accepted;
    QList<ShapeBatch> m_graveyard;
    int m_maxChanges = 1000;
    QTimer m_timer;
    QElapsedTimer m_sinceFlush;
};
