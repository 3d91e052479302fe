-- The task-shaped table of bench/shape/tasks.sh (docs/benchmarks.md, "Shape consumer: a
-- task-shaped shape"): the column kinds of the hive's shared_tasks (uuid, text, an enum, int8,
-- timestamptz) at about 340 bytes of Electric JSON a row, so a 200k-row snapshot is ~68 MiB.
--   psql -v rows=200000 -f bench_tasks.sql     (after electric_setup.sql)
DROP TABLE IF EXISTS bench_tasks;
DROP TYPE IF EXISTS bench_task_status;
CREATE TYPE bench_task_status AS ENUM ('todo', 'in-progress', 'in-review', 'done', 'cancelled');
CREATE TABLE bench_tasks (
    id uuid PRIMARY KEY,
    title text NOT NULL,
    description text,
    status bench_task_status NOT NULL,
    version int8 NOT NULL,
    updated_at timestamptz NOT NULL
);
INSERT INTO bench_tasks
SELECT md5(g::text)::uuid,
       'Task ' || g || ': ' || (ARRAY['fix the flaky sync test', 'review the kanban layout',
                                      'port the log loader', 'write the release notes'])[1 + g % 4],
       CASE WHEN g % 10 = 0 THEN NULL ELSE left('lorem ipsum dolor sit amet, consectetur', 5 + g % 30) END,
       (ARRAY['todo', 'in-progress', 'in-review', 'done', 'cancelled'])[1 + g % 5]::bench_task_status,
       g,
       timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
FROM generate_series(1, :rows) g;
SELECT electric_sync_table('public', 'bench_tasks');
VACUUM ANALYZE bench_tasks;
