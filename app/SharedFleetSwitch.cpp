#include "app/SharedFleetSwitch.h"

#include "store/PostgresLocation.h"
#include "ui/SharedFleetDialog.h"

#include <QCoreApplication>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <cstdio>

namespace app {

namespace {
const QString kDatabaseKey = QStringLiteral("database/url");
} // namespace

QString SharedFleetSwitch::validate(const QString &url) {
    store::PostgresLocation location;
    QString error;
    if (store::PostgresLocation::parse(url, &location, &error))
        return {};
    // Shown as a sentence under the field; the store's messages start in lower case for "--database: …",
    // and QUrl's end in a dump of the parts ("; source was …; scheme = …") meant for programmers.
    error = error.section(QStringLiteral("; source was"), 0, 0);
    if (!error.isEmpty())
        error[0] = error.at(0).toUpper();
    return error;
}

void SharedFleetSwitch::save(const QString &url) {
    QSettings settings;
    if (url.isEmpty())
        settings.remove(kDatabaseKey);
    else
        settings.setValue(kDatabaseKey, url);
    settings.sync();
}

QStringList SharedFleetSwitch::restartArguments(const QStringList &arguments) {
    QStringList kept;
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == QLatin1String("--")) { // the rest is positional, whatever it looks like
            kept += arguments.mid(i);
            break;
        }
        if (argument == QLatin1String("--database")) {
            ++i; // and its value
            continue;
        }
        if (argument.startsWith(QLatin1String("--database=")) || argument == QLatin1String("--demo"))
            continue;
        kept.append(argument);
    }
    return kept;
}

bool SharedFleetSwitch::run(QWidget *window, const QString &current) {
    ui::SharedFleetDialog dialog(current, &SharedFleetSwitch::validate, window);
    if (dialog.exec() != QDialog::Accepted)
        return false;
    const QString chosen = dialog.chosenUrl();
    // Saved even when unchanged: a fleet given with --database is then kept for later starts too.
    save(chosen);
    if (chosen == current)
        return false;
    store::PostgresLocation location;
    QString error;
    const QString saved = store::PostgresLocation::parse(chosen, &location, &error)
                              ? QObject::tr("Saved: the shared fleet %1.").arg(location.displayName())
                              : QObject::tr("Saved: this workstation's own endpoint and journal.");
    QMessageBox box(QMessageBox::Question, QObject::tr("Restart Fleet Monitor?"), saved,
                    QMessageBox::NoButton, window);
    box.setInformativeText(QObject::tr("Fleet Monitor switches when it starts again. Restart now?"));
    QPushButton *now = box.addButton(QObject::tr("&Restart now"), QMessageBox::AcceptRole);
    box.addButton(QObject::tr("&Later"), QMessageBox::RejectRole);
    box.setDefaultButton(now);
    box.exec();
    return box.clickedButton() == now;
}

bool SharedFleetSwitch::restart() {
    const QStringList arguments = restartArguments(QCoreApplication::arguments());
    if (QProcess::startDetached(QCoreApplication::applicationFilePath(), arguments))
        return true;
    std::fprintf(stderr, "fleetmon: could not start %s again; start it yourself\n",
                 qPrintable(QCoreApplication::applicationFilePath()));
    return false;
}

} // namespace app
