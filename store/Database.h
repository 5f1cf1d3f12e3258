#pragma once

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace store {

class HistoryRollup;

// One Qt SQL connection to the journal's SQLite file, owned by the thread that opened it (Qt SQL
// connections must not cross threads). Opening checks the file really is a Fleet Monitor journal,
// so a corrupt or foreign file is reported, never written over.
class Database final {
    Q_DISABLE_COPY_MOVE(Database)
public:
    enum class Mode { ReadWrite, ReadOnly };

    Database();
    ~Database();

    // ReadWrite creates the file and schema when missing; ReadOnly fails when the file is missing.
    bool open(const QString &path, Mode mode, QString *error);
    // Closes the connection (open() may be called again, e.g. to start over after an I/O error).
    // Every statement prepared on it must be gone first.
    void close();
    QSqlDatabase &connection() { return m_db; }
    const QString &path() const { return m_path; }

    // Read-write connections only (nullptr otherwise): the history pyramid's upkeep for the history
    // rows this connection inserts; a writer must report them or rebuild (see HistoryRollup).
    HistoryRollup *historyRollup() { return m_historyRollup.get(); }
    // Read-write connections only: deletes the readings older than cutoffMs and mends the pyramid
    // over them, in one transaction.
    bool pruneHistory(qint64 cutoffMs, QString *error);

    static constexpr int kSchemaVersion = 6;

    // True when an error reported for the journal says its file is damaged (SQLite's own words for
    // a malformed image or a file that is no database), not merely unreachable.
    static bool isDamage(const QString &error);
    // What to tell whoever meets a damaged journal at path: it is left as it is, and how to go on.
    static QString recoveryHint(const QString &path);

private:
    bool migrate(int fromVersion, QString *error);

    QString m_connectionName;
    QString m_path;
    QSqlDatabase m_db;
    std::unique_ptr<HistoryRollup> m_historyRollup; // before m_db goes: it holds statements on it
};

} // namespace store
