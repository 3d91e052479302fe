#include "HiveValues.h"

#include "StatusVocabularies.h"

#include <QRegularExpression>
#include <QTimeZone>

namespace HiveValues {

QVariant timestamp(const QVariant &raw)
{
    if (raw.isNull())
        return {};
    if (raw.metaType().id() == QMetaType::QDateTime)
        return raw.toDateTime().toUTC();
    QString text = raw.toString().trimmed();
    if (text.size() > 10 && text.at(10) == QLatin1Char(' '))
        text[10] = QLatin1Char('T');
    // Postgres writes offsets as "+00" or "+05:30"; Qt wants "+hh:mm".
    static const QRegularExpression shortOffset(QStringLiteral("([+-]\\d\\d)$"));
    text.replace(shortOffset, QStringLiteral("\\1:00"));
    QDateTime time = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!time.isValid())
        time = QDateTime::fromString(text, Qt::ISODate);
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
    const auto value = VocabularyValue<E>::parse(raw.isNull() ? QString() : raw.toString());
    return {value.canonical(), value.displayText(), value.isKnown()};
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
