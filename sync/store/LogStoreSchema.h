#pragma once

#include "domain/Result.h"

#include <QSqlDatabase>
#include <QString>

namespace hivewatch {

// The on-disk layout of a Hivewatch log store and how a file is recognised.
//
// A Hivewatch store carries PRAGMA application_id = kApplicationId and its schema version in
// PRAGMA user_version; migrations run in order, each in its own transaction. A node's db.sqlite
// has log_entries but not our application_id: it is read as it is and never migrated.
class LogStoreSchema
{
public:
    static constexpr int kApplicationId = 0x48697665; // "Hive"
    static constexpr int kCurrentVersion = 7;

    enum class Kind {
        Empty, // no tables at all: a new store
        Hivewatch, // our application_id
        NodeDatabase, // a node's db.sqlite: log_entries without our application_id
        Foreign, // some other SQLite database
    };

    static Result<Kind> detect(QSqlDatabase &db);
    // Brings a Hivewatch (or empty) store to kCurrentVersion.
    static Result<void> migrate(QSqlDatabase &db, const QString &path);
    // Whether log_entries has a source_id column (false for a node's database).
    static Result<bool> hasSourceId(QSqlDatabase &db);
};

} // namespace hivewatch
