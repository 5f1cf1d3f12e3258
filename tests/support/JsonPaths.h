#pragma once

// Paths into a JSON document, for tests that visit or replace every field of a real body in turn.

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace testsupport {

// A JSON path: object keys (QString) and array indexes (int).
using Path = QList<QVariant>;

// The path as text, `.data.signals[3].code`, for failure messages.
inline QString pathText(const Path &path) {
    QString out;
    for (const QVariant &step : path)
        out += step.typeId() == QMetaType::Int ? QStringLiteral("[%1]").arg(step.toInt())
                                               : QLatin1Char('.') + step.toString();
    return out;
}

// Appends the path of every value below `value` to `out`, parents before their children. The
// values under a key in `opaqueKeys` are listed but not entered: they are replaced whole.
inline void collectPaths(const QJsonValue &value, const Path &prefix, QList<Path> &out,
                         const QStringList &opaqueKeys = {}) {
    if (!prefix.isEmpty() && prefix.last().typeId() == QMetaType::QString &&
        opaqueKeys.contains(prefix.last().toString()))
        return;
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            out.append(prefix + Path{it.key()});
            collectPaths(it.value(), prefix + Path{it.key()}, out, opaqueKeys);
        }
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            out.append(prefix + Path{int(i)});
            collectPaths(a[i], prefix + Path{int(i)}, out, opaqueKeys);
        }
    }
}

// The value at `path` (undefined where there is none).
inline QJsonValue valueAt(const QJsonValue &root, const Path &path) {
    QJsonValue v = root;
    for (const QVariant &step : path)
        v = step.typeId() == QMetaType::Int ? v.toArray().at(step.toInt())
                                            : v.toObject().value(step.toString());
    return v;
}

// `root` with the value at `path` (from step `depth` on) replaced by `with`.
inline QJsonValue replaced(const QJsonValue &root, const Path &path, qsizetype depth,
                           const QJsonValue &with) {
    if (depth == path.size())
        return with;
    const QVariant &step = path[depth];
    if (step.typeId() == QMetaType::Int) {
        QJsonArray a = root.toArray();
        a[step.toInt()] = replaced(a.at(step.toInt()), path, depth + 1, with);
        return a;
    }
    QJsonObject o = root.toObject();
    o[step.toString()] = replaced(o.value(step.toString()), path, depth + 1, with);
    return o;
}

} // namespace testsupport
