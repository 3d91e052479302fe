-- Deterministic seed data for the hive schema (hive_schema.sql), generated server-side.
--
--   SELECT hive_seed(orgs, projects, tasks, nodes, assignments, log_lines, events);
--   SELECT hive_seed_at(base, orgs, projects, tasks, nodes, assignments, log_lines, events);
--
-- Same arguments → byte-identical rows: every id is an md5-derived uuid (or the row number for
-- the BIGSERIAL tables), every timestamp is an offset from a base (hive_seed's is fixed,
-- 2025-12-01 08:00 UTC; the demo hive passes one a few days back from its first start, so its
-- seeded work reads "in progress for 4 d", not for a year), nothing uses random() or NOW().
-- Each table is filled by one set-based INSERT … SELECT generate_series, so a million log
-- lines take seconds. Call it on empty tables (ids would collide otherwise).
--
-- Shape of the data, so tests can compute expectations without reading it back:
--   * users: 3 per organization (user k belongs to org ceil(k/3); the first of each org is admin).
-- * project p, node n and task t belong to org ((p|n|t - 1) % orgs) + 1 (tasks via their project).
-- ).
--   * one node_projects row per project, on a node of the same org when the org has one.
--   * statuses cycle through every vocabulary value: task_status, node_status, the six assignment
--     execution statuses, the three output types and the nine stored progress event types.
--   * every 10th log line is multi-line, every 11th has non-ASCII text, every 97th is ~2 KB.
--   * at most one active (completed_at IS NULL) assignment per task, as the unique index demands.
-- Sequences of the BIGSERIAL tables are moved past the generated ids.

SET client_encoding = 'UTF8';

-- A stable uuid for (kind, n): the same input always gives the same id.
CREATE OR REPLACE FUNCTION hive_seed_uuid(kind text, n bigint) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT md5('hive-seed/' || kind || '/' || n)::uuid
$$;

CREATE OR REPLACE FUNCTION hive_seed_at(base timestamptz, orgs int, projects int, tasks int,
                                        nodes int, assignments int, log_lines int, events int)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    -- Looked up by index in the per-line INSERTs: an md5 per log line costs more than the insert.
    assignment_ids uuid[];
    saved_role text := current_setting('session_replication_role');
BEGIN
    IF orgs < 1 AND (projects > 0 OR nodes > 0) THEN
        RAISE EXCEPTION 'hive_seed: projects and nodes need at least one organization (orgs=%)', orgs;
    END IF;
    IF tasks > 0 AND projects < 1 THEN
        RAISE EXCEPTION 'hive_seed: tasks need at least one project (projects=%)', projects;
    END IF;
    IF assignments > 0 AND (tasks < 1 OR nodes < 1) THEN
        RAISE EXCEPTION 'hive_seed: assignments need tasks and nodes (tasks=%, nodes=%)', tasks, nodes;
    END IF;
    IF (log_lines > 0 OR events > 0) AND assignments < 1 THEN
        RAISE EXCEPTION 'hive_seed: log lines and events need assignments (assignments=%)', assignments;
    END IF;

    INSERT INTO organizations (id, name, slug, is_personal, created_at, updated_at)
    SELECT hive_seed_uuid('org', o), 'Organization ' || o, 'org-' || o, o % 5 = 0,
           base + o * interval '1 minute', base + o * interval '1 minute' + interval '1 day'
    FROM generate_series(1, orgs) AS o;

    INSERT INTO users (id, email, first_name, last_name, username, created_at, updated_at)
    SELECT hive_seed_uuid('user', u), 'user' || u || '@example.test',
           (ARRAY['Ada', 'Björn', 'Chloé', 'Dmitri', 'Eun-ji', NULL])[u % 6 + 1],
           CASE WHEN u % 4 = 0 THEN NULL ELSE 'Tester' || u END,
           CASE WHEN u % 3 = 0 THEN NULL ELSE 'user' || u END,
           base + u * interval '1 minute', base + u * interval '1 minute'
    FROM generate_series(1, orgs * 3) AS u;

    INSERT INTO organization_member_metadata (organization_id, user_id, role, joined_at, last_seen_at)
    SELECT hive_seed_uuid('org', (u - 1) / 3 + 1), hive_seed_uuid('user', u),
           CASE WHEN u % 3 = 1 THEN 'admin'::member_role ELSE 'member'::member_role END,
           base + u * interval '2 minutes',
           CASE WHEN u % 2 = 0 THEN NULL ELSE base + u * interval '1 hour' END
    FROM generate_series(1, orgs * 3) AS u;

    INSERT INTO projects (id, organization_id, name, metadata, created_at)
    SELECT hive_seed_uuid('project', p), hive_seed_uuid('org', (p - 1) % orgs + 1), 'project-' || p,
           CASE WHEN p % 3 = 0 THEN '{}'::jsonb
                ELSE jsonb_build_object('repo', 'git@example.test:org/project-' || p || '.git',
                                        'tags', jsonb_build_array('seed', p % 7), 'archived', p % 4 = 0)
           END,
           base + p * interval '5 minutes'
    FROM generate_series(1, projects) AS p;

    INSERT INTO nodes (id, organization_id, name, machine_id, status, capabilities, public_url,
                       last_heartbeat_at, connected_at, disconnected_at, created_at, updated_at)
    SELECT hive_seed_uuid('node', n), hive_seed_uuid('org', (n - 1) % orgs + 1), 'node-' || n,
           md5('machine/' || n), st,
           jsonb_build_object(
               'executors', CASE n % 3 WHEN 0 THEN jsonb_build_array('CLAUDE_CODE')
                                       WHEN 1 THEN jsonb_build_array('CLAUDE_CODE', 'GEMINI')
                                       ELSE jsonb_build_array('CODEX', 'AMP', 'CLAUDE_CODE') END,
               'max_concurrent_tasks', n % 4 + 1,
               'os', (ARRAY['linux', 'macos', 'windows'])[n % 3 + 1],
               'arch', (ARRAY['x86_64', 'aarch64'])[n % 2 + 1],
               'version', '0.' || (n % 5) || '.' || (n % 11)),
           CASE WHEN n % 4 = 0 THEN NULL ELSE 'http://192.168.' || (n / 250) % 250 || '.' || n % 250 || ':3000' END,
           CASE WHEN st = 'pending' THEN NULL ELSE base + interval '3 days' - n * interval '7 seconds' END,
           CASE WHEN st = 'pending' THEN NULL ELSE base + interval '2 days' + n * interval '1 minute' END,
           CASE WHEN st = 'offline' THEN base + interval '3 days' - n * interval '7 seconds' END,
           base + n * interval '3 minutes', base + interval '3 days' - n * interval '7 seconds'
    FROM generate_series(1, nodes) AS n,
         LATERAL (SELECT (enum_range(NULL::node_status))[n % 5 + 1] AS st) s;

    -- One node per project (UNIQUE (project_id)); prefer a node of the project's org. Nodes of
    -- org o are o, o+orgs, o+2·orgs, …; there are (nodes-o)/orgs+1 of them when o <= nodes.
    INSERT INTO node_projects (id, node_id, project_id, local_project_id, git_repo_path, default_branch,
                               sync_status, last_synced_at, created_at)
    SELECT hive_seed_uuid('node_project', p),
           hive_seed_uuid('node', CASE WHEN o <= nodes THEN o + orgs * (((p - 1) / orgs) % ((nodes - o) / orgs + 1))
                                       ELSE (p - 1) % nodes + 1 END),
           hive_seed_uuid('project', p), hive_seed_uuid('local_project', p),
           '/home/dev/src/project-' || p, CASE WHEN p % 5 = 0 THEN 'develop' ELSE 'main' END,
           (ARRAY['pending', 'synced', 'error'])[p % 3 + 1],
           CASE WHEN p % 3 = 0 THEN NULL ELSE base + p * interval '11 minutes' END,
           base + p * interval '6 minutes'
    FROM generate_series(1, CASE WHEN nodes > 0 THEN projects ELSE 0 END) AS p,
         LATERAL (SELECT (p - 1) % orgs + 1 AS o) x;

    INSERT INTO shared_tasks (id, organization_id, project_id, creator_user_id, assignee_user_id,
                              deleted_by_user_id, title, description, status, version, deleted_at,
                              shared_at, created_at, updated_at)
    SELECT hive_seed_uuid('task', t), hive_seed_uuid('org', o), hive_seed_uuid('project', p),
           hive_seed_uuid('user', (o - 1) * 3 + t % 3 + 1),
           CASE WHEN t % 4 = 0 THEN NULL ELSE hive_seed_uuid('user', (o - 1) * 3 + (t + 1) % 3 + 1) END,
           CASE WHEN t % 17 = 0 THEN hive_seed_uuid('user', (o - 1) * 3 + 1) END,
           CASE WHEN t % 9 = 0 THEN 'Tâche ' || t || ' — corriger l''encodage ✓'
                ELSE 'Task ' || t || ': ' || (ARRAY['fix flaky test', 'add endpoint', 'refactor store',
                                                     'update docs', 'bump deps'])[t % 5 + 1] END,
           CASE WHEN t % 6 = 0 THEN NULL
                WHEN t % 6 = 1 THEN ''
                ELSE E'Steps:\n1. reproduce\n2. fix (#' || t || E')\n\n"quoted", back\\slash, tab\there' END,
           (enum_range(NULL::task_status))[t % 5 + 1], 1 + t % 4,
           CASE WHEN t % 17 = 0 THEN base + interval '4 days' + t * interval '1 second' END,
           CASE WHEN t % 8 = 0 THEN NULL ELSE base + t * interval '2 minutes' END,
           base + t * interval '1 minute', base + t * interval '1 minute' + interval '1 hour'
    FROM generate_series(1, tasks) AS t,
         LATERAL (SELECT (t - 1) % projects + 1 AS p) x,
         LATERAL (SELECT (p - 1) % orgs + 1 AS o) y;

    -- The last assignment of each task may be active; earlier ones are finished. The last ones
    -- cycle through all six statuses; completed/failed ones get completed_at, cancelled ones do
    -- not (the hive's cancel_task leaves it NULL, docs/hive-schema.md §2.5).
    INSERT INTO node_task_assignments (id, task_id, node_id, node_project_id, local_task_id,
                                       local_attempt_id, execution_status, assigned_at, started_at,
                                       completed_at, created_at)
    SELECT hive_seed_uuid('assignment', a), hive_seed_uuid('task', t), np.node_id,
           hive_seed_uuid('node_project', p), hive_seed_uuid('local_task', a),
           CASE WHEN st = 'pending' THEN NULL ELSE hive_seed_uuid('local_attempt', a) END,
           st, base + a * interval '30 seconds',
           CASE WHEN st = 'pending' THEN NULL ELSE base + a * interval '30 seconds' + interval '5 seconds' END,
           CASE WHEN NOT is_last OR st IN ('completed', 'failed')
                THEN base + a * interval '30 seconds' + interval '20 minutes' END,
           base + a * interval '30 seconds'
    FROM generate_series(1, assignments) AS a,
         LATERAL (SELECT (a - 1) % tasks + 1 AS t, a + tasks > assignments AS is_last) x,
         LATERAL (SELECT (t - 1) % projects + 1 AS p,
                         CASE WHEN is_last THEN (ARRAY['pending', 'starting', 'running', 'completed',
                                                       'failed', 'cancelled'])[a % 6 + 1]
                              ELSE (ARRAY['completed', 'failed', 'cancelled'])[a % 3 + 1] END AS st) y
    JOIN node_projects np ON np.id = hive_seed_uuid('node_project', y.p);

    assignment_ids := ARRAY(SELECT hive_seed_uuid('assignment', a) FROM generate_series(1, assignments) AS a);

    -- The rows below reference only ids generated above, so their foreign-key checks cannot
    -- fail, yet they cost more than half the time of a million-line seed. A superuser (every
    -- test and bench) skips them the way pg_restore does; the schema test checks integrity.
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        PERFORM set_config('session_replication_role', 'replica', true);
    END IF;

    -- Log lines come in contiguous runs per assignment, like a real execution.
    INSERT INTO node_task_output_logs (id, assignment_id, output_type, content, "timestamp", created_at)
    SELECT l, assignment_ids[(l - 1) * assignments::bigint / log_lines + 1],
           CASE WHEN l % 13 = 0 THEN 'system' WHEN l % 7 = 0 THEN 'stderr' ELSE 'stdout' END,
           CASE WHEN l % 97 = 0 THEN 'long ' || l || ': ' || repeat(md5(l::text), 64)
                WHEN l % 11 = 0 THEN 'ünïcødé ✓ 日本語 🚀 line ' || l
                WHEN l % 10 = 0 THEN E'multi-line ' || l || E'\n  at frame 1\n  at frame 2\r\n\tdone'
                WHEN l % 13 = 0 THEN '[system] step ' || l || ' finished'
                ELSE 'line ' || l || ' ' || to_hex(l * 2654435761 % 4294967296) END,
           base + interval '1 day' + l * interval '10 milliseconds',
           base + interval '1 day' + l * interval '10 milliseconds' + interval '250 milliseconds'
    FROM generate_series(1::bigint, log_lines) AS l;

    INSERT INTO node_task_progress_events (id, assignment_id, event_type, message, metadata,
                                           "timestamp", created_at)
    SELECT e, assignment_ids[(e - 1) * assignments::bigint / events + 1], et,
           CASE WHEN e % 5 = 0 THEN NULL ELSE 'event ' || e || ': ' || et END,
           CASE et
               WHEN 'branchcreated' THEN jsonb_build_object('branch', 'vk/task-' || e)
               WHEN 'pullrequestcreated' THEN jsonb_build_object('pr_url', 'https://git.example.test/pr/' || e,
                                                                 'number', e)
               WHEN 'committed' THEN jsonb_build_object('sha', md5(e::text), 'files', e % 9)
               ELSE NULL END,
           base + interval '1 day' + e * interval '1 second',
           base + interval '1 day' + e * interval '1 second' + interval '100 milliseconds'
    FROM generate_series(1::bigint, events) AS e,
         LATERAL (SELECT (ARRAY['agentstarted', 'agentthinking', 'codechanges', 'branchcreated', 'committed',
                                'pushed', 'pullrequestcreated', 'agentfinished', 'custom'])[e % 9 + 1] AS et) x;

    PERFORM set_config('session_replication_role', saved_role, true);

    PERFORM setval(pg_get_serial_sequence('node_task_output_logs', 'id'),
                   GREATEST((SELECT max(id) FROM node_task_output_logs), 1),
                   (SELECT max(id) FROM node_task_output_logs) IS NOT NULL);
    PERFORM setval(pg_get_serial_sequence('node_task_progress_events', 'id'),
                   GREATEST((SELECT max(id) FROM node_task_progress_events), 1),
                   (SELECT max(id) FROM node_task_progress_events) IS NOT NULL);
END;
$$;

CREATE OR REPLACE FUNCTION hive_seed(orgs int, projects int, tasks int, nodes int, assignments int,
                                     log_lines int, events int) RETURNS void
LANGUAGE sql AS $$
    SELECT hive_seed_at('2025-12-01 08:00:00+00', orgs, projects, tasks, nodes, assignments,
                        log_lines, events)
$$;
