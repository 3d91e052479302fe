#pragma once

#include <QByteArrayView>
#include <QDateTime>

#include <optional>

namespace hivewatch {

// Retry pacing of the official client (docs/electric-protocol.md §5), as pure functions so tests
// can check the computed delays instead of the wall clock.
struct ShapeBackoff
{
    qint64 initialMs = 1000;
    qint64 maxMs = 32000;
    double multiplier = 2.0;
    static constexpr qint64 kMaxRetryAfterMs = 5 * 60 * 1000;

    // The cap for the n-th consecutive retry (1-based): initial * multiplier^(n-1), at most maxMs.
    qint64 capMs(int attempt) const;
    // "Full jitter": random01 * cap, but never less than Retry-After.
    qint64 delayMs(int attempt, double random01, std::optional<qint64> retryAfterMs) const;

    // Retry-After as delta-seconds (fractions allowed) or an HTTP-date relative to `now`, clamped
    // to 0..kMaxRetryAfterMs; nullopt for a missing or invalid value.
    static std::optional<qint64> parseRetryAfter(QByteArrayView value, const QDateTime &now);
};

// Detects a tight loop of non-live requests on one offset (docs/electric-protocol.md §5): 5
// requests to the same offset within 500 ms.
class FastLoopGuard
{
public:
    enum class Verdict {
        Ok,
        Resync, // first detection: drop caches and restart from -1
        BackOff, // repeated: wait backoffMs() before the next request
        Fail // the 5th detection: give up
    };

    Verdict record(const QString &offset, qint64 nowMs);
    qint64 backoffMs(double random01) const; // random up to min(5 s, 100 ms * 2^detections)
    void reset();

private:
    QString m_offset;
    QList<qint64> m_times;
    int m_detections = 0;
};

} // namespace hivewatch
