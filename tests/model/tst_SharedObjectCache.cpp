// The cache PayloadDecoder shares identical signal bodies through: what it finds, what it keeps,
// and that it stays within its bounds.

#include "model/SharedObjectCache.h"

#include <QtTest>

using model::SharedObjectCache;

namespace {
QJsonObject body(int value) {
    return QJsonObject{{QStringLiteral("value"), value}};
}
QByteArray key(int value) {
    return QByteArray("l") + QByteArray::number(value);
}
} // namespace

class tst_SharedObjectCache : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void findsWhatItKept() {
        SharedObjectCache cache;
        QVERIFY(!cache.find(key(1)));
        cache.keep(key(1), body(1));
        cache.keep(key(2), body(2));
        const QJsonObject *one = cache.find(key(1));
        QVERIFY(one);
        QCOMPARE(*one, body(1));
        QCOMPARE(*cache.find(key(2)), body(2));
        QVERIFY(!cache.find(key(3)));
        QCOMPARE(cache.counts().hits, 2);
        QCOMPARE(cache.counts().misses, 2);
    }

    void keysAreCopiedNotReferenced() {
        // PayloadDecoder hands in keys over a buffer it rewrites for the next body.
        SharedObjectCache cache;
        QByteArray buffer = key(7);
        cache.keep(QByteArray::fromRawData(buffer.constData(), buffer.size()), body(7));
        buffer[1] = '8';
        QVERIFY(!cache.find(key(8)));
        QVERIFY(cache.find(key(7)));
    }

    void aCopyHandedOutCannotChangeTheKeptObject() {
        SharedObjectCache cache;
        cache.keep(key(1), body(1));
        QJsonObject copy = *cache.find(key(1));
        copy.insert(QStringLiteral("value"), 99);
        QCOMPARE(*cache.find(key(1)), body(1));
    }

    void startsOverWhenFull() {
        SharedObjectCache cache(3);
        for (int i = 0; i < 3; ++i)
            cache.keep(key(i), body(i));
        QCOMPARE(cache.size(), 3);
        cache.keep(key(3), body(3));
        QCOMPARE(cache.size(), 1);
        QVERIFY(!cache.find(key(0)));
        QCOMPARE(*cache.find(key(3)), body(3));
    }

    void neverKeepsLongContent() {
        SharedObjectCache cache;
        const QByteArray longKey(SharedObjectCache::kMaxKeyBytes + 1, 's');
        cache.keep(longKey, body(1));
        QCOMPARE(cache.size(), 0);
        QVERIFY(!cache.find(longKey));
        const QByteArray longest(SharedObjectCache::kMaxKeyBytes, 's');
        cache.keep(longest, body(2));
        QCOMPARE(*cache.find(longest), body(2));
    }
};

QTEST_GUILESS_MAIN(tst_SharedObjectCache)
#include "tst_SharedObjectCache.moc"
