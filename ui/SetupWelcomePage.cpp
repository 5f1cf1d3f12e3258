#include "ui/SetupWelcomePage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace ui {

SetupWelcomePage::SetupWelcomePage(QWidget *parent)
    : QWizardPage(parent) {
    setTitle(tr("Welcome to Fleet Monitor"));
    setSubTitle(tr("A few questions before your fleet shows up live. Nothing is saved until you click "
                   "Finish."));

    // Written for a fleet manager, not a network engineer: each item says why it is asked.
    auto *text = new QLabel(this);
    text->setObjectName(QStringLiteral("welcomeText"));
    text->setWordWrap(true);
    text->setTextFormat(Qt::RichText);
    text->setText(
        tr("<p>Fleet Monitor shows your Smartcar vehicles as their data arrives: battery, odometer, doors "
           "and windows left open, airbag deployments and vehicles that went silent. Smartcar sends this "
           "data to Fleet Monitor as <i>webhooks</i>.</p>"
           "<p>You will be asked for:</p>"
           "<ul style=\"margin-left:-20px\">"
           "<li style=\"margin-bottom:6px\"><b>Your Smartcar credentials</b> &ndash; the Application "
           "Management Token proves that "
           "webhooks really come from Smartcar; the webhook id and client credentials let you add and "
           "subscribe vehicles.</li>"
           "<li style=\"margin-bottom:6px\"><b>A tunnel</b> &ndash; Smartcar only delivers to a public "
           "<b>HTTPS</b> address, which "
           "this computer usually does not have. A tunnel lends it one and passes the webhooks on.</li>"
           "<li style=\"margin-bottom:6px\"><b>The endpoint and a data folder</b> &ndash; where webhooks are "
           "received on this "
           "computer, and where every delivery is kept.</li>"
           "</ul>"
           "<p>Keep the Smartcar Dashboard open in your browser: you will copy values from it.</p>"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(text);
    layout->addStretch(1);
}

SetupWelcomePage::~SetupWelcomePage() = default;

} // namespace ui
