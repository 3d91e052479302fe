#include "tests/models/BatchText.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

namespace {

QStringList tokens(const QString &line)
{
    QStringList out;
    QString current;
    QChar quote;
    int depth = 0;
    for (const QChar c : line) {
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else
                current.append(c);
            continue;
        }
        if (c == QLatin1Char('\'') && depth == 0) {
            quote = c;
            continue;
        }
        if (c == QLatin1Char('{') || c == QLatin1Char('['))
            ++depth;
        if (c == QLatin1Char('}') || c == QLatin1Char(']'))
            --depth;
        if (c.isSpace() && depth == 0) {
            if (!current.isEmpty())
                out.append(std::exchange(current, {}));
            continue;
        }
        current.append(c);
    }
    if (!current.isEmpty())
        out.append(current);
    return out;
}

QVariant value(const QString &text, bool quoted)
{
    if (quoted)
        return text;
    if (text == QLatin1String("null"))
        return {};
    if (text.startsWith(QLatin1Char('#')))
        return text.mid(1).toLongLong();
    if (text.startsWith(QLatin1Char('{')) || text.startsWith(QLatin1Char('['))) {
        const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
        return doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
    }
    return text;
}

} // namespace

ShapeBatch BatchText::batch(const QString &text)
{
    ShapeBatch batch;
    batch.shapeName = m_shapeName;
    for (QString line : text.split(QLatin1Char('\n'))) {
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        if (line == QLatin1String("!reset")) {
            batch.reset = true;
            m_rows.clear();
            continue;
        }
        const QStringList parts = tokens(line);
        RowChange change;
        change.key = parts.value(1);
        QVariantHash &row = m_rows[change.key];
        if (parts.first() == QLatin1String("+")) {
            change.operation = RowChange::Operation::Insert;
            row.clear();
        } else if (parts.first() == QLatin1String("~")) {
            change.operation = RowChange::Operation::Update;
        } else {
            change.operation = RowChange::Operation::Delete;
        }
        for (int i = 2; i < parts.size(); ++i) {
            const qsizetype eq = parts.at(i).indexOf(QLatin1Char('='));
            const QString name = parts.at(i).left(eq);
            const QString raw = parts.at(i).mid(eq + 1);
            // tokens() strips quotes; a quoted value came from a token containing "='"
            const bool quoted = line.contains(name + QLatin1String("='"));
            row.insert(name, value(raw, quoted));
        }
        change.value = row;
        if (change.operation == RowChange::Operation::Delete)
            m_rows.remove(change.key);
        batch.changes.append(change);
    }
    return batch;
}

QStringList modelText(const QAbstractItemModel *model, const QList<int> &columns)
{
    QStringList lines;
    for (int row = 0; row < model->rowCount(); ++row) {
        QStringList cells;
        const int count = model->columnCount();
        for (int column = 0; column < count; ++column) {
            if (!columns.isEmpty() && !columns.contains(column))
                continue;
            cells.append(model->index(row, column).data().toString());
        }
        lines.append(cells.join(QLatin1String(" | ")));
    }
    return lines;
}
