#pragma once

#include <QWidget>

class QAbstractButton;
class QButtonGroup;

namespace ui {

// The time windows a chart offers: the last day, week or month up to now, or everything kept.
enum class RangePreset { Day, Week, Month, All };

// A segmented row of checkable buttons, one per preset. At most one is checked; none is while the
// manager looks at a window of their own (zoomed or panned), so the row never claims "24 h" for a
// view that is not.
class ChartRangeBar final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartRangeBar)
public:
    explicit ChartRangeBar(QWidget *parent = nullptr);
    ~ChartRangeBar() override;

    void setPreset(RangePreset preset); // checks it, without emitting presetChosen
    void clearSelection();              // a custom window
    bool hasPreset() const;
    RangePreset preset() const; // the checked one, else the last one checked

    QAbstractButton *button(RangePreset preset) const;

    // Width of the window in milliseconds; 0 for All.
    static qint64 durationMs(RangePreset preset);
    static QString key(RangePreset preset); // stable settings value: "24h", "7d", "30d", "all"
    static RangePreset fromKey(const QString &key, RangePreset fallback);

Q_SIGNALS:
    void presetChosen(ui::RangePreset preset); // by the user, also when re-clicking the checked one

private:
    QButtonGroup *m_group;
    RangePreset m_last = RangePreset::Day;
};

} // namespace ui
