-- The hive's Electric migration 20251225000000_electric_support.sql, behaviour for behaviour
-- (docs/hive-schema.md §1.11), for tests and the demo. Load after hive_schema.sql, once per
-- database. Hivewatch's own pg-setup feature does the same job for real hives; this file is the
-- reference the tests compare against, so keep it to what the hive did.

-- 1. The replication role (cluster-wide, so it may already exist from another database).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'electric_sync') THEN
        CREATE ROLE electric_sync WITH LOGIN REPLICATION PASSWORD 'electric_sync';
    END IF;
END $$;

-- 2. Grants, without hard-coding the database name.
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO electric_sync', current_database());
END $$;
GRANT USAGE ON SCHEMA public TO electric_sync;

-- 3. The publication, created empty. The guard is commit f27df2d0's (compose's init-db may
--    create it first); at E itself the CREATE was unconditional.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'electric_publication_default') THEN
        CREATE PUBLICATION electric_publication_default;
    END IF;
END $$;

-- 4. The helper: full replica identity, read access for Electric, and membership in the
-- publication.
CREATE OR REPLACE FUNCTION electric_sync_table(p_schema text, p_table text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    qualified text := format('%I.%I', p_schema, p_table);
BEGIN
    EXECUTE format('ALTER TABLE %s REPLICA IDENTITY FULL', qualified);
    EXECUTE format('GRANT SELECT ON TABLE %s TO electric_sync', qualified);
    EXECUTE format('ALTER PUBLICATION electric_publication_default ADD TABLE %s', qualified);
END;
$$;

-- 5. The published tables, in the migration's order. organizations, users,
--    organization_member_metadata and node_api_keys are deliberately not published.
SELECT electric_sync_table('public', 'projects');
SELECT electric_sync_table('public', 'shared_tasks');
SELECT electric_sync_table('public', 'nodes');
SELECT electric_sync_table('public', 'node_projects');
SELECT electric_sync_table('public', 'node_task_assignments');
SELECT electric_sync_table('public', 'node_task_output_logs');
SELECT electric_sync_table('public', 'node_task_progress_events');
