#pragma once

#include "domain/Result.h"
#include "sync/pg/PgSetupState.h"
#include "sync/pg/PgSetupTarget.h"

namespace hivewatch {

class PgConnection;

// Reads, without changing anything, what docs/hive-schema.md §1.11 needs from a database: server
// settings, the Electric role and its grants, the publication and its tables, replica identity
// and SELECT per table, replication slots, the helper function. Catalog names are compared
// exactly (bound parameters), so mixed-case and odd names are found as they are.
class PgSetupInspector
{
public:
    explicit PgSetupInspector(PgConnection &connection);

    Result<PgSetupState> inspect(const PgSetupTarget &target);

private:
    Result<void> inspectServer(PgSetupState &state);
    Result<void> inspectRole(PgSetupState &state, const PgSetupTarget &target);
    Result<void> inspectPublication(PgSetupState &state);
    Result<void> inspectTables(PgSetupState &state, const PgSetupTarget &target);
    Result<void> inspectSlots(PgSetupState &state);
    Result<void> inspectHelper(PgSetupState &state);

    PgConnection &m_connection;
    QString m_roleOid; // null QString when the role does not exist (binds SQL NULL)
};

} // namespace hivewatch
