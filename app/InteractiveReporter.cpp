#include "app/InteractiveReporter.h"

#include <QAbstractItemModel>
#include <QTimer>
#include <cstdio>

namespace app {

bool InteractiveReporter::requested() {
    return qEnvironmentVariable("FLEETMON_REPORT_INTERACTIVE") == QLatin1String("1");
}

InteractiveReporter::InteractiveReporter(QAbstractItemModel *table, qsizetype expectedRows, Sink sink,
                                         QObject *parent)
    : QObject(parent)
    , m_table(table)
    , m_expectedRows(expectedRows)
    , m_sink(std::move(sink)) {
    if (!m_sink)
        m_sink = [](const QByteArray &line) {
            std::fputs(line.constData(), stderr);
            std::fflush(stderr);
        };
    connect(table, &QAbstractItemModel::rowsInserted, this, &InteractiveReporter::check);
    connect(table, &QAbstractItemModel::modelReset, this, &InteractiveReporter::check);
    connect(table, &QAbstractItemModel::layoutChanged, this, &InteractiveReporter::check);
    // Rows may be there already, or never come (an empty fleet): look once the loop runs.
    QTimer::singleShot(0, this, &InteractiveReporter::check);
}

void InteractiveReporter::check() {
    if (m_reached || !m_table || m_table->rowCount() < m_expectedRows)
        return;
    m_reached = true;
    // Posted after the rows arrived: it runs once the loop has finished what it was doing.
    QTimer::singleShot(0, this, [this] {
        const qsizetype rows = m_table ? m_table->rowCount() : 0;
        m_sink(QByteArrayLiteral("fleetmon: interactive: ") + QByteArray::number(rows) +
               QByteArrayLiteral(" vehicles in the table\n"));
        Q_EMIT interactive(rows);
    });
}

} // namespace app
