#pragma once

#include "model/SetupValues.h"

#include <QStringList>
#include <QWizardPage>

class QLabel;

namespace ui {

// The last page: everything that will be saved, secrets masked to their last four characters, and
// what to do in the Smartcar Dashboard afterwards. Finish stays disabled if model::validate() still
// finds a problem (it should not: every earlier page gates Next).
class SetupSummaryPage final : public QWizardPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupSummaryPage)
public:
    explicit SetupSummaryPage(QWidget *parent = nullptr);
    ~SetupSummaryPage() override;

    void showValues(const model::SetupValues &values);
    bool isComplete() const override;

    // "••••••••4c5d": enough to tell two tokens apart, not enough to use one.
    static QString maskSecret(const QString &secret);

    QLabel *summaryLabel() const { return m_summary; }
    QStringList problems() const { return m_problems; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void render();

    model::SetupValues m_values;
    QStringList m_problems;
    QLabel *m_summary;
};

} // namespace ui
