// The shared fleet's status reported on the service's thread reaches the window on the GUI thread:
// in order, the one reported before the window existed shown when it is attached, and nothing
// happens to a window that is gone.

#include "app/SharedFleetStatusRelay.h"
#include "model/FleetUpdateQueue.h"
#include "ui/MainWindow.h"
#include "ui/SharedFleetBanner.h"

#include <QLabel>
#include <QStatusBar>
#include <QtTest>
#include <memory>
#include <thread>

using model::SharedFleetStatus;
using State = model::SharedFleetStatus::State;

namespace {

const QString kLocation = QStringLiteral("postgresql://fleet@db:5432/fleet");

SharedFleetStatus status(State state, qint64 taken = 0) {
    SharedFleetStatus s;
    s.state = state;
    s.location = kLocation;
    s.taken = taken;
    s.latest = 1000;
    if (state == State::Lost) {
        s.error = QStringLiteral("connection refused");
        s.attempt = 1;
        s.retryInMs = 5000;
    }
    return s;
}

// Reports from a thread of its own, as the service does.
void reportFromAnotherThread(app::SharedFleetStatusRelay &relay, const QList<SharedFleetStatus> &statuses) {
    std::thread service([&] {
        for (const SharedFleetStatus &s : statuses)
            relay.report(s);
    });
    service.join();
}

std::unique_ptr<ui::MainWindow> sharedWindow(model::FleetUpdateQueue *updates) {
    ui::MainWindowServices services;
    services.updates = updates;
    services.sharedFleet = kLocation;
    return std::make_unique<ui::MainWindow>(services);
}

} // namespace

class tst_SharedFleetStatusRelay : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void reportedBeforeTheWindowIsShownWhenAttached() {
        app::SharedFleetStatusRelay relay;
        reportFromAnotherThread(relay, {status(State::Connecting), status(State::Lost)});
        QVERIFY(!relay.hasStatus()); // queued: nothing is touched on the service's thread
        QTRY_VERIFY(relay.hasStatus());
        QCOMPARE(relay.status(), status(State::Lost));

        model::FleetUpdateQueue updates;
        auto window = sharedWindow(&updates);
        window->show();
        QVERIFY(window->sharedFleetBanner()->text().startsWith(QStringLiteral("Connecting")));
        relay.attach(window.get());
        QVERIFY2(window->sharedFleetBanner()->text().contains(QStringLiteral("lost: connection refused")),
                 qPrintable(window->sharedFleetBanner()->text()));
    }

    void reportsArriveInOrder() {
        app::SharedFleetStatusRelay relay;
        model::FleetUpdateQueue updates;
        auto window = sharedWindow(&updates);
        window->show();
        relay.attach(window.get());
        QList<SharedFleetStatus> statuses{status(State::Lost)};
        for (qint64 taken = 1; taken <= 1000; ++taken)
            statuses.append(status(State::CatchingUp, taken));
        statuses.append(status(State::Live, 1000));
        reportFromAnotherThread(relay, statuses);
        QTRY_COMPARE(relay.status().state, State::Live);
        QVERIFY(!window->sharedFleetBanner()->isVisible());
        QCOMPARE(window->sharedFleetBanner()->status(), status(State::Live, 1000));
        auto *endpoint = window->statusBar()->findChild<QLabel *>(QStringLiteral("endpointLabel"));
        QCOMPARE(endpoint->text(), QStringLiteral("Shared fleet: postgresql://fleet@db:5432/fleet — live"));
    }

    void windowGoneIsLeftAlone() {
        app::SharedFleetStatusRelay relay;
        model::FleetUpdateQueue updates;
        auto window = sharedWindow(&updates);
        relay.attach(window.get());
        window.reset(); // the window closes while the service still reports
        reportFromAnotherThread(relay, {status(State::Lost)});
        QTRY_VERIFY(relay.hasStatus());
        QCOMPARE(relay.status().state, State::Lost);
    }
};

QTEST_MAIN(tst_SharedFleetStatusRelay)
#include "tst_SharedFleetStatusRelay.moc"
