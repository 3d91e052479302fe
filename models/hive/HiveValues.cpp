#include "models/hive/HiveValues.h"

#include "domain/StatusVocabularies.h"

#include <QHash>
#include <QTimeZone>

namespace hivewatch {

namespace HiveValues {

namespace {

// Digits at [pos, pos+count) as a number, or -1.
int digits(QStringView text, qsizetype pos, int count)
{
    if (pos + count > text.size())
        return -1;
    int value = 0;
    for (int i = 0; i < count; ++i) {
        const char16_t c = text[pos + i].unicode();
        if (c < u'0' || c > u'9')
            return -1;
        value = value * 10 + (c - u'0');
    }
    return value;
}

// Postgres' own output format, parsed by hand: QDateTime::fromString goes through time-zone
// machinery and cost ~20 µs per value, which made a 100k-row snapshot stall the GUI.
QDateTime parsePostgresTimestamp(QStringView text)
{
    const int year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
    const int hour = digits(text, 11, 2), minute = digits(text, 14, 2),
              second = digits(text, 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || text[4] != u'-'
        || text[7] != u'-' || (text[10] != u' ' && text[10] != u'T'))
        return {};
    qsizetype pos = 19;
    int millis = 0;
    if (pos < text.size() && text[pos] == u'.') {
        ++pos;
        int scale = 100;
        while (pos < text.size() && text[pos].isDigit()) {
            millis += (text[pos].unicode() - u'0') * scale;
            scale /= 10;
            ++pos;
        }
    }
    int offsetSeconds = 0;
    if (pos < text.size() && (text[pos] == u'+' || text[pos] == u'-')) {
        const int sign = text[pos] == u'-' ? -1 : 1;
        const int hours = digits(text, pos + 1, 2);
        if (hours < 0)
            return {};
        int minutes = 0;
        qsizetype after = pos + 3;
        if (after < text.size() && text[after] == u':') {
            minutes = digits(text, after + 1, 2);
            after += 3;
        }
        if (minutes < 0)
            return {};
        offsetSeconds = sign * (hours * 3600 + minutes * 60);
        pos = after;
    } else if (pos < text.size() && text[pos] == u'Z') {
        ++pos;
    }
    if (pos != text.size())
        return {};
    const QDate date(year, month, day);
    const QTime time(hour, minute, second, millis);
    if (!date.isValid() || !time.isValid())
        return {};
    return QDateTime(date, time, Qt::UTC).addSecs(-offsetSeconds);
}

} // namespace

QVariant timestamp(const QVariant &raw)
{
    if (raw.isNull())
        return {};
    if (raw.metaType().id() == QMetaType::QDateTime)
        return raw.toDateTime().toUTC();
    const QString text = raw.toString().trimmed();
    QDateTime time = parsePostgresTimestamp(text);
    if (!time.isValid()) // "infinity", BC dates, other ISO 8601 forms
        time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        return {};
    return time.toUTC();
}

QString displayTime(const QDateTime &time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                          : QString();
}

QString displayAge(qint64 seconds)
{
    if (seconds < 0)
        seconds = 0;
    if (seconds < 120)
        return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 2 * 3600)
        return QStringLiteral("%1 min").arg(seconds / 60);
    if (seconds < 2 * 86400)
        return QStringLiteral("%1 h").arg(seconds / 3600);
    return QStringLiteral("%1 d").arg(seconds / 86400);
}

namespace {

template<typename E> Status classify(const QVariant &raw)
{
    // Views ask for the status of every row many times (filters, sorting, painting) and a column
    // holds only a handful of distinct values: remember each one's classification.
    thread_local QHash<QString, Status> cache;
    const QString text = raw.isNull() ? QString() : raw.toString();
    const auto it = cache.constFind(text);
    if (it != cache.cend())
        return *it;
    const auto value = VocabularyValue<E>::parse(text);
    Status status {value.canonical(), value.displayText(), value.isKnown()};
    if (cache.size() < 1000) // unknown values are unbounded in principle
        cache.insert(text, status);
    return status;
}

} // namespace

QStringList taskStatuses()
{
    QStringList statuses;
    for (const Vocabulary::Term &term : vocabularyFor<TaskStatus>().terms())
        statuses.append(term.canonical);
    return statuses;
}

Status taskStatus(const QVariant &raw)
{
    return classify<TaskStatus>(raw);
}

Status nodeStatus(const QVariant &raw)
{
    return classify<NodeStatus>(raw);
}

Status assignmentStatus(const QVariant &raw)
{
    return classify<AssignmentStatus>(raw);
}

Status progressEventType(const QVariant &raw)
{
    return classify<ProgressEventType>(raw);
}

} // namespace HiveValues

} // namespace hivewatch
