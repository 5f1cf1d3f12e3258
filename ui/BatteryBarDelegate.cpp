#include "ui/BatteryBarDelegate.h"

#include "model/FleetTableModel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace ui {

namespace {

// Dark text on amber and white text on red and green keep the value readable on every fill.
QColor textColorOn(const QColor &fill) {
    // Perceived brightness, not HSL lightness: amber is light to the eye although HSL says otherwise.
    const double luma = 0.299 * fill.red() + 0.587 * fill.green() + 0.114 * fill.blue();
    return luma > 150.0 ? QColor(0x20, 0x20, 0x20) : QColor(Qt::white);
}

} // namespace

BatteryBarDelegate::BatteryBarDelegate(QObject *parent)
    : QStyledItemDelegate(parent) {}

QColor BatteryBarDelegate::barColor(double percent) {
    if (percent < 20.0)
        return QColor(0xd6, 0x3b, 0x3b);
    if (percent < 50.0)
        return QColor(0xf2, 0xa9, 0x1f);
    return QColor(0x2f, 0x9e, 0x55);
}

void BatteryBarDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                               const QModelIndex &index) const {
    const QVariant raw = index.data(model::FleetTableModel::RawValueRole);
    if (!raw.isValid()) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    const double percent = std::clamp(raw.toDouble(), 0.0, 100.0);

    // The style draws background, selection and focus exactly as for any other cell.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const int barHeight = std::min(opt.rect.height() - 6, opt.fontMetrics.height() + 4);
    QRectF track(opt.rect.left() + 6, opt.rect.top() + (opt.rect.height() - barHeight) / 2.0,
                 opt.rect.width() - 12, barHeight);
    if (track.width() <= 0 || track.height() <= 0)
        return;
    const qreal radius = std::min<qreal>(4.0, track.height() / 2.0);
    QPainterPath trackPath;
    trackPath.addRoundedRect(track, radius, radius);
    QRectF fill = track;
    fill.setWidth(track.width() * percent / 100.0);
    QRectF empty = track;
    empty.setLeft(fill.right());
    const QColor color = barColor(percent);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(QColor(128, 128, 128, 48));
    painter->drawPath(trackPath);
    painter->setClipRect(fill);
    painter->setBrush(color);
    painter->drawPath(trackPath);

    // The text straddles the end of the bar, so each half gets the colour that reads on it.
    painter->setFont(opt.font);
    painter->setPen(textColorOn(color));
    painter->drawText(track, Qt::AlignCenter, text);
    const QPalette::ColorGroup group =
        (opt.state & QStyle::State_Enabled) ? QPalette::Normal : QPalette::Disabled;
    const QPalette::ColorRole role =
        (opt.state & QStyle::State_Selected) ? QPalette::HighlightedText : QPalette::Text;
    painter->setClipRect(empty);
    painter->setPen(opt.palette.color(group, role));
    painter->drawText(track, Qt::AlignCenter, text);
    painter->restore();
}

QSize BatteryBarDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    // Wide enough that a 5 % difference is visible as a bar length.
    size.setWidth(std::max(size.width(), option.fontMetrics.horizontalAdvance(QStringLiteral("100 %")) * 3));
    return size;
}

} // namespace ui
