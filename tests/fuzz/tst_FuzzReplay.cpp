// Replays a fuzz target's seeds and every input that once made it fail (tests/fuzz/regressions/)
// through its LLVMFuzzerTestOneInput, compiled without libFuzzer. A target reports a broken
// property by aborting, so a regression that comes back fails this test (by crashing it) even where
// no sanitizer runs. Built once per target; FUZZ_TARGET_NAME and FUZZ_INPUT_DIRS say which.

#include <QDir>
#include <QFile>
#include <QTest>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

class FuzzReplay final : public QObject {
    Q_OBJECT

private:
    static QStringList inputs() {
        QStringList files;
        for (const QString &dir : QStringLiteral(FUZZ_INPUT_DIRS).split(QLatin1Char('|'))) {
            const QFileInfoList entries = QDir(dir).entryInfoList(QDir::Files, QDir::Name);
            for (const QFileInfo &entry : entries)
                if (entry.fileName() != QLatin1String("README.md") &&
                    !entry.fileName().startsWith(QLatin1Char('.')))
                    files.append(entry.absoluteFilePath());
        }
        return files;
    }

private Q_SLOTS:
    void seedsArePresent() {
        // An empty list would make replay() pass without running anything.
        const QStringList seeds = inputs().filter(QStringLiteral("/seeds/"));
        QVERIFY2(seeds.size() >= 3,
                 qPrintable(QStringLiteral("only %1 seeds for %2 in %3")
                                .arg(seeds.size())
                                .arg(QStringLiteral(FUZZ_TARGET_NAME), QStringLiteral(FUZZ_INPUT_DIRS))));
    }

    void replay_data() {
        QTest::addColumn<QString>("path");
        // Named by their last three path parts, e.g. "regressions/http_request/crash-1f0c...".
        for (const QString &path : inputs())
            QTest::newRow(qPrintable(path.section(QLatin1Char('/'), -3))) << path;
    }

    void replay() {
        QFETCH(QString, path);
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
        const QByteArray bytes = file.readAll();
        QCOMPARE(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t *>(bytes.constData()),
                                        size_t(bytes.size())),
                 0);
    }
};

QTEST_GUILESS_MAIN(FuzzReplay)
#include "tst_FuzzReplay.moc"
