// app::AllocatorTuning keeps glibc from letting large blocks into a thread's heap after the first
// one is freed. Measured through mallinfo2(): the bytes malloc holds in mappings of their own.

#include "app/AllocatorTuning.h"

#include <QByteArray>
#include <QtTest>

#include <malloc.h>
#include <thread>

namespace {

// The bytes malloc holds in mappings of their own (its mmapped chunks), process-wide.
qint64 mappedBytes() {
    return qint64(mallinfo2().hblkhd);
}

// A checkpoint's plan: a large buffer made, filled, freed, and then made again. Returns how many
// more mapped bytes the process held while the second one was alive than before it was made.
qint64 mappedGrowthOfASecondLargeBlock(qsizetype size) {
    {
        const QByteArray first(size, 'a'); // mapped either way: above the starting threshold
        if (first.at(size - 1) != 'a')
            return -1;
    } // freed: by default this raises glibc's threshold to its size
    const qint64 before = mappedBytes();
    const QByteArray second(size, 'b');
    const qint64 growth = mappedBytes() - before;
    return second.at(size - 1) == 'b' ? growth : -1;
}

} // namespace

class tst_AllocatorTuning final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Tuned, the second block is mapped like the first, so freeing it gives its pages back to the
    // system; untuned, glibc would take it from the heap, which keeps the room afterwards. Run on a
    // thread of its own, like the ingest and store threads whose arenas it protects.
    void aLargeBlockStaysMappedAfterTheFirstIsFreed() {
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("AddressSanitizer's allocator replaces glibc's: mallinfo2() does not see its blocks");
#endif
        app::AllocatorTuning::apply();
        constexpr qsizetype kPlanBytes = 320 * 1024; // a 10,000-vehicle checkpoint plan
        qint64 growth = -2;
        std::thread worker([&] { growth = mappedGrowthOfASecondLargeBlock(kPlanBytes); });
        worker.join();
        QVERIFY2(growth >= kPlanBytes, qPrintable(QStringLiteral("mapped growth %1 bytes").arg(growth)));
        // Blocks below the threshold still come from the heap, as every small allocation should.
        static_assert(app::AllocatorTuning::kMapThresholdBytes > 64 * 1024, "a constant, checked when built");
        const qint64 smallGrowth = mappedGrowthOfASecondLargeBlock(64 * 1024);
        QCOMPARE(smallGrowth, qint64(0));
    }
};

QTEST_GUILESS_MAIN(tst_AllocatorTuning)
#include "tst_AllocatorTuning.moc"
