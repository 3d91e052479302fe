#include "sync/pg/PgSetupChecklist.h"

#include "sync/pg/PgSetupState.h"
#include "sync/pg/PgSetupTarget.h"

#include <QStringList>

namespace hivewatch {

namespace {

const QString kApply = QStringLiteral("Apply the setup plan");

PgSetupCheck check(const QString &key, const QString &title, bool ok, const QString &detail,
                   const QString &fix = kApply)
{
    return PgSetupCheck {key, title, ok, detail, ok ? QString() : fix};
}

QString yesNo(bool value)
{
    return value ? QStringLiteral("yes") : QStringLiteral("no");
}

} // namespace

QList<PgSetupCheck> PgSetupChecklist::build(const PgSetupState &s, const PgSetupTarget &target)
{
    QList<PgSetupCheck> checks;
    const QString restart = QStringLiteral("then restart PostgreSQL (a reload is not enough)");
    checks.append(check(QStringLiteral("server.version"), QStringLiteral("PostgreSQL 14 or newer"),
                        s.serverVersionNumber >= 140000, s.serverVersion,
                        QStringLiteral("Upgrade PostgreSQL to 14 or newer")));
    checks.append(check(QStringLiteral("wal_level"), QStringLiteral("wal_level is logical"),
                        s.walLevelOk(), QStringLiteral("wal_level = %1").arg(s.walLevel),
                        QStringLiteral("ALTER SYSTEM SET wal_level = logical; ") + restart));
    checks.append(check(QStringLiteral("max_replication_slots"),
                        QStringLiteral("Replication slots available"), s.maxReplicationSlots >= 1,
                        QStringLiteral("max_replication_slots = %1, %2 in use")
                            .arg(s.maxReplicationSlots)
                            .arg(s.replicationSlots.size()),
                        QStringLiteral("ALTER SYSTEM SET max_replication_slots = 10; ") + restart));
    checks.append(check(QStringLiteral("max_wal_senders"), QStringLiteral("WAL senders available"),
                        s.maxWalSenders >= 1,
                        QStringLiteral("max_wal_senders = %1").arg(s.maxWalSenders),
                        QStringLiteral("ALTER SYSTEM SET max_wal_senders = 10; ") + restart));

    checks.append(check(QStringLiteral("role.exists"), QStringLiteral("Role %1 exists").arg(s.role),
                        s.roleExists, yesNo(s.roleExists)));
    checks.append(check(QStringLiteral("role.login"),
                        QStringLiteral("Role %1 can log in").arg(s.role), s.roleLogin,
                        QStringLiteral("LOGIN: %1").arg(yesNo(s.roleLogin))));
    checks.append(check(QStringLiteral("role.replication"),
                        QStringLiteral("Role %1 has REPLICATION").arg(s.role), s.roleReplication,
                        QStringLiteral("REPLICATION: %1").arg(yesNo(s.roleReplication))));
    checks.append(
        check(QStringLiteral("role.connect"),
              QStringLiteral("CONNECT on database %1 granted to %2").arg(s.database, s.role),
              s.roleConnect, yesNo(s.roleConnect)));
    for (auto it = s.schemaUsage.cbegin(); it != s.schemaUsage.cend(); ++it) {
        checks.append(
            check(QStringLiteral("role.usage:") + it.key(),
                  QStringLiteral("USAGE on schema %1 granted to %2").arg(it.key(), s.role),
                  it.value(), yesNo(it.value())));
    }

    checks.append(check(QStringLiteral("publication.exists"),
                        QStringLiteral("Publication %1 exists").arg(s.publication),
                        s.publicationExists,
                        s.publicationExists ? QStringLiteral("owner %1").arg(s.publicationOwner)
                                            : QStringLiteral("missing")));
    checks.append(check(
        QStringLiteral("publication.not_all_tables"),
        QStringLiteral("Publication is not FOR ALL TABLES"), !s.publicationAllTables,
        s.publicationAllTables ? QStringLiteral("FOR ALL TABLES") : QStringLiteral("per table"),
        QStringLiteral("DROP PUBLICATION %1; then apply the plan").arg(s.publication)));
    QStringList ops;
    for (auto [on, name] :
         {std::pair {s.publishesInsert, "insert"}, std::pair {s.publishesUpdate, "update"},
          std::pair {s.publishesDelete, "delete"}, std::pair {s.publishesTruncate, "truncate"}}) {
        if (on)
            ops.append(QString::fromLatin1(name));
    }
    checks.append(check(QStringLiteral("publication.operations"),
                        QStringLiteral("Publishes insert, update, delete and truncate"),
                        s.publicationExists && s.publishesAllOperations(),
                        ops.isEmpty() ? QStringLiteral("none") : ops.join(QStringLiteral(", "))));
    checks.append(check(QStringLiteral("helper"),
                        QStringLiteral("Helper function electric_sync_table exists"),
                        s.helperFunctionExists, yesNo(s.helperFunctionExists)));

    for (const PgTableState &t : s.tables) {
        if (!t.chosen)
            continue;
        const QString name = t.table.display();
        if (!t.exists) {
            // A hive table missing from an older or newer schema is skipped, not an error.
            if (!target.skipMissingTables) {
                checks.append(check(QStringLiteral("table:") + name,
                                    QStringLiteral("Table %1 exists").arg(name), false,
                                    QStringLiteral("missing"),
                                    QStringLiteral("Create the table or remove it from the list")));
            }
            continue;
        }
        QStringList missing;
        if (!t.inPublication)
            missing.append(QStringLiteral("not in the publication"));
        if (t.replicaIdentity != 'f')
            missing.append(QStringLiteral("replica identity %1").arg(t.replicaIdentityName()));
        if (!t.selectGranted)
            missing.append(QStringLiteral("no SELECT for %1").arg(s.role));
        checks.append(check(
            QStringLiteral("table:") + name,
            QStringLiteral("%1 published, REPLICA IDENTITY FULL, SELECT granted").arg(name),
            missing.isEmpty(),
            missing.isEmpty() ? QStringLiteral("ready") : missing.join(QStringLiteral("; "))));
    }
    return checks;
}

bool PgSetupChecklist::allOk(const QList<PgSetupCheck> &checks)
{
    return std::all_of(checks.begin(), checks.end(), [](const PgSetupCheck &c) { return c.ok; });
}

} // namespace hivewatch
