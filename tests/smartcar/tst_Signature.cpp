// Smartcar's HMAC scheme against the SDK test vectors and the pitfall vectors of the protocol reference.

#include "smartcar/Signature.h"

#include <QtTest>

using smartcar::Signature;

class tst_Signature : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void vectors_data() {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QByteArray>("hex");
        QTest::newRow("T1 node/java/ruby hashChallenge")
            << QByteArray("amt") << QByteArray("challenge")
            << QByteArray("9baf5a7464bd86740ad5a06e439dcf535a075022ed2c92d74efacf646d79328e");
        QTest::newRow("T2 compact JSON body")
            << QByteArray("amt") << QByteArray(R"({"pizza":"pasta"})")
            << QByteArray("4c05a8da471f05156ad717baa4017acd13a3a809850b9ca7d3301dcaaa854f70");
        QTest::newRow("T3 python") << QByteArray("abc123abc123") << QByteArray("9c9c9c9c")
                                   << QByteArray(
                                          "2a596ed34b8c6f069492d952aa51f076fee7b1c662b6498e0217a0d41fd9b936");
        QTest::newRow("docs VERIFY challenge")
            << QByteArray("amt") << QByteArray("3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f")
            << QByteArray("2f0e63b32f2dca91ae5c5f9c10e8647463d58288734aa8bb84fa3ede78b9b50d");
        QTest::newRow("empty message")
            << QByteArray("amt") << QByteArray()
            << QByteArray("8121f40c2dd80d17701cd496159018a55da5f0656fccfeefcb18206b60b5c019");
        QTest::newRow("empty key, empty message")
            << QByteArray() << QByteArray()
            << QByteArray("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
        QTest::newRow("277-byte body")
            << QByteArray("amt")
            << QByteArray(
                   R"({"eventId":"550e8400-e29b-41d4-a716-446655440000","eventType":"VEHICLE_STATE","vehicleId":"9af13248-3b73-4c9d-9a4b-d937ce6bc8e2","data":{"signals":[{"code":"tractionbattery-stateofcharge","name":"StateOfCharge","group":"TractionBattery","body":{"unit":"percent","value":78}}]}})")
            << QByteArray("db67f330d76ac562b89d5c97d5dbcc5945cf83ed0f042d63eec63c0ff831187b");
    }
    void vectors() {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, message);
        QFETCH(QByteArray, hex);
        QCOMPARE(Signature::hmacSha256Hex(key, message), hex);
        QVERIFY(Signature::verify(key, message, hex));
    }

    // What a swapped key/message (the Rust crate's bug) or a re-serialised body produces must fail.
    void negatives_data() {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QByteArray>("wrongHex");
        QTest::newRow("T1 swapped")
            << QByteArray("amt") << QByteArray("challenge")
            << QByteArray("7ab7c12606f7e43a826cb6bd4dc45462fb90f5dc9ff83f796f90cc63aec14023");
        QTest::newRow("T3 swapped")
            << QByteArray("abc123abc123") << QByteArray("9c9c9c9c")
            << QByteArray("58866436573a1df2aaf9f8a8250d183703c72068e7a6a98deca6fa58480531b8");
        QTest::newRow("T2 re-serialised with a space")
            << QByteArray("amt") << QByteArray(R"({"pizza":"pasta"})")
            << QByteArray("04040b7103998aefa260b790c63a8f1502fe3e93f5db7cf5f1427c0a1dd1dc15");
    }
    void negatives() {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, message);
        QFETCH(QByteArray, wrongHex);
        QVERIFY(Signature::hmacSha256Hex(key, message) != wrongHex);
        QVERIFY(!Signature::verify(key, message, wrongHex));
    }

    void swappedArgumentsReproduceTheNegativeVectors() {
        // Proves the negative vectors are what they claim, so the test above cannot pass by accident.
        QCOMPARE(Signature::hmacSha256Hex("challenge", "amt"),
                 QByteArray("7ab7c12606f7e43a826cb6bd4dc45462fb90f5dc9ff83f796f90cc63aec14023"));
        QCOMPARE(Signature::hmacSha256Hex("amt", R"({"pizza": "pasta"})"),
                 QByteArray("04040b7103998aefa260b790c63a8f1502fe3e93f5db7cf5f1427c0a1dd1dc15"));
    }

    void headerFormsThatVerify() {
        const QByteArray hex = "9baf5a7464bd86740ad5a06e439dcf535a075022ed2c92d74efacf646d79328e";
        QVERIFY(Signature::verify("amt", "challenge", hex.toUpper()));
        QVERIFY(Signature::verify("amt", "challenge", " " + hex + " "));
        QVERIFY(!Signature::verify("amt", "challenge", hex.left(63)));
        QVERIFY(!Signature::verify("amt", "challenge", hex + "0"));
        QVERIFY(!Signature::verify("amt", "challenge", ""));
        QVERIFY(!Signature::verify("other", "challenge", hex));
    }
};

QTEST_GUILESS_MAIN(tst_Signature)
#include "tst_Signature.moc"
