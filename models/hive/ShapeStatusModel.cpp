#include "models/hive/ShapeStatusModel.h"

#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

#include <algorithm>

namespace hivewatch {

ShapeStatusModel::ShapeStatusModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
    , m_now(m_clock())
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &ShapeStatusModel::refreshClock);
    m_timer.start();
}

int ShapeStatusModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_statuses.size());
}

int ShapeStatusModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void ShapeStatusModel::setStatus(const ShapeStatus &status)
{
    for (int row = 0; row < m_statuses.size(); ++row) {
        if (m_statuses.at(row).shapeName == status.shapeName) {
            m_statuses[row] = status;
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
            emit summaryChanged(summary());
            return;
        }
    }
    const int row = int(m_statuses.size());
    beginInsertRows({}, row, row);
    m_statuses.append(status);
    endInsertRows();
    emit summaryChanged(summary());
}

void ShapeStatusModel::removeShape(const QString &name)
{
    for (int row = 0; row < m_statuses.size(); ++row) {
        if (m_statuses.at(row).shapeName == name) {
            beginRemoveRows({}, row, row);
            m_statuses.removeAt(row);
            endRemoveRows();
            emit summaryChanged(summary());
            return;
        }
    }
}

void ShapeStatusModel::clear()
{
    beginResetModel();
    m_statuses.clear();
    m_sourceNames.clear();
    endResetModel();
    emit summaryChanged(summary());
}

void ShapeStatusModel::setSourceName(const QString &shape, const QString &source)
{
    m_sourceNames.insert(shape, source);
    for (int row = 0; row < m_statuses.size(); ++row) {
        if (m_statuses.at(row).shapeName == shape)
            emit dataChanged(index(row, State), index(row, State));
    }
}

ShapeStatus ShapeStatusModel::status(const QString &name) const
{
    for (const ShapeStatus &s : m_statuses) {
        if (s.shapeName == name)
            return s;
    }
    ShapeStatus unknown;
    unknown.shapeName = name;
    return unknown;
}

void ShapeStatusModel::setClock(std::function<QDateTime()> clock)
{
    m_clock = std::move(clock);
    refreshClock();
}

void ShapeStatusModel::refreshClock()
{
    m_now = m_clock();
    // Only retry countdowns move with the clock; other rows stay quiet.
    for (int row = 0; row < m_statuses.size(); ++row) {
        if (m_statuses.at(row).state == ShapeStatus::State::BackingOff)
            emit dataChanged(index(row, State), index(row, State), {Qt::DisplayRole});
    }
    emit summaryChanged(summary());
}

QString ShapeStatusModel::stateText(const ShapeStatus &status, const QDateTime &now)
{
    const QString rows = QLocale().toString(status.rowCount);
    switch (status.state) {
    case ShapeStatus::State::Idle:
        return tr("Idle");
    case ShapeStatus::State::Syncing:
        return status.lastSyncedAt.isValid() ? tr("Catching up")
                                             : tr("Initial sync… %1 rows so far").arg(rows);
    case ShapeStatus::State::Live:
        return tr("Live, up to date");
    case ShapeStatus::State::BackingOff: {
        const qint64 seconds = qMax<qint64>(0, now.secsTo(status.retryAt));
        return tr("Retrying in %1 s (attempt %2)").arg(seconds).arg(status.retryAttempt + 1);
    }
    case ShapeStatus::State::Failed:
        if (status.problem == ShapeStatus::Problem::SignInNeeded)
            return tr("Sign-in needed");
        if (status.problem == ShapeStatus::Problem::NotServed)
            return tr("Not served");
        return tr("Failed");
    }
    return {};
}

namespace {
bool isOwnProblem(const ShapeStatus &s)
{
    return s.problem == ShapeStatus::Problem::SignInNeeded
        || s.problem == ShapeStatus::Problem::NotServed;
}
} // namespace

QString ShapeStatusModel::stateTextOf(const ShapeStatus &status) const
{
    if (status.state == ShapeStatus::State::Failed
        && status.problem == ShapeStatus::Problem::NotServed) {
        const QString source = m_sourceNames.value(status.shapeName);
        return source.isEmpty() ? tr("Not served by its source")
                                : tr("Not served by %1").arg(source);
    }
    return stateText(status, m_now);
}

bool ShapeStatusModel::hasErrors() const
{
    return std::any_of(m_statuses.cbegin(), m_statuses.cend(), [](const ShapeStatus &s) {
        return !isOwnProblem(s)
            && (s.state == ShapeStatus::State::BackingOff || s.state == ShapeStatus::State::Failed);
    });
}

QString ShapeStatusModel::summary() const
{
    int live = 0;
    int problems = 0;
    int syncing = 0;
    int signIn = 0;
    int notServed = 0;
    for (const ShapeStatus &s : m_statuses) {
        live += s.state == ShapeStatus::State::Live;
        syncing += s.state == ShapeStatus::State::Syncing;
        if (s.state == ShapeStatus::State::Failed
            && s.problem == ShapeStatus::Problem::SignInNeeded)
            ++signIn;
        else if (s.state == ShapeStatus::State::Failed
                 && s.problem == ShapeStatus::Problem::NotServed)
            ++notServed;
        else
            problems += s.state == ShapeStatus::State::BackingOff
                || s.state == ShapeStatus::State::Failed;
    }
    if (m_statuses.isEmpty())
        return tr("Not connected");
    QString text = tr("%1 of %2 shapes live").arg(live).arg(m_statuses.size());
    if (syncing)
        text += tr(" · %1 syncing").arg(syncing);
    if (problems)
        text += tr(" · %1 with errors").arg(problems);
    if (signIn)
        text += tr(" · %1 needs sign-in").arg(signIn);
    if (notServed)
        text += tr(" · %1 not served").arg(notServed);
    return text;
}

QString ShapeStatusModel::warningText(const ShapeStatus &status)
{
    if (status.warningCount <= 0)
        return {};
    const QString count = status.warningCount == 1
        ? tr("1 warning")
        : tr("%1 warnings").arg(QLocale().toString(status.warningCount));
    return tr("%1, last: %2").arg(count, status.lastWarning);
}

QVariant ShapeStatusModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ShapeStatus &s = m_statuses.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Shape:
            return s.shapeName;
        case State:
            return stateTextOf(s);
        case Rows:
            return QLocale().toString(s.rowCount);
        case LastSync:
            return s.lastSyncedAt.isValid() ? HiveValues::displayTime(s.lastSyncedAt) : tr("never");
        case Error:
            // An error outranks warnings; the tooltip and the Problems dock keep both.
            return s.errorText.isEmpty() ? warningText(s) : s.errorText;
        }
        break;
    case Qt::ToolTipRole: {
        QString tip;
        if (s.state == ShapeStatus::State::Failed
            && s.problem == ShapeStatus::Problem::SignInNeeded)
            tip = tr("%1\nDouble-click to enter a new token.").arg(s.errorText);
        else if (!s.errorText.isEmpty())
            tip = s.errorText;
        else
            tip = tr("handle %1, offset %2").arg(s.handle, s.offset);
        if (s.warningCount > 0)
            tip += QLatin1Char('\n') + warningText(s);
        return tip;
    }
    case Qt::BackgroundRole:
        // One shape's own problem is a note on that row, not an alarm.
        if (s.state == ShapeStatus::State::Failed && isOwnProblem(s))
            return QBrush(QColor(225, 228, 240));
        if (s.state == ShapeStatus::State::Failed)
            return QBrush(QColor(255, 190, 190));
        if (s.state == ShapeStatus::State::BackingOff)
            return QBrush(QColor(255, 232, 179));
        if (s.state == ShapeStatus::State::Live && index.column() == State)
            return QBrush(QColor(200, 238, 200));
        break;
    case HiveRoles::SortRole:
        if (index.column() == Rows)
            return s.rowCount;
        if (index.column() == LastSync)
            return s.lastSyncedAt;
        return data(index, Qt::DisplayRole);
    case HiveRoles::StatusRole:
        return int(s.state);
    }
    return {};
}

QVariant ShapeStatusModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Shape:
        return tr("Shape");
    case State:
        return tr("State");
    case Rows:
        return tr("Rows");
    case LastSync:
        return tr("Last sync");
    case Error:
        return tr("Error");
    }
    return {};
}

} // namespace hivewatch
