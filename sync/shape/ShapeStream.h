#pragma once

#include "sync/shape/ShapeBackoff.h"
#include "sync/shape/ShapeDefinition.h"
#include "sync/shape/ShapeMessage.h"
#include "sync/shape/ShapeSchema.h"
#include "sync/shape/ShapeStatus.h"
#include "sync/shape/ShapeStreamState.h"
#include "sync/shape/ShapeTokenCommand.h"
#include "sync/shape/ShapeUpdate.h"
#include "sync/shape/ShapeUrl.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>

#include <functional>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace hivewatch {

// The Electric shape protocol state machine for one shape (docs/electric-protocol.md §4–5; issue 4
// item 3). It lives on the worker thread and uses the worker's QNetworkAccessManager.
//
//   -1 → non-live catch-up until up-to-date → live long-polls with the cursor.
// Changes are buffered across responses (chunks may split transactions) and handed out as one
// ShapeUpdate per up-to-date. 409 resets to -1 with the new handle, a fresh cache-buster and
// expired_handle; responses still carrying the expired handle come from a cache and are retried
// past it, then the shape starts over once without the expired entry ("self-healing"); a second
// such run before an up-to-date fails. Network errors, transport errors
// on a 200 (cut off, undecodable), 5xx, 429, malformed bodies and a 400 offset-out-of-bounds
// (a lagging instance behind a load balancer) back off with full jitter (Retry-After as a
// minimum); out-of-bounds that persists resyncs. A 401/403 asks the endpoint's token command
// for a new token once; otherwise it, a 404, other 4xx and stripped headers fail visibly.
// A catch-up chunk whose headers name the next offset has the next chunk requested at once, at
// most one ahead, and that request is used only if the accepted body leads exactly there
// (ShapeStreamTransitions::onHeaders / usesPrefetch); the stored position never runs ahead.
// Those decisions are ShapeStreamTransitions' (pure, ShapeStreamState.h); this class keeps the
// reply, the timers, the buffered changes and the signals, and carries the actions out.
class ShapeStream : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int liveTimeoutMs = 45000; // watchdog for live requests (server holds them ~20 s)
        // A non-live request without a status line and headers within this time, or whose body
        // arrives slower than minBytesPerSecond over such a window, is abandoned and retried.
        int requestTimeoutMs = 60000;
        int minBytesPerSecond = 100;
        int maxConsecutiveErrors = 0; // network/5xx/429 retries before Failed; 0 = forever
        int malformedRetryLimit = 50; // malformed 200 bodies in a row before Failed
        int flushThreshold = 20000; // buffered changes handed out early (changesPending)
        // Inserts carry their stored form, not a RawRow (parseShapeBody): for a consumer that
        // only stores them.
        bool insertsAsJson = false;
        // A catch-up body of more changes than this is handed out in parts of this many while
        // it is parsed (changesPending, ShapeBodySlices), so the receiver stores the first ones
        // meanwhile, and its rest right after the parse. 0: a body's changes go out after its
        // parse (flushThreshold).
        qsizetype sliceRows = 0;
        // Request the next catch-up chunk as soon as this one's headers name it and this much
        // of its body arrived, while the rest downloads and is parsed
        // (ShapeStreamTransitions::onHeaders); at most one ahead. Negative: never.
        qint64 prefetchAfterBytes = 1 << 20;
        int emptyProxyPollMs = 30000; // re-ask a proxy that granted nothing (bare [] answer)
        int tokenCommandTimeoutMs = 30000; // a token command that hangs longer has failed
        int outOfBoundsRetries = 3; // 400 out-of-bounds retried with backoff, then a resync
        int staleCacheRetries = 3; // cache-busted retries of a response with the expired handle
        int refetchLimit = 10; // 409s / must-refetch in a row without an up-to-date, then Failed
        ShapeBackoff backoff;
        std::function<double()> random; // [0,1) for jitter; tests make it deterministic
    };

    ShapeStream(ShapeDefinition definition, ShapeEndpoint endpoint, QNetworkAccessManager *network,
                QObject *parent = nullptr);
    ~ShapeStream() override;

    void setOptions(const Options &options) { m_options = options; }
    // Resume from a stored position instead of -1 (before start()). The first request is a
    // non-live catch-up from `offset`.
    void resumeFrom(const QString &handle, const QString &offset, const ShapeSchema &schema);

    void start();
    // Aborts the in-flight request; no signal is emitted for it afterwards.
    void stop();
    void pause();
    void resume();

    ShapeStatus::State state() const { return m_state; }
    // Why a Failed stream stopped, when the user can act on it (sign in, pick another source).
    ShapeStatus::Problem problem() const { return m_problem; }
    QString errorText() const { return m_errorText; }
    QDateTime retryAt() const { return m_retryAt; }
    int retryAttempt() const { return m_core.errorCount; }
    QString handle() const { return m_core.position.handle; }
    QString offset() const { return m_core.position.offset; }
    bool isUpToDate() const { return m_core.upToDate; }
    const ShapeDefinition &definition() const { return m_definition; }

    // For tests and diagnostics: the URL the next request would use, and the delay chosen for
    // the last scheduled request (0 = immediately).
    QUrl nextRequestUrl() const;
    qint64 lastDelayMs() const { return m_lastDelayMs; }

signals:
    void updateReady(const ShapeUpdate &update);
    // A large catch-up (e.g. a million-row snapshot) is handed out in parts of about
    // flushThreshold changes before its up-to-date, so it never sits in memory whole. The parts
    // and the final updateReady together form one atomic batch: the receiver must not make them
    // visible before updateReady, and must drop them on mustRefetch. Only the first part of a
    // reset sequence has reset=true.
    void changesPending(const ShapeUpdate &part);
    // A 409/must-refetch (or resync) dropped the pending changes; the next update has reset=true.
    void mustRefetch();
    // Non-fatal problems worth showing (not_null violations, skipped messages).
    void warning(const QString &text);
    void stateChanged();

private:
    // Everything buffered since the last hand-over, as one update; clears the buffer.
    ShapeUpdate takePending();
    void sendRequest();
    // Stops the timers, the reply, the one made ahead and the token command.
    void halt();
    // The per-request bookkeeping of a reply that becomes the current one.
    void beginRequest(bool live, qint64 startedMs, qint64 received);
    // The GET of `position`, with every reply signal connected (to the current or the
    // prefetched reply, whichever it is by then).
    QNetworkReply *get(const ShapeRequestPosition &position);
    // The current reply's body is under way: maybe request the next chunk ahead (once a reply).
    void onHeaders(QNetworkReply *reply);
    // Makes the request sent ahead the current one when it is for `position`.
    bool adoptPrefetch(const ShapeRequestPosition &position);
    void dropPrefetch();
    void onFinished(QNetworkReply *reply);
    void onRedirected(QNetworkReply *reply, const QUrl &target);
    // The non-live request's progress check, once per requestTimeoutMs window.
    void checkProgress();
    void handleSuccess(QNetworkReply *reply, const QByteArray &body);
    using OldHandle = ShapeStreamAction::OldHandle;
    void handleRefetch(const QString &newHandle, const QString &reason,
                       OldHandle old = OldHandle::Expired);
    // Carries out what a transition decided; false when the stream went on another way (Accept).
    bool apply(ShapeStreamStep step);
    // What every start over at -1 does besides the position: drop the buffered changes.
    void startOver(const QString &reason);
    ShapeResponseMeta responseMeta(QNetworkReply *reply, const QByteArray &body) const;
    ShapeStreamLimits limits() const;
    void renewToken();
    QString sourceName() const;
    void fail(const QString &reason, ShapeStatus::Problem problem = ShapeStatus::Problem::Other);
    void setState(ShapeStatus::State state);
    void abortReply();
    bool prepareTls(QString *error);
    double random() const;
    void scheduleNext(qint64 delayMs);
    // Why a 2xx body is not the whole answer (transport error, cut off, undecodable), or empty;
    // decodes its Content-Encoding in place.
    // `continued`: `body` holds what readArrived() took of this reply already.
    static void readBody(QNetworkReply *reply, QByteArray &body, bool continued);
    // Takes what arrived of the current 2xx body into m_body (see .cpp).
    static void growBody(QByteArray &body, qsizetype bytes);
    void readArrived(QNetworkReply *reply);
    QString bodyProblem(QNetworkReply *reply, QByteArray &body) const;
    void warnNullViolations(const ShapeSchema &schema, const QList<ShapeMessage> &changes);

    ShapeDefinition m_definition;
    ShapeEndpoint m_endpoint;
    QNetworkAccessManager *m_network;
    Options m_options;

    ShapeStreamState m_core; // position and counters; every decision is ShapeStreamTransitions'
    ShapeSchema m_schema;
    // The proxy granted nothing (a bare []): polled now and then, and shown as live meanwhile.
    bool m_emptyProxy = false;
    bool m_pendingReset = true;
    QList<ShapeMessage> m_pending;
    QByteArray m_body; // the response being handled; its allocation is reused (readBody)
    QNetworkReply *m_bodyOf = nullptr; // the reply m_body holds the start of (readArrived)

    QPointer<QNetworkReply> m_reply;
    // The next chunk's request, sent before the current body was parsed (Options::prefetch).
    QPointer<QNetworkReply> m_prefetch;
    ShapeRequestPosition m_prefetchPosition;
    bool m_prefetchFinished = false;
    qint64 m_prefetchStartedMs = 0;
    qint64 m_prefetchReceived = 0;
    bool m_prefetchAsked = false; // onHeaders decided for the current reply
    bool m_replyLive = false;
    bool m_watchdogFired = false;
    QTimer m_watchdog;
    QTimer m_nextRequest;
    bool m_running = false;
    bool m_paused = false;
    qint64 m_requestStartedMs = 0;
    QString m_refusedRedirect; // why the in-flight reply was aborted at a redirect
    QUrl m_redirectedFrom; // the last redirect target followed by the in-flight reply
    int m_redirects = 0; // redirects the in-flight reply followed (as far as Qt tells)
    QString m_stalled; // why the progress check aborted the in-flight reply
    QTimer m_progress;
    qint64 m_received = 0; // body bytes of the in-flight reply so far
    qint64 m_receivedAtWindowStart = 0;
    qint64 m_lastDelayMs = 0;
    // Made for https only: even an empty QSslConfiguration loads the TLS backend and OpenSSL
    // (~10 ms before a plain http sync's first request).
    std::optional<QSslConfiguration> m_ssl;
    bool m_sslReady = false;
    QString m_resyncNote; // why a resync started, shown as the status text until up-to-date
    QString m_token; // the bearer token in use (the endpoint's, then the token command's)
    ShapeTokenCommand *m_tokenCommand = nullptr;
    ShapeStatus::Problem m_problem = ShapeStatus::Problem::None;
    FastLoopGuard m_loopGuard;
    QElapsedTimer m_clock;

    ShapeStatus::State m_state = ShapeStatus::State::Idle;
    QString m_errorText;
    QDateTime m_retryAt;
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::ShapeUpdate)
