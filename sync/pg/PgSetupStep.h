#pragma once

#include <QMetaType>
#include <QString>

namespace hivewatch {

// One statement of a setup plan. `sql` runs; `displaySql` is what users and logs see (the same
// text, except that a role password is replaced by a placeholder).
struct PgSetupStep
{
    QString title; // "Add public.shared_tasks to publication electric_publication_default"
    QString sql;
    QString displaySql;
    QString privilege; // what the connected user needs for it, named in a permission error
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::PgSetupStep)
