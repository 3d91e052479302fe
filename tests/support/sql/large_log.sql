-- hive_large_log(mib): appends about `mib` MiB of repetitive output lines (as a build log is) to
-- node_task_output_logs for the first assignment, and returns that assignment's id. With the
-- default --chunk-bytes (10 MiB, Electric's threshold) a shape of the table then has snapshot
-- chunks of at least 10 MiB each, which compress far beyond 40x: what a gzipping proxy in front
-- of Electric (tests/support/NginxProcess.h) has to pass through to the client intact.
--
-- Needs hive_schema.sql and at least one assignment (hive_seed.sql, e.g. hive_seed(1,1,1,1,1,0,0)).
CREATE OR REPLACE FUNCTION hive_large_log(mib int) RETURNS uuid
LANGUAGE plpgsql AS $$
DECLARE
    target uuid;
    -- Each row's content is ~1 KiB; its shape message (with keys and headers) is a bit larger.
    line constant text := repeat('compiling crate hivewatch-sync v0.1.0 (warnings: 0) ', 20);
BEGIN
    SELECT id INTO target FROM node_task_assignments ORDER BY id LIMIT 1;
    IF target IS NULL THEN
        RAISE EXCEPTION 'hive_large_log: no node_task_assignments row (run hive_seed first)';
    END IF;
    INSERT INTO node_task_output_logs (assignment_id, output_type, content)
    SELECT target, 'stdout', 'line ' || g || ': ' || line
    FROM generate_series(1, mib * 1024) AS g;
    RETURN target;
END;
$$;
