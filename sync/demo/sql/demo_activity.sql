-- The local demo hive's activity: one call of hivewatch_demo_tick() is one second of a busy hive.
-- Loaded into the demo database after hive_schema.sql and hive_seed(…). Everything the dashboard
-- shows moving comes from here, through real commits, logical replication and the shape server.
--
--   * every node heartbeats, except the first one, which stays "online" with an old heartbeat so
--     the dashboard flags it as stale;
--   * running assignments print log lines (mostly stdout, some stderr and system lines) and now and
--     then a progress event; after a while they complete and their task moves to in-review;
--   * tasks move todo → in-progress (when a node picks them up) → in-review → done; new tasks
--     arrive so the board never runs dry.

CREATE OR REPLACE FUNCTION hivewatch_demo_tick() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    stale_node uuid;
    a record;
    t record;
    pick record;
    new_assignment uuid;
    n int;
    lines text[] := ARRAY[
        'Reading src/sync/shape_stream.rs',
        'Running cargo test -p sync -- --nocapture',
        'test shape::tests::merges_partial_updates ... ok',
        'test shape::tests::resumes_after_must_refetch ... ok',
        'Applying patch to crates/remote/src/routes/tasks.rs (+42 -7)',
        'Thinking about the failing assertion in node_runner.rs:218',
        'git commit -m "Handle stale heartbeats in the monitor"',
        'Compiling remote v0.1.0 (/work/crates/remote)',
        'Finished `dev` profile [unoptimized + debuginfo] target(s) in 14.2s',
        'npm run lint -- --max-warnings=0',
        '✓ 128 tests passed (3.4s)',
        'Searching for usages of TaskStatus::InReview'];
    errors text[] := ARRAY[
        'warning: unused variable `attempt` (src/node_runner.rs:211)',
        'error[E0308]: mismatched types — expected `i64`, found `u32`',
        'npm WARN deprecated glob@7.2.3'];
    events text[] := ARRAY['agentthinking', 'codechanges', 'branchcreated', 'committed', 'pushed',
                           'pullrequestcreated'];
BEGIN
    SELECT id INTO stale_node FROM nodes ORDER BY name, id LIMIT 1;

    -- Heartbeats. A node that was offline or pending comes online; busy nodes stay busy.
    UPDATE nodes SET last_heartbeat_at = now(),
                     status = CASE WHEN status IN ('offline', 'pending') THEN 'online'::node_status
                                   ELSE status END,
                     connected_at = COALESCE(connected_at, now())
     WHERE id <> stale_node;
    UPDATE nodes SET status = 'online', last_heartbeat_at = now() - interval '3 minutes'
     WHERE id = stale_node AND (status <> 'online' OR last_heartbeat_at IS NULL
                                OR last_heartbeat_at < now() - interval '1 hour'
                                OR last_heartbeat_at > now() - interval '2 minutes');

    -- Running assignments talk.
    FOR a IN SELECT id, started_at FROM node_task_assignments
              WHERE execution_status = 'running' AND completed_at IS NULL LOOP
        INSERT INTO node_task_output_logs (assignment_id, output_type, content)
        SELECT a.id,
               CASE WHEN r < 0.12 THEN 'stderr' WHEN r < 0.18 THEN 'system' ELSE 'stdout' END,
               CASE WHEN r < 0.12 THEN errors[1 + floor(random() * array_length(errors, 1))::int]
                    WHEN r < 0.18 THEN 'Heartbeat: agent still running'
                    ELSE lines[1 + floor(random() * array_length(lines, 1))::int] END
          FROM (SELECT random() AS r FROM generate_series(1, 1 + floor(random() * 4)::int)) AS x;
        IF random() < 0.2 THEN
            INSERT INTO node_task_progress_events (assignment_id, event_type, message, metadata)
            VALUES (a.id, events[1 + floor(random() * array_length(events, 1))::int],
                    'Progress reported by the agent',
                    jsonb_build_object('branch', 'agent/' || left(a.id::text, 8)));
        END IF;
        -- Work takes 20–60 s; then the task goes to review.
        IF a.started_at < now() - (interval '20 seconds' + random() * interval '40 seconds') THEN
            UPDATE node_task_assignments SET execution_status = 'completed', completed_at = now()
             WHERE id = a.id;
            INSERT INTO node_task_progress_events (assignment_id, event_type, message)
            VALUES (a.id, 'agentfinished', 'Agent finished; pull request ready for review');
            INSERT INTO node_task_output_logs (assignment_id, output_type, content)
            VALUES (a.id, 'system', 'Execution completed with exit code 0');
            UPDATE shared_tasks SET status = 'in-review', version = version + 1
             WHERE id = (SELECT task_id FROM node_task_assignments WHERE id = a.id);
        END IF;
    END LOOP;

    -- Reviews finish.
    UPDATE shared_tasks SET status = 'done', version = version + 1
     WHERE id IN (SELECT id FROM shared_tasks
                   WHERE status = 'in-review' AND deleted_at IS NULL
                     AND updated_at < now() - interval '15 seconds'
                   ORDER BY updated_at LIMIT 1);

    -- Idle healthy nodes pick up a todo task (at most three running at a time keeps it readable).
    SELECT count(*) INTO n FROM node_task_assignments
     WHERE execution_status = 'running' AND completed_at IS NULL;
    IF n < 3 THEN
        SELECT st.id, st.project_id INTO t FROM shared_tasks st
         WHERE st.status = 'todo' AND st.deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM node_task_assignments x
                            WHERE x.task_id = st.id AND x.completed_at IS NULL)
         ORDER BY random() LIMIT 1;
        SELECT np.id, np.node_id INTO pick FROM node_projects np
          JOIN nodes nd ON nd.id = np.node_id
         WHERE nd.id <> stale_node AND nd.status IN ('online', 'busy')
         ORDER BY random() LIMIT 1;
        IF t.id IS NOT NULL AND pick.id IS NOT NULL THEN
            INSERT INTO node_task_assignments (task_id, node_id, node_project_id, execution_status,
                                               started_at)
            VALUES (t.id, pick.node_id, pick.id, 'running', now())
            RETURNING id INTO new_assignment;
            INSERT INTO node_task_progress_events (assignment_id, event_type, message)
            VALUES (new_assignment, 'agentstarted', 'Agent started on the task');
            INSERT INTO node_task_output_logs (assignment_id, output_type, content)
            VALUES (new_assignment, 'system', 'Execution started');
            UPDATE shared_tasks SET status = 'in-progress', version = version + 1 WHERE id = t.id;
            UPDATE nodes SET status = 'busy' WHERE id = pick.node_id AND status = 'online';
        END IF;
    END IF;
    -- Nodes with nothing running are online again.
    UPDATE nodes nd SET status = 'online'
     WHERE status = 'busy' AND NOT EXISTS (SELECT 1 FROM node_task_assignments x
                                           WHERE x.node_id = nd.id AND x.execution_status = 'running'
                                             AND x.completed_at IS NULL);

    -- New work arrives.
    IF random() < 0.15 OR NOT EXISTS (SELECT 1 FROM shared_tasks WHERE status = 'todo' AND deleted_at IS NULL) THEN
        INSERT INTO shared_tasks (organization_id, project_id, title, description, status)
        SELECT p.organization_id, p.id,
               (ARRAY['Fix flaky heartbeat test', 'Add retry to log upload', 'Paginate task list',
                      'Upgrade to Postgres 16', 'Document the proxy', 'Speed up cold start',
                      'Handle SIGTERM in node runner', 'Show PR links in task view'])
                   [1 + floor(random() * 8)::int] || ' #' || (1000 + floor(random() * 9000)::int),
               'Created by the demo hive', 'todo'
          FROM projects p ORDER BY random() LIMIT 1;
    END IF;
END $$;
