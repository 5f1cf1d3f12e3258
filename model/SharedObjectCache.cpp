#include "model/SharedObjectCache.h"

namespace model {

const QJsonObject *SharedObjectCache::find(const QByteArray &content) {
    const auto it = m_objects.constFind(content);
    if (it == m_objects.cend()) {
        ++m_counts.misses;
        return nullptr;
    }
    ++m_counts.hits;
    return &*it;
}

void SharedObjectCache::keep(const QByteArray &content, const QJsonObject &object) {
    if (content.size() > kMaxKeyBytes || m_capacity <= 0)
        return;
    // Starting over is simpler than tracking recency and costs little: the bodies that repeat come
    // back within a few deliveries and are kept again.
    if (m_objects.size() >= m_capacity)
        m_objects.clear();
    // A copy of its own: the caller may hand in a key over a buffer it reuses.
    m_objects.insert(QByteArray(content.constData(), content.size()), object);
}

} // namespace model
