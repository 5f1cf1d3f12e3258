#include "ui/AlertBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QStyle>

namespace ui {

namespace {
// The same red as critical alerts in the table, dark enough for white text to pass contrast checks.
const QColor kBackground(0xc6, 0x28, 0x28);
const QColor kBorder(0x8e, 0x1b, 0x1b);
} // namespace

AlertBanner::AlertBanner(QWidget *parent)
    : QWidget(parent)
    , m_icon(new QLabel(this))
    , m_label(new QLabel(this))
    , m_acknowledge(new QPushButton(tr("Acknowledge"), this)) {
    setObjectName(QStringLiteral("alertBanner"));
    setAccessibleName(tr("Critical alert"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);

    const int iconSize = style()->pixelMetric(QStyle::PM_LargeIconSize, nullptr, this);
    m_icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical, nullptr, this).pixmap(iconSize));

    QFont font = m_label->font();
    font.setBold(true);
    font.setPointSizeF(font.pointSizeF() * 1.25);
    m_label->setFont(font);
    m_label->setTextFormat(Qt::PlainText);
    QPalette palette = m_label->palette();
    palette.setColor(QPalette::WindowText, Qt::white);
    m_label->setPalette(palette);
    m_label->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);

    m_acknowledge->setObjectName(QStringLiteral("bannerAcknowledgeButton"));
    m_acknowledge->setCursor(Qt::PointingHandCursor);
    connect(m_acknowledge, &QPushButton::clicked, this, [this] {
        if (m_alertId > 0)
            Q_EMIT acknowledgeRequested(m_alertId);
    });

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(10);
    layout->addWidget(m_icon);
    layout->addWidget(m_label, 1);
    layout->addWidget(m_acknowledge);
    hide();
}

AlertBanner::~AlertBanner() = default;

void AlertBanner::showAlert(qint64 alertId, const QString &vehicleName, const QString &time, int more) {
    m_alertId = alertId;
    QString text = tr("Airbag deployed: %1 \u2014 %2").arg(vehicleName, time);
    if (more > 0)
        text += QLatin1String("   ") + tr("(+%1 more)").arg(more);
    m_label->setText(text);
    m_acknowledge->setToolTip(tr("Acknowledge the airbag alert of %1").arg(vehicleName));
    show();
}

void AlertBanner::clearAlert() {
    m_alertId = 0;
    m_label->clear();
    hide();
}

QString AlertBanner::text() const {
    return m_label->text();
}

void AlertBanner::paintEvent(QPaintEvent *) {
    // Painted rather than styled through the palette so no widget style can tone it down.
    QPainter painter(this);
    painter.fillRect(rect(), kBackground);
    painter.setPen(kBorder);
    painter.drawLine(rect().bottomLeft(), rect().bottomRight());
}

} // namespace ui
