#include "sync/pg/PgSetupInspector.h"

#include "sync/pg/PgConnection.h"

#include <QSet>

namespace hivewatch {

namespace {

Error inspectionError(const QString &what, const Error &error)
{
    return Error(QStringLiteral("Could not inspect %1: %2").arg(what, error.message), error.detail);
}

} // namespace

PgSetupInspector::PgSetupInspector(PgConnection &connection)
    : m_connection(connection)
{
}

Result<PgSetupState> PgSetupInspector::inspect(const PgSetupTarget &target)
{
    PgSetupState state;
    state.role = target.role;
    state.publication = target.publication;
    for (auto step : {&PgSetupInspector::inspectServer, &PgSetupInspector::inspectPublication,
                      &PgSetupInspector::inspectSlots, &PgSetupInspector::inspectHelper}) {
        if (auto done = (this->*step)(state); !done)
            return done.error();
    }
    // The role first: the table and schema checks ask about its privileges.
    if (auto done = inspectRole(state, target); !done)
        return done.error();
    if (auto done = inspectTables(state, target); !done)
        return done.error();
    return state;
}

Result<void> PgSetupInspector::inspectServer(PgSetupState &state)
{
    auto r = m_connection.exec(QStringLiteral(
        "SELECT current_setting('server_version'), current_setting('server_version_num')::int, "
        "current_setting('wal_level'), current_setting('max_replication_slots')::int, "
        "current_setting('max_wal_senders')::int, current_database(), current_user, "
        "coalesce((SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), "
        "false)"));
    if (!r)
        return inspectionError(QStringLiteral("the server settings"), r.error());
    state.serverVersion = r->text(0, 0);
    state.serverVersionNumber = int(r->int64(0, 1));
    state.walLevel = r->text(0, 2);
    state.maxReplicationSlots = int(r->int64(0, 3));
    state.maxWalSenders = int(r->int64(0, 4));
    state.database = r->text(0, 5);
    state.currentUser = r->text(0, 6);
    state.currentUserIsSuperuser = r->boolean(0, 7);
    return {};
}

Result<void> PgSetupInspector::inspectRole(PgSetupState &state, const PgSetupTarget &target)
{
    auto r = m_connection.exec(QStringLiteral("SELECT oid::text, rolcanlogin, rolreplication "
                                              "FROM pg_catalog.pg_roles WHERE rolname = $1"),
                               {target.role});
    if (!r)
        return inspectionError(QStringLiteral("role %1").arg(target.role), r.error());
    m_roleOid.clear();
    state.roleExists = r->rows() == 1;
    if (!state.roleExists)
        return {};
    m_roleOid = r->text(0, 0);
    state.roleLogin = r->boolean(0, 1);
    state.roleReplication = r->boolean(0, 2);

    // Explicit grants, as the migration makes them: the defaults granted to PUBLIC can be
    // revoked by a DBA at any time, so they do not count.
    auto connect = m_connection.exec(
        QStringLiteral("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database d, "
                       "aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a "
                       "WHERE d.datname = current_database() AND a.grantee = $1::oid "
                       "AND a.privilege_type = 'CONNECT')"),
        {m_roleOid});
    if (!connect)
        return inspectionError(QStringLiteral("the CONNECT grant"), connect.error());
    state.roleConnect = connect->boolean(0, 0);
    return {};
}

Result<void> PgSetupInspector::inspectPublication(PgSetupState &state)
{
    auto r = m_connection.exec(
        QStringLiteral("SELECT puballtables, pubinsert, pubupdate, pubdelete, pubtruncate, "
                       "pg_catalog.pg_get_userbyid(pubowner) "
                       "FROM pg_catalog.pg_publication WHERE pubname = $1"),
        {state.publication});
    if (!r)
        return inspectionError(QStringLiteral("publication %1").arg(state.publication), r.error());
    state.publicationExists = r->rows() == 1;
    if (!state.publicationExists)
        return {};
    state.publicationAllTables = r->boolean(0, 0);
    state.publishesInsert = r->boolean(0, 1);
    state.publishesUpdate = r->boolean(0, 2);
    state.publishesDelete = r->boolean(0, 3);
    state.publishesTruncate = r->boolean(0, 4);
    state.publicationOwner = r->text(0, 5);

    auto tables = m_connection.exec(QStringLiteral("SELECT schemaname, tablename "
                                                   "FROM pg_catalog.pg_publication_tables "
                                                   "WHERE pubname = $1 ORDER BY 1, 2"),
                                    {state.publication});
    if (!tables)
        return inspectionError(
            QStringLiteral("the tables of publication %1").arg(state.publication), tables.error());
    for (int row = 0; row < tables->rows(); ++row)
        state.publicationTables.append(PgTableName {tables->text(row, 0), tables->text(row, 1)});
    return {};
}

Result<void> PgSetupInspector::inspectTables(PgSetupState &state, const PgSetupTarget &target)
{
    // Every ordinary or partitioned user table (not the partitions: they follow their parent).
    auto r = m_connection.exec(
        QStringLiteral(
            "SELECT n.nspname, c.relname, c.relreplident, "
            "coalesce(has_table_privilege($1::oid, c.oid, 'SELECT'), false) "
            "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' "
            "ORDER BY 1, 2"),
        {m_roleOid});
    if (!r)
        return inspectionError(QStringLiteral("the tables"), r.error());
    const QSet<QString> published = [&] {
        QSet<QString> keys;
        for (const PgTableName &t : std::as_const(state.publicationTables))
            keys.insert(t.schema + QChar(0) + t.name);
        return keys;
    }();
    QList<PgTableState> existing;
    for (int row = 0; row < r->rows(); ++row) {
        PgTableState t;
        t.table = PgTableName {r->text(row, 0), r->text(row, 1)};
        t.exists = true;
        const QByteArray identity = r->bytes(row, 2);
        t.replicaIdentity = identity.isEmpty() ? 'd' : identity.at(0);
        t.selectGranted = r->boolean(row, 3);
        t.inPublication = published.contains(t.table.schema + QChar(0) + t.table.name);
        existing.append(t);
    }

    QSet<QString> schemas {QStringLiteral("public")};
    for (const PgTableName &name : target.chosenTables()) {
        auto it = std::find_if(existing.begin(), existing.end(),
                               [&](const PgTableState &t) { return t.table == name; });
        if (it == existing.end()) {
            PgTableState missing;
            missing.table = name;
            missing.chosen = true;
            state.tables.append(missing);
            state.missingTables.append(name);
            continue;
        }
        it->chosen = true;
        schemas.insert(name.schema);
        state.tables.append(*it);
        existing.erase(it);
    }
    state.tables.append(existing);

    auto usage = m_connection.exec(
        QStringLiteral("SELECT n.nspname, EXISTS (SELECT 1 FROM "
                       "aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a "
                       "WHERE a.grantee = $1::oid AND a.privilege_type = 'USAGE') "
                       "FROM pg_catalog.pg_namespace n"),
        {m_roleOid});
    if (!usage)
        return inspectionError(QStringLiteral("the schema grants"), usage.error());
    for (int row = 0; row < usage->rows(); ++row) {
        if (schemas.contains(usage->text(row, 0)))
            state.schemaUsage.insert(usage->text(row, 0), usage->boolean(row, 1));
    }
    return {};
}

Result<void> PgSetupInspector::inspectSlots(PgSetupState &state)
{
    auto r = m_connection.exec(QStringLiteral(
        "SELECT slot_name, coalesce(plugin, ''), slot_type, coalesce(database, ''), active, "
        "CASE WHEN restart_lsn IS NULL OR pg_is_in_recovery() THEN -1 "
        "ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint END "
        "FROM pg_catalog.pg_replication_slots ORDER BY slot_name"));
    if (!r)
        return inspectionError(QStringLiteral("the replication slots"), r.error());
    for (int row = 0; row < r->rows(); ++row) {
        state.replicationSlots.append(PgSlotState {r->text(row, 0), r->text(row, 1),
                                                   r->text(row, 2), r->text(row, 3),
                                                   r->boolean(row, 4), r->int64(row, 5)});
    }
    return {};
}

Result<void> PgSetupInspector::inspectHelper(PgSetupState &state)
{
    auto r = m_connection.exec(QStringLiteral(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p "
        "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' "
        "AND p.proname = 'electric_sync_table' AND p.proargtypes = '25 25'::oidvector)"));
    if (!r)
        return inspectionError(QStringLiteral("the helper function"), r.error());
    state.helperFunctionExists = r->boolean(0, 0);
    return {};
}

} // namespace hivewatch
