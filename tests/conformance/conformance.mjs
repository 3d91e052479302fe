#!/usr/bin/env node
// Conformance of hive-shape-server with Electric, judged by the official client.
//
// node conformance.mjs run  --url BASE --dsn CONNINFO --mode default|full|proxy [--token T --orgs
// gs A,B]
//                             [--max-steps N] [--keep-going] [--trace]
// node conformance.mjs dump --url SHAPE_URL [--table T] [--where W] [--param N=V]... [--columns
// ns a,b]
//                             [--replica default|full] [--token T] [--secret S]
//
// `run` subscribes @electric-sql/client ShapeStream+Shape to several shapes, drives scripted SQL
// through Postgres (scenarios.mjs), and at every up-to-date checks that each Shape's rows equal a
// state Postgres actually committed (never an older one than already seen, never a torn
// transaction), and that after each step the client converges on the newest state. The expected
// side is a SELECT of the same shape, typed by this file's own parser (not the client's), so a
// server encoding bug shows up as a difference. Exit status 1 on any mismatch.
//
// `dump` prints the rows the official client holds after its first up-to-date, as JSON lines
// sorted by key, in the format of `hivectl shape sync --dump` (issue 4 item 6), for byte-for-byte
// comparison with Hivewatch's own consumer.

import { Shape, ShapeStream, isChangeMessage, isControlMessage } from '@electric-sql/client'
import pg from 'pg'

import { scenarioShapes, scenarioSteps } from './scenarios.mjs'

// ---- typed values, independent of the client's parser (docs/electric-protocol.md §2.6–2.8)
// --------

function parseArrayLiteral(text) {
    let i = 0
    const fail = (why) => { throw new Error(`bad array literal (${why}) at ${i}: ${text}`) }
    if (text[0] === '[') { // explicit bounds such as [0:1]={…}: skip them
        i = text.indexOf('=') + 1
    }
    const parseLevel = () => {
        if (text[i] !== '{') fail('expected {')
        i++
        const items = []
        if (text[i] === '}') { i++; return items }
        for (;;) {
            if (text[i] === '{') {
                items.push(parseLevel())
            } else if (text[i] === '"') {
                i++
                let s = ''
                while (text[i] !== '"') {
                    if (i >= text.length) fail('unterminated quote')
                    if (text[i] === '\\') i++
                    s += text[i++]
                }
                i++
                items.push({ quoted: s })
            } else {
                let start = i
                while (text[i] !== ',' && text[i] !== '}') {
                    if (i >= text.length) fail('unterminated element')
                    i++
                }
                const raw = text.slice(start, i).trim()
                items.push(raw === 'NULL' ? null : { quoted: raw })
            }
            if (text[i] === ',') { i++; continue }
            if (text[i] === '}') { i++; return items }
            fail('expected , or }')
        }
    }
    const result = parseLevel()
    if (i !== text.length) fail('trailing characters')
    return result
}

function parseScalar(text, type) {
    switch (type) {
    case 'int2': case 'int4': case 'float4': case 'float8':
        return Number(text)
    case 'int8':
        return BigInt(text)
    case 'bool':
        return text === 't' || text === 'true'
    case 'json': case 'jsonb':
        return JSON.parse(text)
    default:
        return text
    }
}

function parseTyped(text, column) {
    if (text === null) return null
    if (!column.isArray) return parseScalar(text, column.type)
    const walk = (items) => items.map((item) =>
        item === null ? null : Array.isArray(item) ? walk(item) : parseScalar(item.quoted, column.type))
    return walk(parseArrayLiteral(text))
}

// A canonical text for typed values: BigInt, NaN, -0, key order and string/number all distinct.
function canon(v) {
    if (v === null) return 'null'
    if (v === undefined) return 'undefined'
    switch (typeof v) {
    case 'bigint': return `${v}n`
    case 'number': return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0' : String(v)
    case 'string': return JSON.stringify(v)
    case 'boolean': return String(v)
    }
    if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`
}

function canonRows(map) {
    return [...map.entries()].map(([key, row]) => `${key} => ${canon(row)}`).sort().join('\n')
}

// ---- Postgres side ----------------------------------------------------------------------------

function parseConninfo(conninfo) {
    const out = {}
    const re = /(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/g
    let m
    while ((m = re.exec(conninfo))) {
        let value = m[2]
        if (value.startsWith("'")) value = value.slice(1, -1).replace(/\\(.)/g, '$1')
        out[m[1]] = value
    }
    return { host: out.host, port: out.port ? Number(out.port) : undefined, user: out.user,
             database: out.dbname, password: out.password }
}

const rawTypes = { getTypeParser: () => (value) => value } // keep Postgres' output text

async function connect(dsn) {
    const client = new pg.Client({ ...parseConninfo(dsn), types: rawTypes })
    await client.connect()
    // The formatting Electric's server sets on its own sessions (docs/electric-protocol.md §2.6).
    await client.query(`SET DateStyle = 'ISO, DMY'; SET TimeZone = 'UTC'; SET extra_float_digits = 1;
                        SET bytea_output = 'hex'; SET IntervalStyle = 'iso_8601'; SET client_encoding = 'UTF8'`)
    return client
}

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`

async function tableInfo(db, table) {
    const { rows } = await db.query(
        `SELECT a.attname, t.typcategory = 'A' AS is_array,
                CASE WHEN t.typcategory = 'A' THEN et.typname ELSE t.typname END AS type,
                array_position(i.indkey::int2[], a.attnum) AS pk_pos
           FROM pg_attribute a
           JOIN pg_type t ON t.oid = a.atttypid
           LEFT JOIN pg_type et ON et.oid = t.typelem
           LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
          WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attnum`, [`public.${quoteIdent(table)}`])
    return rows.map((r) => ({ name: r.attname, type: r.type, isArray: r.is_array === 't',
                             pkPos: r.pk_pos === null ? null : Number(r.pk_pos) }))
}

// The Electric key of a row: "schema"."table"/"pk1"/… with '/' doubled inside values.
function electricKey(table, pkValues) {
    return `"public"."${table}"/` + pkValues.map((v) => `"${v.replaceAll('/', '//')}"`).join('/')
}

// What the shape should hold according to Postgres (inside the caller's transaction, if any).
async function expectedRows(db, def) {
    const info = await tableInfo(db, def.table)
    const selected = def.columns ? info.filter((c) => def.columns.includes(c.name)) : info
    const pk = info.filter((c) => c.pkPos !== null).sort((a, b) => a.pkPos - b.pkPos)
    const params = Object.keys(def.params ?? {}).sort((a, b) => a - b).map((k) => def.params[k])
    const sql = `SELECT ${[...pk, ...selected].map((c) => quoteIdent(c.name)).join(', ')}
                   FROM public.${quoteIdent(def.table)} ${def.where ? `WHERE ${def.where}` : ''}`
    const { rows } = await db.query({ text: sql, values: params, rowMode: 'array' })
    const map = new Map()
    for (const r of rows) {
        const value = {}
        selected.forEach((c, i) => { value[c.name] = parseTyped(r[pk.length + i], c) })
        map.set(electricKey(def.table, r.slice(0, pk.length)), value)
    }
    return map
}

// ---- the client side --------------------------------------------------------------------------

// --trace: one stderr line per HTTP exchange, for debugging a failing scenario.
let trace = false
async function tracingFetch(input, init) {
    const started = Date.now()
    try {
        const response = await fetch(input, init)
        if (trace) {
            const h = (name) => response.headers.get(name)
            console.error(`trace ${String(input).replace(/^[^?]*/, '')} -> ${response.status} offset=${h('electric-offset')} ` +
                          `handle=${h('electric-handle')}${h('electric-up-to-date') !== null ? ' up-to-date' : ''} ` +
                          `${Date.now() - started}ms`)
        }
        return response
    } catch (e) {
        if (trace) console.error(`trace ${input} -> ${e.message}`)
        throw e
    }
}

function streamOptions(base, def, mode, token) {
    if (mode === 'proxy') {
        return { url: `${base}/v1/shape/${def.table}`, headers: { Authorization: `Bearer ${token}` },
                 params: def.columns ? { columns: def.columns } : {} }
    }
    const params = { table: def.table, replica: mode }
    if (def.where) params.where = def.where
    if (def.params) params.params = def.params
    if (def.columns) params.columns = def.columns
    return { url: `${base}/v1/shape`, params }
}

// One subscribed shape: the official Shape plus bookkeeping of what it showed at each up-to-date.
class Watch {
    constructor(name, def, options, initialState, info, replica) {
        this.name = name
        this.def = def
        this.columns = info.filter((c) => !def.columns || def.columns.includes(c.name)).map((c) => c.name)
        this.pk = info.filter((c) => c.pkPos !== null).map((c) => c.name)
        this.replica = replica
        this.abort = new AbortController()
        this.stream = new ShapeStream({ ...options, signal: this.abort.signal, fetchClient: tracingFetch })
        this.shape = new Shape(this.stream)
        this.states = [initialState] // canonical texts of the states Postgres committed, in order
        this.matched = -1         // newest committed state the client has shown
        this.failures = []
        this.upToDates = 0
        this.refetches = 0
        this.splitBatches = 0     // responses carrying changes but no up-to-date
        this.fatal = null
        // Registered after the Shape's own subscriber, so the Shape has applied the batch already.
        this.stream.subscribe((messages) => this.onBatch(messages), (error) => { this.fatal = error })
    }

    // What replica mode promises about each change message (docs/electric-protocol.md §3).
    checkMessage(m) {
        const op = m.headers.operation
        const keys = Object.keys(m.value ?? {}).sort().join(',')
        const all = [...this.columns].sort().join(',')
        const pk = [...this.pk].sort().join(',')
        let problem = null
        if (op === 'insert' && keys !== all) problem = `an insert carries columns [${keys}], not [${all}]`
        else if (this.replica === 'full' && op !== 'insert' && keys !== all) problem = `a full-replica ${op} carries [${keys}], not the whole row`
        else if (this.replica === 'full' && op === 'update' && typeof m.old_value !== 'object') problem = 'a full-replica update has no old_value'
        else if (this.replica !== 'full' && op === 'update' && m.old_value !== undefined) problem = 'a default-replica update has an old_value'
        else if (this.replica !== 'full' && op === 'update' && !this.pk.every((c) => c in m.value)) problem = `an update lacks primary key columns: [${keys}]`
        else if (this.replica !== 'full' && op === 'delete' && keys !== pk) problem = `a default-replica delete carries [${keys}], not just the key [${pk}]`
        if (problem && this.failures.length === 0) this.failures.push(`${problem}: ${JSON.stringify(m, (k, v) => typeof v === 'bigint' ? `${v}n` : v)}`)
    }

    onBatch(messages) {
        for (const m of messages) if (isChangeMessage(m)) this.checkMessage(m)
        if (messages.some((m) => isControlMessage(m) && m.headers.control === 'must-refetch')) this.refetches++
        const last = messages[messages.length - 1]
        const upToDate = last && isControlMessage(last) && last.headers.control === 'up-to-date'
        if (!upToDate) {
            if (messages.some(isChangeMessage)) this.splitBatches++
            return
        }
        this.upToDates++
        const shown = canonRows(this.shape.currentValue)
        // The newest committed state it equals: steps that change nothing repeat a state.
        const at = this.states.lastIndexOf(shown)
        if (at >= this.matched) {
            this.matched = at
        } else if (this.failures.length === 0) { // the first wrong state of a step says enough
            this.failures.push(`at up-to-date #${this.upToDates} the client shows a state Postgres never ` +
                               `committed (or an older one):\n${diff(this.states[this.states.length - 1], shown)}`)
        }
    }

    get current() { return canonRows(this.shape.currentValue) }
    stop() { this.abort.abort() }
}

function diff(expected, actual) {
    const e = new Set(expected.split('\n'))
    const a = new Set(actual.split('\n'))
    const lines = []
    for (const l of e) if (!a.has(l)) lines.push(`  expected: ${l}`)
    for (const l of a) if (!e.has(l)) lines.push(`  actual:   ${l}`)
    return lines.slice(0, 12).join('\n') + (lines.length > 12 ? `\n  … ${lines.length - 12} more` : '')
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitConverged(watch, timeoutMs) {
    const want = watch.states[watch.states.length - 1]
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
        if (watch.fatal) return false
        if (watch.shape.isUpToDate && watch.current === want) return true
        await sleep(20)
    }
    return false
}

async function rotate(base, watch) {
    const url = new URL(`${base}/v1/shape`)
    url.searchParams.set('table', watch.def.table)
    url.searchParams.set('handle', watch.stream.shapeHandle)
    const response = await fetch(url, { method: 'DELETE' })
    if (response.status !== 202) {
        throw new Error(`DELETE ${url} answered ${response.status} ${await response.text()}, expected 202`)
    }
}

async function run(args) {
    const mode = args.mode
    const db = await connect(args.dsn)
    const ids = (await db.query(`SELECT hive_seed_uuid('org', 1) AS o1, hive_seed_uuid('org', 2) AS o2,
                                        hive_seed_uuid('org', 3) AS o3`)).rows[0]
    const watches = []
    for (const [name, def] of Object.entries(scenarioShapes(mode, ids, args.orgs))) {
        const initial = canonRows(await expectedRows(db, def))
        watches.push(new Watch(name, def, streamOptions(args.url, def, mode, args.token), initial,
                               await tableInfo(db, def.table), mode === 'full' ? 'full' : 'default'))
    }
    let failed = false
    const fail = (msg) => { failed = true; console.error(`FAIL [${mode}] ${msg}`) }

    const record = async () => {
        for (const w of watches) w.states.push(canonRows(await expectedRows(db, w.def)))
    }
    const settle = async (stepName) => {
        for (const w of watches) {
            if (!(await waitConverged(w, 20000))) {
                fail(`${stepName}: shape ${w.name} did not converge on Postgres' rows` +
                     (w.fatal ? ` (stream error: ${w.fatal.message ?? w.fatal})` : '') +
                     `:\n${diff(w.states[w.states.length - 1], w.current)}`)
            }
            for (const f of w.failures.splice(0)) fail(`${stepName}: shape ${w.name}: ${f}`)
        }
    }

    await settle('initial sync')
    for (const w of watches) {
        if (w.splitBatches === 0 && w.states[0].split('\n').length > 20) {
            fail(`initial sync: shape ${w.name} arrived in one response although it exceeds --chunk-bytes`)
        }
    }

    for (const step of scenarioSteps(mode, ids).slice(0, args.maxSteps)) {
        if (failed && !args.keepGoing) break
        const before = new Map(watches.map((w) => [w.name, { refetches: w.refetches, split: w.splitBatches }]))
        if (step.rotate) {
            const w = watches.find((x) => x.name === step.rotate)
            await rotate(args.url, w)
        }
        if (step.sql) {
            // Expected states are read inside the transaction, before COMMIT, so they exist before
            // any up-to-date that could show them.
            await db.query('BEGIN')
            try {
                for (const sql of [].concat(step.sql)) await db.query(sql)
                await record()
                await db.query('COMMIT')
            } catch (e) {
                await db.query('ROLLBACK')
                for (const w of watches) w.states.pop()
                throw new Error(`step ${step.name}: ${e.message}`)
            }
        } else {
            await record()
        }
        await settle(step.name)
        for (const name of step.expectRefetch ?? []) {
            const w = watches.find((x) => x.name === name)
            if (w && w.refetches === before.get(name).refetches) {
                fail(`${step.name}: shape ${name} saw no must-refetch (409) although the step requires one`)
            }
        }
        for (const name of step.expectSplit ?? []) {
            const w = watches.find((x) => x.name === name)
            if (w && w.splitBatches === before.get(name).split) {
                fail(`${step.name}: shape ${name} got the whole transaction in one response although it ` +
                     `exceeds --chunk-bytes`)
            }
        }
        if (!failed) console.log(`ok [${mode}] ${step.name}`)
    }
    for (const w of watches) w.stop()
    await db.end()
    const total = watches.reduce((n, w) => n + w.upToDates, 0)
    console.log(`${failed ? 'FAILED' : 'passed'} [${mode}]: ${watches.length} shapes, ${total} up-to-dates checked`)
    return failed ? 1 : 0
}

// ---- dump -------------------------------------------------------------------------------------

// The `hivectl shape sync --dump` text: keys sorted, ", " and ": " separators, int8 exact,
// NaN/±Infinity as strings, non-ASCII as UTF-8 (JSON.stringify's string escaping).
function dumpJson(v) {
    if (v === null || v === undefined) return 'null'
    switch (typeof v) {
    case 'bigint': return v.toString()
    case 'number': return Number.isNaN(v) ? '"NaN"' : v === Infinity ? '"Infinity"' : v === -Infinity ? '"-Infinity"'
                                                                                           : JSON.stringify(v)
    case 'string': return JSON.stringify(v)
    case 'boolean': return String(v)
    }
    if (Array.isArray(v)) return `[${v.map(dumpJson).join(', ')}]`
    const keys = Object.keys(v).sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${dumpJson(v[k])}`).join(', ')}}`
}

async function dump(args) {
    const params = {}
    if (args.table) params.table = args.table
    if (args.where) params.where = args.where
    if (Object.keys(args.params).length) params.params = args.params
    if (args.columns) params.columns = args.columns.split(',')
    if (args.replica) params.replica = args.replica
    if (args.secret) params.secret = args.secret
    const abort = new AbortController()
    const stream = new ShapeStream({ url: args.url, params, signal: abort.signal,
                                     headers: args.token ? { Authorization: `Bearer ${args.token}` } : undefined })
    const shape = new Shape(stream)
    let rows
    try {
        rows = await shape.value
    } finally {
        abort.abort()
    }
    if (shape.error) throw shape.error
    const keys = [...rows.keys()].sort()
    // Wait for the write: stdout to a pipe is asynchronous and process.exit would cut it short.
    const text = keys.map((k) => `${dumpJson({ key: k, value: rows.get(k) })}\n`).join('')
    await new Promise((resolve) => process.stdout.write(text, resolve))
    return 0
}

// ---- command line -----------------------------------------------------------------------------

function parseArgs(argv) {
    const args = { command: argv[0], params: {}, keepGoing: false }
    for (let i = 1; i < argv.length; i++) {
        const flag = argv[i]
        const value = () => {
            if (i + 1 >= argv.length) throw new Error(`${flag} needs a value`)
            return argv[++i]
        }
        switch (flag) {
        case '--url': args.url = value().replace(/\/$/, ''); break
        case '--dsn': args.dsn = value(); break
        case '--mode': args.mode = value(); break
        case '--token': args.token = value(); break
        case '--orgs': args.orgs = value().split(','); break
        case '--table': args.table = value(); break
        case '--where': args.where = value(); break
        case '--columns': args.columns = value(); break
        case '--replica': args.replica = value(); break
        case '--secret': args.secret = value(); break
        case '--keep-going': args.keepGoing = true; break
        case '--trace': trace = true; break
        case '--max-steps': args.maxSteps = Number(value()); break
        case '--param': {
            const [n, ...rest] = value().split('=')
            args.params[n] = rest.join('=')
            break
        }
        default: throw new Error(`unknown argument ${flag}`)
        }
    }
    return args
}

async function main() {
    const args = parseArgs(process.argv.slice(2))
    if (args.command === 'run') {
        if (!args.url || !args.dsn || !['default', 'full', 'proxy'].includes(args.mode)) {
            throw new Error('run needs --url, --dsn and --mode default|full|proxy')
        }
        if (args.mode === 'proxy' && !args.token) throw new Error('--mode proxy needs --token and --orgs')
        return run(args)
    }
    if (args.command === 'dump') {
        if (!args.url) throw new Error('dump needs --url')
        return dump(args)
    }
    throw new Error('usage: conformance.mjs run|dump …')
}

main().then((code) => process.stdout.write('', () => process.exit(code)), (error) => {
    console.error(`conformance.mjs: ${error.stack ?? error}`)
    process.exit(2)
})
