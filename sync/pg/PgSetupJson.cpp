#include "sync/pg/PgSetupJson.h"

#include "sync/pg/PgSetupReport.h"

#include <QJsonArray>

namespace hivewatch {

namespace {

QJsonObject tableJson(const PgTableState &t)
{
    return QJsonObject {{QStringLiteral("schema"), t.table.schema},
                        {QStringLiteral("name"), t.table.name},
                        {QStringLiteral("exists"), t.exists},
                        {QStringLiteral("chosen"), t.chosen},
                        {QStringLiteral("in_publication"), t.inPublication},
                        {QStringLiteral("replica_identity"), t.replicaIdentityName()},
                        {QStringLiteral("select_granted"), t.selectGranted}};
}

QJsonObject stateJson(const PgSetupState &s)
{
    QJsonObject usage;
    for (auto it = s.schemaUsage.cbegin(); it != s.schemaUsage.cend(); ++it)
        usage.insert(it.key(), it.value());
    QJsonArray publicationTables;
    for (const PgTableName &t : s.publicationTables)
        publicationTables.append(t.display());
    QJsonArray tables;
    for (const PgTableState &t : s.tables)
        tables.append(tableJson(t));
    QJsonArray slotList;
    for (const PgSlotState &slot : s.replicationSlots) {
        slotList.append(
            QJsonObject {{QStringLiteral("name"), slot.name},
                         {QStringLiteral("plugin"), slot.plugin},
                         {QStringLiteral("type"), slot.type},
                         {QStringLiteral("database"), slot.database},
                         {QStringLiteral("active"), slot.active},
                         {QStringLiteral("retained_wal_bytes"), double(slot.retainedWalBytes)}});
    }
    QJsonArray missing;
    for (const PgTableName &t : s.missingTables)
        missing.append(t.display());
    return QJsonObject {{QStringLiteral("server_version"), s.serverVersion},
                        {QStringLiteral("server_version_num"), s.serverVersionNumber},
                        {QStringLiteral("database"), s.database},
                        {QStringLiteral("current_user"), s.currentUser},
                        {QStringLiteral("current_user_superuser"), s.currentUserIsSuperuser},
                        {QStringLiteral("wal_level"), s.walLevel},
                        {QStringLiteral("max_replication_slots"), s.maxReplicationSlots},
                        {QStringLiteral("max_wal_senders"), s.maxWalSenders},
                        {QStringLiteral("role"),
                         QJsonObject {{QStringLiteral("name"), s.role},
                                      {QStringLiteral("exists"), s.roleExists},
                                      {QStringLiteral("login"), s.roleLogin},
                                      {QStringLiteral("replication"), s.roleReplication},
                                      {QStringLiteral("connect"), s.roleConnect},
                                      {QStringLiteral("schema_usage"), usage}}},
                        {QStringLiteral("publication"),
                         QJsonObject {{QStringLiteral("name"), s.publication},
                                      {QStringLiteral("exists"), s.publicationExists},
                                      {QStringLiteral("all_tables"), s.publicationAllTables},
                                      {QStringLiteral("owner"), s.publicationOwner},
                                      {QStringLiteral("insert"), s.publishesInsert},
                                      {QStringLiteral("update"), s.publishesUpdate},
                                      {QStringLiteral("delete"), s.publishesDelete},
                                      {QStringLiteral("truncate"), s.publishesTruncate},
                                      {QStringLiteral("tables"), publicationTables}}},
                        {QStringLiteral("helper_function"), s.helperFunctionExists},
                        {QStringLiteral("tables"), tables},
                        {QStringLiteral("missing_tables"), missing},
                        {QStringLiteral("replication_slots"), slotList}};
}

QJsonObject errorJson(const Error &e)
{
    return QJsonObject {{QStringLiteral("message"), e.message},
                        {QStringLiteral("detail"), e.detail}};
}

} // namespace

QJsonObject PgSetupJson::toJson(const PgSetupReport &r)
{
    QJsonObject json {{QStringLiteral("action"), PgSetupRequest::actionName(r.action)},
                      {QStringLiteral("ok"), r.ok},
                      {QStringLiteral("server"), r.server}};
    if (!r.ok)
        json.insert(QStringLiteral("error"), errorJson(r.error));
    if (r.hasState)
        json.insert(QStringLiteral("state"), stateJson(r.state));
    QJsonArray steps;
    for (const PgSetupStep &step : r.plan.steps()) {
        steps.append(QJsonObject {{QStringLiteral("title"), step.title},
                                  {QStringLiteral("sql"), step.displaySql},
                                  {QStringLiteral("privilege"), step.privilege}});
    }
    QJsonObject plan {{QStringLiteral("steps"), steps},
                      {QStringLiteral("notes"), QJsonArray::fromStringList(r.plan.notes())}};
    if (!r.hasPlan && r.hasState)
        plan.insert(QStringLiteral("error"), errorJson(r.planError));
    json.insert(QStringLiteral("plan"), plan);
    QJsonArray checks;
    for (const PgSetupCheck &c : r.checks) {
        checks.append(QJsonObject {{QStringLiteral("key"), c.key},
                                   {QStringLiteral("title"), c.title},
                                   {QStringLiteral("ok"), c.ok},
                                   {QStringLiteral("detail"), c.detail},
                                   {QStringLiteral("fix"), c.fix}});
    }
    json.insert(QStringLiteral("checks"), checks);
    json.insert(QStringLiteral("verified"), r.verified());
    if (r.action == PgSetupRequest::Action::Apply) {
        json.insert(QStringLiteral("applied_steps"), r.appliedSteps);
        json.insert(QStringLiteral("log"), QJsonArray::fromStringList(r.log));
    }
    return json;
}

} // namespace hivewatch
