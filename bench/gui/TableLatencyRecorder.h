#pragma once

#include <QObject>

#include <atomic>
#include <vector>

namespace model {
class FleetTableModel;
}

// Hooks the live table model: for every row that a rowsInserted or dataChanged brings with a newer
// delivery (VehicleRow::lastUpdateAt, the wall-clock receive time stamped when the request's last
// byte arrived), records now minus that receive time. That is the receipt-to-model latency a
// person sees, journal commit, decoding, the hand-off queue and the GUI tick included.
class TableLatencyRecorder final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TableLatencyRecorder)
public:
    explicit TableLatencyRecorder(model::FleetTableModel *model, QObject *parent = nullptr);

    void setRecording(bool on) { m_recording = on; }
    // Set by the ingest thread to the time the hand-off queue went from empty to non-empty; the
    // first row update after it measures the GUI's share: the drain timer plus the drain itself.
    void trackHandOff(std::atomic<qint64> *pendingSinceMs) { m_pendingSinceMs = pendingSinceMs; }
    const std::vector<qint64> &handOffMs() const { return m_handOffMs; }
    const std::vector<qint64> &latenciesMs() const { return m_latenciesMs; }
    qint64 rowUpdates() const { return qint64(m_latenciesMs.size()); }

private:
    void inspect(int first, int last);

    model::FleetTableModel *m_model;
    std::vector<qint64> m_seenReceivedAt; // per source row: the receive time last recorded
    std::vector<qint64> m_latenciesMs;
    std::vector<qint64> m_handOffMs;
    std::atomic<qint64> *m_pendingSinceMs = nullptr;
    bool m_recording = false;
};
