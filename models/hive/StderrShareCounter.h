#pragma once

#include "sync/common/WorkerThread.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUuid>

#include <memory>

namespace hivewatch {

class AssignmentModel;

struct StderrTally
{
    qint64 lines = 0;
    qint64 stderrLines = 0;
    bool operator==(const StderrTally &) const = default;
};

// Counts the stderr lines of each active assignment's execution in the local log store, for
// AlertModel's stderr-share rule. The counting runs on a thread of its own with its own
// read-only connection (never the GUI thread), at most once a second however fast log batches
// arrive, and each round reads only the lines added since the last (LogStore::tallyStderr).
class StderrShareCounter : public QObject
{
    Q_OBJECT
public:
    explicit StderrShareCounter(const AssignmentModel *assignments, QObject *parent = nullptr);
    ~StderrShareCounter() override;

    // The store to count in; an empty path stops counting (tallies become empty).
    void setStorePath(const QString &path);
    // By execution (= assignment) id, for the assignments that were active when counted.
    const QHash<QString, StderrTally> &tallies() const { return m_tallies; }
    void setInterval(int milliseconds) { m_timer.setInterval(milliseconds); }

public slots:
    // New log lines or a changed set of active assignments: count again soon.
    void scheduleRefresh();
    void refreshNow();

signals:
    void talliesChanged();

private:
    struct Counting; // the worker thread's state
    void deliver(quint64 generation, const QHash<QString, StderrTally> &tallies);

    const AssignmentModel *m_assignments;
    QString m_path;
    quint64 m_generation = 0; // bumped by setStorePath: answers for an older store are dropped
    QHash<QString, StderrTally> m_tallies;
    QList<QUuid> m_active; // uncompleted assignments at the last batch, for the next round
    bool m_activeDirty = true;
    QTimer m_timer;
    std::shared_ptr<Counting> m_counting;
    WorkerThread m_thread; // last: joined before the rest goes
};

} // namespace hivewatch
