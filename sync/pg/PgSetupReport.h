#pragma once

#include "domain/Error.h"
#include "sync/pg/PgSetupCheck.h"
#include "sync/pg/PgSetupPlan.h"
#include "sync/pg/PgSetupRequest.h"
#include "sync/pg/PgSetupState.h"

#include <QList>
#include <QMetaType>
#include <QStringList>

namespace hivewatch {

// Everything one run learned and did, as a value: what the GUI shows and hivectl prints.
struct PgSetupReport
{
    PgSetupRequest::Action action = PgSetupRequest::Action::Inspect;
    bool ok = false; // the action itself succeeded (connect, inspect, plan, apply)
    Error error; // when !ok: what failed, in words a user can act on
    QString server; // "user@host:port/db", no password
    bool hasState = false;
    PgSetupState state; // after apply: the state read back
    bool hasPlan = false;
    PgSetupPlan plan; // the plan computed from `state` (empty after a good apply)
    Error planError; // when the target cannot be planned (FOR ALL TABLES, …)
    int appliedSteps = 0;
    QList<PgSetupCheck> checks;
    QStringList log;

    bool verified() const; // every check green
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::PgSetupReport)
