#pragma once

#include "model/DeliveryLogEntry.h"
#include "model/VerificationEvent.h"

#include <QWidget>

class QLabel;

namespace ui {

// Verification diagnostics: the last VERIFY challenge and the answer sent, how many deliveries
// passed or failed the signature check, and the AMT self-test the manager can compare with the
// Smartcar dashboard. Names the known Smartcar account problem when VERIFY passes but every
// signature fails.
class VerificationPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(VerificationPanel)
public:
    explicit VerificationPanel(QWidget *parent = nullptr);

    // The HMAC of a sample challenge under the configured AMT, computed off the GUI thread.
    void setSelfTest(const QString &challenge, const QString &answer);
    void addVerifications(const QList<model::VerificationEvent> &verifications);
    void addDeliveries(const QList<model::DeliveryLogEntry> &deliveries);

    qint64 signedCount() const { return m_signed; }
    qint64 badSignatureCount() const { return m_badSignature; }
    bool showsAccountHint() const;
    QString lastVerifyText() const;

protected:
    void showEvent(QShowEvent *event) override;

private:
    void refresh();

    qint64 m_signed = 0; // signature verified (accepted, duplicate, or signed but undecodable)
    qint64 m_badSignature = 0;
    model::VerificationEvent m_lastVerify;
    QLabel *m_verify;
    QLabel *m_counts;
    QLabel *m_selfTest;
    QLabel *m_hint;
    // The labels are brought up to date only while the panel is visible (it usually sits in a
    // background tab): their text changes on every tick under load, and each change relayouts the
    // window. The counters above are always current.
    bool m_labelsStale = false;
};

} // namespace ui
