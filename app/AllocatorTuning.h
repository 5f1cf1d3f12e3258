#pragma once

#include <QtGlobal>

namespace app {

// How the process asks glibc's malloc to treat large blocks. Fleet Monitor runs for weeks and makes
// large, short-lived buffers on its worker threads at a steady pace: each fleet checkpoint plans the
// vehicles it covers (320 KB for 10,000 vehicles) and encodes them in slices (200 KB), the GUI
// draws chart backgrounds. glibc maps a block of 128 KiB or more on its own and unmaps it when
// freed, but by default the first such free raises that threshold to the block's size, so from then
// on the same buffers come from a thread's heap. There they fragment it: other allocations settle
// into the hole while the next checkpoint's buffer needs a new one, and the heap kept 0.2 MB more
// after every checkpoint of a warm desktop under 2,000 deliveries/s (bench/gui). A fixed threshold
// keeps large blocks mapped: what they take goes back to the system when they are freed.
// Linux with glibc; elsewhere a no-op.
class AllocatorTuning final {
public:
    static constexpr qsizetype kMapThresholdBytes = 128 * 1024; // glibc's starting value, kept

    // Run first thing in main(), before the threads start.
    static void apply();
};

} // namespace app
