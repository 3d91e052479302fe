#include "models/hive/ProblemsModel.h"

#include "models/hive/HiveValues.h"
#include "sync/shape/ShapeStatus.h"

#include <QLocale>

namespace hivewatch {

namespace {
// A shape whose every value fails typing differently must not grow the list without end.
constexpr qsizetype kMaxRows = 500;
} // namespace

ProblemsModel::ProblemsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

int ProblemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_problems.size());
}

int ProblemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Problem &p = m_problems.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time:
            return HiveValues::displayTime(p.at);
        case Shape:
            return p.shape;
        case Profile:
            return p.profile;
        case Text:
            return p.text;
        case Count:
            return QLocale().toString(p.count);
        }
        break;
    case Qt::ToolTipRole:
        return p.text;
    case ShapeRole:
        return p.shape;
    }
    return {};
}

QVariant ProblemsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time:
        return tr("Time");
    case Shape:
        return tr("Shape");
    case Profile:
        return tr("Profile");
    case Text:
        return tr("Problem");
    case Count:
        return tr("Count");
    }
    return {};
}

void ProblemsModel::setStatus(const ShapeStatus &status)
{
    qint64 &counted = m_counted[status.shapeName];
    // Fewer than before: the shape was restarted and counts from zero again.
    const qint64 fresh
        = status.warningCount >= counted ? status.warningCount - counted : status.warningCount;
    counted = status.warningCount;
    if (fresh > 0 && !status.lastWarning.isEmpty())
        add(status.shapeName, status.lastWarning, fresh, status.lastWarningAt);
}

void ProblemsModel::add(const QString &shape, const QString &text, qint64 count,
                        const QDateTime &at)
{
    const QDateTime when = at.isValid() ? at : QDateTime::currentDateTimeUtc();
    for (qsizetype row = 0; row < m_problems.size(); ++row) {
        Problem &p = m_problems[row];
        if (p.shape == shape && p.profile == m_profile && p.text == text) {
            p.count += count;
            p.at = when;
            emit dataChanged(index(int(row), 0), index(int(row), ColumnCount - 1));
            return;
        }
    }
    if (m_problems.size() >= kMaxRows) {
        beginRemoveRows({}, 0, 0);
        m_problems.removeFirst();
        endRemoveRows();
    }
    beginInsertRows({}, int(m_problems.size()), int(m_problems.size()));
    m_problems.append({when, shape, m_profile, text, count});
    endInsertRows();
}

void ProblemsModel::clear()
{
    beginResetModel();
    m_problems.clear();
    endResetModel();
}

} // namespace hivewatch
