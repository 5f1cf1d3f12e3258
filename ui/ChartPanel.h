#pragma once

#include "model/HistorySource.h"
#include "ui/ChartRangeBar.h"

#include <QElapsedTimer>
#include <QList>
#include <QPair>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPushButton;
class QSettings;
class QStackedWidget;

namespace ui {

class SeriesChartView;

// Battery and odometer history of the selected vehicles, one line per vehicle, two charts sharing
// one time window. The panel never reads storage itself: it asks a model::HistorySource for
// points already decimated to the plot's pixel width and applies each answer with one replace()
// per line.
//
// Requests are paced so the GUI thread stays cheap under any webhook rate: new data only marks
// the charts stale and a single-shot timer refreshes them at most ~15 times a second, with at
// most one query per chart in flight (a refresh while one runs waits for its answer). A change
// the manager makes (vehicles, range, zoom, pan, resize) asks at once, and answers to requests
// older than that change are dropped. Answers are told apart by request id, so a source serves
// one panel.
class ChartPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartPanel)
public:
    // `source` must outlive the panel.
    explicit ChartPanel(model::HistorySource *source, QWidget *parent = nullptr);
    ~ChartPanel() override;

    // The selected vehicles, (id, display name), in legend order; beyond kMaxVehicles are ignored,
    // as more lines than that cannot be told apart.
    void setVehicles(const QList<QPair<QString, QString>> &idAndName);
    // Deliveries for these vehicles were stored; cheap to call for every batch.
    void notifyNewData(const QStringList &vehicleIds);

    void setRangePreset(RangePreset preset);
    RangePreset rangePreset() const;
    bool isCustomRange() const { return m_custom; } // zoomed or panned away from the preset
    // The time window shown (for All, once the first answer said where the data is).
    qint64 viewFromMs() const;
    qint64 viewToMs() const;

    // Both charts as they are on screen.
    bool exportPng(const QString &path) const;
    // The points on screen (decimated), one row per point; header
    // "signal,unit,vehicle_id,vehicle,time_utc,epoch_ms,value".
    bool exportCsv(const QString &path, QString *error = nullptr) const;

    int seriesPointCount() const;    // over all lines of both charts
    int maxSeriesPointCount() const; // of the longest line

    void saveSettings(QSettings &settings) const; // the range preset
    void restoreSettings(const QSettings &settings);

    SeriesChartView *batteryView() const { return m_battery.view; }
    SeriesChartView *odometerView() const { return m_odometer.view; }
    ChartRangeBar *rangeBar() const { return m_rangeBar; }

    static constexpr int kMaxVehicles = 8;

private:
    // One chart and the state of its requests.
    struct Chart {
        QString code;
        SeriesChartView *view = nullptr;
        quint64 latestId = 0;    // the last request sent
        quint64 validFromId = 0; // the last request that changed what is shown (vehicles, window,
                                 // width): answers to older ones are wrong now and dropped
        quint64 appliedId = 0;   // never draw an answer older than the one on screen
        bool inFlight = false;
        bool stale = false; // new data arrived while the request was in flight
        QElapsedTimer sentAt;
        int buckets = 0;
        qint64 dataFromMs = 0; // for All: where this chart's data begins and ends
        qint64 dataToMs = 0;
    };

    void requestAll(bool now);
    void request(Chart &chart, bool now);
    void applyResult(const model::SeriesResult &result);
    void requestedRange(qint64 *fromMs, qint64 *toMs) const;
    void showRange(qint64 fromMs, qint64 toMs);
    void onPresetChosen(RangePreset preset);
    void onTimeRangeEdited(qint64 fromMs, qint64 toMs);
    void onPlotWidthChanged();
    void chooseExportPng();
    void chooseExportCsv();
    void updateEmptyState();

    model::HistorySource *m_source;
    ChartRangeBar *m_rangeBar;
    QPushButton *m_exportPng;
    QPushButton *m_exportCsv;
    QStackedWidget *m_stack;
    QLabel *m_placeholder;
    QWidget *m_chartsPage;
    Chart m_battery;
    Chart m_odometer;
    QList<QPair<QString, QString>> m_vehicles;
    quint64 m_nextRequestId = 1;
    bool m_custom = false;
    qint64 m_customFromMs = 0;
    qint64 m_customToMs = 0;
    QTimer m_refreshTimer; // paces refreshes after new data
    QTimer m_editTimer;    // gathers wheel notches and drag steps into one request
    QTimer m_resizeTimer;  // waits for a resize to settle
    QTimer m_slideTimer;   // moves "the last 24 h" along with the clock when nothing arrives
};

} // namespace ui
