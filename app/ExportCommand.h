#pragma once

#include "app/AppOptions.h"

#include <QIODevice>

namespace app {

// `fleetmon export …`: reads the data folder's journal (the app may be running) and writes the
// contract formats of docs/DESIGN.md to `out`. Returns the process exit code; errors go to `err`.
class ExportCommand final {
public:
    static int run(const AppOptions &options, QIODevice &out, QIODevice &err);
};

} // namespace app
