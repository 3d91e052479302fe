#include "BatchCoalescer.h"

BatchCoalescer::BatchCoalescer(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(16);
    connect(&m_timer, &QTimer::timeout, this, &BatchCoalescer::flush);
}

void BatchCoalescer::setInterval(int milliseconds)
{
    m_timer.setInterval(milliseconds);
}

int BatchCoalescer::pendingChanges() const
{
    int n = 0;
    for (const ShapeBatch &batch : m_pending)
        n += int(batch.changes.size());
    return n;
}

void BatchCoalescer::enqueue(const ShapeBatch &batch)
{
    auto it = m_pending.find(batch.shapeName);
    if (it == m_pending.end() || batch.reset) {
        m_pending.insert(batch.shapeName, batch);
        m_order.removeOne(batch.shapeName);
        m_order.append(batch.shapeName);
    } else {
        it->changes.append(batch.changes);
        it->handle = batch.handle;
        it->offset = batch.offset;
        it->receivedAt = batch.receivedAt;
    }
    if (m_timer.isActive())
        return;
    // The first batch after a quiet spell goes out on the next event-loop turn; only bursts wait.
    const bool quiet = !m_sinceFlush.isValid() || m_sinceFlush.elapsed() >= m_timer.interval();
    m_timer.start(quiet ? 0 : m_timer.interval() - int(m_sinceFlush.elapsed()));
}

void BatchCoalescer::flush()
{
    m_timer.stop();
    m_sinceFlush.start();
    const QStringList order = std::exchange(m_order, {});
    QHash<QString, ShapeBatch> pending = std::exchange(m_pending, {});
    for (const QString &name : order)
        emit batchReady(pending.value(name));
}
