#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace hivewatch {

// Appends `utf8` as a JSON string literal, quotes and escapes added. Shape bodies and stored
// rows are large arrays of flat values, so writing the bytes directly beats building a DOM;
// the shape consumer and the test shape server share this one escaper.
void appendJsonString(QByteArray &out, QByteArrayView utf8);

} // namespace hivewatch
