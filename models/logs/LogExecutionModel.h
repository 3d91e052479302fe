#pragma once

#include "sync/store/LogStore.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QPointer>

namespace hivewatch {

class AssignmentModel;

// The executions in a log store (from LogModel::executionsChanged), most recent first. Updates
// keep rows in place so a view's selection survives live refreshes (ExecutionListProxy orders
// them for the view). With an AssignmentModel an execution is labelled by what it is: at the
// Electric migration point an execution's lines carry their assignment's id (hive-schema §1.7),
// so "task title · node · status · duration"; an id it cannot resolve stays an id.
class LogExecutionModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { ExecutionColumn, RowsColumn, LastLineColumn, ColumnCount };
    enum Role {
        ExecutionIdRole = Qt::UserRole + 1,
        RunningRole, // bool: its assignment is running (not completed)
        LastActivityRole, // QDateTime: the later of its last line and its assignment's changes
    };

    explicit LogExecutionModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    QUuid executionAt(int row) const;
    int rowOf(const QUuid &executionId) const;
    void setAssignmentModel(const AssignmentModel *assignments);
    // "Fix login · alpha · Running · 4 min" (or the id's prefix when no assignment is known).
    QString label(int row) const;
    bool isRunning(int row) const;
    // The list's order in one number, larger first: running ones above the rest, then by last
    // activity. Kept per row until the row or the assignments change: sorting 50k executions
    // asks for it ~16 times per row.
    qint64 sortKey(int row) const;

    // Rows announced but not yet inserted (a large fill goes in slices, see setExecutions).
    bool isFilling() const { return !m_fill.isEmpty() || !m_fillSource.isEmpty(); }

public slots:
    void setExecutions(const QList<ExecutionSummary> &executions);

signals:
    // A sliced fill has inserted its last slice.
    void fillFinished();

private:
    // A new execution waiting for its slice: its time, id text and sort key are worked out a
    // slice at a time too, since for 50k executions each of those alone costs a GUI tick.
    struct Pending
    {
        ExecutionSummary summary;
        qint64 lastLineMs = 0;
        QString idText;
        qint64 key = 0;
        quint64 keyGeneration = 0; // m_keysGeneration + 1 when the key was worked out; 0: none
        bool gone = false; // a later refresh no longer lists it
        bool inserted = false; // its slice went in (or, gone, was passed)
    };

    qint64 keyFor(qint64 lastLineMs, const QString &idText) const;
    void queueFillStep();
    void fillStep();
    void insertOnTop(const QList<ExecutionSummary> &added);
    void addToFill(const ExecutionSummary &summary);
    void takeFillSource(qsizetype count);
    int assignmentRow(int row) const;
    int assignmentRowOf(const QString &idText) const;
    QDateTime lastActivity(int row) const;
    qint64
    lastActivityMs(int row) const; // kNoTime when neither the line nor the assignment has one
    qint64 activityMs(qint64 lastLineMs, int assignment) const;

    void reindex();

    QList<ExecutionSummary> m_rows;
    // Per row, its last line's time parsed once (ms since the epoch, UTC): the list's proxy
    // sorts by it. Integers, not QDateTime: comparing or converting a QDateTime goes through
    // its time-zone machinery, which 50k rows pay for many times over in one sort.
    QList<qint64> m_lastLineMs;
    QStringList m_idText; // per row, the id as the assignments key it (sorting looks it up)
    mutable QList<qint64> m_sortKeys; // per row; kUnknownKey until asked for
    QHash<QUuid, int> m_rowOf;
    // A large fill in progress: the first m_fillPrepared of m_fill have their key, and once all
    // have, the waiting ones are ordered by it (m_fillOrder, m_fillSorted) so that each slice
    // lands after the rows before it in the list's order, one contiguous insert in the proxy;
    // m_fillOrder[m_fillDone..] wait.
    // The first fill's list as it came, taken into m_fill a slice a turn from m_fillSourceTaken.
    QList<ExecutionSummary> m_fillSource;
    qsizetype m_fillSourceTaken = 0;
    QList<Pending> m_fill;
    QHash<QUuid, qsizetype> m_fillOf;
    QList<qsizetype> m_fillOrder;
    qsizetype m_fillPrepared = 0;
    qsizetype m_fillDone = 0;
    bool m_fillSorted = false;
    bool m_fillStepQueued = false;
    quint64 m_keysGeneration = 0; // bumped when the assignments change every key
    // The app's models may go before the panel that shows this list.
    QPointer<const AssignmentModel> m_assignments;
};

} // namespace hivewatch
