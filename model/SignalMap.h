#pragma once

#include "model/SignalValue.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <iterator>

namespace model {

// The signals of one vehicle by code: the subset of QHash<QString, SignalValue> the fleet uses, kept
// as one list sorted by code. A vehicle has a few dozen signals, where a QHash allocates room for 48
// nodes of key and value (6 KB) before the first one; with 10,000 vehicles that was ~60 MB of a
// desktop's resident memory. Lookups are a binary search over ~30 codes; iteration is in code order.
// A value reached through an iterator may be changed, its code may not (it is the sort key).
class SignalMap final {
public:
    template <typename ListIterator, typename Value> class Iterator final {
    public:
        using iterator_category = std::forward_iterator_tag;
        using difference_type = qsizetype;
        using value_type = SignalValue;
        using pointer = Value *;
        using reference = Value &;

        Iterator() = default;
        explicit Iterator(ListIterator it)
            : m_it(it) {}
        // Implicit, as QHash's: an iterator converts to a const one.
        template <typename OtherIterator, typename OtherValue>
        Iterator(const Iterator<OtherIterator, OtherValue> &other) // NOLINT(google-explicit-constructor)
            : m_it(other.base()) {}

        const QString &key() const { return m_it->code; }
        reference value() const { return *m_it; }
        reference operator*() const { return *m_it; }
        pointer operator->() const { return &*m_it; }
        Iterator &operator++() {
            ++m_it;
            return *this;
        }
        Iterator operator++(int) {
            Iterator before = *this;
            ++m_it;
            return before;
        }
        friend bool operator==(const Iterator &a, const Iterator &b) { return a.m_it == b.m_it; }
        friend bool operator!=(const Iterator &a, const Iterator &b) { return a.m_it != b.m_it; }
        ListIterator base() const { return m_it; }

    private:
        ListIterator m_it{};
    };
    using iterator = Iterator<QList<SignalValue>::iterator, SignalValue>;
    using const_iterator = Iterator<QList<SignalValue>::const_iterator, const SignalValue>;

    qsizetype size() const { return m_values.size(); }
    qsizetype count() const { return m_values.size(); }
    bool isEmpty() const { return m_values.isEmpty(); }
    void clear() { m_values.clear(); }
    void reserve(qsizetype size) { m_values.reserve(size); }
    void squeeze() { m_values.squeeze(); }

    iterator begin() { return iterator(m_values.begin()); }
    iterator end() { return iterator(m_values.end()); }
    const_iterator begin() const { return const_iterator(m_values.cbegin()); }
    const_iterator end() const { return const_iterator(m_values.cend()); }
    const_iterator cbegin() const { return begin(); }
    const_iterator cend() const { return end(); }
    const_iterator constBegin() const { return begin(); }
    const_iterator constEnd() const { return end(); }

    iterator find(const QString &code) {
        const auto it = lowerBound(code);
        return it != m_values.cend() && it->code == code
                   ? iterator(m_values.begin() + (it - m_values.cbegin()))
                   : end();
    }
    const_iterator find(const QString &code) const { return constFind(code); }
    const_iterator constFind(const QString &code) const {
        const auto it = lowerBound(code);
        return it != m_values.cend() && it->code == code ? const_iterator(it) : end();
    }
    bool contains(const QString &code) const { return constFind(code) != end(); }
    // A copy of the signal, or an empty one when the vehicle never reported it (as QHash::value).
    SignalValue value(const QString &code) const {
        const auto it = constFind(code);
        return it == end() ? SignalValue() : *it;
    }
    SignalValue operator[](const QString &code) const { return value(code); }
    QStringList keys() const {
        QStringList codes;
        codes.reserve(m_values.size());
        for (const SignalValue &s : m_values)
            codes.append(s.code);
        return codes;
    }

    // Adds the signal under `code`, or replaces the one there. The stored value's code is `code`.
    iterator insert(const QString &code, const SignalValue &value) {
        const auto at = lowerBound(code);
        const qsizetype index = at - m_values.cbegin();
        if (at != m_values.cend() && at->code == code) {
            m_values[index] = value;
        } else {
            m_values.insert(index, value);
        }
        m_values[index].code = code;
        return iterator(m_values.begin() + index);
    }

private:
    QList<SignalValue>::const_iterator lowerBound(const QString &code) const {
        return std::lower_bound(m_values.cbegin(), m_values.cend(), code,
                                [](const SignalValue &s, const QString &c) { return s.code < c; });
    }

    QList<SignalValue> m_values; // sorted by code, codes unique
};

} // namespace model
