#pragma once

#include "sync/pg/PgSetupTarget.h"

#include <QMetaType>
#include <QString>

namespace hivewatch {

// One run of the setup engine: where to connect, what the target is, how far to go.
struct PgSetupRequest
{
    enum class Action { Inspect, Plan, Apply, Verify };

    Action action = Action::Inspect;
    QString conninfo; // libpq conninfo or URI; empty = PG* environment and .pgpass
    QString password; // optional, from the keychain or a prompt; never logged
    PgSetupTarget target;
    // For Apply: the plan as the user saw it (PgSetupPlan::displayScript()). When set, Apply
    // runs only if the plan computed now is the same, so nothing runs that was not shown.
    QString expectedPlan;

    static QString actionName(Action action);
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::PgSetupRequest)
