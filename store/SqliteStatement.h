#pragma once

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

struct sqlite3;
struct sqlite3_stmt;

namespace store {

// One prepared statement on the SQLite handle under a Qt SQL connection, for the few paths where
// Qt SQL's per-value QVariant cost would dominate (the journal's writes, chart reads, the min/max
// pyramid's upkeep). Prepared once, it can run in any number of transactions.
// It shares the connection, so it sees and joins the connection's transaction. It must not
// outlive the connection.
class SqliteStatement final {
    Q_DISABLE_COPY_MOVE(SqliteStatement)
public:
    SqliteStatement() = default;
    ~SqliteStatement();

    // The SQLite handle under a QSQLITE connection; nullptr for any other driver.
    static sqlite3 *handleOf(const QSqlDatabase &db);

    bool prepare(sqlite3 *db, const char *sql);
    bool isPrepared() const { return m_stmt != nullptr; }

    // Binding starts over after reset(); indexes are 1-based like SQLite's.
    void bind(int index, qint64 value);
    void bind(int index, double value);
    void bind(int index, const QByteArray &utf8);      // must stay alive until the statement is reset
    void bindBlob(int index, const QByteArray &bytes); // the same; a null QByteArray binds NULL
    void bindNull(int index);
    // SQLITE_ROW: true; SQLITE_DONE: false and ok() stays true; an error: false and ok() false.
    bool step();
    void reset(); // ready to run again, bindings cleared
    // After a step of an INSERT, UPDATE or DELETE: the rows it changed on this connection (0 for an
    // INSERT OR IGNORE that ignored its row), and the rowid of the last row inserted.
    int changes() const;
    qint64 lastInsertRowId() const;
    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }

    qint64 int64At(int column) const;
    double doubleAt(int column) const;
    QByteArray textAt(int column) const;

    // Runs a statement without results (or ignoring them) on the handle.
    static bool exec(sqlite3 *db, const char *sql, QString *error);

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    QString m_error;
};

} // namespace store
