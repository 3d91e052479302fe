#include "sync/pg/PgConnection.h"
#include "tests/support/TestDatabase.h"

#include <QFile>
#include <QTest>

#include <memory>

using namespace hivewatch;

// The hive schema, its Electric setup and the seed generator in tests/support/sql are what every
// Postgres-backed test and bench stands on, so they are checked here against the facts of
// docs/hive-schema.md §1: what exists, what the seed produces, and that it is reproducible.
class TestHiveSchema : public QObject
{
    Q_OBJECT

private:
    static QString sqlFile(const QString &name)
    {
        QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR")
                   + QStringLiteral("/tests/support/sql/") + name);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QString::fromUtf8(file.readAll());
    }

    // Connects and loads the given scripts, failing the calling test on any error.
    static std::unique_ptr<PgConnection> connectAndLoad(const TestDatabase &db,
                                                        const QStringList &scripts)
    {
        auto conn = PgConnection::connect(db.conninfo());
        if (!conn) {
            qWarning("%s", qPrintable(conn.error().toString()));
            return nullptr;
        }
        for (const QString &name : scripts) {
            const QString sql = sqlFile(name);
            if (sql.isEmpty()) {
                qWarning("cannot read tests/support/sql/%s (is HIVEWATCH_SOURCE_DIR set?)",
                         qPrintable(name));
                return nullptr;
            }
            auto loaded = (*conn)->execScript(sql);
            if (!loaded) {
                qWarning("%s: %s", qPrintable(name), qPrintable(loaded.error().toString()));
                return nullptr;
            }
        }
        return std::move(conn.value());
    }

    static QString scalar(PgConnection &conn, const QString &sql)
    {
        auto result = conn.exec(sql);
        if (!result || result->rows() != 1)
            return QStringLiteral("<error: %1>")
                .arg(result ? QStringLiteral("rows") : result.error().toString());
        return result->isNull(0, 0) ? QStringLiteral("<null>") : result->text(0, 0);
    }

    // One digest over every seeded table's rows in key order: equal digests = identical data.
    static QString contentDigest(PgConnection &conn)
    {
        return scalar(
            conn,
            QStringLiteral(
                "SELECT md5(string_agg(t, E'\\n')) FROM ("
                " SELECT (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM organizations x) AS t"
                " UNION ALL SELECT (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM users x)"
                " UNION ALL SELECT (SELECT string_agg(x::text, '|' ORDER BY x.organization_id, "
                "x.user_id)"
                "                   FROM organization_member_metadata x)"
                " UNION ALL SELECT (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM projects x)"
                " UNION ALL SELECT (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM "
                "shared_tasks x)"
                " UNION ALL SELECT (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM nodes x)"
                " UNION ALL SELECT (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM "
                "node_projects x)"
                " UNION ALL SELECT (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM "
                "node_task_assignments x)"
                " UNION ALL SELECT (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM "
                "node_task_output_logs x)"
                " UNION ALL SELECT (SELECT string_agg(x::text, '|' ORDER BY x.id) FROM "
                "node_task_progress_events x)"
                ") s"));
    }

    const QStringList m_all {QStringLiteral("hive_schema.sql"),
                             QStringLiteral("electric_setup.sql"), QStringLiteral("hive_seed.sql")};

private slots:
    void schemaLoadsTwiceAndHasTheTablesOfE()
    {
        TestDatabase db(QStringLiteral("schema"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto conn = connectAndLoad(
            db, {QStringLiteral("hive_schema.sql"), QStringLiteral("hive_schema.sql")});
        QVERIFY(conn);
        QCOMPARE(scalar(*conn,
                        QStringLiteral(
                            "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
                            "WHERE schemaname = 'public'")),
                 QStringLiteral("node_projects,node_task_assignments,node_task_output_logs,"
                                "node_task_progress_events,nodes,organization_member_metadata,"
                                "organizations,projects,shared_tasks,users"));
        // The enum labels are kebab-case and in the hive's order (docs/hive-schema.md §1.3, §1.4).
        QCOMPARE(
            scalar(*conn,
                   QStringLiteral("SELECT array_to_string(enum_range(NULL::task_status), ',')")),
            QStringLiteral("todo,in-progress,in-review,done,cancelled"));
        QCOMPARE(
            scalar(*conn,
                   QStringLiteral("SELECT array_to_string(enum_range(NULL::node_status), ',')")),
            QStringLiteral("pending,online,offline,busy,draining"));
        QCOMPARE(
            scalar(*conn,
                   QStringLiteral(
                       "SELECT count(*) FROM pg_indexes WHERE indexname IN ("
                       "'idx_member_metadata_user','idx_member_metadata_org_role',"
                       "'idx_projects_org_name','idx_tasks_org_status','idx_tasks_org_assignee',"
                       "'idx_tasks_project','idx_shared_tasks_org_deleted_at',"
                       "'idx_nodes_org_status','idx_nodes_heartbeat','idx_node_projects_node',"
                       "'idx_node_projects_project','idx_task_assignments_active',"
                       "'idx_task_assignments_node','idx_task_output_logs_assignment',"
                       "'idx_task_output_logs_assignment_time',"
                       "'idx_task_progress_events_assignment',"
                       "'idx_task_progress_events_assignment_time')")),
            QStringLiteral("17"));
    }

    void defaultsAndUpdatedAtTriggerBehaveLikeTheHive()
    {
        TestDatabase db(QStringLiteral("schema"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto conn = connectAndLoad(db, {QStringLiteral("hive_schema.sql")});
        QVERIFY(conn);
        QVERIFY(conn
                    ->execScript(QStringLiteral(
                        "INSERT INTO organizations (name, slug) VALUES ('o', 'o');"
                        "INSERT INTO projects (organization_id, name) SELECT id, 'p' FROM "
                        "organizations;"
                        "INSERT INTO shared_tasks (organization_id, project_id, title, updated_at)"
                        "  SELECT organization_id, id, 't', '2001-01-01Z' FROM projects;"))
                    .ok());
        QCOMPARE(scalar(*conn,
                        QStringLiteral(
                            "SELECT status || '/' || version || '/' || (shared_at IS NOT NULL) "
                            "FROM shared_tasks")),
                 QStringLiteral("todo/1/true"));
        QVERIFY(conn->exec(QStringLiteral("UPDATE shared_tasks SET status = 'in-progress'")).ok());
        QCOMPARE(
            scalar(*conn, QStringLiteral("SELECT updated_at > '2020-01-01Z' FROM shared_tasks")),
            QStringLiteral("t"));
        // A second active assignment for one task is what idx_task_assignments_active forbids.
        QCOMPARE(scalar(*conn,
                        QStringLiteral(
                            "SELECT indexdef LIKE '%UNIQUE%WHERE (completed_at IS NULL)%' "
                            "FROM pg_indexes WHERE indexname = 'idx_task_assignments_active'")),
                 QStringLiteral("t"));
    }

    void electricSetupPublishesExactlyTheSevenTables()
    {
        TestDatabase db(QStringLiteral("schema"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto conn = connectAndLoad(
            db, {QStringLiteral("hive_schema.sql"), QStringLiteral("electric_setup.sql")});
        QVERIFY(conn);
        QCOMPARE(
            scalar(
                *conn,
                QStringLiteral(
                    "SELECT string_agg(tablename, ',' ORDER BY tablename) "
                    "FROM pg_publication_tables WHERE pubname = 'electric_publication_default'")),
            QStringLiteral("node_projects,node_task_assignments,node_task_output_logs,"
                           "node_task_progress_events,nodes,projects,shared_tasks"));
        QCOMPARE(
            scalar(
                *conn,
                QStringLiteral(
                    "SELECT string_agg(relname || '=' || relreplident::text, ',' ORDER BY relname) "
                    "FROM pg_class WHERE relname IN ('shared_tasks', 'users', 'nodes')")),
            QStringLiteral("nodes=f,shared_tasks=f,users=d"));
        QCOMPARE(scalar(*conn,
                        QStringLiteral("SELECT rolreplication AND rolcanlogin FROM pg_roles "
                                       "WHERE rolname = 'electric_sync'")),
                 QStringLiteral("t"));
        QCOMPARE(
            scalar(*conn,
                   QStringLiteral(
                       "SELECT has_table_privilege('electric_sync', 'shared_tasks', 'SELECT')::text"
                       " || has_table_privilege('electric_sync', 'users', 'SELECT')::text")),
            QStringLiteral("truefalse"));
    }

    void seedFillsEveryTableWithTheRequestedCounts()
    {
        TestDatabase db(QStringLiteral("seed"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto conn = connectAndLoad(db, m_all);
        QVERIFY(conn);
        QVERIFY(conn->exec(QStringLiteral("SELECT hive_seed(4, 7, 50, 6, 80, 3000, 400)")).ok());
        QCOMPARE(scalar(*conn,
                        QStringLiteral(
                            "SELECT concat_ws(',', (SELECT count(*) FROM organizations), (SELECT "
                            "count(*) FROM users),"
                            " (SELECT count(*) FROM organization_member_metadata), (SELECT "
                            "count(*) FROM projects),"
                            " (SELECT count(*) FROM shared_tasks), (SELECT count(*) FROM nodes),"
                            " (SELECT count(*) FROM node_projects), (SELECT count(*) FROM "
                            "node_task_assignments),"
                            " (SELECT count(*) FROM node_task_output_logs), (SELECT count(*) FROM "
                            "node_task_progress_events))")),
                 QStringLiteral("4,12,12,7,50,6,7,80,3000,400"));
        // Every vocabulary value occurs, so views and parsers see all of them.
        QCOMPARE(scalar(*conn, QStringLiteral("SELECT count(DISTINCT status) FROM shared_tasks")),
                 QStringLiteral("5"));
        QCOMPARE(scalar(*conn, QStringLiteral("SELECT count(DISTINCT status) FROM nodes")),
                 QStringLiteral("5"));
        QCOMPARE(scalar(*conn,
                        QStringLiteral("SELECT string_agg(DISTINCT execution_status, ',') FROM "
                                       "node_task_assignments")),
                 QStringLiteral("cancelled,completed,failed,pending,running,starting"));
        QCOMPARE(
            scalar(*conn,
                   QStringLiteral(
                       "SELECT string_agg(DISTINCT output_type, ',') FROM node_task_output_logs")),
            QStringLiteral("stderr,stdout,system"));
        QCOMPARE(
            scalar(
                *conn,
                QStringLiteral(
                    "SELECT string_agg(DISTINCT event_type, ',') FROM node_task_progress_events")),
            QStringLiteral(
                "agentfinished,agentstarted,agentthinking,branchcreated,codechanges,committed,"
                "custom,pullrequestcreated,pushed"));
        // The awkward content the sync path must carry intact.
        QCOMPARE(
            scalar(
                *conn,
                QStringLiteral(
                    "SELECT bool_or(content LIKE E'%\\n%') AND bool_or(content ~ '[^\\x01-\\x7f]')"
                    " AND bool_or(length(content) > 2000) FROM node_task_output_logs")),
            QStringLiteral("t"));
        QCOMPARE(scalar(*conn,
                        QStringLiteral(
                            "SELECT count(*) FROM nodes WHERE capabilities ? 'executors' "
                            "AND jsonb_typeof(capabilities->'max_concurrent_tasks') = 'number'")),
                 QStringLiteral("6"));
        // Foreign keys were skipped during the bulk insert (superuser path): prove the rows hold.
        QCOMPARE(scalar(*conn,
                        QStringLiteral("SELECT (SELECT count(*) FROM node_task_output_logs l LEFT "
                                       "JOIN node_task_assignments a"
                                       "        ON a.id = l.assignment_id WHERE a.id IS NULL)"
                                       "     + (SELECT count(*) FROM node_task_progress_events e "
                                       "LEFT JOIN node_task_assignments a"
                                       "        ON a.id = e.assignment_id WHERE a.id IS NULL)"
                                       "     + (SELECT count(*) FROM node_task_assignments a JOIN "
                                       "node_projects np ON np.id = a.node_project_id"
                                       "        JOIN shared_tasks t ON t.id = a.task_id WHERE "
                                       "np.project_id <> t.project_id"
                                       "        OR np.node_id <> a.node_id)")),
                 QStringLiteral("0"));
        // New rows after the seed get fresh ids rather than colliding with generated ones.
        QVERIFY(conn
                    ->exec(QStringLiteral(
                        "INSERT INTO node_task_output_logs (assignment_id, output_type, content) "
                        "SELECT id, 'stdout', 'after seed' FROM node_task_assignments LIMIT 1"))
                    .ok());
        QCOMPARE(scalar(*conn, QStringLiteral("SELECT max(id) FROM node_task_output_logs")),
                 QStringLiteral("3001"));
        QCOMPARE(scalar(*conn, QStringLiteral("SHOW session_replication_role")),
                 QStringLiteral("origin"));
    }

    void seedIsDeterministicAcrossDatabases()
    {
        TestDatabase first(QStringLiteral("seed_a"));
        TestDatabase second(QStringLiteral("seed_b"));
        QVERIFY2(first.isValid() && second.isValid(), qPrintable(first.error() + second.error()));
        auto a = connectAndLoad(first, m_all);
        auto b = connectAndLoad(second, m_all);
        QVERIFY(a && b);
        QVERIFY(a->exec(QStringLiteral("SELECT hive_seed(2, 3, 20, 3, 25, 500, 60)")).ok());
        QVERIFY(b->exec(QStringLiteral("SELECT hive_seed(2, 3, 20, 3, 25, 500, 60)")).ok());
        const QString digest = contentDigest(*a);
        QCOMPARE(digest.size(), 32);
        QCOMPARE(contentDigest(*b), digest);
        QVERIFY(
            b->exec(QStringLiteral(
                        "UPDATE node_task_output_logs SET content = content || '.' WHERE id = 7"))
                .ok());
        QVERIFY(contentDigest(*b) != digest);
    }

    void seedRefusesArgumentsItCannotSatisfy()
    {
        TestDatabase db(QStringLiteral("seed"));
        QVERIFY2(db.isValid(), qPrintable(db.error()));
        auto conn = connectAndLoad(db, m_all);
        QVERIFY(conn);
        auto refused = conn->exec(QStringLiteral("SELECT hive_seed(1, 1, 5, 0, 3, 0, 0)"));
        QVERIFY(!refused.ok());
        QVERIFY2(
            refused.error().toString().contains(QStringLiteral("assignments need tasks and nodes")),
            qPrintable(refused.error().toString()));
    }
};

QTEST_GUILESS_MAIN(TestHiveSchema)
#include "tst_hiveschema.moc"
