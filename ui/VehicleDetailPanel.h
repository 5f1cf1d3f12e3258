#pragma once

#include "model/VehicleDetail.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace ui {

// Everything known about the selected vehicle: identity, every latest signal grouped as Smartcar
// groups them (value, unit, OEM time, read errors), and open errors with Smartcar's suggested
// message for the driver. Shows what it is given; it never asks anything itself.
class VehicleDetailPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VehicleDetailPanel)
public:
    explicit VehicleDetailPanel(QWidget *parent = nullptr);

    void showDetail(const model::VehicleDetail &detail);
    void showSelectionCount(int count); // 0: nothing selected; > 1: a summary instead of a detail
    QString shownVehicleId() const { return m_vehicleId; }
    QTreeWidget *signalTree() const { return m_signals; }

private:
    QString m_vehicleId;
    QLabel *m_title;
    QLabel *m_identity;
    QLabel *m_errors;
    QTreeWidget *m_signals;
};

} // namespace ui
