namespace hivewatch {

// The dashboard's allocator is jemalloc (linked into the hivewatch executable and
// bench_ui_stall only; docs/benchmarks.md, "The wall-clock stalls: glibc's arena locks").
// Under glibc the GUI thread slept up to 175 ms on a futex of another thread's malloc arena,
// held by that arena's owner or by malloc_trim walking it, while AllocatorTrimmer's trims were
// what kept peak RSS down. jemalloc purges by itself, in small steps and off the GUI thread:
//  - background_thread: purging runs on jemalloc's own thread, not inside a free();
//  - dirty_decay_ms 100 / muzzy_decay_ms 0: freed pages go back to the system within a tenth of
//    a second, and by MADV_DONTNEED rather than MADV_FREE, whose pages still count as resident.
//    At 1000 ms the pages a snapshot's parse freed were still held when the models' rows were
//    built: 200 ms took 60-90 MiB off the sync's peak RSS for ~2 CPU-s of purging on jemalloc's
//    thread, 100 ms another ~20 MiB (50 no more), and 0 cost five times the CPU
//    (docs/benchmarks.md, "Start-up and Qt's parallel fills", "Allocator decay and the log
//    sink's page cache");
//  - narenas 4 (jemalloc's default is 4 per core): fewer arenas hold fewer partly used pages,
//    and its thread caches keep the arena locks short.
// jemalloc reads this symbol before the first allocation; MALLOC_CONF in the environment
// still overrides it.
extern "C" {
extern const char *malloc_conf;
const char *malloc_conf = "background_thread:true,dirty_decay_ms:100,muzzy_decay_ms:0,narenas:4";
}

} // namespace hivewatch
