-- Extra table for the conformance suite: every column type the hive schema uses (uuid, text,
-- bool, timestamptz, jsonb, int8, enums) plus the ones whose text form is easy to get wrong
-- (int8 extremes, floats with NaN/±Infinity, json vs jsonb, arrays with NULL elements and the
-- string "NULL", nested arrays, bytea, blank-padded char). Load after hive_schema.sql and
-- electric_setup.sql; the rows here end up in the initial snapshot, where bools are spelled
-- true/false, while the scenario's later changes arrive through replication as t/f.

SET client_encoding = 'UTF8';

CREATE TABLE conformance_types (
    id       BIGINT PRIMARY KEY,
    i2       SMALLINT,
    i4       INTEGER,
    i8       BIGINT,
    f4       REAL,
    f8       DOUBLE PRECISION,
    num      NUMERIC(40, 10),
    flag     BOOLEAN,
    label    TEXT,
    code     VARCHAR(16),
    fixed    CHAR(4),
    uid      UUID,
    at       TIMESTAMPTZ,
    day      DATE,
    doc      JSON,
    docb     JSONB,
    status   task_status,
    node     node_status,
    tags     TEXT[],
    nums     BIGINT[],
    flags    BOOLEAN[],
    ratios   DOUBLE PRECISION[],
    grid     INTEGER[][],
    docs     JSONB[],
    statuses task_status[],
    raw      BYTEA,
    created_at TIMESTAMPTZ NOT NULL DEFAULT '2025-12-01 00:00:00+00'
);
SELECT electric_sync_table('public', 'conformance_types');

INSERT INTO conformance_types VALUES
    (1, 32767, 2147483647, 9223372036854775807, 3.25, 1.5e300, 12345678901234567890.0123456789, true,
     E'snapshot ✓ ünïcode\nsecond line', 'code-1', 'ab', 'c0ffee00-0000-4000-8000-000000000001',
     '2025-12-24 23:59:59.123456+00', '2025-12-25', '{"a": [1, 2.5, "x"], "b": null}',
     '{"nested": {"deep": [true, false, null]}, "n": 9007199254740993}', 'in-progress', 'draining',
     ARRAY['a', NULL, 'NULL', 'with "quotes"', 'with,comma', 'back\slash', '{braces}', ''],
     ARRAY[-9223372036854775808, 0, NULL, 9223372036854775807], ARRAY[true, NULL, false],
     ARRAY['NaN', 'Infinity', '-Infinity', 0.1, -2.5e-10]::float8[], ARRAY[[1, 2], [3, NULL]],
     ARRAY['{"k": 1}', NULL, '[]']::jsonb[], ARRAY['todo', 'in-review', NULL]::task_status[],
     '\x00ff10', DEFAULT),
    (2, -32768, -2147483648, -9223372036854775808, 'NaN', '-Infinity', -0.5, false, '', NULL, NULL, NULL,
     NULL, NULL, '"just a string"', '[]', 'todo', NULL, '{}', NULL, '{}', ARRAY['Infinity']::float8[], NULL,
     NULL, '{}', '\x', DEFAULT),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, DEFAULT);
