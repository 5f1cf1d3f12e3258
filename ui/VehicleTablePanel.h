#pragma once

#include <QStringList>
#include <QWidget>

class QLineEdit;
class QSettings;
class QSortFilterProxyModel;
class QTableView;

namespace model {
class FleetTableModel;
}

namespace ui {

// The live vehicle table and its filter box. The view sits on a sort/filter proxy, so the source
// model keeps its stable first-seen row order while the manager sorts by any column (numerically,
// through FleetTableModel::RawValueRole) and narrows the list by make, model or id.
class VehicleTablePanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VehicleTablePanel)
public:
    explicit VehicleTablePanel(model::FleetTableModel *model, QWidget *parent = nullptr);
    ~VehicleTablePanel() override;

    void focusFilter();
    int visibleRowCount() const;

    // Column order, widths and sort order.
    void saveSettings(QSettings &settings) const;
    void restoreSettings(const QSettings &settings);

    QStringList selectedVehicleIds() const;
    QTableView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }

Q_SIGNALS:
    // After vehicles arrive or the filter changes; `visible` counts rows that pass the filter.
    void rowCountsChanged(int visible, int total);
    void selectedVehiclesChanged(const QStringList &vehicleIds);
    void historyRequested(const QStringList &vehicleIds); // context menu "Show history"

private:
    void applyDefaultColumnWidths();
    void setUpColumnChooser();
    void setUpContextMenu();
    void emitRowCounts();

    model::FleetTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLineEdit *m_filter;
    QTableView *m_view;
};

} // namespace ui
