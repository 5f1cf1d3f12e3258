// The shared fleet's banner: each state's sentence (lost with the reason and a countdown to the next
// try, a try under way, the first connection, catching up with its figures and progress), the colour
// it is painted in, the countdown running on its own timer, and the banner gone once live.

#include "ui/SharedFleetBanner.h"

#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QTest>

using model::SharedFleetStatus;
using State = model::SharedFleetStatus::State;

namespace {

const QString kLocation = QStringLiteral("postgresql://fleet@db:5432/fleet");

SharedFleetStatus status(State state) {
    SharedFleetStatus s;
    s.state = state;
    s.location = kLocation;
    return s;
}

SharedFleetStatus lost(const QString &error, int attempt, qint64 retryInMs) {
    SharedFleetStatus s = status(State::Lost);
    s.error = error;
    s.attempt = attempt;
    s.retryInMs = retryInMs;
    return s;
}

} // namespace

class tst_SharedFleetBanner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        // Figures are grouped as the manager's locale does it; the test pins one.
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void init() {
        m_now = 1'000'000;
        m_parent = std::make_unique<QWidget>();
        m_banner = new ui::SharedFleetBanner(m_parent.get());
        m_banner->setClock([this] { return m_now; });
        m_parent->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_parent.get()));
    }

    void cleanup() { m_parent.reset(); }

    void hiddenUntilTold() { QVERIFY(!m_banner->isVisible()); }

    void lostSaysWhereWhyAndWhen() {
        m_banner->setStatus(lost(QStringLiteral("could not connect to server: Connection refused\n"
                                                "\tIs the server running on host \"db\" and accepting\n"
                                                "\tTCP/IP connections on port 5432?\n"),
                                 3, 4000));
        QVERIFY(m_banner->isVisible());
        QCOMPARE(m_banner->text(),
                 QStringLiteral("Connection to the shared fleet (postgresql://fleet@db:5432/fleet) lost: "
                                "could not connect to server: Connection refused. Reconnecting in 4 s "
                                "(attempt 3)…"));
        QVERIFY(m_banner->warning());
        QVERIFY(!m_banner->progressBar()->isVisible());
        // libpq's whole message, every line of it, is one hover away.
        auto *label = m_banner->findChild<QLabel *>(QStringLiteral("sharedFleetBannerText"));
        QVERIFY(label);
        QVERIFY2(label->toolTip().contains(QStringLiteral("TCP/IP connections on port 5432?")),
                 qPrintable(label->toolTip()));
        QCOMPARE(m_banner->accessibleDescription(), m_banner->text());
    }

    void lostWithoutReason() {
        m_banner->setStatus(lost(QString(), 1, 1000));
        QCOMPARE(m_banner->text(),
                 QStringLiteral("Connection to the shared fleet (postgresql://fleet@db:5432/fleet) lost. "
                                "Reconnecting in 1 s (attempt 1)…"));
    }

    void countdownRunsOnItsOwn() {
        m_banner->setStatus(lost(QStringLiteral("server closed the connection unexpectedly."), 2, 4000));
        QCOMPARE(m_banner->secondsToRetry(), 4);
        QVERIFY(m_banner->text().contains(QStringLiteral("Reconnecting in 4 s (attempt 2)…")));
        // Seconds are rounded up: with 2.5 s left it says 3, never "0 s" while still waiting.
        m_now += 1500;
        QTRY_VERIFY2_WITH_TIMEOUT(m_banner->text().contains(QStringLiteral("Reconnecting in 3 s")),
                                  qPrintable(m_banner->text()), 5000);
        m_now += 2000;
        QTRY_VERIFY2_WITH_TIMEOUT(m_banner->text().contains(QStringLiteral("Reconnecting in 1 s")),
                                  qPrintable(m_banner->text()), 5000);
        m_now += 600;
        QTRY_VERIFY2_WITH_TIMEOUT(m_banner->text().endsWith(QStringLiteral("Reconnecting now (attempt 2)…")),
                                  qPrintable(m_banner->text()), 5000);
        QCOMPARE(m_banner->secondsToRetry(), 0);
        // The reason stays while the try is under way.
        QVERIFY(
            m_banner->text().contains(QStringLiteral("lost: server closed the connection unexpectedly.")));
    }

    void tryUnderWayReadsAsNow() {
        SharedFleetStatus s = status(State::Connecting);
        s.attempt = 4;
        s.error = QStringLiteral("timeout expired");
        m_banner->setStatus(s);
        QCOMPARE(m_banner->text(),
                 QStringLiteral("Connection to the shared fleet (postgresql://fleet@db:5432/fleet) lost: "
                                "timeout expired. Reconnecting now (attempt 4)…"));
        QVERIFY(m_banner->warning());
    }

    void firstConnection() {
        m_banner->setStatus(status(State::Connecting));
        QCOMPARE(m_banner->text(),
                 QStringLiteral("Connecting to the shared fleet (postgresql://fleet@db:5432/fleet)…"));
        QVERIFY(!m_banner->warning());
        QVERIFY(m_banner->isVisible());
        QVERIFY(!m_banner->progressBar()->isVisible());
    }

    void catchingUpShowsFiguresAndProgress() {
        SharedFleetStatus s = status(State::CatchingUp);
        s.taken = 12'000;
        s.latest = 40'000;
        m_banner->setStatus(s);
        QCOMPARE(m_banner->text(), QStringLiteral("Catching up: 12,000 of 40,000 deliveries"));
        QVERIFY(!m_banner->warning());
        QProgressBar *bar = m_banner->progressBar();
        QVERIFY(bar->isVisible());
        QCOMPARE(double(bar->value() - bar->minimum()) / (bar->maximum() - bar->minimum()), 0.3);
        // Beyond what an int counts: the bar scales, the figures stay exact.
        s.taken = 3'000'000'000;
        s.latest = 4'000'000'000;
        m_banner->setStatus(s);
        QCOMPARE(m_banner->text(), QStringLiteral("Catching up: 3,000,000,000 of 4,000,000,000 deliveries"));
        QCOMPARE(double(bar->value() - bar->minimum()) / (bar->maximum() - bar->minimum()), 0.75);
        // Nothing known of the database yet: an empty bar, not a division by zero.
        s.taken = 0;
        s.latest = 0;
        m_banner->setStatus(s);
        QCOMPARE(bar->value(), bar->minimum());
    }

    void hiddenWhenLive() {
        m_banner->setStatus(lost(QStringLiteral("connection refused"), 1, 8000));
        QVERIFY(m_banner->isVisible());
        m_banner->setStatus(status(State::Live));
        QVERIFY(!m_banner->isVisible());
        // A countdown left running would show the banner again at its next tick.
        QTest::qWait(600);
        QVERIFY(!m_banner->isVisible());
        // And it comes back on the next loss, in amber.
        m_banner->setStatus(lost(QStringLiteral("connection refused"), 1, 1000));
        QVERIFY(m_banner->isVisible());
        QVERIFY(m_banner->warning());
    }

    void amberAndBlueArePainted() {
        m_banner->setStatus(lost(QStringLiteral("connection refused"), 1, 1000));
        m_banner->resize(600, m_banner->sizeHint().height());
        const QColor amber = m_banner->grab().toImage().pixelColor(2, 2);
        QCOMPARE(amber, QColor(0xff, 0xec, 0xb3));
        SharedFleetStatus s = status(State::CatchingUp);
        s.latest = 10;
        m_banner->setStatus(s);
        const QColor blue = m_banner->grab().toImage().pixelColor(2, 2);
        QCOMPARE(blue, QColor(0xe3, 0xf2, 0xfd));
    }

private:
    qint64 m_now = 0;
    std::unique_ptr<QWidget> m_parent;
    ui::SharedFleetBanner *m_banner = nullptr;
};

QTEST_MAIN(tst_SharedFleetBanner)
#include "tst_SharedFleetBanner.moc"
