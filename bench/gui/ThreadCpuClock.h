#pragma once

#include <QtGlobal>

#include <ctime>

// CPU time the calling thread has used, in nanoseconds: what tells a stall the GUI thread spent
// working from one it spent waiting for a core.
inline qint64 threadCpuNs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
