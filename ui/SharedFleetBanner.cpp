#include "ui/SharedFleetBanner.h"

#include <QDeadlineTimer>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QProgressBar>
#include <QStyle>

namespace ui {

namespace {

// Painted, not taken from the palette: the bar must read the same under every style and theme.
// Amber 100 with a dark brown text (over 9:1), blue 50 with a dark blue one (over 8:1).
const QColor kWarningBackground(0xff, 0xec, 0xb3);
const QColor kWarningBorder(0xff, 0xb3, 0x00);
const QColor kWarningText(0x4e, 0x34, 0x2e);
const QColor kInfoBackground(0xe3, 0xf2, 0xfd);
const QColor kInfoBorder(0x90, 0xca, 0xf9);
const QColor kInfoText(0x0d, 0x47, 0xa1);

// A quarter second keeps the shown second within a blink of the real one without busy redraws.
constexpr int kCountdownTickMs = 250;
constexpr int kProgressSteps = 1000; // QProgressBar counts in int; deliveries are 64-bit

// libpq's messages run over several lines ("could not connect…\n\tIs the server running…"): the bar
// says the first, the tooltip all of it.
QString firstLine(const QString &error) {
    QString line = error.section(QLatin1Char('\n'), 0, 0).trimmed();
    while (line.endsWith(QLatin1Char('.')))
        line.chop(1);
    return line;
}

} // namespace

SharedFleetBanner::SharedFleetBanner(QWidget *parent)
    : QWidget(parent)
    , m_clock([] { return QDeadlineTimer::current().deadline(); })
    , m_icon(new QLabel(this))
    , m_label(new QLabel(this))
    , m_progress(new QProgressBar(this)) {
    setObjectName(QStringLiteral("sharedFleetBanner"));
    setAccessibleName(tr("Shared fleet connection"));
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);

    QFont font = m_label->font();
    font.setBold(true);
    m_label->setFont(font);
    m_label->setObjectName(QStringLiteral("sharedFleetBannerText"));
    m_label->setTextFormat(Qt::PlainText);
    m_label->setWordWrap(true); // a long server message wraps instead of widening the window
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse); // the error can be copied for a ticket
    m_label->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);

    m_progress->setObjectName(QStringLiteral("sharedFleetProgress"));
    m_progress->setAccessibleName(tr("Catching up with the shared fleet"));
    m_progress->setRange(0, kProgressSteps);
    m_progress->setFixedWidth(220);
    m_progress->hide();

    // One height in every state: the window must not jump as the bar gains or loses its progress.
    m_label->setMinimumHeight(m_progress->sizeHint().height());
    m_layout = new QHBoxLayout(this);
    m_layout->setContentsMargins(12, 6, 12, 6);
    m_layout->setSpacing(10);
    m_layout->addWidget(m_icon);
    m_layout->addWidget(m_label, 1);
    m_layout->addWidget(m_progress);
    m_layout->addStretch(0);

    m_countdown.setInterval(kCountdownTickMs);
    connect(&m_countdown, &QTimer::timeout, this, &SharedFleetBanner::render);
    hide();
}

SharedFleetBanner::~SharedFleetBanner() = default;

void SharedFleetBanner::setClock(Clock clock) {
    m_clock = std::move(clock);
}

void SharedFleetBanner::setStatus(const model::SharedFleetStatus &status) {
    m_status = status;
    m_retryAt = m_clock() + std::max<qint64>(0, status.retryInMs);
    render();
}

int SharedFleetBanner::secondsToRetry() const {
    if (m_status.state != model::SharedFleetStatus::State::Lost)
        return 0;
    const qint64 left = std::max<qint64>(0, m_retryAt - m_clock());
    return int((left + 999) / 1000);
}

QString SharedFleetBanner::text() const {
    return m_label->text();
}

void SharedFleetBanner::render() {
    using State = model::SharedFleetStatus::State;
    const model::SharedFleetStatus &s = m_status;
    if (s.state == State::Live) {
        m_countdown.stop();
        hide();
        return;
    }
    const QLocale locale;
    QString text;
    QString details;
    bool warning = true;
    bool progress = false;
    const int seconds = secondsToRetry();
    if (s.state == State::Lost || (s.state == State::Connecting && s.attempt > 0)) {
        // A try under way reads as the end of the countdown: the same sentence, "now" for the time.
        const QString why = firstLine(s.error);
        text = why.isEmpty() ? tr("Connection to the shared fleet (%1) lost.").arg(s.location)
                             : tr("Connection to the shared fleet (%1) lost: %2.").arg(s.location, why);
        text += QLatin1Char(' ');
        text += seconds > 0 ? tr("Reconnecting in %1 s (attempt %2)…").arg(seconds).arg(s.attempt)
                            : tr("Reconnecting now (attempt %1)…").arg(s.attempt);
        details = s.error.trimmed();
    } else if (s.state == State::Connecting) {
        warning = false;
        text = tr("Connecting to the shared fleet (%1)…").arg(s.location);
    } else { // CatchingUp
        warning = false;
        progress = true;
        text = tr("Catching up: %1 of %2 deliveries")
                   .arg(locale.toString(s.taken), locale.toString(std::max(s.taken, s.latest)));
        details = tr("Taking what the shared fleet (%1) stored while this workstation was away. "
                     "The table, alerts and charts are complete once this bar goes.")
                      .arg(s.location);
    }
    if (progress) {
        if (s.latest > 0)
            m_progress->setValue(int(std::min(s.taken, s.latest) * kProgressSteps / s.latest));
        else
            m_progress->setValue(0);
    }
    m_progress->setVisible(progress);
    // The progress right after its figures, where the eye is; a long message gets the whole width.
    m_layout->setStretch(1, progress ? 0 : 1);
    m_layout->setStretch(3, progress ? 1 : 0);
    m_label->setSizePolicy(progress ? QSizePolicy::Preferred : QSizePolicy::Expanding,
                           QSizePolicy::Preferred);
    m_label->setWordWrap(!progress); // a wrapping label left at its preferred width wraps every few words
    if (s.state == State::Lost && seconds > 0) {
        if (!m_countdown.isActive())
            m_countdown.start();
    } else {
        m_countdown.stop();
    }

    if (warning != m_warning || m_icon->pixmap().isNull()) {
        m_warning = warning;
        const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
        m_icon->setPixmap(
            style()
                ->standardIcon(warning ? QStyle::SP_MessageBoxWarning : QStyle::SP_BrowserReload, nullptr,
                               this)
                .pixmap(iconSize));
        QPalette palette = m_label->palette();
        palette.setColor(QPalette::WindowText, warning ? kWarningText : kInfoText);
        m_label->setPalette(palette);
        update();
    }
    m_label->setText(text);
    m_label->setToolTip(details);
    setAccessibleDescription(text);
    show();
}

void SharedFleetBanner::paintEvent(QPaintEvent *) {
    QPainter painter(this);
    painter.fillRect(rect(), m_warning ? kWarningBackground : kInfoBackground);
    painter.setPen(m_warning ? kWarningBorder : kInfoBorder);
    painter.drawLine(rect().bottomLeft(), rect().bottomRight());
}

} // namespace ui
