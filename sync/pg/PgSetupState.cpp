#include "sync/pg/PgSetupState.h"

namespace hivewatch {

QString PgTableState::replicaIdentityName() const
{
    switch (replicaIdentity) {
    case 'f':
        return QStringLiteral("full");
    case 'n':
        return QStringLiteral("nothing");
    case 'i':
        return QStringLiteral("index");
    default:
        return QStringLiteral("default");
    }
}

} // namespace hivewatch
