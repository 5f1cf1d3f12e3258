#pragma once

#include "model/SetupValues.h"

#include <QString>

namespace app {

// Where the setup lives: ordinary values in the app's settings, secrets (AMT, client secret) in a
// file of their own that only the user may read (0600). The desktop keychain is not used: headless
// machines and CI have no Secret Service, and one behaviour everywhere is easier to support.
class SetupStore final {
public:
    static model::SetupValues load();
    static bool save(const model::SetupValues &values, QString *error);
    static QString secretsPath();
    static bool isConfigured(); // an AMT is known
};

} // namespace app
