#include "models/hive/BatchCoalescer.h"

#include "models/ModelsLog.h"
#include "sync/common/ThreadPriority.h"

#include <QThreadPool>

#include <algorithm>

namespace hivewatch {

namespace {
// Bounds of a budgeted slice: below 100 a snapshot's slices would take many frames more for
// little; 20,000 cheap changes (progress events) still fit a frame here.
constexpr qsizetype kSmallestSlice = 100;
constexpr qsizetype kLargestSlice = 20000;
} // namespace

BatchCoalescer::BatchCoalescer(QObject *parent)
    : QObject(parent)
{
    // A member timer has no parent to name it in a profile of the GUI thread.
    m_timer.setObjectName(QStringLiteral("BatchCoalescer flush"));
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(16);
    connect(&m_timer, &QTimer::timeout, this, &BatchCoalescer::flush);
}

BatchCoalescer::~BatchCoalescer()
{
    releaseGraveyard();
}

void BatchCoalescer::setInterval(int milliseconds)
{
    m_timer.setInterval(milliseconds);
}

void BatchCoalescer::setAcceptedShapes(const QStringList &shapeNames)
{
    m_accepted = QSet<QString>(shapeNames.cbegin(), shapeNames.cend());
}

int BatchCoalescer::pendingChanges() const
{
    int n = 0;
    for (const Pending &pending : m_pending)
        n += int(pending.batch.changes.size() - pending.handedOn);
    return n;
}

void BatchCoalescer::enqueue(const ShapeBatch &batch)
{
    if (!m_accepted.isEmpty() && !m_accepted.contains(batch.shapeName)) {
        // Keep a reference until a later event-loop turn: the queued signal's own copy dies
        // right after this slot, and the last reference must not be dropped on this thread.
        releaseLater(batch);
        schedule();
        return;
    }
    auto it = m_pending.find(batch.shapeName);
    if (it == m_pending.end() || batch.reset) {
        if (it != m_pending.end())
            releaseLater(std::move(it->batch));
        m_pending.insert(batch.shapeName, {batch, 0});
        m_order.removeOne(batch.shapeName);
        m_order.append(batch.shapeName);
    } else {
        it->batch.changes.append(batch.changes);
        it->batch.handle = batch.handle;
        it->batch.offset = batch.offset;
        it->batch.receivedAt = batch.receivedAt;
        releaseLater(batch);
    }
    schedule();
}

void BatchCoalescer::schedule()
{
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
    releaseGraveyard();
    const QStringList order = std::exchange(m_order, {});
    QElapsedTimer flushing;
    flushing.start();
    qsizetype next = 0;
    bool again = false; // the same shape's next piece, in this flush
    while (next < order.size()) {
        // The budget bounds the whole flush, not only each shape's slice: seven shapes each
        // within it still held the GUI thread ~25 ms in one turn. The shapes not reached wait
        // a frame, first in line.
        const double spentMs = flushing.nsecsElapsed() / 1e6;
        if ((next > 0 || again) && m_budgetMs > 0 && spentMs > m_budgetMs) {
            m_order = order.mid(next) + m_order;
            break;
        }
        const QString &name = order.at(next);
        const auto found = m_pending.find(name);
        if (found == m_pending.end()) { // a receiver discarded it (another hive)
            again = false;
            ++next;
            continue;
        }
        Pending pending = std::move(*found);
        m_pending.erase(found);
        const qsizetype left = pending.batch.changes.size() - pending.handedOn;
        // With a budget a slice goes out in pieces of a quarter, the budget checked after each:
        // a slice that costs many times the shape's learnt cost (seen once in ~30 runs: 104 ms
        // for a 5 ms budget as the tasks arrived) overruns the frame by a piece, not by all of
        // it. The pieces continue while the budget lasts.
        const qsizetype slice = m_budgetMs > 0
            ? std::min(sliceSize(name, m_budgetMs - spentMs),
                       std::max(kSmallestSlice, sliceSize(name, m_budgetMs) / 4))
            : sliceSize(name, m_budgetMs - spentMs);
        const bool firstOfSlices = pending.handedOn == 0 && left > slice;
        ShapeBatch batch;
        if (left > slice || pending.handedOn > 0) {
            // The slice's rows are moved out, not copied: each is freed once its slice has been
            // applied rather than when the whole snapshot has (at 100k tasks the typed rows
            // cost more than the models' own copy), and copying the rest of a snapshot for
            // every slice made slicing quadratic.
            QList<RowChange> all = std::move(pending.batch.changes);
            batch = pending.batch;
            const qsizetype end = pending.handedOn + qMin(left, slice);
            batch.changes.reserve(end - pending.handedOn);
            // While the sync worker still holds the list (it drops its reference just after
            // the signal, but runs below the GUI thread), moving would first copy all of it:
            // 100k tasks cost ~30 ms of one flush. Copying the slice's changes only shares
            // their data; the slices after the worker lets go move again.
            if (all.isDetached()) {
                for (qsizetype i = pending.handedOn; i < end; ++i)
                    batch.changes.append(std::move(all[i]));
            } else {
                for (qsizetype i = pending.handedOn; i < end; ++i)
                    batch.changes.append(std::as_const(all).at(i));
            }
            pending.handedOn = end;
            pending.batch.changes = std::move(all);
        } else {
            batch = pending.batch;
        }
        again = pending.handedOn > 0 && pending.handedOn < pending.batch.changes.size();
        if (again) {
            // The rest stays first in line; only the first slice resets.
            pending.batch.reset = false;
            m_pending.insert(name, std::move(pending));
        } else {
            releaseLater(std::move(pending.batch));
        }
        QElapsedTimer applying;
        applying.start();
        emit batchReady(batch);
        const double appliedMs = applying.nsecsElapsed() / 1e6;
        // Rare and worth knowing: what the GUI thread was doing when it stalled.
        if (m_budgetMs > 0 && appliedMs > 50)
            qCInfo(lcModels).nospace()
                << "handing on " << batch.changes.size() << " changes of " << name << " took "
                << appliedMs << " ms of the GUI thread (expected from earlier slices: "
                << m_msPerChange.value(name) * batch.changes.size() << " ms)";
        learnCost(name, batch.changes.size(), appliedMs);
        if (firstOfSlices)
            emit largeBatchAhead(name, left - batch.changes.size());
        releaseLater(std::move(batch));
        if (again && m_budgetMs <= 0) { // fixed slices: one a flush, the rest next frame
            m_order.append(name);
            again = false;
        }
        if (!again)
            ++next;
    }
    if (!m_order.isEmpty() || !m_graveyard.isEmpty())
        m_timer.start(m_order.isEmpty() ? 100 : m_timer.interval());
}

qsizetype BatchCoalescer::sliceSize(const QString &shapeName, double budgetMs) const
{
    const double msPerChange = m_msPerChange.value(shapeName);
    if (m_budgetMs <= 0)
        return m_maxChanges;
    // A shape whose cost is not known yet starts with a probe: a first slice of 1000 of the
    // 100k tasks held the GUI thread 45-51 ms (docs/benchmarks.md, "Start-up and Qt's parallel
    // fills"); the probe's own cost sizes the next slice.
    if (msPerChange <= 0)
        return std::min<qsizetype>(m_maxChanges, kSmallestSlice);
    return std::clamp(qsizetype(std::max(budgetMs, 0.0) / msPerChange), kSmallestSlice,
                      kLargestSlice);
}

void BatchCoalescer::learnCost(const QString &shapeName, qsizetype changes, double elapsedMs)
{
    // A few changes say more about a receiver's fixed costs than about its cost per change.
    if (m_budgetMs <= 0 || changes < kSmallestSlice)
        return;
    const double measured = elapsedMs / double(changes);
    double &msPerChange = m_msPerChange[shapeName];
    // Quick to shrink, slow to grow: one slow slice sizes the next to it at once; a cheaper one
    // grows the next slice by a quarter at most, so one lucky slice does not make a long frame.
    if (msPerChange <= 0 || measured > msPerChange)
        msPerChange = measured;
    else
        msPerChange = std::max(measured, msPerChange * 0.8);
}

void BatchCoalescer::releaseLater(ShapeBatch batch)
{
    if (!batch.changes.isEmpty())
        m_graveyard.append(std::move(batch));
}

void BatchCoalescer::releaseGraveyard()
{
    if (m_graveyard.isEmpty())
        return;
    ThreadPriority::backgroundPool()->start([graveyard = std::exchange(m_graveyard, {})]() mutable {
        ThreadPriority::lowerCurrent(); // a pool thread: the GUI thread comes first
        graveyard.clear();
    });
}

void BatchCoalescer::discardPending()
{
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it)
        releaseLater(std::move(it->batch));
    m_pending.clear();
    m_order.clear();
}

} // namespace hivewatch
