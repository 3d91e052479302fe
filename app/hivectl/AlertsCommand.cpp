#include "app/hivectl/Command.h"
#include "app/hivectl/CommandOutput.h"

#include "domain/HiveTables.h"
#include "models/hive/AlertRules.h"
#include "models/hive/HiveValues.h"
#include "sync/hive/HistoryReader.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/sqlite/SqliteStatement.h"
#include "sync/store/LogStore.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QTimeZone>
#include <QUuid>

namespace hivewatch {

namespace {

int failure(const QString &message)
{
    err() << "hivectl alerts: " << message << "\n";
    return 1;
}

// The rows of a hive table as the store keeps them (shape_rows, wire form; the shape is named
// after its table, as the dashboard and `hivectl shape sync` name it).
Result<QList<QJsonObject>> storedRows(const SqliteConnection &db, const QString &table)
{
    // shape_rows is a view over shape_row_data (a table in stores before that layout).
    auto has = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'shape_rows'");
    if (!has)
        return db.error(QStringLiteral("the stored rows of %1").arg(table));
    auto found = has->step();
    if (!found)
        return db.error(QStringLiteral("the stored rows of %1").arg(table));
    QList<QJsonObject> rows;
    if (!found.value())
        return rows;
    auto select = db.prepare("SELECT value FROM shape_rows WHERE shape = ?");
    if (!select)
        return db.error(QStringLiteral("the stored rows of %1").arg(table));
    select->bindText(1, table);
    for (;;) {
        auto next = select->step();
        if (!next)
            return db.error(QStringLiteral("the stored rows of %1").arg(table));
        if (!next.value())
            break;
        rows.append(QJsonDocument::fromJson(select->columnByteArray(0)).object());
    }
    return rows;
}

QDateTime timeOf(const QJsonObject &row, const char *column)
{
    return HiveValues::timestamp(row.value(QLatin1String(column)).toVariant()).toDateTime();
}

bool positive(const QCommandLineParser &parser, const QString &option, int max, int &into)
{
    if (!parser.isSet(option))
        return true;
    bool ok = false;
    const int value = parser.value(option).toInt(&ok);
    if (!ok || value < 1 || value > max)
        return false;
    into = value;
    return true;
}

} // namespace

int runAlertsCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("The alerts the Overview shows, evaluated on a store's synced rows and "
                       "history by the same rules: a node stale while holding work, a failed "
                       "assignment not retried, a task stuck in its status (since its last "
                       "recorded status change, else its updated_at), much stderr in a running "
                       "execution.\n\nExit status: 0 no alert is active, 3 one or more are "
                       "active, 1 the store could not be read, 2 bad usage."));
    parser.addHelpOption();
    parser.addOption(
        {QStringLiteral("db"), QStringLiteral("The Hivewatch store."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("One JSON array of alerts.")});
    parser.addOption({QStringLiteral("stale-after"),
                      QStringLiteral("A node is stale after S seconds without a heartbeat "
                                     "(default %1).")
                          .arg(MonitorSettings::kDefaultStaleAfterSeconds),
                      QStringLiteral("S")});
    parser.addOption({QStringLiteral("stuck-after"),
                      QStringLiteral("A task is stuck after M minutes in progress or in review "
                                     "(default %1).")
                          .arg(MonitorSettings::kDefaultStuckAfterMinutes),
                      QStringLiteral("M")});
    parser.addOption({QStringLiteral("stderr-share"),
                      QStringLiteral("Alert when more than P % of a running execution's lines "
                                     "are stderr (default %1).")
                          .arg(MonitorSettings::kDefaultStderrSharePercent),
                      QStringLiteral("P")});
    parser.addOption({QStringLiteral("stderr-min-lines"),
                      QStringLiteral("...of at least N lines (default %1).")
                          .arg(MonitorSettings::kDefaultStderrMinLines),
                      QStringLiteral("N")});
    parser.addOption({QStringLiteral("now"),
                      QStringLiteral("Evaluate at this time (ISO 8601, UTC unless it names a "
                                     "zone) instead of the clock's."),
                      QStringLiteral("TIME")});
    QStringList argv = args;
    argv[0] = QStringLiteral("hivectl alerts");
    if (!parser.parse(argv))
        return usageError(QStringLiteral("alerts"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("alerts"),
                          QStringLiteral("unexpected argument '%1'")
                              .arg(parser.positionalArguments().constFirst()));
    const QString path = parser.value(QStringLiteral("db"));
    if (path.isEmpty())
        return usageError(QStringLiteral("alerts"), QStringLiteral("--db FILE is required"));
    MonitorSettings settings;
    if (!positive(parser, QStringLiteral("stale-after"), 24 * 3600, settings.staleAfterSeconds))
        return usageError(QStringLiteral("alerts"),
                          QStringLiteral("--stale-after must be a number of seconds from 1 to "
                                         "86400, got '%1'")
                              .arg(parser.value(QStringLiteral("stale-after"))));
    if (!positive(parser, QStringLiteral("stuck-after"), 30 * 24 * 60, settings.stuckAfterMinutes))
        return usageError(QStringLiteral("alerts"),
                          QStringLiteral("--stuck-after must be a number of minutes from 1 to "
                                         "43200, got '%1'")
                              .arg(parser.value(QStringLiteral("stuck-after"))));
    if (!positive(parser, QStringLiteral("stderr-share"), 99, settings.stderrSharePercent))
        return usageError(QStringLiteral("alerts"),
                          QStringLiteral("--stderr-share must be a percentage from 1 to 99, got "
                                         "'%1'")
                              .arg(parser.value(QStringLiteral("stderr-share"))));
    if (!positive(parser, QStringLiteral("stderr-min-lines"), 1000000, settings.stderrMinLines))
        return usageError(QStringLiteral("alerts"),
                          QStringLiteral("--stderr-min-lines must be a count from 1 to 1000000, "
                                         "got '%1'")
                              .arg(parser.value(QStringLiteral("stderr-min-lines"))));
    QDateTime now = QDateTime::currentDateTimeUtc();
    if (parser.isSet(QStringLiteral("now"))) {
        const QString text = parser.value(QStringLiteral("now"));
        now = QDateTime::fromString(text, Qt::ISODateWithMs);
        if (!now.isValid())
            return usageError(
                QStringLiteral("alerts"),
                QStringLiteral("--now must be an ISO 8601 time like 2026-12-06T07:00:00Z, got '%1'")
                    .arg(text));
        if (now.timeSpec() == Qt::LocalTime)
            now.setTimeZone(QTimeZone::utc());
    }
    if (!QFileInfo::exists(path))
        return failure(QStringLiteral("no store file %1").arg(path));
    auto db = SqliteConnection::open(path, SqliteConnection::Mode::ReadOnly);
    if (!db)
        return failure(db.error().toString());

    AlertRules::Facts facts;
    QHash<QString, QString> nodeNames;
    QHash<QString, QString> taskTitles;
    QHash<QString, QString> taskStatuses;
    auto nodes = storedRows(db.value(), HiveTables::Nodes);
    auto assignments = storedRows(db.value(), HiveTables::NodeTaskAssignments);
    auto tasks = storedRows(db.value(), HiveTables::SharedTasks);
    for (const auto *read : {&nodes, &assignments, &tasks}) {
        if (!*read)
            return failure(QStringLiteral("%1 is not a readable Hivewatch store: %2")
                               .arg(path, read->error().toString()));
    }
    for (const QJsonObject &row : nodes.value()) {
        const QString id = row.value(QLatin1String("id")).toString();
        const QDateTime heartbeat = timeOf(row, "last_heartbeat_at");
        nodeNames.insert(id, row.value(QLatin1String("name")).toString());
        facts.nodes.append({id, nodeNames.value(id), heartbeat,
                            AlertRules::nodeIsStale(row.value(QLatin1String("status")).toString(),
                                                    heartbeat, now, settings.staleAfterSeconds)});
    }
    for (const QJsonObject &row : tasks.value()) {
        const QString id = row.value(QLatin1String("id")).toString();
        const QString status = row.value(QLatin1String("status")).toString();
        taskTitles.insert(id, row.value(QLatin1String("title")).toString());
        taskStatuses.insert(id, status);
        // Soft-deleted and archived tasks are hidden in the dashboard: no alert about them.
        if (!row.value(QLatin1String("deleted_at")).isString()
            && !row.value(QLatin1String("archived_at")).isString()
            && AlertRules::mayBeStuck(status))
            facts.tasks.append({id, taskTitles.value(id), status, timeOf(row, "updated_at")});
    }
    QHash<QString, AlertRules::Assignment> assignmentById;
    for (const QJsonObject &row : assignments.value()) {
        facts.assignments.append({row.value(QLatin1String("id")).toString(),
                                  row.value(QLatin1String("task_id")).toString(),
                                  row.value(QLatin1String("node_id")).toString(),
                                  row.value(QLatin1String("execution_status")).toString(),
                                  timeOf(row, "assigned_at"), timeOf(row, "completed_at")});
        assignmentById.insert(facts.assignments.constLast().id, facts.assignments.constLast());
    }
    facts.taskStatus = [&](const QString &id) {
        return taskStatuses.value(id);
    };
    facts.describeAssignment = [&](const QString &id) {
        const AlertRules::Assignment a = assignmentById.value(id);
        const QString task = taskTitles.value(a.taskId, a.taskId);
        const QString node = nodeNames.value(a.nodeId, a.nodeId);
        return task.isEmpty() ? id : QStringLiteral("%1 on %2").arg(task, node);
    };

    // When each candidate entered its status; a store without history judges by updated_at.
    if (auto reader = HistoryReader::open(path)) {
        QStringList keys;
        for (const AlertRules::Task &task : std::as_const(facts.tasks))
            keys.append(task.id);
        auto changes = reader->lastStatusChanges(HiveTables::SharedTasks, keys);
        if (!changes)
            return failure(changes.error().toString());
        for (auto it = changes->cbegin(); it != changes->cend(); ++it)
            facts.lastStatusChange.insert(it.key(), {it->status, it->atMs});
    }
    // Stderr counts of the running executions, when the store holds their lines.
    if (auto has = db->hasTable("log_entries"); has && has.value()) {
        auto logs = LogStore::open(path, LogStore::Access::ReadOnly);
        if (!logs)
            return failure(logs.error().toString());
        for (const AlertRules::Assignment &a : std::as_const(facts.assignments)) {
            if (a.completedAt.isValid() || QUuid(a.id).isNull())
                continue;
            auto tally = logs.value()->tallyStderr(QUuid(a.id), 0);
            if (!tally)
                return failure(tally.error().toString());
            facts.stderrTallies.insert(QUuid(a.id).toString(QUuid::WithoutBraces),
                                       StderrTally {tally->lines, tally->stderrLines});
        }
    }

    const QList<AlertRules::Alert> alerts = AlertRules::evaluate(facts, settings, now);
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const AlertRules::Alert &alert : alerts) {
            static const char *const kinds[] = {"node", "assignment", "task"};
            array.append(QJsonObject {
                {QStringLiteral("rule"), MonitorSettings::ruleKey(alert.rule)},
                {QStringLiteral("kind"), QLatin1String(kinds[int(alert.kind)])},
                {QStringLiteral("subject"), alert.subjectId},
                {QStringLiteral("text"), alert.text},
            });
        }
        out() << QJsonDocument(array).toJson(QJsonDocument::Indented);
    } else if (alerts.isEmpty()) {
        out() << "no alerts\n";
    } else {
        for (const AlertRules::Alert &alert : alerts)
            out() << MonitorSettings::ruleKey(alert.rule) << "\t" << alert.subjectId << "\t"
                  << alert.text << "\n";
    }
    return alerts.isEmpty() ? 0 : 3;
}

} // namespace hivewatch
