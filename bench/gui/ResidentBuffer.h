#pragma once

#include <cstddef>
#include <vector>

// Room for `count` values that is resident from now on: reserved and written once, then emptied.
// A recording buffer only reserved gets its pages from the kernel as it fills, so the bench's own
// samples (~2 MB a minute at 1 kHz stall ticks and 2,000 row updates/s) would show as the
// resident set growing after warm-up, as if the app grew.
template <typename T> void reserveResident(std::vector<T> &values, std::size_t count) {
    values.resize(count);
    values.clear(); // keeps the capacity, and its pages
}
