#include "app/hivectl/Command.h"

#include "sync/pg/PgSetupJson.h"
#include "sync/pg/PgSetupSession.h"

#include <QCommandLineParser>
#include <QJsonDocument>
#include <QTextStream>

namespace hivewatch {

// `hivectl pg inspect|plan|apply|verify`: the engine behind the GUI's Postgres setup panel.
namespace {

QString mark(bool ok)
{
    return ok ? QStringLiteral("[ ok ]") : QStringLiteral("[FAIL]");
}

void printChecks(QTextStream &out, const PgSetupReport &r)
{
    for (const PgSetupCheck &c : r.checks) {
        out << mark(c.ok) << ' ' << c.title << " — " << c.detail << '\n';
        if (!c.ok && !c.fix.isEmpty())
            out << "       fix: " << c.fix << '\n';
    }
}

void printState(QTextStream &out, const PgSetupReport &r)
{
    const PgSetupState &s = r.state;
    out << "server:        " << r.server << " (PostgreSQL " << s.serverVersion << ")\n"
        << "connected as:  " << s.currentUser << (s.currentUserIsSuperuser ? " (superuser)" : "")
        << '\n'
        << "wal_level:     " << s.walLevel << '\n'
        << "slots/senders: max_replication_slots=" << s.maxReplicationSlots
        << " max_wal_senders=" << s.maxWalSenders << '\n';
    out << "replication slots:\n";
    if (s.replicationSlots.isEmpty())
        out << "  (none)\n";
    for (const PgSlotState &slot : s.replicationSlots) {
        out << "  " << slot.name << " " << slot.type << " " << slot.plugin
            << " db=" << slot.database << (slot.active ? " active" : " inactive")
            << " retained_wal_bytes=" << slot.retainedWalBytes << '\n';
    }
    out << "tables (* = chosen):\n";
    for (const PgTableState &t : s.tables) {
        if (!t.chosen && !t.inPublication)
            continue;
        out << "  " << (t.chosen ? '*' : ' ') << ' ' << t.table.display();
        if (!t.exists) {
            out << "  missing\n";
            continue;
        }
        out << "  publication=" << (t.inPublication ? "yes" : "no")
            << " replica_identity=" << t.replicaIdentityName()
            << " select=" << (t.selectGranted ? "yes" : "no") << '\n';
    }
}

void printPlan(QTextStream &out, const PgSetupReport &r)
{
    for (const QString &note : r.plan.notes())
        out << "-- NOTE: " << note << '\n';
    if (!r.hasPlan)
        return;
    if (r.plan.isEmpty())
        out << "-- Nothing to do: the database already matches the target.\n";
    else
        out << "BEGIN;\n\n" << r.plan.displayScript() << "COMMIT;\n";
}

// QCommandLineParser names the executable's path; the user typed "hivectl pg".
QString usage(const QCommandLineParser &parser)
{
    QString text = parser.helpText();
    const qsizetype end = text.indexOf(QLatin1String(" [options]"));
    if (text.startsWith(QLatin1String("Usage: ")) && end > 0)
        text.replace(7, end - 7, QStringLiteral("hivectl pg"));
    return text;
}

} // namespace

int runPgCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Prepare a PostgreSQL database for Electric (docs/hive-schema.md §1.11): role "
        "electric_sync,\n"
        "publication electric_publication_default, REPLICA IDENTITY FULL and SELECT per table.\n"
        "  inspect  show what is there       plan    print the SQL apply would run\n"
        "  apply    run the plan in one transaction, then verify\n"
        "  verify   the checklist; exit status 0 only when every check passes\n"
        "Without --dsn, libpq reads PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD and ~/.pgpass.\n"
        "A new role gets the password in $ELECTRIC_ROLE_PASSWORD, if set (never printed)."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("inspect, plan, apply or verify"));
    const QCommandLineOption dsn(QStringLiteral("dsn"),
                                 QStringLiteral("libpq conninfo or postgresql:// URI."),
                                 QStringLiteral("DSN"));
    const QCommandLineOption tables(
        QStringLiteral("tables"),
        QStringLiteral(
            "Tables to publish, comma separated, schema.table (exact case; double-quote a part "
            "holding a dot or comma). Default: the seven hive tables that exist."),
        QStringLiteral("a,b"));
    const QCommandLineOption prune(
        QStringLiteral("prune"),
        QStringLiteral("Also remove tables not in --tables from the publication."));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print the whole report as JSON."));
    const QCommandLineOption role(QStringLiteral("role"),
                                  QStringLiteral("Electric's role (default electric_sync)."),
                                  QStringLiteral("name"), QStringLiteral("electric_sync"));
    const QCommandLineOption publication(
        QStringLiteral("publication"),
        QStringLiteral("The publication (default electric_publication_default)."),
        QStringLiteral("name"), QStringLiteral("electric_publication_default"));
    parser.addOptions({dsn, tables, prune, role, publication, json});

    QStringList argv = args;
    argv[0] = QStringLiteral("hivectl pg");
    if (!parser.parse(argv)) {
        err << "hivectl pg: " << parser.errorText() << "\n\n" << usage(parser);
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << usage(parser);
        return 0;
    }
    const QStringList positional = parser.positionalArguments();
    static const QMap<QString, PgSetupRequest::Action> actions {
        {QStringLiteral("inspect"), PgSetupRequest::Action::Inspect},
        {QStringLiteral("plan"), PgSetupRequest::Action::Plan},
        {QStringLiteral("apply"), PgSetupRequest::Action::Apply},
        {QStringLiteral("verify"), PgSetupRequest::Action::Verify}};
    if (positional.size() != 1 || !actions.contains(positional[0])) {
        err << "hivectl pg: expected one action: inspect, plan, apply or verify\n\n"
            << usage(parser);
        return 2;
    }

    PgSetupRequest request;
    request.action = actions.value(positional[0]);
    request.conninfo = parser.value(dsn);
    request.target.role = parser.value(role);
    request.target.publication = parser.value(publication);
    request.target.rolePassword = qEnvironmentVariable("ELECTRIC_ROLE_PASSWORD");
    request.target.removeOtherTables = parser.isSet(prune);
    if (parser.isSet(tables)) {
        auto list = PgTableName::parseList(parser.value(tables));
        if (!list) {
            err << "hivectl pg: --tables: " << list.error().message << '\n';
            return 2;
        }
        request.target.tables = list.value();
        request.target.skipMissingTables = false;
    }

    const bool asJson = parser.isSet(json);
    const PgSetupReport report
        = PgSetupSession::run(request, [&](int step, int steps, const QString &title) {
              if (!asJson && step < steps)
                  err << "[" << step + 1 << "/" << steps << "] " << title << '\n' << Qt::flush;
          });

    if (asJson) {
        out << QJsonDocument(PgSetupJson::toJson(report)).toJson(QJsonDocument::Indented);
    } else if (report.hasState) {
        switch (request.action) {
        case PgSetupRequest::Action::Inspect:
            printState(out, report);
            out << '\n';
            printChecks(out, report);
            break;
        case PgSetupRequest::Action::Plan:
            printPlan(out, report);
            break;
        case PgSetupRequest::Action::Apply:
            for (const QString &line : report.log)
                out << line << '\n';
            out << '\n';
            printChecks(out, report);
            break;
        case PgSetupRequest::Action::Verify:
            printChecks(out, report);
            break;
        }
    }
    if (!report.ok) {
        err << "hivectl pg " << positional[0] << ": " << report.error.message << '\n';
        if (!report.error.detail.isEmpty())
            err << "  (" << report.error.detail << ")\n";
        return 1;
    }
    return 0;
}

} // namespace hivewatch
