#include "ui/VehicleDetailPanel.h"

#include "model/FleetTableModel.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ui {

namespace {
QString oemTime(qint64 ms) {
    if (ms <= 0)
        return QObject::tr("static");
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat);
}
} // namespace

VehicleDetailPanel::VehicleDetailPanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_identity(new QLabel(this))
    , m_errors(new QLabel(this))
    , m_signals(new QTreeWidget(this)) {
    setObjectName(QStringLiteral("VehicleDetailPanel"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_identity->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_identity->setWordWrap(true);
    m_errors->setWordWrap(true);
    m_errors->setTextFormat(Qt::RichText);
    m_signals->setColumnCount(4);
    m_signals->setHeaderLabels({tr("Signal"), tr("Value"), tr("Unit"), tr("OEM time")});
    m_signals->setAlternatingRowColors(true);
    m_signals->setUniformRowHeights(true);
    m_signals->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_signals->header()->setSectionResizeMode(1, QHeaderView::Stretch);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_title);
    layout->addWidget(m_identity);
    layout->addWidget(m_errors);
    layout->addWidget(m_signals, 1);
    showSelectionCount(0);
}

void VehicleDetailPanel::showSelectionCount(int count) {
    if (count == 1)
        return; // the detail follows
    m_vehicleId.clear();
    m_signals->clear();
    m_errors->hide();
    m_identity->clear();
    m_title->setText(count == 0 ? tr("No vehicle selected") : tr("%1 vehicles selected").arg(count));
    m_identity->setText(count == 0 ? tr("Select a vehicle in the table to see every signal it reports.")
                                   : tr("Their battery and odometer are overlaid in the charts."));
}

void VehicleDetailPanel::showDetail(const model::VehicleDetail &detail) {
    const model::VehicleRow &row = detail.row;
    m_vehicleId = row.id;
    m_title->setText(model::FleetTableModel::vehicleName(row));
    QStringList identity;
    identity << tr("Id: %1").arg(row.id);
    if (row.year > 0)
        identity << tr("Year: %1").arg(row.year);
    if (!row.vin.isEmpty())
        identity << tr("VIN: %1").arg(row.vin);
    m_identity->setText(identity.join(QStringLiteral("   ·   ")));

    if (detail.openErrors.isEmpty()) {
        m_errors->hide();
    } else {
        QStringList lines;
        for (const model::VehicleError &e : detail.openErrors) {
            const QString message =
                !e.suggestedUserMessage.isEmpty() ? e.suggestedUserMessage : e.description;
            lines << QStringLiteral("<b>%1%2</b>: %3")
                         .arg(e.type.toHtmlEscaped(),
                              e.code.isEmpty() ? QString() : QLatin1Char('/') + e.code.toHtmlEscaped(),
                              message.toHtmlEscaped());
        }
        m_errors->setText(
            QStringLiteral("<span style='color:#c0392b'>%1</span>").arg(lines.join(QStringLiteral("<br>"))));
        m_errors->show();
    }

    // Rebuilt in place, keeping which groups the manager collapsed.
    QSet<QString> collapsed;
    for (int i = 0; i < m_signals->topLevelItemCount(); ++i)
        if (!m_signals->topLevelItem(i)->isExpanded())
            collapsed.insert(m_signals->topLevelItem(i)->text(0));
    m_signals->setUpdatesEnabled(false);
    m_signals->clear();
    QHash<QString, QTreeWidgetItem *> groups;
    for (const model::SignalDetail &s : detail.signalDetails) {
        const QString groupName = s.group.isEmpty() ? tr("Other") : s.group;
        QTreeWidgetItem *&group = groups[groupName];
        if (!group) {
            group = new QTreeWidgetItem(m_signals, {groupName});
            QFont bold = group->font(0);
            bold.setBold(true);
            group->setFont(0, bold);
            group->setFirstColumnSpanned(true);
        }
        auto *item =
            new QTreeWidgetItem(group, {s.name.isEmpty() ? s.code : s.name,
                                        s.error.isEmpty() ? s.value : tr("read failed: %1").arg(s.error),
                                        s.unit, oemTime(s.oemUpdatedAt)});
        item->setToolTip(0, s.code);
        item->setToolTip(1, s.value);
        if (!s.error.isEmpty())
            item->setForeground(1, QColor(0xc0, 0x39, 0x2b));
    }
    for (auto *group : std::as_const(groups))
        group->setExpanded(!collapsed.contains(group->text(0)));
    m_signals->setUpdatesEnabled(true);
}

} // namespace ui
