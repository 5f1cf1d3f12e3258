#include "store/DeliveryDetailService.h"

#include "store/Database.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace store {

DeliveryDetailService::DeliveryDetailService(QObject *parent)
    : model::DeliveryDetailSource(parent) {
    qRegisterMetaType<model::DeliveryDetail>();
}

DeliveryDetailService::~DeliveryDetailService() {
    // Joined here, not in a base destructor: the worker emits through this object.
    close();
}

bool DeliveryDetailService::open(const QString &path, QString *error) {
    if (m_worker.isRunning()) {
        *error = QStringLiteral("the delivery detail service was already opened");
        return false;
    }
    return m_worker.start(
        QStringLiteral("delivery-detail"), path, Database::Mode::ReadOnly, [this](Database &db) { run(db); },
        error);
}

void DeliveryDetailService::close() {
    if (!m_worker.isRunning())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_worker.join();
}

void DeliveryDetailService::request(qint64 journalId) {
    {
        std::lock_guard lock(m_mutex);
        if (m_worker.isOpen() && !m_stopping) {
            m_pending = journalId; // replaces a request the worker has not picked up yet
            m_wake.notify_one();
            return;
        }
    }
    model::DeliveryDetail detail;
    detail.journalId = journalId;
    detail.error = tr("The delivery journal is not open.");
    Q_EMIT detailReady(detail);
}

void DeliveryDetailService::run(Database &db) {
    for (;;) {
        qint64 journalId = 0;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || m_pending.has_value(); });
            if (m_stopping)
                return;
            journalId = *std::exchange(m_pending, std::nullopt);
        }
        const model::DeliveryDetail detail = read(db, journalId);
        Q_EMIT detailReady(detail);
    }
}

model::DeliveryDetail DeliveryDetailService::read(Database &db, qint64 journalId) const {
    model::DeliveryDetail detail;
    detail.journalId = journalId;
    QSqlQuery q(db.connection());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT headers, body FROM deliveries WHERE id = ?"));
    q.addBindValue(journalId);
    if (!q.exec()) {
        detail.error = tr("Cannot read delivery #%1: %2").arg(journalId).arg(q.lastError().text());
        return detail;
    }
    if (!q.next()) {
        detail.error = q.lastError().isValid()
                           ? tr("Cannot read delivery #%1: %2").arg(journalId).arg(q.lastError().text())
                           : tr("Delivery #%1 is not in the journal.").arg(journalId);
        return detail;
    }
    detail.headers = formatHeaders(q.value(0).toString().toUtf8());
    const QVariant body = q.value(1);
    if (body.isNull()) {
        // The journal stores NULL, not an empty blob, when the endpoint kept nothing.
        detail.body = bodyNotKeptText();
    } else {
        const QByteArray bytes = body.toByteArray();
        detail.bodyBytes = bytes.size();
        detail.body = formatBody(bytes);
    }
    return detail;
}

QString DeliveryDetailService::bodyNotKeptText() {
    return tr("(body not kept: rejected deliveries keep no body)");
}

QString DeliveryDetailService::formatHeaders(const QByteArray &headersJson) {
    if (headersJson.trimmed().isEmpty())
        return {};
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(headersJson, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        // Shown raw, a damaged entry could still hold a whole signature.
        return tr("(stored headers are not readable: %1)").arg(parseError.errorString());
    }
    const QJsonObject headers = document.object();
    QStringList lines;
    lines.reserve(headers.size());
    for (auto it = headers.constBegin(); it != headers.constEnd(); ++it) {
        // The endpoint stores strings; anything else is shown as its plain value.
        QString value = it.value().toVariant().toString();
        if (it.key().compare(QLatin1String("SC-Signature"), Qt::CaseInsensitive) == 0)
            value = shortenSignature(value);
        lines.append(it.key() + QLatin1String(": ") + value);
    }
    return lines.join(QLatin1Char('\n'));
}

QString DeliveryDetailService::formatBody(const QByteArray &body) {
    if (body.isEmpty())
        return tr("(empty body)");
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || document.isNull())
        return QString::fromUtf8(body); // invalid UTF-8 becomes U+FFFD: lossy, but readable
    QByteArray pretty = document.toJson(QJsonDocument::Indented);
    while (pretty.endsWith('\n'))
        pretty.chop(1);
    return QString::fromUtf8(pretty);
}

QString DeliveryDetailService::shortenSignature(const QString &value) {
    // Enough to tell two signatures apart, too little to reuse one. A value too short to be a real
    // signature still loses its second half, so the whole of it never shows.
    const qsizetype kept = std::min<qsizetype>(8, value.size() / 2);
    return value.left(kept) + QChar(0x2026);
}

} // namespace store
