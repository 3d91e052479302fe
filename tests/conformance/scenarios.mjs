// The conformance scenarios: which shapes the official client subscribes to, and the SQL steps
// (one transaction each) driven through Postgres while it watches. The database holds
// hive_seed(3, 4, 30, 4, 20, 400, 50) plus tests/conformance/fixture.sql, loaded by the ctest
// wrapper (tst_conformance.cpp) before the server starts. Seed facts used below: project p
// belongs to org ((p-1) % 3) + 1; task t is in project ((t-1) % 4) + 1 with status
// task_status[t % 5]; tasks 21..30 have no assignments; log line l is 'system' when l % 13 = 0.

const task = (n) => `'c0000000-0000-4000-8000-${String(n).padStart(12, '0')}'`
const node = (n) => `'d0000000-0000-4000-8000-${String(n).padStart(12, '0')}'`
const seed = (kind, n) => `hive_seed_uuid('${kind}', ${n})`

// Shapes per mode. Direct modes exercise where + params, a column subset and a table without a
// where; the proxy forces `organization_id = ANY($1)` with the token's organizations, so only
// tables with an organization_id make sense there.
export function scenarioShapes(mode, ids, orgs) {
    if (mode === 'proxy') {
        const byOrg = { where: 'organization_id = ANY($1)', params: { 1: `{${orgs.join(',')}}` } }
        return {
            tasks: { table: 'shared_tasks', ...byOrg },
            taskTitles: { table: 'shared_tasks', columns: ['id', 'title', 'status'], ...byOrg },
            nodes: { table: 'nodes', ...byOrg },
        }
    }
    return {
        tasks: { table: 'shared_tasks', where: 'organization_id = $1 AND status <> $2',
                 params: { 1: ids.o1, 2: 'cancelled' } },
        types: { table: 'conformance_types' },
        logs: { table: 'node_task_output_logs', columns: ['id', 'assignment_id', 'output_type', 'content'],
                where: "output_type <> 'system'" },
        nodes: { table: 'nodes' },
    }
}

const typeColumns = 'i2, i4, i8, f4, f8, num, flag, label, code, fixed, uid, at, day, doc, docb, status, node, ' +
                    'tags, nums, flags, ratios, grid, docs, statuses, raw'

export function scenarioSteps(mode, ids) {
    const direct = mode !== 'proxy'
    const o = (n) => `'${ids[`o${n}`]}'`
    const steps = [
        {
            name: 'inserts (unicode, newlines, NULL versus empty text, int8 extremes, arrays with NULL and "NULL")',
            sql: [
                `INSERT INTO shared_tasks (id, organization_id, project_id, title, description, status) VALUES
                   (${task(1)}, ${o(1)}, ${seed('project', 1)}, E'Neue Aufgabe ✓ 日本語\\nzweite Zeile', NULL, 'todo'),
                   (${task(2)}, ${o(1)}, ${seed('project', 1)}, 'plain', '', 'in-progress'),
                   (${task(3)}, ${o(2)}, ${seed('project', 2)}, 'other org "quoted"', E'back\\\\slash', 'in-review'),
                   (${task(4)}, ${o(1)}, ${seed('project', 4)}, 'to be cancelled', E'tab\\there', 'done')`,
                `INSERT INTO nodes (id, organization_id, name, machine_id, status, capabilities, public_url) VALUES
                   (${node(1)}, ${o(1)}, 'new node ✓', 'machine-new-1', 'online',
                    '{"executors": ["CLAUDE_CODE"], "max_concurrent_tasks": 2, "os": "linux", "arch": "x86_64", "version": "1.0.0"}',
                    'http://127.0.0.1:3000'),
                   (${node(2)}, ${o(2)}, 'second', 'machine-new-2', 'pending', '{}', NULL)`,
                `INSERT INTO conformance_types (id, i8, nums, label, flag, tags, doc, docb, f8, statuses) VALUES
                   (10, 9223372036854775807, ARRAY[9223372036854775807, NULL, -9223372036854775808],
                    E'line1\\nline2 ü\\r\\n\\ttabbed', true, ARRAY[NULL, 'NULL', 'x y', '"', '\\\\'],
                    '{"z": 1, "a": [null, 1e3]}', '{"b": [1, {"c": "d"}], "big": 12345678901234567890}', 'NaN',
                    ARRAY['done', NULL]::task_status[]),
                   (11, -9223372036854775808, '{}', '', false, '{}', 'null', '"s"', '-Infinity', '{}')`,
                `INSERT INTO node_task_output_logs (id, assignment_id, output_type, content) VALUES
                   (100001, ${seed('assignment', 1)}, 'stdout', E'héllo\\nworld'),
                   (100002, ${seed('assignment', 1)}, 'system', 'system line'),
                   (100003, ${seed('assignment', 1)}, 'stderr', E'err \\\\ "q" 🚀')`,
            ],
        },
        {
            name: 'partial updates',
            sql: [
                `UPDATE shared_tasks SET status = 'in-review', version = version + 1 WHERE id = ${task(2)}`,
                `UPDATE shared_tasks SET description = E'edited\\nü' WHERE id = ${seed('task', 1)}`,
                `UPDATE nodes SET last_heartbeat_at = '2025-12-24 10:00:00.5+00', status = 'busy' WHERE id = ${node(1)}`,
                `UPDATE conformance_types SET i8 = -1, tags = ARRAY['NULL', NULL] WHERE id = 1`,
                `UPDATE conformance_types SET flag = NULL, docb = '{"k": [1, 2, 3]}', f4 = 'Infinity' WHERE id = 2`,
                `UPDATE node_task_output_logs SET content = 'changed ✓' WHERE id = 100001`,
            ],
        },
        {
            name: 'several changes to the same rows in one transaction',
            sql: [
                `INSERT INTO conformance_types (id, label) VALUES (20, 'temp')`,
                `UPDATE conformance_types SET label = 'temp 2', i4 = 5 WHERE id = 20`,
                `UPDATE conformance_types SET i4 = 6 WHERE id = 20`,
                `DELETE FROM conformance_types WHERE id = 11`,
                `INSERT INTO conformance_types (id, label, flag) VALUES (21, 'kept', true)`,
                `UPDATE shared_tasks SET title = title || ' (1)' WHERE id = ${task(1)}`,
                `UPDATE shared_tasks SET title = title || ' (2)', version = 7 WHERE id = ${task(1)}`,
                `INSERT INTO nodes (id, organization_id, name, machine_id) VALUES (${node(3)}, ${o(1)}, 'brief', 'machine-new-3')`,
                `DELETE FROM nodes WHERE id = ${node(3)}`,
            ],
        },
        {
            name: 'deletes',
            sql: [
                `DELETE FROM shared_tasks WHERE id = ${seed('task', 21)}`,
                `DELETE FROM conformance_types WHERE id = 3`,
                `DELETE FROM nodes WHERE id = ${node(2)}`,
                `DELETE FROM node_task_output_logs WHERE id IN (100003, 5)`,
            ],
        },
        {
            name: 'primary key changes (delete + insert)',
            sql: [
                `UPDATE conformance_types SET id = 200 WHERE id = 2`,
                `UPDATE shared_tasks SET id = ${task(9)} WHERE id = ${task(1)}`,
            ],
        },
        {
            name: 'rows moving out of and into the where',
            sql: [
                `UPDATE shared_tasks SET status = 'cancelled' WHERE id = ${task(4)}`,
                `UPDATE shared_tasks SET status = 'todo' WHERE id = ${seed('task', 24)}`,
                `UPDATE shared_tasks SET organization_id = ${o(2)}, project_id = ${seed('project', 2)} WHERE id = ${task(2)}`,
                `UPDATE shared_tasks SET organization_id = ${o(3)}, project_id = ${seed('project', 3)} WHERE id = ${task(3)}`,
                `UPDATE node_task_output_logs SET output_type = 'system' WHERE id = 100001`,
                `UPDATE node_task_output_logs SET output_type = 'stderr' WHERE id = 13`,
                `UPDATE nodes SET organization_id = ${o(3)} WHERE id = ${node(1)}`,
            ],
        },
        {
            name: 'a transaction larger than a chunk',
            sql: [
                `INSERT INTO node_task_output_logs (assignment_id, output_type, content)
                   SELECT ${seed('assignment', 2)}, CASE WHEN g % 5 = 0 THEN 'system' ELSE 'stdout' END,
                          'bulk line ' || g || ' ' || repeat('x', 100)
                   FROM generate_series(1, 150) AS g`,
                `INSERT INTO shared_tasks (id, organization_id, project_id, title, description)
                   SELECT md5('bulk-task/' || g)::uuid, ${o(1)}, ${seed('project', 1)}, 'bulk task ' || g,
                          repeat('description ', 20)
                   FROM generate_series(1, 40) AS g`,
            ],
            expectSplit: direct ? ['tasks', 'logs'] : ['tasks'],
        },
        {
            name: 'updates of columns outside the shape only',
            sql: [
                `UPDATE node_task_output_logs SET created_at = created_at + interval '1 second' WHERE id <= 50`,
                `UPDATE shared_tasks SET description = 'not in the titles shape' WHERE id = ${seed('task', 1)}`,
            ],
        },
        {
            name: 'a transaction touching no row of any shape',
            sql: [
                `UPDATE organizations SET name = name || '.'`,
                `UPDATE shared_tasks SET title = title || '!' WHERE organization_id = ${o(3)}`,
            ],
        },
        {
            name: 'every type again, through replication',
            sql: [
                `INSERT INTO conformance_types (id, ${typeColumns}) SELECT 30, ${typeColumns} FROM conformance_types WHERE id = 1`,
                `INSERT INTO conformance_types (id, f4, f8, flags, ratios, raw, fixed, status, statuses, grid, docs, num, at) VALUES
                   (31, '-Infinity', 'NaN', ARRAY[NULL, true], ARRAY[1e-300, -0.0, 'NaN']::float8[], '\\xdeadbeef', 'abcd',
                    'cancelled', '{cancelled,NULL}', '{{{1}},{{NULL}}}', ARRAY['{"x": "ü"}']::jsonb[], 'NaN',
                    '1999-12-31 23:59:59.999999-08')`,
                `INSERT INTO conformance_types (id, f4, f8, ratios, i2, i4) VALUES
                   (32, '-0', '-0', '{-0,1e-7,1.5e21,123456789012345680000,5e-324,1.7976931348623157e308}', 0, -1)`,
            ],
        },
        { name: 'TRUNCATE', sql: ['TRUNCATE conformance_types'], expectRefetch: direct ? ['types'] : [] },
        { name: 'insert after TRUNCATE', sql: [`INSERT INTO conformance_types (id, label, flag) VALUES (40, 'after', false)`] },
        {
            name: 'rotation (DELETE /v1/shape) then a change',
            rotate: 'nodes',
            sql: [`UPDATE nodes SET name = name || ' (after rotation)' WHERE id = ${seed('node', 1)}`],
            expectRefetch: ['nodes'],
        },
        {
            name: 'TRUNCATE … CASCADE over several shapes',
            sql: ['TRUNCATE shared_tasks CASCADE'],
            expectRefetch: direct ? ['tasks', 'logs'] : ['tasks', 'taskTitles'],
        },
        {
            name: 'insert after TRUNCATE … CASCADE',
            sql: [`INSERT INTO shared_tasks (id, organization_id, project_id, title) VALUES
                     (${task(50)}, ${o(1)}, ${seed('project', 1)}, 'fresh start')`],
        },
    ]
    return steps
}
