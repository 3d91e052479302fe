// The official client's side of bench/shape: initial sync of one shape, materialized in memory
// by @electric-sql/client's Shape, until the first up-to-date. Prints one JSON line of figures.
//   node official_initial_sync.mjs NODE_DIR URL TABLE
import { pathToFileURL } from 'node:url'

const [nodeDir, url, table] = process.argv.slice(2)
const { ShapeStream, Shape } = await import(
    pathToFileURL(`${nodeDir}/node_modules/@electric-sql/client/dist/index.mjs`).href)

const started = process.hrtime.bigint()
const abort = new AbortController()
const shape = new Shape(new ShapeStream({ url, params: { table }, signal: abort.signal }))
const rows = await shape.value
const seconds = Number(process.hrtime.bigint() - started) / 1e9
abort.abort()
if (shape.error) throw shape.error
const usage = process.resourceUsage()
const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6
console.log(JSON.stringify({ rows: rows.size, seconds: +seconds.toFixed(3), rowsPerSecond: Math.round(rows.size / seconds),
                             cpuSeconds: +cpuSeconds.toFixed(3), rowsPerCpuSecond: Math.round(rows.size / cpuSeconds),
                             peakRssMiB: +(usage.maxRSS / 1024).toFixed(1) }))
process.exit(0)
