#pragma once

#include <QString>
#include <QStringList>

class QWidget;

namespace app {

// File → Connect to a shared fleet…: asks where the fleet comes from (ui::SharedFleetDialog), checks a
// URL as --database does, saves the choice as the settings' database/url and, once the manager
// agrees, has the app start again to switch: the endpoint, journal or replica and every connection
// belong to one start, so a switch in place would be a second composition root.
class SharedFleetSwitch final {
public:
    // What is wrong with a shared fleet's URL (store::PostgresLocation's rules), empty when usable.
    static QString validate(const QString &url);
    // The choice for the next start: a URL, or empty for the workstation's own endpoint and journal.
    static void save(const QString &url);
    // The arguments to start again with (without the program): the same, less --database (the saved
    // choice decides) and --demo (whose simulated fleet never follows a shared one).
    static QStringList restartArguments(const QStringList &arguments);

    // The whole exchange from the window's menu; `current`: the shared fleet followed now (empty:
    // none). True when the manager chose "Restart now": the caller quits and then calls restart().
    static bool run(QWidget *window, const QString &current);
    // Starts this program again with restartArguments(); false (and a message on stderr) on failure.
    static bool restart();
};

} // namespace app
