#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// Hand-rolled JSON text writing: bodies are large arrays of flat messages whose values are all
// Postgres text, so building bytes directly is both simpler and much faster than a DOM.
namespace JsonText {

// Appends `text` (UTF-8) as a JSON string literal, quotes included.
void appendString(QByteArray &out, QByteArrayView text);
inline void appendString(QByteArray &out, const QByteArray &text)
{
    appendString(out, QByteArrayView(text));
}
inline void appendString(QByteArray &out, const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    appendString(out, QByteArrayView(utf8));
}
QByteArray quoted(QByteArrayView text);

// {"message":"Invalid request","errors":{"<field>":["<message>"]}}
QByteArray invalidRequest(const QString &field, const QString &message);
// {"message":"<message>"}
QByteArray message(const QString &message);

} // namespace JsonText
