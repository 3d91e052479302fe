#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QList>
#include <QMap>
#include <QNetworkAccessManager>
#include <QPair>
#include <QUrl>
#include <QUrlQuery>

// A tiny synchronous HTTP client for the server's tests, plus a materialiser that applies
// Electric messages the way the TS `Shape` does (insert sets, update merges, delete removes).
struct HttpReply
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    QString networkError;

    bool has(const QByteArray &header) const { return headers.contains(header); }
    QByteArray header(const QByteArray &name) const { return headers.value(name); }
    QJsonArray messages() const; // the body as a JSON array (empty if it is not one)
    // Qt's HTTP parser drops headers with an empty value, and electric-up-to-date is one; the
    // raw-socket test checks the header itself, everything else reads the final message.
    bool upToDate() const;
};

// One HTTP/1.1 exchange over a plain socket, for what Qt's client hides: the framing
// (transfer-encoding, content-length) and a body exactly as sent (e.g. still gzip-encoded).
struct RawReply
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names, empty values kept
    QByteArray body; // chunked framing removed; content-encoding left as is
    int chunkFrames = 0; // how many chunked frames carried data (0 with content-length)
    QString error;

    // GET `target` (path and query) with `Connection: close`.
    static RawReply get(const QUrl &base, const QByteArray &target,
                        const QList<QPair<QByteArray, QByteArray>> &headers = {});
};

class ShapeClient
{
public:
    explicit ShapeClient(QUrl base)
        : m_base(std::move(base))
    {
    }

    HttpReply get(const QString &path, const QList<QPair<QString, QString>> &query,
                  const QList<QPair<QByteArray, QByteArray>> &headers = {},
                  const QByteArray &method = "GET");
    HttpReply shape(const QList<QPair<QString, QString>> &query)
    {
        return get(QStringLiteral("/v1/shape"), query);
    }

    // Follows a shape from offset -1 until up-to-date (non-live); rows keyed by message key.
    struct Synced
    {
        QString handle;
        QString offset;
        QMap<QString, QMap<QString, QString>> rows; // key → column → value ("<null>" for null)
        int requests = 0;
        QString error;
    };
    Synced sync(const QList<QPair<QString, QString>> &definition);
    // One live request from `state`, applying what comes back.
    HttpReply live(const QList<QPair<QString, QString>> &definition, Synced &state);
    // Live requests until one carries data or is not a 200 (a loaded machine may deliver a
    // change after one long-poll hold has already timed out).
    HttpReply liveUntilData(const QList<QPair<QString, QString>> &definition, Synced &state,
                            int attempts = 20);

    static void apply(const QJsonArray &messages, QMap<QString, QMap<QString, QString>> &rows);

private:
    QUrl m_base;
    QNetworkAccessManager m_manager;
};
