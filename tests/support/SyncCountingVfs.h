#pragma once

// A SQLite VFS that passes everything to the default one and counts the syncs of WAL files per
// thread name, so a test can tell which of the journal's commits waited for the disk. Installed as
// the default VFS, it is used by every connection opened after it (Qt's QSQLITE driver included:
// Debian's plugin uses the same libsqlite3). Header-only, for tests.

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>

#include <pthread.h>
#include <sqlite3.h>

#include <cstring>

namespace testsupport {

class SyncCountingVfs final {
public:
    // Installs it as the default VFS (once per process); later calls return the same one.
    static SyncCountingVfs &install() {
        static SyncCountingVfs vfs;
        return vfs;
    }

    // WAL syncs made on threads with this name (QThread's objectName becomes the thread's name).
    int walSyncs(const QByteArray &threadName) const {
        QMutexLocker lock(&m_mutex);
        return m_walSyncs.value(threadName);
    }
    void reset() {
        QMutexLocker lock(&m_mutex);
        m_walSyncs.clear();
    }

private:
    // Each open file: the real file right after our header, as SQLite's own shims do.
    struct File {
        sqlite3_file base;
        bool isWal;
        sqlite3_file *real() { return reinterpret_cast<sqlite3_file *>(this + 1); }
    };

    SyncCountingVfs() {
        m_real = sqlite3_vfs_find(nullptr);
        m_vfs = *m_real;
        m_vfs.zName = "sync-counting";
        m_vfs.szOsFile = int(sizeof(File)) + m_real->szOsFile;
        m_vfs.pAppData = this;
        m_vfs.xOpen = &SyncCountingVfs::open;
        sqlite3_vfs_register(&m_vfs, 1);
        initMethods();
    }

    static SyncCountingVfs *of(sqlite3_vfs *vfs) { return static_cast<SyncCountingVfs *>(vfs->pAppData); }
    static File *of(sqlite3_file *f) { return reinterpret_cast<File *>(f); }

    static int open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *outFlags) {
        SyncCountingVfs *self = of(vfs);
        File *f = of(file);
        std::memset(f, 0, sizeof(File));
        const int rc = self->m_real->xOpen(self->m_real, name, f->real(), flags, outFlags);
        if (rc != SQLITE_OK) {
            if (f->real()->pMethods && f->real()->pMethods->xClose)
                f->real()->pMethods->xClose(f->real());
            return rc;
        }
        f->isWal = (flags & SQLITE_OPEN_WAL) != 0;
        f->base.pMethods = &self->m_methods;
        return SQLITE_OK;
    }

    static SyncCountingVfs &self() { return install(); }

    void initMethods() {
        // Every method forwards to the real file; only xSync counts before it does.
        m_methods.iVersion = 3;
        m_methods.xClose = [](sqlite3_file *f) {
            const int rc = of(f)->real()->pMethods->xClose(of(f)->real());
            of(f)->base.pMethods = nullptr;
            return rc;
        };
        m_methods.xRead = [](sqlite3_file *f, void *p, int n, sqlite3_int64 o) {
            return of(f)->real()->pMethods->xRead(of(f)->real(), p, n, o);
        };
        m_methods.xWrite = [](sqlite3_file *f, const void *p, int n, sqlite3_int64 o) {
            return of(f)->real()->pMethods->xWrite(of(f)->real(), p, n, o);
        };
        m_methods.xTruncate = [](sqlite3_file *f, sqlite3_int64 size) {
            return of(f)->real()->pMethods->xTruncate(of(f)->real(), size);
        };
        m_methods.xSync = [](sqlite3_file *f, int flags) {
            if (of(f)->isWal) {
                char name[32] = {};
                pthread_getname_np(pthread_self(), name, sizeof name);
                QMutexLocker lock(&self().m_mutex);
                ++self().m_walSyncs[QByteArray(name)];
            }
            return of(f)->real()->pMethods->xSync(of(f)->real(), flags);
        };
        m_methods.xFileSize = [](sqlite3_file *f, sqlite3_int64 *size) {
            return of(f)->real()->pMethods->xFileSize(of(f)->real(), size);
        };
        m_methods.xLock = [](sqlite3_file *f, int lock) {
            return of(f)->real()->pMethods->xLock(of(f)->real(), lock);
        };
        m_methods.xUnlock = [](sqlite3_file *f, int lock) {
            return of(f)->real()->pMethods->xUnlock(of(f)->real(), lock);
        };
        m_methods.xCheckReservedLock = [](sqlite3_file *f, int *out) {
            return of(f)->real()->pMethods->xCheckReservedLock(of(f)->real(), out);
        };
        m_methods.xFileControl = [](sqlite3_file *f, int op, void *arg) {
            return of(f)->real()->pMethods->xFileControl(of(f)->real(), op, arg);
        };
        m_methods.xSectorSize = [](sqlite3_file *f) {
            return of(f)->real()->pMethods->xSectorSize(of(f)->real());
        };
        m_methods.xDeviceCharacteristics = [](sqlite3_file *f) {
            return of(f)->real()->pMethods->xDeviceCharacteristics(of(f)->real());
        };
        m_methods.xShmMap = [](sqlite3_file *f, int page, int size, int extend, void volatile **out) {
            return of(f)->real()->pMethods->xShmMap(of(f)->real(), page, size, extend, out);
        };
        m_methods.xShmLock = [](sqlite3_file *f, int offset, int n, int flags) {
            return of(f)->real()->pMethods->xShmLock(of(f)->real(), offset, n, flags);
        };
        m_methods.xShmBarrier = [](sqlite3_file *f) { of(f)->real()->pMethods->xShmBarrier(of(f)->real()); };
        m_methods.xShmUnmap = [](sqlite3_file *f, int deleteFlag) {
            return of(f)->real()->pMethods->xShmUnmap(of(f)->real(), deleteFlag);
        };
        m_methods.xFetch = [](sqlite3_file *f, sqlite3_int64 o, int n, void **out) {
            return of(f)->real()->pMethods->xFetch(of(f)->real(), o, n, out);
        };
        m_methods.xUnfetch = [](sqlite3_file *f, sqlite3_int64 o, void *p) {
            return of(f)->real()->pMethods->xUnfetch(of(f)->real(), o, p);
        };
    }

    sqlite3_vfs *m_real = nullptr;
    sqlite3_vfs m_vfs{};
    sqlite3_io_methods m_methods{};
    mutable QMutex m_mutex;
    QHash<QByteArray, int> m_walSyncs;
};

} // namespace testsupport
