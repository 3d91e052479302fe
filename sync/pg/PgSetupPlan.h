#pragma once

#include "domain/Result.h"
#include "sync/pg/PgSetupStep.h"

#include <QList>
#include <QMetaType>
#include <QStringList>

namespace hivewatch {

class PgConnection;
struct PgSetupState;
struct PgSetupTarget;

// The exact SQL that brings a database from an inspected state to the target of docs/hive-schema.md
// §1.11, and nothing more: a step appears only for what is missing, so a plan computed after a
// successful apply is empty. Each statement is also safe to run twice on its own (GRANT/ALTER
// are idempotent; CREATE and ADD TABLE are guarded by a catalog check in a DO block).
class PgSetupPlan
{
public:
    // Fails, naming the problem and the fix, when the target cannot be reached by SQL in one
    // transaction: a publication FOR ALL TABLES, or a table the user named that does not exist.
    static Result<PgSetupPlan> build(const PgSetupState &state, const PgSetupTarget &target,
                                     PgConnection &connection);

    const QList<PgSetupStep> &steps() const { return m_steps; }
    bool isEmpty() const { return m_steps.isEmpty(); }
    // Things SQL in a transaction cannot fix (wal_level needs a restart), with the fix; and
    // chosen hive tables that do not exist and are skipped.
    const QStringList &notes() const { return m_notes; }

    // The whole plan as one script users can read or run with psql (passwords masked).
    QString displayScript() const;

private:
    void add(const QString &title, const QString &sql, const QString &privilege,
             const QString &displaySql = {});

    QList<PgSetupStep> m_steps;
    QStringList m_notes;
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::PgSetupPlan)
