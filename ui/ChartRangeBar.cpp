#include "ui/ChartRangeBar.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QPainter>
#include <QToolButton>

#include <iterator>

namespace ui {

namespace {

// One segment of the control, painted from the live palette: the chosen window filled with the
// highlight colour, the rest joined into one outlined bar. Native styles draw a checked tool button
// too faintly to tell which window is shown (on dark palettes hardly at all), and a style sheet
// would pin the colours of the palette it was written with.
class SegmentButton final : public QToolButton {
public:
    SegmentButton(bool first, bool last, QWidget *parent)
        : QToolButton(parent)
        , m_first(first)
        , m_last(last) {
        setAttribute(Qt::WA_Hover); // repaint on enter and leave
        setCursor(Qt::PointingHandCursor);
    }

    QSize sizeHint() const override {
        const QSize text = fontMetrics().size(Qt::TextShowMnemonic, this->text());
        return {text.width() + 24, text.height() + 10};
    }
    QSize minimumSizeHint() const override { return sizeHint(); }

protected:
    void paintEvent(QPaintEvent *) override {
        constexpr qreal kRadius = 4;
        const QPalette &pal = palette();
        const QColor button = pal.color(QPalette::Button);
        const bool dark = button.lightness() < 128;
        QColor fill = button;
        if (isChecked())
            fill = pal.color(QPalette::Highlight);
        else if (isDown())
            fill = dark ? button.lighter(140) : button.darker(115);
        else if (underMouse())
            fill = dark ? button.lighter(120) : button.darker(106);
        const QColor border = dark ? button.lighter(160) : pal.color(QPalette::Mid);

        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setClipRect(rect());
        // Round only the outer ends: inner edges reach past the clip, so the segments join.
        QRectF shape = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
        if (!m_first)
            shape.setLeft(shape.left() - 2 * kRadius);
        if (!m_last)
            shape.setRight(shape.right() + 2 * kRadius);
        painter.setPen(QPen(border, 1));
        painter.setBrush(fill);
        painter.drawRoundedRect(shape, kRadius, kRadius);
        if (!m_first)
            painter.drawLine(QPointF(0.5, 0.5), QPointF(0.5, height() - 0.5));
        // Like native styles: a focus ring only once the keyboard moved focus.
        if (hasFocus() && window()->testAttribute(Qt::WA_KeyboardFocusChange)) {
            painter.setPen(QPen(pal.color(QPalette::Highlight), 1, Qt::DotLine));
            painter.setBrush(Qt::NoBrush);
            painter.drawRect(QRectF(rect()).adjusted(2.5, 2.5, -2.5, -2.5));
        }
        painter.setPen(pal.color(isChecked() ? QPalette::HighlightedText : QPalette::ButtonText));
        if (!isEnabled())
            painter.setPen(pal.color(QPalette::Disabled, QPalette::ButtonText));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextShowMnemonic, text());
    }

private:
    bool m_first;
    bool m_last;
};

constexpr qint64 kDayMs = 24LL * 3600 * 1000;

struct PresetInfo {
    RangePreset preset;
    const char *key;
    const char *label;
    const char *toolTip;
};

const PresetInfo kPresets[] = {
    {RangePreset::Day, "24h", QT_TRANSLATE_NOOP("ui::ChartRangeBar", "24 h"),
     QT_TRANSLATE_NOOP("ui::ChartRangeBar", "The last 24 hours")},
    {RangePreset::Week, "7d", QT_TRANSLATE_NOOP("ui::ChartRangeBar", "7 d"),
     QT_TRANSLATE_NOOP("ui::ChartRangeBar", "The last 7 days")},
    {RangePreset::Month, "30d", QT_TRANSLATE_NOOP("ui::ChartRangeBar", "30 d"),
     QT_TRANSLATE_NOOP("ui::ChartRangeBar", "The last 30 days")},
    {RangePreset::All, "all", QT_TRANSLATE_NOOP("ui::ChartRangeBar", "All"),
     QT_TRANSLATE_NOOP("ui::ChartRangeBar", "Everything the journal keeps")},
};

} // namespace

ChartRangeBar::ChartRangeBar(QWidget *parent)
    : QWidget(parent)
    , m_group(new QButtonGroup(this)) {
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    // No gaps between the buttons: they read as one control with four positions.
    layout->setSpacing(0);
    const int minWidth = fontMetrics().horizontalAdvance(QStringLiteral("30 d")) + 28;
    for (const PresetInfo &info : kPresets) {
        auto *button =
            new SegmentButton(&info == std::begin(kPresets), &info == std::end(kPresets) - 1, this);
        button->setText(tr(info.label));
        button->setToolTip(tr(info.toolTip));
        button->setCheckable(true);
        button->setMinimumWidth(minWidth);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setObjectName(QStringLiteral("range-%1").arg(QLatin1String(info.key)));
        m_group->addButton(button, int(info.preset));
        layout->addWidget(button);
    }
    m_group->setExclusive(true);
    connect(m_group, &QButtonGroup::idClicked, this, [this](int id) {
        m_last = RangePreset(id);
        Q_EMIT presetChosen(m_last);
    });
    setPreset(RangePreset::Day);
}

ChartRangeBar::~ChartRangeBar() = default;

void ChartRangeBar::setPreset(RangePreset preset) {
    m_last = preset;
    if (QAbstractButton *b = button(preset))
        b->setChecked(true);
}

void ChartRangeBar::clearSelection() {
    // An exclusive group refuses to uncheck its checked button.
    m_group->setExclusive(false);
    if (QAbstractButton *checked = m_group->checkedButton())
        checked->setChecked(false);
    m_group->setExclusive(true);
}

bool ChartRangeBar::hasPreset() const {
    return m_group->checkedButton() != nullptr;
}

RangePreset ChartRangeBar::preset() const {
    return m_last;
}

QAbstractButton *ChartRangeBar::button(RangePreset preset) const {
    return m_group->button(int(preset));
}

qint64 ChartRangeBar::durationMs(RangePreset preset) {
    switch (preset) {
    case RangePreset::Day:
        return kDayMs;
    case RangePreset::Week:
        return 7 * kDayMs;
    case RangePreset::Month:
        return 30 * kDayMs;
    case RangePreset::All:
        break;
    }
    return 0;
}

QString ChartRangeBar::key(RangePreset preset) {
    for (const PresetInfo &info : kPresets)
        if (info.preset == preset)
            return QLatin1String(info.key);
    return QStringLiteral("24h");
}

RangePreset ChartRangeBar::fromKey(const QString &key, RangePreset fallback) {
    for (const PresetInfo &info : kPresets)
        if (key == QLatin1String(info.key))
            return info.preset;
    return fallback;
}

} // namespace ui
