#pragma once

#include "sync/pg/PgTableName.h"

#include <QList>
#include <QMetaType>
#include <QString>

namespace hivewatch {

// What "prepared for Electric" means for one database (docs/hive-schema.md §1.11): the role, its
// grants, the publication with the chosen tables at REPLICA IDENTITY FULL, the helper function.
struct PgSetupTarget
{
    QString role = QStringLiteral("electric_sync");
    QString publication = QStringLiteral("electric_publication_default");
    // Empty means the seven hive tables, those that exist.
    QList<PgTableName> tables;
    // When false, a missing table in `tables` is an error (the user named it); when true (the
    // hive default) a missing table is reported and skipped.
    bool skipMissingTables = true;
    // Also remove tables from the publication that are not in `tables` (a publication editor's
    // unchecked rows). Off by default: other consumers may rely on them.
    bool removeOtherTables = false;
    // Set only when the role is created. Never logged, never shown: the plan carries its hash.
    QString rolePassword;

    QList<PgTableName> chosenTables() const
    {
        return tables.isEmpty() ? PgTableName::hiveTables() : tables;
    }
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::PgSetupTarget)
