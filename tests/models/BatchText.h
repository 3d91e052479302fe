#pragma once

#include "sync/shape/ShapeBatch.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QStringList>

using namespace hivewatch;

// Builds ShapeBatches from a compact text form, one change per line, the way the shape consumer
// would deliver them (updates carry the complete row: this keeps the table to merge them):
//
//   !reset                       the batch is a new snapshot
//   + t1 id=t1 title='Fix login' status=todo version=#1 caps={"os":"linux"} deleted_at=null
//   ~ t1 status=done             update: merged over the row as last seen
//   - t1                         delete
//
// Values: 'quoted text', #123 -> qlonglong, {json} or [json] -> QJsonValue, null -> SQL NULL,
// anything else -> text.
class BatchText
{
public:
    explicit BatchText(QString shapeName)
        : m_shapeName(std::move(shapeName))
    {
    }
    ShapeBatch batch(const QString &text);

private:
    QString m_shapeName;
    QHash<QString, QVariantHash> m_rows;
};

// The model printed back, one line per row, cells separated by " | " (DisplayRole).
QStringList modelText(const QAbstractItemModel *model, const QList<int> &columns = {});
