#pragma once

#include <QStyledItemDelegate>

namespace ui {

// Draws a battery percentage as a horizontal bar with the value on it, so a glance down the column
// finds the vehicles that need a charger. Reads the number from FleetTableModel::RawValueRole and
// the text from Qt::DisplayRole; cells without a number are painted as plain text.
class BatteryBarDelegate final : public QStyledItemDelegate {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatteryBarDelegate)
public:
    explicit BatteryBarDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // Red below 20 %, amber below 50 %, green otherwise.
    static QColor barColor(double percent);
};

} // namespace ui
