#pragma once

#include "ShapeBatch.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

// Sits between the shape consumer's batches and the models on the GUI thread. Bursts of batches
// (a long initial sync, a storm of log lines) are merged per shape and handed on at most once per
// frame, so views repaint at most ~60 times a second however fast the network is. A reset drops
// whatever was queued for its shape before it. Order between shapes is kept per flush.
class BatchCoalescer : public QObject
{
    Q_OBJECT
public:
    explicit BatchCoalescer(QObject *parent = nullptr);

    void setInterval(int milliseconds);
    int pendingChanges() const;

public slots:
    void enqueue(const ShapeBatch &batch);
    void flush();

signals:
    void batchReady(const ShapeBatch &batch);

private:
    QHash<QString, ShapeBatch> m_pending;
    QStringList m_order;
    QTimer m_timer;
    QElapsedTimer m_sinceFlush;
};
