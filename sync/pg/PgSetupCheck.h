#pragma once

#include <QMetaType>
#include <QString>

namespace hivewatch {

// One line of the green/red checklist Verify produces.
struct PgSetupCheck
{
    QString key; // stable, for scripts: "wal_level", "role.replication", "table:public.nodes"
    QString title; // "wal_level is logical"
    bool ok = false;
    QString detail; // what was found
    QString fix; // what to do when red (empty when green)
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::PgSetupCheck)
