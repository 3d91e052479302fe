#include "models/logs/LogExecutionModel.h"

#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveValues.h"

#include <QColor>
#include <QLocale>
#include <QSet>
#include <QTimeZone>

#include <algorithm>
#include <limits>

namespace hivewatch {

namespace {
constexpr qint64 kUnknownKey = std::numeric_limits<qint64>::min();
constexpr qint64 kNoTime = std::numeric_limits<qint64>::min();
// New executions beyond this many arrive in slices of it, one event-loop turn each: the first
// fill of 50k executions in one go held the GUI thread 200-300 ms, most of it in the proxy.
constexpr qsizetype kSlice = 2000;
} // namespace

LogExecutionModel::LogExecutionModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int LogExecutionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogExecutionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LogExecutionModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ExecutionSummary &s = m_rows.at(index.row());
    if (role == ExecutionIdRole)
        return s.executionId;
    if (role == RunningRole)
        return isRunning(index.row());
    if (role == LastActivityRole)
        return lastActivity(index.row());
    if (role == Qt::DecorationRole && index.column() == ExecutionColumn && isRunning(index.row()))
        return QColor(0x2e, 0xa0, 0x43); // the live badge
    if (role == Qt::ToolTipRole)
        return tr("%1\n%2\n%3 lines, %4 … %5 UTC")
            .arg(label(index.row()), s.executionId.toString(QUuid::WithoutBraces))
            .arg(s.rows)
            .arg(s.firstTimestamp, s.lastTimestamp);
    if (role == Qt::TextAlignmentRole && index.column() == RowsColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case ExecutionColumn:
        return label(index.row());
    case RowsColumn:
        return QLocale().toString(s.rows);
    case LastLineColumn:
        return s.lastTimestamp.left(19);
    }
    return {};
}

QVariant LogExecutionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ExecutionColumn:
        return tr("Execution");
    case RowsColumn:
        return tr("Lines");
    case LastLineColumn:
        return tr("Last line (UTC)");
    }
    return {};
}

void LogExecutionModel::setAssignmentModel(const AssignmentModel *assignments)
{
    m_assignments = assignments;
    // Throttled by AssignmentModel: after its batches and after task titles or node names changed.
    connect(assignments, &AssignmentModel::namesResolved, this, [this] {
        m_sortKeys.fill(kUnknownKey);
        ++m_keysGeneration;
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    });
}

qint64 LogExecutionModel::sortKey(int row) const
{
    qint64 &key = m_sortKeys[row];
    if (key == kUnknownKey)
        key = keyFor(m_lastLineMs.at(row), m_idText.at(row));
    return key;
}

qint64 LogExecutionModel::keyFor(qint64 lastLineMs, const QString &idText) const
{
    const int a = assignmentRowOf(idText);
    const qint64 last = activityMs(lastLineMs, a);
    qint64 key = last == kNoTime ? 0 : last;
    if (a >= 0 && m_assignments->field(a, AssignmentModel::FCompleted).isNull())
        key += qint64(1) << 60;
    return key;
}

int LogExecutionModel::assignmentRow(int row) const
{
    return assignmentRowOf(m_idText.at(row));
}

int LogExecutionModel::assignmentRowOf(const QString &idText) const
{
    if (!m_assignments)
        return -1;
    return m_assignments->rowForId(idText);
}

bool LogExecutionModel::isRunning(int row) const
{
    const int a = assignmentRow(row);
    return a >= 0 && m_assignments->field(a, AssignmentModel::FCompleted).isNull();
}

namespace {
int digits(QStringView text, qsizetype from, qsizetype count)
{
    if (from + count > text.size())
        return -1;
    int value = 0;
    for (qsizetype i = from; i < from + count; ++i) {
        if (!text[i].isDigit())
            return -1;
        value = value * 10 + (text[i].unicode() - u'0');
    }
    return value;
}

// "2026-12-06 08:57:01.123…" (or with a 'T') as ms since the epoch, read as UTC like before; an
// offset after the fraction is ignored as it was. By hand: QDateTime::fromString cost ~20 µs a
// value on the GUI thread, a second for the 50k executions of the list's first fill.
qint64 parseLastLine(QStringView text)
{
    const int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
    const int hour = digits(text, 11, 2), minute = digits(text, 14, 2),
              second = digits(text, 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || text[4] != u'-'
        || text[7] != u'-' || (text[10] != u' ' && text[10] != u'T') || text[13] != u':'
        || text[16] != u':' || hour > 23 || minute > 59 || second > 59)
        return kNoTime;
    const QDate date(year, month, day);
    if (!date.isValid())
        return kNoTime;
    int millis = 0;
    if (text.size() > 19 && text[19] == u'.') {
        int scale = 100;
        for (qsizetype i = 20; i < text.size() && i < 23 && text[i].isDigit(); ++i) {
            millis += (text[i].unicode() - u'0') * scale;
            scale /= 10;
        }
    }
    constexpr qint64 kUnixEpochJulianDay = 2440588;
    const qint64 days = date.toJulianDay() - kUnixEpochJulianDay;
    return ((days * 24 + hour) * 60 + minute) * 60000 + second * 1000 + millis;
}

bool sameSummary(const ExecutionSummary &a, const ExecutionSummary &b)
{
    return a.rows == b.rows && a.lastTimestamp == b.lastTimestamp
        && a.firstTimestamp == b.firstTimestamp;
}
} // namespace

qint64 LogExecutionModel::lastActivityMs(int row) const
{
    return activityMs(m_lastLineMs.at(row), assignmentRow(row));
}

qint64 LogExecutionModel::activityMs(qint64 lastLineMs, int a) const
{
    qint64 last = lastLineMs;
    if (a >= 0) {
        for (int f : {AssignmentModel::FStarted, AssignmentModel::FCompleted}) {
            const QVariant v = m_assignments->field(a, f);
            if (v.isNull())
                continue;
            const QDateTime t = v.toDateTime();
            if (t.isValid())
                last = std::max(last, t.toMSecsSinceEpoch());
        }
    }
    return last;
}

QDateTime LogExecutionModel::lastActivity(int row) const
{
    const qint64 last = lastActivityMs(row);
    return last == kNoTime ? QDateTime() : QDateTime::fromMSecsSinceEpoch(last, QTimeZone::utc());
}

QString LogExecutionModel::label(int row) const
{
    const QString id = m_rows.at(row).executionId.toString(QUuid::WithoutBraces);
    const int a = assignmentRow(row);
    if (a < 0)
        return id.left(8);
    const QVariant status = m_assignments->field(a, AssignmentModel::FStatus);
    QStringList parts = {m_assignments->taskTitle(a), m_assignments->nodeName(a),
                         HiveValues::assignmentStatus(status).label};
    const QDateTime started = m_assignments->field(a, AssignmentModel::FStarted).toDateTime();
    if (started.isValid()) {
        const QDateTime completed
            = m_assignments->field(a, AssignmentModel::FCompleted).toDateTime();
        const QDateTime end = completed.isValid() ? completed : QDateTime::currentDateTimeUtc();
        parts << HiveValues::displayAge(started.secsTo(end));
    }
    return parts.join(QStringLiteral(" · "));
}

QUuid LogExecutionModel::executionAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).executionId : QUuid();
}

int LogExecutionModel::rowOf(const QUuid &executionId) const
{
    return m_rowOf.value(executionId, -1);
}

void LogExecutionModel::reindex()
{
    m_rowOf.clear();
    m_rowOf.reserve(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i)
        m_rowOf.insert(m_rows.at(i).executionId, i);
}

void LogExecutionModel::setExecutions(const QList<ExecutionSummary> &executions)
{
    // The list is refreshed every 300 ms while logs sync, and a hive has tens of thousands of
    // executions: a scan per execution, or a dataChanged per row (each one re-sorted by the
    // list's proxy), held the GUI thread for seconds. Rows are found by a hash, and only the
    // rows whose summary changed are announced, in contiguous runs.
    if (m_rows.isEmpty() && m_fill.isEmpty() && m_fillSource.isEmpty()
        && executions.size() > kSlice) {
        // The first fill: all of it is new. Even a copy of each summary, or a hash of their ids,
        // cost 20-90 ms at 10k-50k executions (mostly fresh memory's page faults): the list is
        // kept as it came (shared, not copied) and taken in a slice at a time.
        m_fillSource = executions;
        queueFillStep();
        return;
    }
    takeFillSource(m_fillSource.size());
    QSet<QUuid> incoming;
    incoming.reserve(executions.size());
    for (const ExecutionSummary &s : executions)
        incoming.insert(s.executionId);
    int removed = 0;
    for (int last = int(m_rows.size()) - 1; last >= 0; --last) {
        if (incoming.contains(m_rows.at(last).executionId))
            continue;
        int first = last;
        while (first > 0 && !incoming.contains(m_rows.at(first - 1).executionId))
            --first;
        beginRemoveRows({}, first, last);
        m_rows.remove(first, last - first + 1);
        m_lastLineMs.remove(first, last - first + 1);
        m_idText.remove(first, last - first + 1);
        m_sortKeys.remove(first, last - first + 1);
        endRemoveRows();
        removed += last - first + 1;
        last = first;
    }
    if (removed > 0)
        reindex();
    for (Pending &p : m_fill) {
        if (!p.inserted)
            p.gone = !incoming.contains(p.summary.executionId);
    }
    // Known executions are updated in place, those still waiting for their slice where they
    // wait; new ones (the most recent) go on top, or into the fill when many or one is under way.
    QList<ExecutionSummary> added;
    QList<int> changed;
    for (const ExecutionSummary &s : executions) {
        const int row = rowOf(s.executionId);
        if (row >= 0) {
            if (!sameSummary(m_rows.at(row), s)) {
                m_rows[row] = s;
                m_lastLineMs[row] = parseLastLine(s.lastTimestamp);
                m_sortKeys[row] = kUnknownKey;
                changed.append(row);
            }
            continue;
        }
        const auto waiting = m_fillOf.constFind(s.executionId);
        if (waiting == m_fillOf.cend() || m_fill.at(*waiting).inserted) { // new, or dropped
            added.append(s);
            continue;
        }
        Pending &p = m_fill[*waiting];
        if (!sameSummary(p.summary, s)) {
            p.summary = s;
            // Its place in the fill's order may be off now: the proxy still puts it right.
            p.lastLineMs = parseLastLine(s.lastTimestamp);
            p.keyGeneration = 0;
        }
    }
    std::sort(changed.begin(), changed.end());
    for (qsizetype i = 0; i < changed.size();) {
        qsizetype end = i + 1;
        while (end < changed.size() && changed.at(end) == changed.at(end - 1) + 1)
            ++end;
        emit dataChanged(index(changed.at(i), 0), index(changed.at(end - 1), ColumnCount - 1));
        i = end;
    }
    if (added.isEmpty())
        return;
    if (m_fill.isEmpty() && added.size() <= kSlice) {
        insertOnTop(added);
        return;
    }
    m_fill.reserve(m_fill.size() + added.size());
    for (const ExecutionSummary &s : std::as_const(added))
        addToFill(s);
    m_fillSorted = false;
    queueFillStep();
}

void LogExecutionModel::insertOnTop(const QList<ExecutionSummary> &added)
{
    QList<ExecutionSummary> rows = added;
    QList<qint64> addedLines;
    QStringList addedIds;
    addedLines.reserve(rows.size());
    addedIds.reserve(rows.size());
    for (const ExecutionSummary &s : std::as_const(rows)) {
        addedLines.append(parseLastLine(s.lastTimestamp));
        addedIds.append(s.executionId.toString(QUuid::WithoutBraces));
    }
    beginInsertRows({}, 0, int(rows.size()) - 1);
    rows.append(m_rows);
    m_rows = std::move(rows);
    addedLines.append(m_lastLineMs);
    m_lastLineMs = std::move(addedLines);
    addedIds.append(m_idText);
    m_idText = std::move(addedIds);
    m_sortKeys.insert(0, m_rows.size() - m_sortKeys.size(), kUnknownKey);
    reindex();
    endInsertRows();
}

void LogExecutionModel::queueFillStep()
{
    if (m_fillStepQueued)
        return;
    m_fillStepQueued = true;
    QMetaObject::invokeMethod(this, &LogExecutionModel::fillStep, Qt::QueuedConnection);
}

void LogExecutionModel::addToFill(const ExecutionSummary &summary)
{
    m_fillOf.insert(summary.executionId, m_fill.size());
    Pending waiting;
    waiting.summary = summary;
    m_fill.append(std::move(waiting));
    m_fillSorted = false;
}

void LogExecutionModel::takeFillSource(qsizetype count)
{
    // A refresh during the first fill takes the rest at once: the refresh is compared with
    // everything known, shown or waiting.
    const qsizetype end = std::min(m_fillSource.size(), m_fillSourceTaken + count);
    if (end == m_fillSourceTaken)
        return;
    if (m_fill.isEmpty()) {
        // Sized once: each doubling of a 50k-entry hash rehashes it all in one turn.
        m_fill.reserve(m_fillSource.size());
        m_fillOf.reserve(m_fillSource.size());
    }
    for (qsizetype i = m_fillSourceTaken; i < end; ++i)
        addToFill(m_fillSource.at(i));
    m_fillSourceTaken = end;
    if (m_fillSourceTaken == m_fillSource.size()) {
        m_fillSource.clear();
        m_fillSourceTaken = 0;
    }
}

void LogExecutionModel::fillStep()
{
    // One slice of work a turn: first the waiting rows' times, ids and keys, then one sort of
    // them by key, then their inserts. Sorted, each slice belongs after every row before it, so
    // the proxy places it with a binary search per row and announces it as one block, instead
    // of re-mapping its whole list once per place a row lands.
    m_fillStepQueued = false;
    if (m_fill.isEmpty() && m_fillSource.isEmpty())
        return;
    if (!m_fillSource.isEmpty()) {
        takeFillSource(kSlice);
        queueFillStep();
        return;
    }
    if (m_fillPrepared < m_fill.size()) {
        const qsizetype end = std::min(m_fill.size(), m_fillPrepared + kSlice);
        for (qsizetype i = m_fillPrepared; i < end; ++i) {
            Pending &p = m_fill[i];
            p.lastLineMs = parseLastLine(p.summary.lastTimestamp);
            p.idText = p.summary.executionId.toString(QUuid::WithoutBraces);
            p.key = keyFor(p.lastLineMs, p.idText);
            p.keyGeneration = m_keysGeneration + 1;
        }
        m_fillPrepared = end;
        queueFillStep();
        return;
    }
    if (!m_fillSorted) {
        // Keys and positions, not the rows themselves: sorting 50k rows moved 6 MiB into fresh
        // memory, ~20 ms of page faults in one turn.
        QList<std::pair<qint64, qsizetype>> order;
        order.reserve(m_fill.size());
        for (qsizetype i = 0; i < m_fill.size(); ++i) {
            if (!m_fill.at(i).inserted)
                order.append({-m_fill.at(i).key, i});
        }
        std::sort(order.begin(), order.end());
        m_rowOf.reserve(m_rows.size() + order.size());
        m_fillOrder.clear();
        m_fillOrder.reserve(order.size());
        for (const auto &entry : std::as_const(order))
            m_fillOrder.append(entry.second);
        m_fillDone = 0;
        m_fillSorted = true;
        queueFillStep();
        return;
    }
    const qsizetype end = std::min(m_fillOrder.size(), m_fillDone + kSlice);
    qsizetype live = 0;
    for (qsizetype i = m_fillDone; i < end; ++i)
        live += m_fill.at(m_fillOrder.at(i)).gone ? 0 : 1;
    if (live > 0) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(live) - 1);
        for (qsizetype i = m_fillDone; i < end; ++i) {
            Pending &p = m_fill[m_fillOrder.at(i)];
            p.inserted = true;
            if (p.gone)
                continue;
            m_rowOf.insert(p.summary.executionId, int(m_rows.size()));
            m_rows.append(std::move(p.summary));
            m_lastLineMs.append(p.lastLineMs);
            m_idText.append(std::move(p.idText));
            m_sortKeys.append(p.keyGeneration == m_keysGeneration + 1 ? p.key : kUnknownKey);
        }
        endInsertRows();
    }
    m_fillDone = end;
    if (m_fillDone < m_fillOrder.size()) {
        queueFillStep();
        return;
    }
    m_fill.clear();
    m_fillOf.clear();
    m_fillOrder.clear();
    m_fillPrepared = 0;
    m_fillDone = 0;
    emit fillFinished();
}

} // namespace hivewatch
