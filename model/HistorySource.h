#pragma once

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QPointF>
#include <QStringList>

namespace model {

// A request for chart data: one signal field of some vehicles over a time range, decimated to
// `buckets` buckets (about one per pixel column): each bucket contributes its min and max point.
struct SeriesRequest {
    quint64 requestId = 0;
    QStringList vehicleIds;
    QString code; // e.g. "tractionbattery-stateofcharge"
    QString field = QStringLiteral("value");
    qint64 fromMs = 0; // 0: from the first point
    qint64 toMs = 0;   // 0: up to the last point
    int buckets = 1000;
};

struct VehicleSeries {
    QString vehicleId;
    QList<QPointF> points; // x = epoch ms, y = value; time order; at most 2 * buckets points
};

struct SeriesResult {
    quint64 requestId = 0;
    QString code;
    qint64 fromMs = 0; // the range actually covered
    qint64 toMs = 0;
    QList<VehicleSeries> series;
    QString error; // empty on success
};

// Where the charts get history from, without knowing it is SQL on another thread. request()
// returns at once; seriesReady arrives later on the receiver's thread (queued).
class HistorySource : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void request(const SeriesRequest &request) = 0;

Q_SIGNALS:
    void seriesReady(const model::SeriesResult &result);
};

} // namespace model

Q_DECLARE_METATYPE(model::SeriesResult)
