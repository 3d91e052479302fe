#include "domain/LogTable.h"

namespace hivewatch {

namespace {

// The bare table name as Postgres sees it: `public."node_task_output_logs"` and
// `Node_Task_Output_Logs` both name node_task_output_logs (unquoted identifiers fold to lower
// case).
QString bareTableName(const QString &table)
{
    const QString t = table.trimmed();
    if (t.endsWith(QLatin1Char('"'))) {
        qsizetype open = t.size() - 2;
        while (open >= 0) {
            if (t[open] == QLatin1Char('"')) {
                if (open > 0 && t[open - 1] == QLatin1Char('"')) {
                    open -= 2; // a doubled quote inside the identifier
                    continue;
                }
                break;
            }
            --open;
        }
        return t.mid(open + 1, t.size() - open - 2)
            .replace(QLatin1String("\"\""), QLatin1String("\""));
    }
    return t.mid(t.lastIndexOf(QLatin1Char('.')) + 1).toLower();
}

} // namespace

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

} // namespace LogTable

} // namespace hivewatch
