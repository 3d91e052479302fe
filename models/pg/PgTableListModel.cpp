#include "models/pg/PgTableListModel.h"

#include <QColor>

namespace hivewatch {

namespace {

QString yesNo(bool value)
{
    return value ? QStringLiteral("yes") : QStringLiteral("no");
}

} // namespace

bool PgTableListModel::isRow(const QModelIndex &index) const
{
    return index.isValid() && index.model() == this && index.row() < m_tables.size()
        && index.column() < ColumnCount;
}

PgTableListModel::PgTableListModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void PgTableListModel::setTables(const QList<PgTableState> &tables)
{
    beginResetModel();
    m_tables = tables;
    endResetModel();
}

QList<PgTableName> PgTableListModel::chosenTables() const
{
    QList<PgTableName> chosen;
    for (const PgTableState &t : m_tables) {
        if (t.chosen)
            chosen.append(t.table);
    }
    return chosen;
}

bool PgTableListModel::setChosen(const PgTableName &table, bool chosen)
{
    for (int row = 0; row < m_tables.size(); ++row) {
        if (m_tables[row].table == table)
            return setData(index(row, Publish), chosen ? Qt::Checked : Qt::Unchecked,
                           Qt::CheckStateRole);
    }
    return false;
}

int PgTableListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tables.size());
}

int PgTableListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PgTableListModel::data(const QModelIndex &index, int role) const
{
    if (!isRow(index))
        return {};
    const PgTableState &t = m_tables.at(index.row());
    if (role == Qt::CheckStateRole && index.column() == Publish)
        return t.chosen ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::ToolTipRole && !t.exists)
        return tr("This table does not exist in the database; it is skipped.");
    if (role == Qt::ForegroundRole && !t.exists)
        return QColor(Qt::gray);
    if (role == Qt::ForegroundRole && t.chosen) {
        const bool ok = (index.column() == InPublication && t.inPublication)
            || (index.column() == ReplicaIdentity && t.replicaIdentity == 'f')
            || (index.column() == SelectGranted && t.selectGranted);
        const bool bad = (index.column() == InPublication && !t.inPublication)
            || (index.column() == ReplicaIdentity && t.replicaIdentity != 'f')
            || (index.column() == SelectGranted && !t.selectGranted);
        if (ok)
            return QColor(0x1b, 0x7f, 0x37);
        if (bad)
            return QColor(0xb3, 0x26, 0x1e);
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Table:
        return t.table.display();
    case InPublication:
        return t.exists ? yesNo(t.inPublication) : QString();
    case ReplicaIdentity:
        return t.exists ? t.replicaIdentityName() : tr("missing");
    case SelectGranted:
        return t.exists ? yesNo(t.selectGranted) : QString();
    default:
        return {};
    }
}

bool PgTableListModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!isRow(index) || index.column() != Publish || role != Qt::CheckStateRole)
        return false;
    const bool chosen = value.toInt() == Qt::Checked;
    if (m_tables[index.row()].chosen == chosen)
        return true;
    m_tables[index.row()].chosen = chosen;
    emit dataChanged(index, this->index(index.row(), ColumnCount - 1));
    emit choiceChanged();
    return true;
}

Qt::ItemFlags PgTableListModel::flags(const QModelIndex &index) const
{
    if (!isRow(index))
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == Publish && m_tables.at(index.row()).exists)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

QVariant PgTableListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Publish:
        return tr("Publish");
    case Table:
        return tr("Table");
    case InPublication:
        return tr("In publication");
    case ReplicaIdentity:
        return tr("Replica identity");
    case SelectGranted:
        return tr("SELECT");
    default:
        return {};
    }
}

} // namespace hivewatch
