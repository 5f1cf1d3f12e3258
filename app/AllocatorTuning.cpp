#include "app/AllocatorTuning.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace app {

void AllocatorTuning::apply() {
#ifdef __GLIBC__
    // Setting the threshold explicitly is what turns glibc's dynamic adjustment off (mallopt(3)).
    mallopt(M_MMAP_THRESHOLD, int(kMapThresholdBytes));
#endif
}

} // namespace app
