#include "sync/shape/ShapeContentEncoding.h"

#include <QList>

#include <zlib.h>

namespace hivewatch {

namespace ShapeContentEncoding {

namespace {

const QString kEndsEarly = QStringLiteral("ends before its end");

// Inflates every member of the stream (gzip allows several back to back). windowBits as in
// zlib: 15 + 16 gzip, 15 zlib, -15 raw deflate.
QString inflateAll(QByteArray &body, int windowBits, const QString &name)
{
    z_stream stream {};
    if (inflateInit2(&stream, windowBits) != Z_OK)
        return QStringLiteral("zlib could not start decoding %1").arg(name);
    QByteArray out;
    out.resize(std::max<qsizetype>(body.size() * 8, 64 * 1024));
    stream.next_in = reinterpret_cast<Bytef *>(body.data());
    stream.avail_in = uInt(body.size());
    QString problem;
    while (true) {
        if (out.size() - qsizetype(stream.total_out) < 64 * 1024)
            out.resize(out.size() * 2);
        stream.next_out = reinterpret_cast<Bytef *>(out.data()) + stream.total_out;
        stream.avail_out = uInt(out.size() - qsizetype(stream.total_out));
        const int result = inflate(&stream, Z_NO_FLUSH);
        if (result == Z_OK)
            continue;
        if (result == Z_STREAM_END) {
            if (stream.avail_in == 0)
                break;
            if (windowBits > 15 && inflateReset(&stream) == Z_OK)
                continue; // the next gzip member
            problem = QStringLiteral("its %1 data has %2 stray bytes after its end")
                          .arg(name)
                          .arg(stream.avail_in);
            break;
        }
        if (result == Z_BUF_ERROR && stream.avail_in == 0) {
            problem = QStringLiteral("its %1 stream %2 (after %3 compressed bytes)")
                          .arg(name, kEndsEarly)
                          .arg(body.size());
            break;
        }
        problem = QStringLiteral("its %1 data is corrupt (zlib: %2)")
                      .arg(name, QString::fromLatin1(stream.msg ? stream.msg : "error"));
        break;
    }
    const qsizetype produced = qsizetype(stream.total_out);
    inflateEnd(&stream);
    if (problem.isEmpty()) {
        out.truncate(produced);
        body = std::move(out);
    }
    return problem;
}

} // namespace

QString decode(QByteArray &body, QByteArrayView contentEncoding)
{
    // Qt keeps Content-Encoding after decoding a body itself (it does when it chose the
    // Accept-Encoding). No gzip or zlib stream starts like JSON, so a body that does is plain.
    const QByteArray start = body.left(64).trimmed();
    if (start.startsWith('[') || start.startsWith('{'))
        return {};
    QList<QByteArray> codings = contentEncoding.toByteArray().toLower().split(',');
    // Applied in the order listed, so they are undone from the last.
    for (auto it = codings.crbegin(); it != codings.crend(); ++it) {
        const QByteArray coding = it->trimmed();
        QString problem;
        if (coding.isEmpty() || coding == "identity")
            continue;
        if (coding == "gzip" || coding == "x-gzip") {
            problem = inflateAll(body, 15 + 16, QStringLiteral("gzip"));
        } else if (coding == "deflate") {
            // RFC 9110 deflate is zlib-wrapped; some servers send raw deflate.
            // A failed attempt leaves the body as it was.
            problem = inflateAll(body, 15, QStringLiteral("deflate"));
            if (!problem.isEmpty() && !isCutOff(problem))
                problem = inflateAll(body, -15, QStringLiteral("deflate"));
        } else {
            problem = QStringLiteral("it uses Content-Encoding %1, which Hivewatch does not decode "
                                     "(it asks for %2 only)")
                          .arg(QString::fromLatin1(coding), QLatin1String(kAccepted));
        }
        if (!problem.isEmpty())
            return problem;
    }
    return {};
}

bool isCutOff(const QString &problem)
{
    return problem.contains(kEndsEarly);
}

} // namespace ShapeContentEncoding

} // namespace hivewatch
