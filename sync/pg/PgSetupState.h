#pragma once

#include "sync/pg/PgTableName.h"

#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

namespace hivewatch {

// One table as inspected: does it exist, is it published the way Electric needs.
struct PgTableState
{
    PgTableName table;
    bool exists = false;
    bool chosen = false; // part of the target (the tables to publish)
    bool inPublication = false;
    char replicaIdentity = 'd'; // pg_class.relreplident: d(efault), f(ull), n(othing), i(ndex)
    bool selectGranted = false; // SELECT for the Electric role

    QString replicaIdentityName() const; // "default", "full", "nothing", "index"
    bool ready() const
    {
        return exists && inPublication && replicaIdentity == 'f' && selectGranted;
    }
};

struct PgSlotState
{
    QString name;
    QString plugin;
    QString type; // logical / physical
    QString database;
    bool active = false;
    qint64 retainedWalBytes = -1; // -1 when the server cannot say (e.g. no restart_lsn)
};

// Everything Inspect learns, as a value: computed on a worker thread, shown on the GUI thread,
// printed by hivectl. Plan and the checklist are pure functions of it.
struct PgSetupState
{
    int serverVersionNumber = 0; // e.g. 150019
    QString serverVersion; // "15.19 (Debian 15.19-0+deb12u1)"
    QString database;
    QString currentUser;
    bool currentUserIsSuperuser = false;

    QString walLevel;
    int maxReplicationSlots = 0;
    int maxWalSenders = 0;

    QString role;
    bool roleExists = false;
    bool roleLogin = false;
    bool roleReplication = false;
    bool roleConnect = false; // an explicit CONNECT grant on this database
    QMap<QString, bool> schemaUsage; // explicit USAGE grant per schema that matters

    QString publication;
    bool publicationExists = false;
    bool publicationAllTables = false;
    QString publicationOwner;
    bool publishesInsert = false;
    bool publishesUpdate = false;
    bool publishesDelete = false;
    bool publishesTruncate = false;
    QList<PgTableName> publicationTables; // every table the publication holds

    bool helperFunctionExists = false; // public.electric_sync_table(text, text)

    // The chosen tables first (in target order), then every other user table of the database.
    QList<PgTableState> tables;
    QList<PgSlotState> replicationSlots;
    // Chosen tables that do not exist, named by the user (an error) or hive defaults (skipped).
    QList<PgTableName> missingTables;

    bool walLevelOk() const { return walLevel == QLatin1String("logical"); }
    bool publishesAllOperations() const
    {
        return publishesInsert && publishesUpdate && publishesDelete && publishesTruncate;
    }
    const PgTableState *findTable(const PgTableName &name) const
    {
        for (const PgTableState &t : tables) {
            if (t.table == name)
                return &t;
        }
        return nullptr;
    }
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::PgSetupState)
