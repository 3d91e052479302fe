#include "sync/shape/ShapeBackoff.h"

#include <QLocale>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace hivewatch {

qint64 ShapeBackoff::capMs(int attempt) const
{
    double cap = double(initialMs);
    for (int i = 1; i < attempt && cap < double(maxMs); ++i)
        cap *= multiplier;
    return std::min(qint64(cap), maxMs);
}

qint64 ShapeBackoff::delayMs(int attempt, double random01, std::optional<qint64> retryAfterMs) const
{
    const qint64 jittered = qint64(std::clamp(random01, 0.0, 1.0) * double(capMs(attempt)));
    return std::max(jittered, retryAfterMs.value_or(0));
}

std::optional<qint64> ShapeBackoff::parseRetryAfter(QByteArrayView value, const QDateTime &now)
{
    // A server may ask for anything; parking a shape longer than this is never what the user
    // wants, and the status text says when the retry comes (ShapeStream::retryLater).
    constexpr qint64 maxMs = kMaxRetryAfterMs;
    const QByteArrayView text = value.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    double seconds = 0;
    const auto [end, ec] = std::from_chars(text.begin(), text.end(), seconds);
    if (ec == std::errc() && end == text.end()) {
        if (!std::isfinite(seconds) || seconds < 0)
            return std::nullopt;
        if (seconds * 1000 >= double(maxMs))
            return maxMs; // before llround, which cannot hold 1e300
        return qint64(std::llround(seconds * 1000));
    }
    // HTTP-date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT"
    QString date = QString::fromLatin1(text);
    date.remove(QLatin1String(" GMT"));
    const QDateTime when
        = QLocale::c().toDateTime(date, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss"));
    if (!when.isValid())
        return std::nullopt;
    const QDateTime utc(when.date(), when.time(), Qt::UTC);
    return std::clamp(now.msecsTo(utc), qint64(0), maxMs);
}

FastLoopGuard::Verdict FastLoopGuard::record(const QString &offset, qint64 nowMs)
{
    if (offset != m_offset) {
        m_offset = offset;
        m_times.clear();
    }
    m_times.append(nowMs);
    while (!m_times.isEmpty() && nowMs - m_times.first() > 500)
        m_times.removeFirst();
    if (m_times.size() < 5)
        return Verdict::Ok;
    m_times.clear();
    ++m_detections;
    if (m_detections == 1)
        return Verdict::Resync;
    if (m_detections >= 5)
        return Verdict::Fail;
    return Verdict::BackOff;
}

qint64 FastLoopGuard::backoffMs(double random01) const
{
    const qint64 cap = std::min<qint64>(5000, qint64(100) << std::min(m_detections, 10));
    return qint64(std::clamp(random01, 0.0, 1.0) * double(cap));
}

void FastLoopGuard::reset()
{
    m_offset.clear();
    m_times.clear();
    m_detections = 0;
}

} // namespace hivewatch
