#include "smartcar/SmartcarError.h"

#include "net/HttpResponse.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace smartcar {

SmartcarError SmartcarError::fromResponse(int httpStatus, const QByteArray &body,
                                          const QByteArray &retryAfter, const QByteArray &requestIdHeader,
                                          const QString &reasonPhrase) {
    SmartcarError e;
    e.m_statusText = reasonPhrase;
    e.m_isError = true;
    e.m_httpStatus = httpStatus;
    bool ok = false;
    const int seconds = retryAfter.trimmed().toInt(&ok);
    e.m_retryAfterSeconds = ok && seconds >= 0 ? seconds : -1;
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    auto text = [&o](const char *key) {
        const QJsonValue v = o.value(QLatin1String(key));
        return v.isString() ? v.toString() : QString();
    };
    e.m_type = text("type");
    e.m_code = text("code");
    e.m_description = text("description");
    e.m_suggestedUserMessage = text("suggestedUserMessage");
    e.m_requestId = text("requestId");
    if (e.m_requestId.isEmpty())
        e.m_requestId = QString::fromLatin1(requestIdHeader);
    const QJsonValue resolution = o.value(QLatin1String("resolution"));
    e.m_resolution = resolution.isObject() ? resolution.toObject().value(QLatin1String("type")).toString()
                                           : resolution.toString();
    if (e.m_type.isEmpty() && o.value(QLatin1String("error")).isString()) { // OAuth host
        e.m_type = text("error");
        e.m_description = text("error_description");
    }
    return e;
}

SmartcarError SmartcarError::transport(const QString &message) {
    SmartcarError e;
    e.m_isError = true;
    e.m_description = message;
    return e;
}

SmartcarError SmartcarError::local(const QString &message) {
    SmartcarError e = transport(message);
    e.m_local = true;
    return e;
}

bool SmartcarError::needsReconnect() const {
    return m_type == QLatin1String("invalid_grant") || m_resolution == QLatin1String("REAUTHENTICATE");
}

QString SmartcarError::userMessage() const {
    if (!m_suggestedUserMessage.isEmpty())
        return m_suggestedUserMessage;
    if (!m_description.isEmpty())
        return m_description;
    if (m_httpStatus > 0) {
        QString text = m_statusText;
        if (text.isEmpty() && net::HttpResponse::reasonPhrase(m_httpStatus) != "Unknown")
            text = QString::fromLatin1(net::HttpResponse::reasonPhrase(m_httpStatus));
        return QStringLiteral("HTTP %1 %2").arg(m_httpStatus).arg(text).trimmed();
    }
    return QStringLiteral("unknown error");
}

QString SmartcarError::detailedMessage() const {
    QString s = userMessage();
    QStringList extra;
    if (!m_type.isEmpty())
        extra << (m_code.isEmpty() ? m_type : m_type + QLatin1Char(':') + m_code);
    if (m_httpStatus > 0)
        extra << QStringLiteral("HTTP %1").arg(m_httpStatus);
    if (!m_requestId.isEmpty())
        extra << QStringLiteral("request %1").arg(m_requestId);
    if (!extra.isEmpty())
        s += QStringLiteral(" (") + extra.join(QStringLiteral(", ")) + QLatin1Char(')');
    return s;
}

} // namespace smartcar
