#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <functional>

class QAbstractItemModel;

namespace app {

// Tells a benchmark (or a user timing a start) the moment the window became interactive: the
// table model holds the expected rows and a zero-timer posted after that has run, so the event
// loop is free to take input. Enabled by FLEETMON_REPORT_INTERACTIVE=1; it then writes once, to
// stderr: "fleetmon: interactive: N vehicles in the table".
class InteractiveReporter final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InteractiveReporter)
public:
    using Sink = std::function<void(const QByteArray &line)>;

    static bool requested(); // the environment asks for the line

    InteractiveReporter(QAbstractItemModel *table, qsizetype expectedRows, Sink sink = {},
                        QObject *parent = nullptr);

Q_SIGNALS:
    void interactive(qsizetype rows);

private:
    void check();

    QPointer<QAbstractItemModel> m_table;
    qsizetype m_expectedRows;
    Sink m_sink;
    bool m_reached = false;
};

} // namespace app
