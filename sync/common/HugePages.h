#pragma once

#include <cstddef>

namespace hivewatch {

// Asks for transparent huge pages over the whole 2 MiB pages inside [start, start + bytes),
// before they are first touched. THP is 'madvise' on the machines measured, and a fresh 10 MiB
// buffer faulted in 4 KiB at a time was a large part of the first chunk's path
// (docs/benchmarks.md). A hint only: nothing changes where the kernel has no huge pages.
void adviseHugePages(const void *start, std::size_t bytes);

} // namespace hivewatch
