#pragma once

#include "sync/pg/PgSetupCheck.h"

#include <QList>

namespace hivewatch {

struct PgSetupState;
struct PgSetupTarget;

// Verify: the state read back from pg_settings, pg_roles, pg_publication and
// pg_publication_tables, judged against the target. All green = Electric can sync the tables.
class PgSetupChecklist
{
public:
    static QList<PgSetupCheck> build(const PgSetupState &state, const PgSetupTarget &target);
    static bool allOk(const QList<PgSetupCheck> &checks);
};

} // namespace hivewatch
