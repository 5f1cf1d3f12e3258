#pragma once

#include "model/SetupValues.h"

#include <QString>
#include <QStringList>

namespace model {

// Checks for what the setup wizard asks, usable wherever SetupValues are read (wizard, command
// line, settings). Each validator is pure and cheap enough to run on every keystroke: it returns an
// empty string when the value is acceptable, otherwise one short sentence that names the field, says
// what is wrong and what is expected. None of them touches the file system or the network.

// Application Management Token: required, printable ASCII without whitespace, at least 16 characters.
QString validateAmt(const QString &amt);

// Webhook id: may be empty (it is only needed to subscribe vehicles), otherwise a UUID in any case,
// e.g. 3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f.
QString validateWebhookId(const QString &webhookId);

// Client id and secret for Smartcar Connect: both or neither. The id is a UUID or at least 8
// characters without whitespace.
QString validateClientCredentials(const QString &clientId, const QString &clientSecret);

// "HOST:PORT" where HOST is a numeric IPv4 address, a bracketed IPv6 address ("[::1]:8787") or
// "localhost", and PORT is 0-65535 (0 picks a free port). Addresses other machines can reach are
// valid; listenAddressWarning() says what that means.
QString validateListenAddress(const QString &address);

// Non-empty (a caution, not an error) for a valid address that is not loopback, empty otherwise.
QString listenAddressWarning(const QString &address);

// The custom tunnel: a command containing "{port}" and a regular expression that finds the public
// URL in the program's output. Only meaningful when the tunnel is SetupValues::Tunnel::Custom.
QString validateCustomTunnel(const QString &command, const QString &urlPattern);
// The two halves of validateCustomTunnel(), for a form that shows a message beneath each field.
QString validateTunnelCommand(const QString &command);
QString validateTunnelUrlPattern(const QString &urlPattern);

// A non-empty absolute path. Whether it exists or is writable is for whoever creates it to report.
QString validateDataDir(const QString &dir);

// Every problem of a complete setup, in the order the wizard asks. The custom tunnel is checked only
// when it is the chosen tunnel, and an empty data folder is accepted because it stands for the
// platform default (see SetupValues).
QStringList validate(const SetupValues &values);

} // namespace model
