#pragma once

#include "model/SetupValues.h"

#include <QString>

namespace app {

// Where the setup lives: ordinary values in the app's settings, secrets (AMT, client secret) in the
// SecretVault: the desktop keychain when there is one, else a file of their own that only the user may
// read (0600, `secretsPath()`, the same format as before the keychain was used).
class SetupStore final {
public:
    static model::SetupValues load();
    static bool save(const model::SetupValues &values, QString *error);
    static QString secretsPath();
    static bool isConfigured(); // an AMT is known
};

} // namespace app
