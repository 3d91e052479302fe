/* For bench/ui/priorities.sh: preloaded, it makes setpriority() a no-op, so every thread of the
   dashboard stays at the process's nice value (the "workers not lowered" side of the A/B). */
#include <sys/resource.h>

int setpriority(__priority_which_t which, id_t who, int prio)
{
    (void)which;
    (void)who;
    (void)prio;
    return 0;
}
