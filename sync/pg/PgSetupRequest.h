#pragma once

#include "PgSetupTarget.h"

#include <QMetaType>
#include <QString>

// One run of the setup engine: where to connect, what the target is, how far to go.
struct PgSetupRequest
{
    enum class Action { Inspect, Plan, Apply, Verify };

    Action action = Action::Inspect;
    QString conninfo; // libpq conninfo or URI; empty = PG* environment and .pgpass
    QString password; // optional, from the keychain or a prompt; never logged
    PgSetupTarget target;

    static QString actionName(Action action);
};

Q_DECLARE_METATYPE(PgSetupRequest)
