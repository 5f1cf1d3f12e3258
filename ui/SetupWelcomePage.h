#pragma once

#include <QWizardPage>

namespace ui {

// First page of the setup wizard: what Fleet Monitor needs and why, before anything is asked.
class SetupWelcomePage final : public QWizardPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupWelcomePage)
public:
    explicit SetupWelcomePage(QWidget *parent = nullptr);
    ~SetupWelcomePage() override;
};

} // namespace ui
