#include "sync/common/HugePages.h"

#include <sys/mman.h>

#include <cstdint>

namespace hivewatch {

void adviseHugePages(const void *start, std::size_t bytes)
{
#ifdef MADV_HUGEPAGE
    constexpr std::uintptr_t kHuge = std::uintptr_t(2) << 20;
    const std::uintptr_t begin = (std::uintptr_t(start) + kHuge - 1) & ~(kHuge - 1);
    const std::uintptr_t end = (std::uintptr_t(start) + bytes) & ~(kHuge - 1);
    if (start && end > begin)
        madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
#else
    (void)start;
    (void)bytes;
#endif
}

} // namespace hivewatch
