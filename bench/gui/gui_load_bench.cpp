// gui_load_bench: the desktop app under a fleet's load, offscreen. Wires the same pieces as
// app::DesktopSession (ingest pipeline with the durable journal, read-side services, main window)
// and shows the window. A prelude run of fleetsim brings the fleet in and runs its changes for a
// while (--prelude-changes); then a vehicle is selected (detail panel and charts live) and the
// delivery inspector raised with a delivery open, and the measured fleetsim run goes against the
// app's own loopback endpoint. Measures on the GUI thread: event-loop stalls (a 1 ms precise probe
// timer), receipt-to-table-model latency of every row update, resident memory, the heaps and the
// alert list once a second. Prints its figures as `key=value` lines for bench/gui/run; progress
// goes to stderr.

#include "GuiLoadProbe.h"
#include "TableLatencyRecorder.h"
#include "ThreadCpuClock.h"
#include "TracingApplication.h"

#include "app/AllocatorTuning.h"
#include "app/AppOptions.h"
#include "app/IngestService.h"
#include "model/AlertModel.h"
#include "model/FleetTableModel.h"
#include "model/FleetUpdateQueue.h"
#include "store/DeliveryDetailService.h"
#include "store/HistoryQueryService.h"
#include "ui/DeliveryInspector.h"
#include "ui/MainWindow.h"
#include "ui/VehicleTablePanel.h"

#include <QAbstractItemModel>
#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <malloc.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <vector>

namespace {

struct BenchOptions {
    QString fleetsim;
    int vehicles = 10'000;
    double rate = 2000;
    double durationS = 60;
    int connections = 32;
    double warmupS = 20; // after the last first delivery reached the table
    // Changes in the prelude, after the first deliveries: the measured minute then finds the app as
    // it runs for hours, its periodic work (fleet checkpoints) done before and its alert list at the
    // simulated fleet's level, instead of growing both for the first time.
    double preludeChangesS = 50;
};

qint64 residentKb() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = status.readAll().split('\n');
    for (const QByteArray &line : lines)
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}

// Bytes in use in glibc's arenas: the main one, which the GUI (main) thread allocates from, and
// the others together (the ingest, store and read-side threads get arenas of their own). Tells
// GUI-side growth from growth elsewhere in the process. Objects the ingest thread allocates and
// hands to the GUI (rows, log entries) count in the ingest thread's arena.
struct ArenaUse {
    qint64 mainKb = -1;
    qint64 otherKb = -1;
    qint64 otherFootprintKb = -1; // what the other arenas hold from the system, in use or free
};
ArenaUse arenaInUseKb() {
    char *text = nullptr;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    if (!stream)
        return {};
    malloc_info(0, stream);
    std::fclose(stream);
    const QByteArray xml(text, qsizetype(size));
    std::free(text);
    static const QRegularExpression current(QStringLiteral("<system type=\"current\" size=\"(\\d+)\""));
    static const QRegularExpression free(
        QStringLiteral("<total type=\"(?:fast|rest)\" count=\"\\d+\" size=\"(\\d+)\""));
    const auto sum = [](const QRegularExpression &pattern, const QString &heap) {
        qint64 total = 0;
        for (const QRegularExpressionMatch &m : pattern.globalMatch(heap))
            total += m.captured(1).toLongLong();
        return total;
    };
    ArenaUse use{0, 0, 0};
    for (qsizetype begin = xml.indexOf("<heap nr=\""); begin >= 0;
         begin = xml.indexOf("<heap nr=\"", begin + 1)) {
        const qsizetype end = xml.indexOf("</heap>", begin);
        if (end < 0)
            break;
        const QString heap = QString::fromLatin1(xml.mid(begin, end - begin));
        const qint64 inUse = (sum(current, heap) - sum(free, heap)) / 1024;
        if (xml.mid(begin, 12) == "<heap nr=\"0\"") {
            use.mainKb += inUse;
        } else {
            use.otherKb += inUse;
            use.otherFootprintKb += sum(current, heap) / 1024;
        }
    }
    return use;
}

// Nearest rank on a sorted copy.
template <typename T> double percentile(std::vector<T> values, double p) {
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t rank = size_t(std::ceil(p * double(values.size())));
    return double(values[std::clamp<size_t>(rank, 1, values.size()) - 1]);
}

void report(const char *key, const QString &value) {
    std::printf("%s=%s\n", key, qPrintable(value));
}
void report(const char *key, double value, int decimals = 1) {
    report(key, QString::number(value, 'f', decimals));
}

void progress(const QString &text) {
    std::fprintf(stderr, "gui_load_bench: %s\n", qPrintable(text));
}

struct RssSample {
    double atS;
    qint64 kb;
    qint64 guiHeapKb;
    qint64 otherHeapKb;
    qint64 otherFootprintKb;
    qint64 sqliteKb; // SQLite's own allocations (page caches, statements) on every connection
    // The alert list (active alerts and the bounded cleared history): state that grows with the
    // fleet's open doors and windows until the simulated fleet's condition settles, not a buffer.
    int alertRows;
    int activeAlerts;
};

RssSample sample(double atS, const model::AlertModel &alerts) {
    const ArenaUse arenas = arenaInUseKb();
    return {atS,
            residentKb(),
            arenas.mainKb,
            arenas.otherKb,
            arenas.otherFootprintKb,
            qint64(sqlite3_memory_used() / 1024),
            alerts.rowCount(),
            alerts.activeCount()};
}

// Least-squares slope in MB per minute of the samples taken at or after fromS.
double slopeMbPerMin(const std::vector<RssSample> &samples, double fromS) {
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const RssSample &s : samples) {
        if (s.atS < fromS)
            continue;
        const double y = double(s.kb) / 1024.0;
        n += 1;
        sx += s.atS;
        sy += y;
        sxx += s.atS * s.atS;
        sxy += s.atS * y;
    }
    const double denominator = n * sxx - sx * sx;
    return n < 2 || denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator * 60.0;
}

} // namespace

int main(int argc, char **argv) {
    app::AllocatorTuning::apply(); // as fleetmon's main() does
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    // The window saves its layout in QSettings: keep the bench's settings out of the user's.
    QTemporaryDir home;
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toLocal8Bit());
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toLocal8Bit());
    TracingApplication application(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("FleetMonitorBench"));
    QCoreApplication::setApplicationName(QStringLiteral("gui_load_bench"));

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption fleetsimOption(QStringLiteral("fleetsim"), QStringLiteral("fleetsim program"),
                                            QStringLiteral("PATH"));
    const QCommandLineOption vehiclesOption(QStringLiteral("vehicles"), QStringLiteral("fleet size"),
                                            QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption rateOption(QStringLiteral("rate"), QStringLiteral("changes per second"),
                                        QStringLiteral("PER_S"), QStringLiteral("2000"));
    const QCommandLineOption durationOption(QStringLiteral("duration"), QStringLiteral("seconds of changes"),
                                            QStringLiteral("S"), QStringLiteral("60"));
    const QCommandLineOption connectionsOption(QStringLiteral("connections"),
                                               QStringLiteral("fleetsim connections"), QStringLiteral("C"),
                                               QStringLiteral("32"));
    const QCommandLineOption warmupOption(QStringLiteral("warmup"),
                                          QStringLiteral("seconds after the whole fleet is in the table "
                                                         "before memory counts as warm"),
                                          QStringLiteral("S"), QStringLiteral("20"));
    const QCommandLineOption preludeOption(QStringLiteral("prelude-changes"),
                                           QStringLiteral("seconds of changes in the prelude, after the "
                                                          "first deliveries"),
                                           QStringLiteral("S"), QStringLiteral("50"));
    parser.addOptions({fleetsimOption, vehiclesOption, rateOption, durationOption, connectionsOption,
                       warmupOption, preludeOption});
    parser.process(application);
    BenchOptions options;
    options.fleetsim = parser.value(fleetsimOption);
    options.vehicles = parser.value(vehiclesOption).toInt();
    options.rate = parser.value(rateOption).toDouble();
    options.durationS = parser.value(durationOption).toDouble();
    options.connections = parser.value(connectionsOption).toInt();
    options.warmupS = parser.value(warmupOption).toDouble();
    options.preludeChangesS = parser.value(preludeOption).toDouble();
    if (options.fleetsim.isEmpty() || !QFile::exists(options.fleetsim)) {
        progress(QStringLiteral("--fleetsim PATH is required"));
        return 2;
    }

    QTemporaryDir data;
    app::AppOptions appOptions;
    appOptions.mode = app::AppOptions::Mode::Gui;
    appOptions.listenPort = 0;
    appOptions.dataDir = data.path();
    appOptions.amt = QByteArray::number(QRandomGenerator::system()->generate64(), 16);
    const QString amtFile = data.filePath(QStringLiteral("amt"));
    {
        QFile f(amtFile);
        if (!f.open(QIODevice::WriteOnly) || f.write(appOptions.amt) != appOptions.amt.size())
            return 2;
    }

    model::FleetUpdateQueue updates;
    app::IngestService ingest;
    QString error;
    if (!ingest.start(appOptions, &updates, &error)) {
        progress(QStringLiteral("ingest: %1").arg(error));
        return 1;
    }
    store::HistoryQueryService history;
    store::DeliveryDetailService details;
    if (!history.open(appOptions.journalPath(), &error) || !details.open(appOptions.journalPath(), &error)) {
        progress(QStringLiteral("read services: %1").arg(error));
        return 1;
    }

    auto *window = new ui::MainWindow(ui::MainWindowServices{&updates, &ingest, &history, &details});
    window->setEndpointText(QStringLiteral("Listening on %1").arg(ingest.webhookUrl().toString()));
    window->resize(1600, 1000);
    window->show();
    if (auto *dock = window->findChild<QDockWidget *>(QStringLiteral("deliveriesDock")))
        dock->raise();

    TableLatencyRecorder latency(window->tableModel());
    std::atomic<qint64> pendingSinceMs{0};
    latency.trackHandOff(&pendingSinceMs);
    QObject::connect(
        &updates, &model::FleetUpdateQueue::updatesPending, &updates,
        [&pendingSinceMs] {
            qint64 none = 0;
            pendingSinceMs.compare_exchange_strong(none, QDateTime::currentMSecsSinceEpoch());
        },
        Qt::DirectConnection);
    GuiLoadProbe probe(1);
    QElapsedTimer clock;
    std::vector<RssSample> rss;
    rss.reserve(size_t(options.durationS) + 200);
    double fleetCompleteS = -1;
    double fleetsimDoneS = -1;
    model::FleetTableModel *table = window->tableModel();
    const model::AlertModel *alertModel = window->alertModel();

    // The fleet's first deliveries and a stretch of its changes arrive before the measured run (a
    // prelude of fleetsim); then the realistic window is set up: the first vehicle selected (detail
    // panel and charts live) and the newest delivery open in the inspector. The measured run then
    // sends the changes that follow. A click's own cost (building the charts) is a response to the
    // manager, not a stall caused by the load.
    QObject::connect(table, &QAbstractItemModel::rowsInserted, window, [&] {
        if (clock.isValid() && fleetCompleteS < 0 && table->rowCount() >= options.vehicles) {
            fleetCompleteS = double(clock.elapsed()) / 1000.0;
            progress(QStringLiteral("whole fleet in the table after %1 s").arg(fleetCompleteS, 0, 'f', 1));
        }
    });

    QTimer rssTimer;
    rssTimer.setObjectName(QStringLiteral("memorySampler"));
    rssTimer.setInterval(1000);
    // malloc_info() walks every free chunk of every arena: up to 17 ms of the GUI thread's CPU on a
    // loaded heap, once a second, which made the bench's own sampling the longest GUI event. That
    // walk is the bench's, not the app's: discounted from the probe's gap and left out of the trace.
    application.ignore(&rssTimer);
    QObject::connect(&rssTimer, &QTimer::timeout, window, [&] {
        const qint64 wallStart = clock.nsecsElapsed();
        const qint64 cpuStart = threadCpuNs();
        rss.push_back(sample(double(clock.elapsed()) / 1000.0, *alertModel));
        probe.discount(clock.nsecsElapsed() - wallStart, threadCpuNs() - cpuStart);
        if (qEnvironmentVariableIsSet("GUI_BENCH_MEMORY_TRACE")) {
            const RssSample &s = rss.back();
            progress(
                QStringLiteral(
                    "memory %1 s: rss %2 gui %3 other %4 (footprint %5) sqlite %6 MB, alerts %7 (%8 active)")
                    .arg(s.atS, 0, 'f', 0)
                    .arg(double(s.kb) / 1024.0, 0, 'f', 1)
                    .arg(double(s.guiHeapKb) / 1024.0, 0, 'f', 1)
                    .arg(double(s.otherHeapKb) / 1024.0, 0, 'f', 1)
                    .arg(double(s.otherFootprintKb) / 1024.0, 0, 'f', 1)
                    .arg(double(s.sqliteKb) / 1024.0, 0, 'f', 1)
                    .arg(s.alertRows)
                    .arg(s.activeAlerts));
        }
    });

    QProcess fleetsim;
    fleetsim.setProcessChannelMode(QProcess::SeparateChannels);
    // Should the bench die (or be killed by bench/gui/run's trap), the load generator goes too.
    fleetsim.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGTERM); });
    QByteArray fleetsimOutput;
    QObject::connect(&fleetsim, &QProcess::readyReadStandardOutput, window,
                     [&] { fleetsimOutput += fleetsim.readAllStandardOutput(); });
    QObject::connect(&fleetsim, &QProcess::finished, window, [&] {
        fleetsimOutput += fleetsim.readAllStandardOutput();
        fleetsimDoneS = double(clock.elapsed()) / 1000.0;
        progress(QStringLiteral("fleetsim finished after %1 s").arg(fleetsimDoneS, 0, 'f', 1));
        // One more drain tick for the last answers, then stop measuring.
        QTimer::singleShot(300, window, [&] { application.quit(); });
    });
    // Whatever happens, the section must end within its budget.
    const int deadlineMs = int((options.preludeChangesS + options.durationS + 75) * 1000);
    QTimer::singleShot(deadlineMs, window, [&] {
        progress(QStringLiteral("deadline reached, stopping fleetsim"));
        fleetsim.kill();
    });

    // The measured run goes on from the prelude's last delivery (--skip): the same vehicles, new
    // changes and eventIds. Run again from the start, the same seed would post the prelude's
    // deliveries a second time, duplicates the app answers without applying them.
    qint64 preludeSent = 0;
    const auto fleetsimArguments = [&](double durationS, qint64 skip) {
        return QStringList{QStringLiteral("--url"),         ingest.webhookUrl().toString(),
                           QStringLiteral("--amt-file"),    amtFile,
                           QStringLiteral("--vehicles"),    QString::number(options.vehicles),
                           QStringLiteral("--rate"),        QString::number(options.rate),
                           QStringLiteral("--duration"),    QString::number(durationS),
                           QStringLiteral("--connections"), QString::number(options.connections),
                           QStringLiteral("--skip"),        QString::number(skip)};
    };
    // fleetsim stands for Smartcar's cloud, which runs on other machines: niced, it takes the
    // cores the app leaves idle instead of competing with the GUI thread for them.
    const auto startFleetsim = [&](QProcess &process, const QStringList &args) {
        progress(QStringLiteral("%1 %2").arg(options.fleetsim, args.join(QLatin1Char(' '))));
        process.start(QStringLiteral("nice"),
                      QStringList{QStringLiteral("-n"), QStringLiteral("10"), options.fleetsim} + args);
    };
    const auto startMeasuring = [&] {
        latency.setRecording(true);
        application.setTracing(true, 8000);
        clock.start();
        probe.start();
        rssTimer.start();
        rss.push_back(sample(0.0, *alertModel));
        if (table->rowCount() >= options.vehicles)
            fleetCompleteS = 0; // the prelude brought the whole fleet: warm-up counts from here
        startFleetsim(fleetsim, fleetsimArguments(options.durationS, preludeSent));
    };
    QProcess prelude;
    prelude.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGTERM); });
    QObject::connect(&prelude, &QProcess::finished, window, [&] {
        const QRegularExpressionMatch sent =
            QRegularExpression(QStringLiteral("^sent:\\s+(\\d+)"), QRegularExpression::MultilineOption)
                .match(QString::fromUtf8(prelude.readAllStandardOutput()));
        preludeSent = sent.hasMatch() ? sent.captured(1).toLongLong() : 0;
        if (prelude.exitCode() != 0 || preludeSent < options.vehicles) {
            progress(QStringLiteral("the prelude failed (exit %1, %2 sent)")
                         .arg(prelude.exitCode())
                         .arg(preludeSent));
            application.exit(1);
            return;
        }
        // The last answers reach the table on the next drain ticks.
        QTimer::singleShot(300, window, [&] {
            progress(QStringLiteral("prelude done: %1 vehicles in the table").arg(table->rowCount()));
            window->tablePanel()->view()->selectRow(0);
            if (ui::DeliveryInspector *inspector = window->deliveryInspector())
                inspector->view()->selectRow(0);
            // Let the selection's charts load and paint before the load starts.
            QTimer::singleShot(1500, window, startMeasuring);
        });
    });
    // Start once the window has been laid out and painted.
    QTimer::singleShot(500, window,
                       [&] { startFleetsim(prelude, fleetsimArguments(options.preludeChangesS, 0)); });

    if (application.exec() != 0)
        return 1; // said why on stderr
    probe.stop();
    application.setTracing(false, 0);
    rssTimer.stop();
    latency.setRecording(false);
    rss.push_back(sample(double(clock.elapsed()) / 1000.0, *alertModel));

    // Figures.
    const std::vector<qint64> &stalls = probe.stallsUs();
    report("probe_ticks", double(stalls.size()), 0);
    report("stall_max_ms", double(probe.maxStallUs()) / 1000.0, 2);
    report("stall_max_at_s", double(probe.maxStallAtMs()) / 1000.0, 1);
    report("stall_p99_ms", percentile(stalls, 0.99) / 1000.0, 2);
    report("stall_p999_ms", percentile(stalls, 0.999) / 1000.0, 2);
    const std::vector<qint64> &busy = probe.busyStallsUs();
    report("busy_stall_max_ms",
           busy.empty() ? 0.0 : double(*std::max_element(busy.begin(), busy.end())) / 1000.0, 2);
    report("busy_stall_max_at_s", double(probe.maxBusyStallAtMs()) / 1000.0, 1);
    report("busy_stall_p99_ms", percentile(busy, 0.99) / 1000.0, 2);
    report("busy_stall_p999_ms", percentile(busy, 0.999) / 1000.0, 2);
    // Where the stalls fall, in ms buckets: how many ticks were late by that much.
    const std::vector<std::pair<qint64, QString>> buckets = {
        {1000, QStringLiteral("<1")},    {2000, QStringLiteral("1-2")},   {4000, QStringLiteral("2-4")},
        {8000, QStringLiteral("4-8")},   {16000, QStringLiteral("8-16")}, {32000, QStringLiteral("16-32")},
        {64000, QStringLiteral("32-64")}};
    QStringList histogram;
    for (size_t i = 0; i <= buckets.size(); ++i) {
        const qint64 low = i == 0 ? 0 : buckets[i - 1].first;
        const qint64 high = i < buckets.size() ? buckets[i].first : std::numeric_limits<qint64>::max();
        const auto count =
            std::count_if(stalls.begin(), stalls.end(), [&](qint64 s) { return s >= low && s < high; });
        histogram << QStringLiteral("%1:%2")
                         .arg(i < buckets.size() ? buckets[i].second : QStringLiteral(">64"))
                         .arg(count);
    }
    report("stall_histogram_ms", histogram.join(QLatin1Char(' ')));

    const std::vector<qint64> &latencies = latency.latenciesMs();
    report("row_updates", double(latencies.size()), 0);
    report("latency_p50_ms", percentile(latencies, 0.50), 0);
    report("latency_p99_ms", percentile(latencies, 0.99), 0);
    report("handoff_p50_ms", percentile(latency.handOffMs(), 0.50), 0);
    report("handoff_p99_ms", percentile(latency.handOffMs(), 0.99), 0);
    report("latency_max_ms",
           latencies.empty() ? 0.0 : double(*std::max_element(latencies.begin(), latencies.end())), 0);

    const double warmS = fleetCompleteS >= 0 ? fleetCompleteS + options.warmupS : -1;
    const RssSample *warm = nullptr;
    for (const RssSample &s : rss)
        if (warmS >= 0 && s.atS >= warmS) {
            warm = &s;
            break;
        }
    // The heap breakdown ends with the last sample taken under load: once fleetsim is done, SQLite
    // and the ingest side give memory back that the RSS (a high-water mark) does not show.
    const RssSample *loaded = &rss.back();
    for (const RssSample &s : rss)
        if (fleetsimDoneS < 0 || s.atS <= fleetsimDoneS)
            loaded = &s;
    qint64 otherHeapPeakKb = -1;
    for (const RssSample &s : rss)
        if (warm && s.atS >= warm->atS)
            otherHeapPeakKb = std::max(otherHeapPeakKb, s.otherHeapKb);
    const auto mb = [](const RssSample *s, qint64 RssSample::*field) {
        return s ? double(s->*field) / 1024.0 : -1.0;
    };
    report("fleet_complete_s", fleetCompleteS, 1);
    report("rss_warm_at_s", warmS, 1);
    report("rss_warm_mb", mb(warm, &RssSample::kb), 1);
    report("rss_end_mb", double(rss.back().kb) / 1024.0, 1);
    report("gui_heap_warm_mb", mb(warm, &RssSample::guiHeapKb), 1);
    report("gui_heap_end_mb", double(rss.back().guiHeapKb) / 1024.0, 1);
    report("other_heap_warm_mb", mb(warm, &RssSample::otherHeapKb), 1);
    report("other_heap_loaded_end_mb", mb(loaded, &RssSample::otherHeapKb), 1);
    report("other_heap_peak_mb", double(otherHeapPeakKb) / 1024.0, 1);
    report("other_footprint_warm_mb", mb(warm, &RssSample::otherFootprintKb), 1);
    report("other_footprint_loaded_end_mb", mb(loaded, &RssSample::otherFootprintKb), 1);
    report("sqlite_warm_mb", mb(warm, &RssSample::sqliteKb), 1);
    report("sqlite_loaded_end_mb", mb(loaded, &RssSample::sqliteKb), 1);
    report("alerts_warm", warm ? double(warm->alertRows) : -1.0, 0);
    report("alerts_active_warm", warm ? double(warm->activeAlerts) : -1.0, 0);
    report("alerts_loaded_end", double(loaded->alertRows), 0);
    report("alerts_active_loaded_end", double(loaded->activeAlerts), 0);
    report(
        "rss_peak_mb",
        double(std::max_element(rss.begin(), rss.end(), [](auto &a, auto &b) { return a.kb < b.kb; })->kb) /
            1024.0,
        1);
    report("rss_slope_mb_per_min", warmS >= 0 ? slopeMbPerMin(rss, warmS) : 0.0, 2);
    QStringList rssTrace;
    for (size_t i = 0; i < rss.size(); i += 5)
        rssTrace
            << QStringLiteral("%1s:%2").arg(rss[i].atS, 0, 'f', 0).arg(double(rss[i].kb) / 1024.0, 0, 'f', 0);
    report("rss_trace_mb", rssTrace.join(QLatin1Char(' ')));
    QStringList heapTrace;
    for (size_t i = 0; i < rss.size(); i += 5)
        heapTrace << QStringLiteral("%1s:%2/%3/%4")
                         .arg(rss[i].atS, 0, 'f', 0)
                         .arg(double(rss[i].guiHeapKb) / 1024.0, 0, 'f', 0)
                         .arg(double(rss[i].otherHeapKb) / 1024.0, 0, 'f', 0)
                         .arg(double(rss[i].sqliteKb) / 1024.0, 0, 'f', 0);
    report("heap_trace_mb", heapTrace.join(QLatin1Char(' ')));

    // The event deliveries that took 8 ms or more, worst first: who the stalls belong to.
    {
        QList<std::pair<QString, TracingApplication::Slow>> slow;
        for (auto it = application.slowEvents().cbegin(); it != application.slowEvents().cend(); ++it)
            slow.append({it.key(), it.value()});
        std::sort(slow.begin(), slow.end(), [](auto &a, auto &b) { return a.second.maxUs > b.second.maxUs; });
        QStringList top;
        for (qsizetype i = 0; i < std::min<qsizetype>(6, slow.size()); ++i)
            top << QStringLiteral("%1 ×%2 max %3 ms (CPU %4 ms)")
                       .arg(slow[i].first)
                       .arg(slow[i].second.count)
                       .arg(double(slow[i].second.maxUs) / 1000.0, 0, 'f', 1)
                       .arg(double(slow[i].second.maxCpuUs) / 1000.0, 0, 'f', 1);
        report("slow_events", top.join(QStringLiteral("; ")));
    }
    // The single event that kept the GUI thread computing the longest, whatever the wall clock said.
    report("event_cpu_max_ms", double(application.maxEventCpuUs()) / 1000.0, 1);
    report("event_cpu_max_kind", application.maxEventCpuKind());

    // fleetsim's own summary: what it sent and what the app acknowledged.
    const QString summary = QString::fromUtf8(fleetsimOutput);
    const auto number = [&](const QString &pattern) {
        const QRegularExpressionMatch m = QRegularExpression(pattern).match(summary);
        return m.hasMatch() ? m.captured(1) : QStringLiteral("0");
    };
    report("fleetsim_exit",
           QString::number(fleetsim.exitStatus() == QProcess::NormalExit ? fleetsim.exitCode() : -1));
    report("sent", number(QStringLiteral("sent:\\s+(\\d+)")));
    report("acknowledged", number(QStringLiteral("acknowledged:\\s+(\\d+)")));
    report("failed", number(QStringLiteral("failed:\\s+(\\d+)")));
    report("change_rate", number(QStringLiteral("([\\d.]+) during the change phase")));
    report("fleetsim_latency", number(QStringLiteral("latency ms:\\s+(.*)\\n")));
    report("deliveries_in_log_model", QString::number(ingest.restoredDeliveries()));
    std::fflush(stdout);

    delete window;
    ingest.stop();
    return 0;
}
