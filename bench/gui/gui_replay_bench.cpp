// gui_replay_bench: the GUI side of "Live GUI under load" without sockets or fleetsim, so that the
// cost of each GUI event can be counted in instructions (valgrind --tool=callgrind), which the
// machine's load does not change. The deliveries are the ones fleetsim sends (SimulatedFleet, seed
// 1): they go through the real decoder, fleet state and alert rules (smartcar::FleetProcessor) and
// into a real journal (history for the charts, bodies for the inspector) before the GUI part starts, and are
// kept as the batches the GUI would take every 33 ms at the given rate. Then the real ui::MainWindow, shown
// offscreen at 1600x1000, takes them one batch per drain: first the fleet's first deliveries (the prelude),
// then, with the first vehicle selected and the newest delivery open in the inspector (measured), the first
// deliveries sent again (journalled as duplicates: log entries only) and `--seconds` of changes. The batches
// are the same on every run; only how the event loop interleaves timers can differ.
//
// Under callgrind (see bench/gui/callgrind-events), instrumentation starts with the measured part
// and every GUI event that used at least --dump-cpu-ms of the GUI thread's CPU time is dumped on
// its own, named after its kind, so the instruction count of the longest events can be read. Run
// natively it prints, per kind of event, how many took >= 8 ms of GUI-thread CPU and the most.

#include "TracingApplication.h"

#include "app/AllocatorTuning.h"
#include "model/FleetCommands.h"
#include "model/FleetState.h"
#include "model/FleetTableModel.h"
#include "model/FleetUpdateQueue.h"
#include "model/HistoryExtractor.h"
#include "smartcar/FleetProcessor.h"
#include "smartcar/PayloadDecoder.h"
#include "smartcar/SimulatedFleet.h"
#include "store/DeliveryDetailService.h"
#include "store/HistoryQueryService.h"
#include "store/Journal.h"
#include "ui/DeliveryInspector.h"
#include "ui/MainWindow.h"
#include "ui/VehicleTablePanel.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDockWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <valgrind/callgrind.h>

namespace {

// Acknowledges nothing and replays nothing: the replay has no ingest to send commands to, and the
// selection's details were recorded with the batches.
class NoCommands final : public model::FleetCommands {
public:
    void acknowledgeAlert(qint64, const QString &) override {}
    void acknowledgeAllAlerts(const QString &) override {}
    void replayDelivery(qint64) override {}
    void watchVehicles(const QStringList &) override {}
};

void progress(const QString &text) {
    std::fprintf(stderr, "gui_replay_bench: %s\n", qPrintable(text));
}

// Everything a batch carries, pushed the way the ingest thread pushes it.
void pushBatch(model::FleetUpdateQueue &queue, const model::FleetUpdateQueue::Batch &batch) {
    for (const model::VehicleRow &row : batch.rows)
        queue.push(row);
    if (!batch.alerts.isEmpty())
        queue.pushAlerts(batch.alerts);
    for (const model::DeliveryLogEntry &entry : batch.deliveries)
        queue.pushDelivery(entry);
    for (const model::VehicleDetail &detail : batch.details)
        queue.pushDetail(detail);
}

} // namespace

int main(int argc, char **argv) {
    app::AllocatorTuning::apply(); // as fleetmon's main() does
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QTemporaryDir home;
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toLocal8Bit());
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toLocal8Bit());
    TracingApplication application(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("FleetMonitorBench"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_replay_bench"));

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption vehiclesOption(QStringLiteral("vehicles"), QStringLiteral("fleet size"),
                                            QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption rateOption(QStringLiteral("rate"), QStringLiteral("deliveries per second"),
                                        QStringLiteral("PER_S"), QStringLiteral("2000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("seconds of changes"),
                                           QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption dumpOption(QStringLiteral("dump-cpu-ms"),
                                        QStringLiteral("under callgrind: dump each GUI event that used at "
                                                       "least this much GUI-thread CPU"),
                                        QStringLiteral("MS"), QStringLiteral("100"));
    const QCommandLineOption burstOption(QStringLiteral("alert-burst"),
                                         QStringLiteral("alerts raised at once, in the first measured batch "
                                                        "(an engine restored with a fleet's alerts)"),
                                         QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                              QStringLiteral("save the window, charts showing, as this PNG "
                                                             "once the last batch is drawn"),
                                              QStringLiteral("PATH"));
    parser.addOptions({vehiclesOption, rateOption, secondsOption, dumpOption, burstOption, screenshotOption});
    parser.process(application);
    const int vehicles = parser.value(vehiclesOption).toInt();
    const double rate = parser.value(rateOption).toDouble();
    const double seconds = parser.value(secondsOption).toDouble();
    const qint64 dumpCpuUs = qint64(parser.value(dumpOption).toDouble() * 1000);
    const int alertBurst = parser.value(burstOption).toInt();
    const QString screenshotPath = parser.value(screenshotOption);

    QTemporaryDir data;
    const QString journalPath = data.filePath(QStringLiteral("journal.sqlite"));
    store::Journal journal;
    QString error;
    if (!journal.open(journalPath, &error)) {
        progress(QStringLiteral("journal: %1").arg(error));
        return 1;
    }

    // The batches, computed before the GUI part (not on the GUI thread in the app: not counted).
    const int perDrain = std::max(1, int(rate * 0.033));
    model::FleetUpdateQueue recorder;
    auto processor = std::make_unique<smartcar::FleetProcessor>(
        &journal, model::FleetState(), QList<model::Alert>(), model::AlertRuleSettings(), &recorder);
    smartcar::SimulatedFleet fleet(vehicles, 1);
    qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    qint64 journalId = 0;
    QList<model::DeliveryLogEntry> firstEntries;
    const auto deliver = [&](bool apply, QList<model::FleetUpdateQueue::Batch> &batches, int count,
                             bool keepFirst) {
        for (int i = 0; i < count; ++i) {
            nowMs += qint64(1000.0 / rate);
            const QByteArray body = fleet.nextDelivery(nowMs);
            const smartcar::PayloadDecoder::Result decoded = smartcar::PayloadDecoder::decode(body);
            model::DeliveryLogEntry entry;
            entry.journalId = ++journalId;
            entry.receivedAtMs = nowMs;
            entry.eventId = decoded.event.eventId;
            entry.eventType = decoded.event.eventType;
            entry.vehicleId = decoded.event.vehicleId;
            entry.status = 200;
            entry.bodyBytes = body.size();
            entry.processingUs = 400;
            if (apply) {
                // Journalled as the endpoint does, so the charts have the fleet's history to show.
                model::Delivery stored;
                stored.receivedAtMs = nowMs;
                stored.eventId = decoded.event.eventId;
                stored.eventType = decoded.event.eventType;
                stored.vehicleId = decoded.event.vehicleId;
                stored.status = 200;
                stored.body = body;
                stored.samples =
                    model::HistoryExtractor::samples(decoded.event.vehicleId, decoded.event.signalValues);
                journal.append(std::move(stored));
                processor->applyAccepted(decoded.event, nowMs);
            }
            processor->logDelivery(entry);
            if (keepFirst)
                firstEntries.append(entry);
            if ((i + 1) % perDrain == 0 || i + 1 == count)
                batches.append(recorder.takeBatch());
        }
    };
    QList<model::FleetUpdateQueue::Batch> prelude;
    QList<model::FleetUpdateQueue::Batch> measured;
    deliver(true, prelude, vehicles, true);
    // The selection asks for the first vehicle's details, as the app's watchVehicles() does.
    processor->watchVehicles({fleet.vehicleId(0)});
    QCoreApplication::processEvents();
    prelude.append(recorder.takeBatch());
    // fleetsim starts over with the same seed: the same first deliveries, which the journal finds
    // to be duplicates; only the log shows them.
    for (qsizetype i = 0; i < firstEntries.size(); i += perDrain) {
        model::FleetUpdateQueue::Batch batch;
        for (const model::DeliveryLogEntry &first : firstEntries.mid(i, perDrain)) {
            model::DeliveryLogEntry duplicate = first;
            duplicate.journalId = ++journalId;
            duplicate.verdict = model::Verdict::Duplicate;
            nowMs += qint64(1000.0 / rate);
            duplicate.receivedAtMs = nowMs;
            batch.deliveries.append(duplicate);
        }
        measured.append(batch);
    }
    deliver(true, measured, int(rate * seconds), false);
    if (alertBurst > 0 && !measured.isEmpty()) {
        // One low-battery alert per vehicle, ids after the engine's own, newest first.
        for (int i = 0; i < alertBurst; ++i) {
            model::Alert alert;
            alert.id = 1'000'000 + i;
            alert.vehicleId = fleet.vehicleId(i % vehicles);
            alert.kind = model::AlertKind::LowBattery;
            alert.severity = model::AlertSeverity::Warning;
            alert.subject = QStringLiteral("tractionbattery-stateofcharge");
            alert.message = QStringLiteral("Battery at %1%").arg(i % 10);
            alert.firstSeenAt = alert.lastSeenAt = nowMs - i * 1000;
            measured.first().alerts.append(alert);
        }
    }
    // Its timers (the 30 s alert tick) run on the ingest thread in the app, not on the GUI thread.
    processor.reset();
    qsizetype alerts = 0;
    for (const auto *batches : {&prelude, &measured})
        for (const model::FleetUpdateQueue::Batch &batch : *batches)
            alerts += batch.alerts.size();
    progress(QStringLiteral("%1 + %2 batches of <= %3 deliveries, %4 alert changes")
                 .arg(prelude.size())
                 .arg(measured.size())
                 .arg(perDrain)
                 .arg(alerts));

    store::HistoryQueryService history;
    store::DeliveryDetailService details;
    if (!history.open(journalPath, &error) || !details.open(journalPath, &error)) {
        progress(QStringLiteral("read services: %1").arg(error));
        return 1;
    }
    NoCommands commands;
    model::FleetUpdateQueue updates;
    auto *window = new ui::MainWindow(ui::MainWindowServices{&updates, &commands, &history, &details});
    window->resize(1600, 1000);
    window->show();
    if (auto *dock = window->findChild<QDockWidget *>(QStringLiteral("deliveriesDock")))
        dock->raise();

    // One batch per drain: the next goes in once the window took the last one.
    qsizetype next = 0;
    bool measuring = false;
    // A child of the window, so its events are told apart from the window's own drain timer.
    auto *feeder = new QTimer(window);
    feeder->setInterval(1);
    QObject::connect(feeder, &QTimer::timeout, window, [&] {
        if (!updates.isEmpty())
            return;
        const QList<model::FleetUpdateQueue::Batch> &batches = measuring ? measured : prelude;
        if (next < batches.size()) {
            pushBatch(updates, batches[next++]);
            return;
        }
        feeder->stop();
        if (measuring) {
            // The last batch's slices and paints.
            QTimer::singleShot(500, window, [&] {
                if (!screenshotPath.isEmpty() && !window->grab().save(screenshotPath, "PNG"))
                    progress(QStringLiteral("cannot write %1").arg(screenshotPath));
                application.quit();
            });
            return;
        }
        progress(QStringLiteral("prelude done: %1 rows").arg(window->tableModel()->rowCount()));
        window->tablePanel()->view()->selectRow(0);
        if (ui::DeliveryInspector *inspector = window->deliveryInspector())
            inspector->view()->selectRow(0);
        QTimer::singleShot(1500, window, [&] {
            CALLGRIND_START_INSTRUMENTATION;
            application.setTracing(true, 8000);
            application.setCallgrindDumps(dumpCpuUs);
            measuring = true;
            next = 0;
            feeder->start();
        });
    });
    QTimer::singleShot(500, window, [&] { feeder->start(); });
    application.exec();
    application.setTracing(false, 0);
    CALLGRIND_STOP_INSTRUMENTATION;

    for (auto it = application.slowEvents().cbegin(); it != application.slowEvents().cend(); ++it)
        std::printf("slow_event=%s x%d max %.1f ms (CPU %.1f ms)\n", qPrintable(it.key()), it.value().count,
                    double(it.value().maxUs) / 1000.0, double(it.value().maxCpuUs) / 1000.0);
    std::printf("gui_cpu_max_ms=%.2f\n", double(application.maxEventCpuUs()) / 1000.0);
    std::printf("gui_cpu_max_event=%s\n", qPrintable(application.maxEventCpuKind()));
    std::fflush(stdout);
    delete window;
    journal.close();
    return 0;
}
