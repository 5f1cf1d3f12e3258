// The journal's health reported on the store thread reaches the window's status bar on the GUI
// thread: the problem shows (with the file and the reason) while deliveries are refused, goes when
// the journal is writable again, and one reported before the window exists is shown when it does.

#include "app/StoreHealthRelay.h"
#include "store/Journal.h"
#include "ui/StatusIndicators.h"

#include <QLabel>
#include <QStatusBar>
#include <QtTest>
#include <thread>

namespace {

const QString kPath = QStringLiteral("/data/fleetmon/journal.sqlite");

// Reports from a thread of its own, as the store thread does.
void reportFromAnotherThread(app::StoreHealthRelay &relay, const store::JournalHealth &health) {
    std::thread store([&] { relay.report(health); });
    store.join();
}

store::JournalHealth full() {
    store::JournalHealth h;
    h.writable = false;
    h.error = QStringLiteral("database or disk is full");
    return h;
}

} // namespace

class tst_StoreHealthRelay : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void problemShowsWhileTheJournalCannotWrite() {
        QStatusBar bar;
        bar.show();
        ui::StatusIndicators indicators(&bar);
        auto *label = bar.findChild<QLabel *>(QStringLiteral("storeProblemLabel"));
        QVERIFY(label);
        app::StoreHealthRelay relay(kPath);
        relay.attach(&indicators);
        QVERIFY(!label->isVisible());

        reportFromAnotherThread(relay, full());
        QTRY_VERIFY(label->isVisible());
        QVERIFY(label->toolTip().contains(kPath));
        QVERIFY(label->toolTip().contains(QLatin1String("database or disk is full")));
        QVERIFY(label->toolTip().contains(QLatin1String("503")));

        store::JournalHealth back;
        back.writable = true;
        back.downMs = 1200;
        back.refused = 7;
        reportFromAnotherThread(relay, back);
        QTRY_VERIFY(!label->isVisible());
        QVERIFY(relay.problem().isEmpty());
    }

    void aProblemBeforeTheWindowIsShownWhenItExists() {
        app::StoreHealthRelay relay(kPath);
        reportFromAnotherThread(relay, full());
        QTRY_VERIFY(!relay.problem().isEmpty());
        QStatusBar bar;
        bar.show();
        ui::StatusIndicators indicators(&bar);
        relay.attach(&indicators);
        QCOMPARE(indicators.storeProblemText(), relay.problem());
    }

    void aDamagedJournalSaysSoInItsOwnWords() {
        store::JournalHealth damaged;
        damaged.writable = false;
        damaged.damaged = true;
        damaged.error = kPath + QStringLiteral(" is damaged: database disk image is malformed.");
        QCOMPARE(app::StoreHealthRelay::problemText(kPath, damaged), damaged.error);
    }
};

QTEST_MAIN(tst_StoreHealthRelay)
#include "tst_StoreHealthRelay.moc"
