#include "models/hive/StderrShareCounter.h"

#include "models/ModelsLog.h"
#include "models/hive/AssignmentModel.h"
#include "sync/store/LogStore.h"

#include <QFileInfo>
#include <QUuid>

namespace hivewatch {

struct StderrShareCounter::Counting
{
    QString path;
    std::unique_ptr<LogStore> store;
    QHash<QUuid, LogTypeTally> counted; // running sums; lastId is where the next round starts
};

StderrShareCounter::StderrShareCounter(const AssignmentModel *assignments, QObject *parent)
    : QObject(parent)
    , m_assignments(assignments)
    , m_counting(std::make_shared<Counting>())
    , m_thread(QStringLiteral("stderr-share"))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &StderrShareCounter::refreshNow);
    // Assignment rows change only through batches (a clear is one too).
    connect(assignments, &KeyedTableModel::batchApplied, this, [this] { m_activeDirty = true; });
    m_thread.start();
}

StderrShareCounter::~StderrShareCounter()
{
    // The connection belongs to the worker: close it there, then join.
    m_thread.post([counting = m_counting] { counting->store.reset(); });
    m_thread.shutdown();
}

void StderrShareCounter::setStorePath(const QString &path)
{
    m_path = path;
    ++m_generation;
    if (!m_tallies.isEmpty()) {
        m_tallies.clear();
        emit talliesChanged();
    }
    scheduleRefresh();
}

void StderrShareCounter::scheduleRefresh()
{
    if (!m_timer.isActive())
        m_timer.start();
}

void StderrShareCounter::refreshNow()
{
    m_timer.stop();
    // Log batches ask for a round every second through a sync, and the assignments rarely
    // change meanwhile: walking 50k rows on the GUI thread for each round was wasted.
    if (m_activeDirty) {
        m_activeDirty = false;
        m_active.clear();
        for (int row = 0; row < m_assignments->rowCount(); ++row) {
            if (!m_assignments->field(row, AssignmentModel::FCompleted).toDateTime().isValid()) {
                const QUuid id(m_assignments->field(row, AssignmentModel::FId).toString());
                if (!id.isNull())
                    m_active.append(id);
            }
        }
    }
    const QList<QUuid> active = m_active;
    const quint64 generation = m_generation;
    m_thread.post([this, counting = m_counting, path = m_path, active, generation] {
        if (counting->path != path) {
            counting->store.reset();
            counting->counted.clear();
            counting->path = path;
        }
        QHash<QString, StderrTally> result;
        // A store not created yet has no lines to count: nothing to alert on, nothing to create.
        if (!path.isEmpty() && !counting->store && QFileInfo(path).size() > 0) {
            auto opened = LogStore::open(path, LogStore::Access::ReadOnly);
            if (opened)
                counting->store = std::move(opened.value());
            else
                qCWarning(lcModels)
                    << "stderr share: log store unavailable:" << opened.error().toString();
        }
        QHash<QUuid, LogTypeTally> kept;
        for (const QUuid &id : active) {
            LogTypeTally sum = counting->counted.value(id);
            if (counting->store) {
                auto more = counting->store->tallyStderr(id, sum.lastId);
                if (more) {
                    sum.lastId = more.value().lastId;
                    sum.lines += more.value().lines;
                    sum.stderrLines += more.value().stderrLines;
                } else {
                    qCWarning(lcModels)
                        << "stderr share: counting failed:" << more.error().toString();
                }
            }
            kept.insert(id, sum);
            result.insert(id.toString(QUuid::WithoutBraces), {sum.lines, sum.stderrLines});
        }
        // Executions that ended are forgotten, so the state stays as small as the running set.
        counting->counted = std::move(kept);
        QMetaObject::invokeMethod(
            this, [this, generation, result] { deliver(generation, result); },
            Qt::QueuedConnection);
    });
}

void StderrShareCounter::deliver(quint64 generation, const QHash<QString, StderrTally> &tallies)
{
    if (generation != m_generation || tallies == m_tallies)
        return;
    m_tallies = tallies;
    emit talliesChanged();
}

} // namespace hivewatch
