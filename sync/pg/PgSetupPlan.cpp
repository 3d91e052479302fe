#include "sync/pg/PgSetupPlan.h"

#include "sync/pg/PgConnection.h"
#include "sync/pg/PgSetupState.h"
#include "sync/pg/PgSetupTarget.h"

namespace hivewatch {

namespace {

// $tag$…$tag$ around `body`, with a tag that does not occur in it (names are user data).
QString dollarQuoted(const QString &body)
{
    QString tag = QStringLiteral("$hw$");
    for (int n = 1; body.contains(tag); ++n)
        tag = QStringLiteral("$hw%1$").arg(n);
    return tag + body + tag;
}

QString guarded(const QString &condition, const QString &statement)
{
    return QStringLiteral("DO ")
        + dollarQuoted(QStringLiteral("\nBEGIN\n  IF %1 THEN\n    %2;\n  END IF;\nEND\n")
                           .arg(condition, statement));
}

} // namespace

void PgSetupPlan::add(const QString &title, const QString &sql, const QString &privilege,
                      const QString &displaySql)
{
    m_steps.append(PgSetupStep {title, sql, displaySql.isEmpty() ? sql : displaySql, privilege});
}

Result<PgSetupPlan> PgSetupPlan::build(const PgSetupState &state, const PgSetupTarget &target,
                                       PgConnection &c)
{
    PgSetupPlan plan;
    const QString role = c.quoteIdentifier(target.role);
    const QString publication = c.quoteIdentifier(target.publication);
    const QString qualifiedOf = QStringLiteral("%1.%2");
    auto qualified = [&](const PgTableName &t) {
        return qualifiedOf.arg(c.quoteIdentifier(t.schema), c.quoteIdentifier(t.name));
    };

    if (state.publicationAllTables) {
        return Error(
            QStringLiteral("Publication %1 is FOR ALL TABLES, so its tables cannot be chosen; "
                           "Electric needs one holding only the synced tables. Drop it "
                           "(DROP PUBLICATION %2;) after checking nothing else uses it, "
                           "then plan again")
                .arg(target.publication, publication));
    }
    if (!target.skipMissingTables && !state.missingTables.isEmpty()) {
        QStringList names;
        for (const PgTableName &t : state.missingTables)
            names.append(t.display());
        return Error(QStringLiteral("Table %1 does not exist in database %2; check the name "
                                    "(schema.table, exact case) or create it first")
                         .arg(names.join(QStringLiteral(", ")), state.database));
    }
    for (const PgTableName &t : state.missingTables)
        plan.m_notes.append(
            QStringLiteral("Table %1 does not exist and is skipped").arg(t.display()));
    if (!state.walLevelOk()) {
        plan.m_notes.append(
            QStringLiteral("wal_level is '%1' but Electric needs 'logical'. As a superuser run "
                           "ALTER SYSTEM SET wal_level = logical; then restart PostgreSQL "
                           "(a reload is not enough)")
                .arg(state.walLevel));
    }
    if (state.maxReplicationSlots < 1 || state.maxWalSenders < 1) {
        plan.m_notes.append(
            QStringLiteral(
                "max_replication_slots is %1 and max_wal_senders is %2; Electric needs at "
                "least 1 of each: ALTER SYSTEM SET max_replication_slots = 10; ALTER SYSTEM "
                "SET max_wal_senders = 10; then restart PostgreSQL")
                .arg(state.maxReplicationSlots)
                .arg(state.maxWalSenders));
    }

    const QString superuser = QStringLiteral(
        "superuser (only a superuser may create or alter a role with REPLICATION)");
    if (!state.roleExists) {
        QString password;
        QString shownPassword;
        if (!target.rolePassword.isEmpty()) {
            auto hash = c.encryptPassword(target.rolePassword, target.role);
            if (!hash)
                return hash.error();
            password = QStringLiteral(" PASSWORD ") + c.quoteLiteral(hash.value());
            shownPassword = QStringLiteral(" PASSWORD '********'");
        }
        const QString condition
            = QStringLiteral("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %1)")
                  .arg(c.quoteLiteral(target.role));
        const QString create = QStringLiteral("CREATE ROLE %1 WITH LOGIN REPLICATION").arg(role);
        plan.add(QStringLiteral("Create role %1 with LOGIN and REPLICATION").arg(target.role),
                 guarded(condition, create + password), superuser,
                 guarded(condition, create + shownPassword));
    } else if (!state.roleLogin || !state.roleReplication) {
        plan.add(QStringLiteral("Give role %1 LOGIN and REPLICATION").arg(target.role),
                 QStringLiteral("ALTER ROLE %1 WITH LOGIN REPLICATION").arg(role), superuser);
    }
    if (!state.roleConnect) {
        plan.add(
            QStringLiteral("Grant CONNECT on database %1 to %2").arg(state.database, target.role),
            QStringLiteral("GRANT CONNECT ON DATABASE %1 TO %2")
                .arg(c.quoteIdentifier(state.database), role),
            QStringLiteral("ownership of database %1 (or CONNECT WITH GRANT OPTION)")
                .arg(state.database));
    }
    for (auto it = state.schemaUsage.cbegin(); it != state.schemaUsage.cend(); ++it) {
        if (it.value() && state.roleExists)
            continue;
        plan.add(
            QStringLiteral("Grant USAGE on schema %1 to %2").arg(it.key(), target.role),
            QStringLiteral("GRANT USAGE ON SCHEMA %1 TO %2").arg(c.quoteIdentifier(it.key()), role),
            QStringLiteral("ownership of schema %1 (or USAGE WITH GRANT OPTION)").arg(it.key()));
    }

    const QString pubOwner
        = QStringLiteral("ownership of publication %1 (or superuser)").arg(target.publication);
    if (!state.publicationExists) {
        plan.add(QStringLiteral("Create publication %1 (no tables yet, not FOR ALL TABLES)")
                     .arg(target.publication),
                 guarded(QStringLiteral("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication "
                                        "WHERE pubname = %1)")
                             .arg(c.quoteLiteral(target.publication)),
                         QStringLiteral("CREATE PUBLICATION %1").arg(publication)),
                 QStringLiteral("CREATE on database %1").arg(state.database));
    } else if (!state.publishesAllOperations()) {
        plan.add(QStringLiteral("Publish insert, update, delete and truncate in %1")
                     .arg(target.publication),
                 QStringLiteral(
                     "ALTER PUBLICATION %1 SET (publish = 'insert, update, delete, truncate')")
                     .arg(publication),
                 pubOwner);
    }

    if (!state.helperFunctionExists) {
        // Same behaviour as the migration's helper, with this target's names baked in.
        const QString body
            = QStringLiteral(
                  "\nDECLARE\n  qualified text := format('%I.%I', p_schema, p_table);\n"
                  "BEGIN\n"
                  "  EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', qualified);\n"
                  "  EXECUTE format('GRANT SELECT ON TABLE %s TO %I', qualified, %1);\n"
                  "  EXECUTE format('ALTER PUBLICATION %I ADD TABLE %s', %2, qualified);\n"
                  "END\n")
                  .arg(c.quoteLiteral(target.role), c.quoteLiteral(target.publication));
        plan.add(
            QStringLiteral("Create helper function public.electric_sync_table(schema, table)"),
            QStringLiteral("CREATE OR REPLACE FUNCTION public.electric_sync_table(p_schema text, "
                           "p_table text) RETURNS void LANGUAGE plpgsql AS ")
                + dollarQuoted(body),
            QStringLiteral("CREATE on schema public"));
    }

    for (const PgTableState &t : state.tables) {
        if (!t.chosen || !t.exists)
            continue;
        const QString name = t.table.display();
        const QString owner = QStringLiteral("ownership of table %1").arg(name);
        if (t.replicaIdentity != 'f') {
            plan.add(QStringLiteral("Set REPLICA IDENTITY FULL on %1 (now %2)")
                         .arg(name, t.replicaIdentityName()),
                     QStringLiteral("ALTER TABLE %1 REPLICA IDENTITY FULL").arg(qualified(t.table)),
                     owner);
        }
        if (!t.selectGranted) {
            plan.add(QStringLiteral("Grant SELECT on %1 to %2").arg(name, target.role),
                     QStringLiteral("GRANT SELECT ON TABLE %1 TO %2").arg(qualified(t.table), role),
                     owner + QStringLiteral(" (or SELECT WITH GRANT OPTION)"));
        }
        if (!t.inPublication) {
            plan.add(
                QStringLiteral("Add %1 to publication %2").arg(name, target.publication),
                guarded(QStringLiteral("NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication_tables "
                                       "WHERE pubname = %1 AND schemaname = %2 AND tablename = %3)")
                            .arg(c.quoteLiteral(target.publication), c.quoteLiteral(t.table.schema),
                                 c.quoteLiteral(t.table.name)),
                        QStringLiteral("ALTER PUBLICATION %1 ADD TABLE %2")
                            .arg(publication, qualified(t.table))),
                owner + QStringLiteral(" and ") + pubOwner);
        }
    }

    if (target.removeOtherTables) {
        const QList<PgTableName> chosen = target.chosenTables();
        for (const PgTableName &t : state.publicationTables) {
            if (chosen.contains(t))
                continue;
            plan.add(
                QStringLiteral("Remove %1 from publication %2")
                    .arg(t.display(), target.publication),
                guarded(QStringLiteral("EXISTS (SELECT 1 FROM pg_catalog.pg_publication_tables "
                                       "WHERE pubname = %1 AND schemaname = %2 AND tablename = %3)")
                            .arg(c.quoteLiteral(target.publication), c.quoteLiteral(t.schema),
                                 c.quoteLiteral(t.name)),
                        QStringLiteral("ALTER PUBLICATION %1 DROP TABLE %2")
                            .arg(publication, qualified(t))),
                pubOwner);
        }
    }
    return plan;
}

QString PgSetupPlan::displayScript() const
{
    QString script;
    for (const PgSetupStep &step : m_steps)
        script += QStringLiteral("-- ") + step.title + QLatin1Char('\n') + step.displaySql
            + QStringLiteral(";\n\n");
    return script;
}

} // namespace hivewatch
