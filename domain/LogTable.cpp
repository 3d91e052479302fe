#include "domain/LogTable.h"

#include "domain/TableName.h"

namespace hivewatch {

namespace LogTable {

bool isNamedBy(const QString &table)
{
    return bareTableName(table) == Name;
}

const QByteArrayList &outputTypes()
{
    static const QByteArrayList names = [] {
        QByteArrayList out;
        for (const Vocabulary::Term &t : vocabularyFor<LogOutputType>().terms())
            out << t.canonical.toLatin1();
        return out;
    }();
    return names;
}

const char *outputTypeName(QByteArrayView type)
{
    for (const QByteArray &name : outputTypes()) {
        if (type == name)
            return name.constData();
    }
    return nullptr;
}

const char *outputTypeName(QStringView type)
{
    for (const QByteArray &name : outputTypes()) {
        if (type == QLatin1StringView(name))
            return name.constData();
    }
    return nullptr;
}

const char *outputTypeName(LogOutputType type)
{
    return outputTypes().at(static_cast<int>(type)).constData();
}

const char *fallbackOutputType()
{
    return outputTypeName(LogOutputType::System);
}

QString outputTypeSqlList()
{
    QStringList quoted;
    for (const QByteArray &name : outputTypes())
        quoted << u'\'' + QString::fromLatin1(name) + u'\'';
    return quoted.join(QStringLiteral(", "));
}

QString stderrSqlLiteral()
{
    return u'\'' + QString::fromLatin1(outputTypeName(LogOutputType::Stderr)) + u'\'';
}

} // namespace LogTable

} // namespace hivewatch
