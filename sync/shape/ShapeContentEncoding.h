#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace hivewatch {

// Response bodies as proxies and CDNs compress them (docs/electric-protocol.md §10,
// transport facts). Hivewatch decodes them itself instead of letting Qt do it: Qt aborts a body
// above 10 MiB at a ratio over 40 (a full Electric log chunk of repetitive rows is exactly that),
// and it hands out a gzip stream that ends early as if it were the whole body. zlib says both.
namespace ShapeContentEncoding {

// The Accept-Encoding to send: what decode() understands. Setting it stops Qt's own decoding.
inline constexpr char kAccepted[] = "gzip, deflate";

// Decodes `body` in place as its Content-Encoding header says (identity, gzip, x-gzip, deflate,
// or a comma-separated sequence of them). Returns what was wrong, for a message ("its gzip
// stream ends early …"), or an empty string when the body is whole.
QString decode(QByteArray &body, QByteArrayView contentEncoding);

// What decode() found wrong means the body was cut off (rather than corrupt or unsupported).
bool isCutOff(const QString &problem);

} // namespace ShapeContentEncoding

} // namespace hivewatch
