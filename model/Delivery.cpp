#include "model/Delivery.h"

namespace model {

namespace {
struct VerdictName {
    Verdict verdict;
    const char *name;
};
constexpr VerdictName kNames[] = {
    {Verdict::Accepted, "accepted"},
    {Verdict::Duplicate, "duplicate"},
    {Verdict::BadSignature, "bad-signature"},
    {Verdict::Malformed, "malformed"},
    {Verdict::Verify, "verify"},
};
} // namespace

QString verdictName(Verdict verdict) {
    for (const VerdictName &n : kNames) {
        if (n.verdict == verdict)
            return QString::fromLatin1(n.name);
    }
    return {};
}

bool verdictFromName(const QString &name, Verdict *verdict) {
    for (const VerdictName &n : kNames) {
        if (name == QLatin1String(n.name)) {
            *verdict = n.verdict;
            return true;
        }
    }
    return false;
}

} // namespace model
