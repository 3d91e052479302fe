#include "tests/pg/PgSetupFixture.h"

#include "sync/pg/PgSetupChecklist.h"
#include "sync/pg/PgSetupJson.h"

#include <QJsonDocument>

using namespace hivewatch;

using namespace PgSetupFixture;
using Action = PgSetupRequest::Action;

// Inspect → plan → apply → verify against real databases on the private cluster.
class TestPgSetup : public QObject
{
    Q_OBJECT

    struct Hive
    {
        TestDatabase db {QStringLiteral("pgsetup")};
        std::unique_ptr<TestRole> role;
        std::unique_ptr<PgConnection> admin;
        PgSetupTarget target;
    };

    // A fresh database holding the hive schema, an admin connection, and a target using a role
    // of its own.
    static bool makeHive(Hive &hive, QString *error)
    {
        if (!hive.db.isValid()) {
            *error = hive.db.error();
            return false;
        }
        hive.role = std::make_unique<TestRole>(TestDatabase::clusterConninfo(), hive.db.name());
        auto c = PgConnection::connect(hive.db.conninfo());
        if (!c) {
            *error = c.error().toString();
            return false;
        }
        hive.admin = std::move(c.value());
        hive.target.role = hive.role->name();
        return loadHiveSchema(*hive.admin, error);
    }

    static QString text(const PgSetupReport &r) { return r.ok ? QString() : r.error.toString(); }

private slots:
    void inspectReportsEverythingAboutAFreshHiveDatabase()
    {
        Hive hive;
        QString error;
        QVERIFY2(makeHive(hive, &error), qPrintable(error));
        // An unrelated slot, to see slots reported with their active flag.
        const QString slot = uniqueName(QStringLiteral("hw_slot"));
        QVERIFY(
            hive.admin
                ->exec(QStringLiteral("SELECT pg_create_logical_replication_slot($1, 'pgoutput')"),
                       {slot})
                .ok());

        const PgSetupReport r = run(hive.db.conninfo(), hive.target, Action::Inspect);
        QVERIFY2(r.ok, qPrintable(text(r)));
        const PgSetupState &s = r.state;
        QVERIFY(s.serverVersionNumber >= 150000);
        QVERIFY(!s.serverVersion.isEmpty());
        QCOMPARE(s.walLevel, QStringLiteral("logical"));
        QVERIFY(s.maxReplicationSlots >= 1);
        QVERIFY(s.maxWalSenders >= 1);
        QCOMPARE(s.database, hive.db.name());
        QVERIFY(!s.roleExists);
        QVERIFY(!s.publicationExists);
        QVERIFY(!s.helperFunctionExists);
        QVERIFY(s.missingTables.isEmpty());
        const QList<PgTableName> hiveTables = PgTableName::hiveTables();
        for (int i = 0; i < hiveTables.size(); ++i) {
            const PgTableState &t = s.tables.at(i);
            QCOMPARE(t.table, hiveTables.at(i));
            QVERIFY(t.exists && t.chosen && !t.inPublication && !t.selectGranted);
            QCOMPARE(t.replicaIdentityName(), QStringLiteral("default"));
        }
        // Unpublished hive tables are listed too, unchosen (the publication editor's rows).
        const PgTableState *users
            = s.findTable(PgTableName {QStringLiteral("public"), QStringLiteral("users")});
        QVERIFY(users && users->exists && !users->chosen);
        auto found = std::find_if(s.replicationSlots.begin(), s.replicationSlots.end(),
                                  [&](const PgSlotState &x) { return x.name == slot; });
        QVERIFY(found != s.replicationSlots.end());
        QVERIFY(!found->active);
        QCOMPARE(found->plugin, QStringLiteral("pgoutput"));
        QVERIFY(found->retainedWalBytes >= 0);
        QVERIFY(
            hive.admin->exec(QStringLiteral("SELECT pg_drop_replication_slot($1)"), {slot}).ok());
        QVERIFY(!r.verified());
    }

    void applyOnFreshDatabaseVerifiesAndSecondApplyChangesNothing()
    {
        Hive hive;
        QString error;
        QVERIFY2(makeHive(hive, &error), qPrintable(error));
        hive.target.rolePassword = QStringLiteral("s3cret-pa55");

        const PgSetupReport planned = run(hive.db.conninfo(), hive.target, Action::Plan);
        QVERIFY2(planned.ok, qPrintable(text(planned)));
        const QString script = planned.plan.displayScript();
        QVERIFY(script.contains(QStringLiteral("CREATE ROLE")));
        QVERIFY(script.contains(QStringLiteral("CREATE PUBLICATION")));
        QVERIFY(script.contains(
            QStringLiteral("ALTER TABLE \"public\".\"shared_tasks\" REPLICA IDENTITY FULL")));
        QVERIFY2(!script.contains(QStringLiteral("s3cret")), "the password must not be shown");
        for (const PgSetupStep &step : planned.plan.steps())
            QVERIFY(!step.sql.contains(QStringLiteral("s3cret"))); // only its hash travels

        const PgSetupReport applied = run(hive.db.conninfo(), hive.target, Action::Apply);
        QVERIFY2(applied.ok, qPrintable(text(applied)));
        QCOMPARE(applied.appliedSteps, planned.plan.steps().size());
        QVERIFY2(applied.verified(), qPrintable(failedChecks(applied).join(QLatin1Char('\n'))));
        QVERIFY2(applied.plan.isEmpty(), qPrintable(stepTitles(applied).join(QLatin1Char('\n'))));
        QVERIFY(!applied.log.join(QLatin1Char('\n')).contains(QStringLiteral("s3cret")));
        QVERIFY(!QJsonDocument(PgSetupJson::toJson(applied)).toJson().contains("s3cret"));

        // What the seed's verification queries see, independently of the inspector.
        auto pub = hive.admin->exec(
            QStringLiteral("SELECT count(*) FROM pg_publication_tables WHERE pubname = "
                           "'electric_publication_default'"));
        QCOMPARE(pub->int64(0, 0), 7);
        auto role = hive.admin->exec(
            QStringLiteral("SELECT rolcanlogin AND rolreplication, rolpassword IS NOT NULL "
                           "FROM pg_authid WHERE rolname = $1"),
            {hive.target.role});
        QVERIFY(role->boolean(0, 0));
        QVERIFY(role->boolean(0, 1));
        auto ident = hive.admin->exec(
            QStringLiteral("SELECT count(*) FROM pg_class WHERE relreplident = 'f' AND "
                           "relname IN ('projects','shared_tasks','nodes','node_projects',"
                           "'node_task_assignments','node_task_output_logs',"
                           "'node_task_progress_events')"));
        QCOMPARE(ident->int64(0, 0), 7);
        auto helper = hive.admin->exec(
            QStringLiteral("SELECT 1 FROM pg_proc WHERE proname = 'electric_sync_table'"));
        QCOMPARE(helper->rows(), 1);
        // The role can really log in with the password and read a published table.
        auto asRole = PgConnection::connect(withUser(hive.db.conninfo(), hive.target.role));
        QVERIFY2(asRole.ok(), qPrintable(asRole.ok() ? QString() : asRole.error().toString()));
        QVERIFY((*asRole)->exec(QStringLiteral("SELECT count(*) FROM public.shared_tasks")).ok());

        const PgSetupReport again = run(hive.db.conninfo(), hive.target, Action::Apply);
        QVERIFY2(again.ok, qPrintable(text(again)));
        QCOMPARE(again.appliedSteps, 0);
        QVERIFY(again.log.join(QLatin1Char('\n')).contains(QStringLiteral("Nothing to apply")));
        QVERIFY(again.verified());
        const PgSetupReport verified = run(hive.db.conninfo(), hive.target, Action::Verify);
        QVERIFY(verified.ok && verified.verified());
    }

    void applyRefusesWhenTheDatabaseChangedSinceThePlanWasShown()
    {
        Hive hive;
        QString error;
        QVERIFY2(makeHive(hive, &error), qPrintable(error));
        const PgSetupReport shown = run(hive.db.conninfo(), hive.target, Action::Plan);
        QVERIFY(shown.ok);
        QVERIFY(
            hive.admin->execScript(QStringLiteral("ALTER TABLE nodes REPLICA IDENTITY FULL")).ok());

        PgSetupRequest request;
        request.action = Action::Apply;
        request.conninfo = hive.db.conninfo();
        request.target = hive.target;
        request.expectedPlan = shown.plan.displayScript();
        const PgSetupReport refused = PgSetupSession::run(request);
        QVERIFY(!refused.ok);
        QVERIFY2(refused.error.message.contains(QStringLiteral("changed since the plan was shown")),
                 qPrintable(refused.error.message));
        QCOMPARE(refused.appliedSteps, 0);
        QCOMPARE(refused.plan.steps().size(),
                 shown.plan.steps().size() - 1); // the new plan, to review
        auto pub = hive.admin->exec(QStringLiteral(
            "SELECT 1 FROM pg_publication WHERE pubname = 'electric_publication_default'"));
        QCOMPARE(pub->rows(), 0);

        request.expectedPlan = refused.plan.displayScript();
        const PgSetupReport applied = PgSetupSession::run(request);
        QVERIFY2(applied.ok, qPrintable(text(applied)));
        QVERIFY(applied.verified());
    }

    void plannedStatementsAreIdempotentOnTheirOwn()
    {
        Hive hive;
        QString error;
        QVERIFY2(makeHive(hive, &error), qPrintable(error));
        const PgSetupReport planned = run(hive.db.conninfo(), hive.target, Action::Plan);
        QVERIFY2(planned.ok, qPrintable(text(planned)));
        // The SQL as shown, run twice by hand (as a DBA would paste it into psql), must work.
        QVERIFY2(hive.admin->execScript(planned.plan.displayScript()).ok(),
                 qPrintable(hive.admin->lastErrorMessage()));
        QVERIFY2(hive.admin->execScript(planned.plan.displayScript()).ok(),
                 qPrintable(hive.admin->lastErrorMessage()));
        const PgSetupReport after = run(hive.db.conninfo(), hive.target, Action::Verify);
        QVERIFY2(after.verified(), qPrintable(failedChecks(after).join(QLatin1Char('\n'))));
        QVERIFY(after.plan.isEmpty());
    }

    void partialStatesAreCompleted()
    {
        Hive hive;
        QString error;
        QVERIFY2(makeHive(hive, &error), qPrintable(error));
        PgConnection &c = *hive.admin;
        const QString role = c.quoteIdentifier(hive.target.role);
        // Role present (without REPLICATION), a publication holding two of the seven tables (one
        // of them still at REPLICA IDENTITY DEFAULT), one table already FULL, one grant made.
        QVERIFY(
            c.execScript(
                 QStringLiteral(
                     "CREATE ROLE %1 LOGIN; "
                     "CREATE PUBLICATION electric_publication_default FOR TABLE nodes, projects "
                     "WITH (publish = 'insert, update'); "
                     "ALTER TABLE nodes REPLICA IDENTITY FULL; "
                     "GRANT SELECT ON nodes TO %1")
                     .arg(role))
                .ok());

        const PgSetupReport before = run(hive.db.conninfo(), hive.target, Action::Inspect);
        QVERIFY2(before.ok, qPrintable(text(before)));
        QVERIFY(before.state.roleExists && before.state.roleLogin && !before.state.roleReplication);
        QVERIFY(before.state.publicationExists && before.state.publishesUpdate
                && !before.state.publishesDelete);
        QCOMPARE(before.state.publicationTables.size(), 2);
        const PgTableState *nodes
            = before.state.findTable({QStringLiteral("public"), QStringLiteral("nodes")});
        QVERIFY(nodes->inPublication && nodes->replicaIdentity == 'f' && nodes->selectGranted
                && nodes->ready());
        const PgTableState *projects
            = before.state.findTable({QStringLiteral("public"), QStringLiteral("projects")});
        QVERIFY(projects->inPublication && projects->replicaIdentity == 'd');
        const QStringList titles = stepTitles(before);
        QVERIFY(!titles.join(QLatin1Char('\n')).contains(QStringLiteral("Create role")));
        QVERIFY(titles.contains(
            QStringLiteral("Give role %1 LOGIN and REPLICATION").arg(hive.target.role)));
        QVERIFY(!titles.contains(
            QStringLiteral("Add public.nodes to publication electric_publication_default")));
        QVERIFY(titles.contains(
            QStringLiteral("Set REPLICA IDENTITY FULL on public.projects (now default)")));
        QVERIFY(titles.contains(QStringLiteral("Publish insert, update, delete and truncate in "
                                               "electric_publication_default")));

        const PgSetupReport applied = run(hive.db.conninfo(), hive.target, Action::Apply);
        QVERIFY2(applied.ok, qPrintable(text(applied)));
        QVERIFY2(applied.verified(), qPrintable(failedChecks(applied).join(QLatin1Char('\n'))));
        QVERIFY(applied.plan.isEmpty());
        QCOMPARE(applied.state.publicationTables.size(), 7);
    }

    void missingHiveTablesAreSkippedButNamedTablesMustExist()
    {
        Hive hive;
        QString error;
        QVERIFY2(makeHive(hive, &error), qPrintable(error));
        QVERIFY(hive.admin->execScript(QStringLiteral("DROP TABLE projects, node_projects CASCADE"))
                    .ok());
        const PgSetupReport applied = run(hive.db.conninfo(), hive.target, Action::Apply);
        QVERIFY2(applied.ok, qPrintable(text(applied)));
        QVERIFY(applied.verified());
        QCOMPARE(applied.state.missingTables.size(), 2);
        QCOMPARE(applied.state.publicationTables.size(), 5);

        PgSetupTarget named = hive.target;
        named.tables = {PgTableName {QStringLiteral("public"), QStringLiteral("nodes")},
                        PgTableName {QStringLiteral("public"), QStringLiteral("no_such_table")}};
        named.skipMissingTables = false;
        const PgSetupReport r = run(hive.db.conninfo(), named, Action::Plan);
        QVERIFY(!r.ok);
        QVERIFY2(
            r.error.message.contains(QStringLiteral("Table public.no_such_table does not exist")),
            qPrintable(r.error.message));
        const PgSetupReport v = run(hive.db.conninfo(), named, Action::Verify);
        QVERIFY(!v.verified());
        QVERIFY(failedChecks(v)
                    .join(QLatin1Char('\n'))
                    .contains(QStringLiteral("public.no_such_table")));
    }

    void publicationForAllTablesIsRefusedWithTheFix()
    {
        Hive hive;
        QString error;
        QVERIFY2(makeHive(hive, &error), qPrintable(error));
        QVERIFY(hive.admin
                    ->execScript(QStringLiteral(
                        "CREATE PUBLICATION electric_publication_default FOR ALL TABLES"))
                    .ok());
        const PgSetupReport r = run(hive.db.conninfo(), hive.target, Action::Apply);
        QVERIFY(!r.ok);
        QVERIFY2(r.error.message.contains(QStringLiteral("FOR ALL TABLES")),
                 qPrintable(r.error.message));
        QVERIFY(r.error.message.contains(
            QStringLiteral("DROP PUBLICATION \"electric_publication_default\"")));
        QCOMPARE(r.appliedSteps, 0);
        auto role = hive.admin->exec(QStringLiteral("SELECT 1 FROM pg_roles WHERE rolname = $1"),
                                     {hive.target.role});
        QCOMPARE(role->rows(), 0); // nothing ran
    }

    void tableNamesThatNeedQuotingWork()
    {
        Hive hive;
        QString error;
        QVERIFY2(makeHive(hive, &error), qPrintable(error));
        QVERIFY(hive.admin
                    ->execScript(QStringLiteral(
                        "CREATE SCHEMA \"Audit Trail\"; "
                        "CREATE TABLE \"Audit Trail\".\"Odd \"\"Name\"\" x\" (id int primary key); "
                        "CREATE TABLE public.\"MixedCase\" (id int); "
                        "CREATE TABLE public.mixedcase (id int); "
                        "CREATE TABLE public.\"with.dot, and comma\" (id int)"))
                    .ok());
        auto tables = PgTableName::parseList(QStringLiteral(
            "\"Audit Trail\".\"Odd \"\"Name\"\" x\", MixedCase, public.\"with.dot, and comma\""));
        QVERIFY2(tables.ok(), qPrintable(tables.ok() ? QString() : tables.error().message));
        QCOMPARE(tables->size(), 3);
        QCOMPARE(tables->at(0).schema, QStringLiteral("Audit Trail"));
        QCOMPARE(tables->at(0).name, QStringLiteral("Odd \"Name\" x"));
        QCOMPARE(tables->at(1).name, QStringLiteral("MixedCase"));
        QCOMPARE(tables->at(2).name, QStringLiteral("with.dot, and comma"));
        for (const PgTableName &t : tables.value())
            QCOMPARE(PgTableName::parse(t.display()).value(), t);

        hive.target.tables = tables.value();
        hive.target.skipMissingTables = false;
        const PgSetupReport applied = run(hive.db.conninfo(), hive.target, Action::Apply);
        QVERIFY2(applied.ok, qPrintable(text(applied)));
        QVERIFY2(applied.verified(), qPrintable(failedChecks(applied).join(QLatin1Char('\n'))));
        QVERIFY(applied.plan.isEmpty());
        auto pub = hive.admin->exec(
            QStringLiteral("SELECT schemaname || '|' || tablename FROM pg_publication_tables "
                           "WHERE pubname = 'electric_publication_default' ORDER BY 1"));
        QStringList rows;
        for (int i = 0; i < pub->rows(); ++i)
            rows.append(pub->text(i, 0));
        QCOMPARE(rows,
                 (QStringList {QStringLiteral("Audit Trail|Odd \"Name\" x"),
                               QStringLiteral("public|MixedCase"),
                               QStringLiteral("public|with.dot, and comma")}));
        // The lower-case twin was not touched.
        const PgTableState *twin
            = applied.state.findTable({QStringLiteral("public"), QStringLiteral("mixedcase")});
        QVERIFY(twin && !twin->inPublication && twin->replicaIdentity == 'd');
        QVERIFY(applied.state.schemaUsage.value(QStringLiteral("Audit Trail")));

        // The helper function quotes too.
        QVERIFY(hive.admin
                    ->execScript(QStringLiteral(
                        "CREATE TABLE public.\"Another One\" (id int); "
                        "SELECT public.electric_sync_table('public', 'Another One')"))
                    .ok());
        const PgSetupReport after = run(hive.db.conninfo(), hive.target, Action::Inspect);
        QVERIFY(after.state.findTable({QStringLiteral("public"), QStringLiteral("Another One")})
                    ->ready());
    }

    void tablesUncheckedInTheEditorAreRemovedOnlyWhenAsked()
    {
        Hive hive;
        QString error;
        QVERIFY2(makeHive(hive, &error), qPrintable(error));
        QVERIFY(run(hive.db.conninfo(), hive.target, Action::Apply).ok);
        PgSetupTarget fewer = hive.target;
        fewer.tables = {PgTableName {QStringLiteral("public"), QStringLiteral("shared_tasks")}};
        QVERIFY(run(hive.db.conninfo(), fewer, Action::Plan).plan.isEmpty());
        fewer.removeOtherTables = true;
        const PgSetupReport applied = run(hive.db.conninfo(), fewer, Action::Apply);
        QVERIFY2(applied.ok, qPrintable(text(applied)));
        QCOMPARE(applied.appliedSteps, 6);
        QCOMPARE(applied.state.publicationTables,
                 (QList<PgTableName> {
                     PgTableName {QStringLiteral("public"), QStringLiteral("shared_tasks")}}));
        QVERIFY(applied.plan.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPgSetup)
#include "tst_pgsetup.moc"
