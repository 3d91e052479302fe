#pragma once

#include "sync/shape/ShapeBackoff.h"
#include "sync/shape/ShapeStatus.h"
#include "sync/shape/ShapeUrl.h"

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <functional>
#include <optional>

namespace hivewatch {

// The decisions of the shape protocol (docs/electric-protocol.md §4–6) as a value and pure
// transition functions, so every rule is testable without sockets or timers (issue 18 item 4).
// ShapeStream owns the reply, the timers and the signals and carries out the returned actions.
// The phase names follow Electric's own client (shape-stream-state.ts): catching up until the
// first up-to-date, then live long-polls; a stale-cache retry when a cache serves the expired
// handle; backing off after retryable errors; refetching from -1 after a 409 / must-refetch /
// resync; failed until started again. Unlike theirs it is one flat value: the counters must
// survive the phase changes (a refetch does not forgive the errors before it).
struct ShapeStreamState
{
    enum class Phase {
        Initial, // not started
        CatchingUp, // non-live requests until the first up-to-date ("syncing" in Electric's)
        Live, // up to date, long-polling with the cursor
        StaleRetry, // a cache served the expired handle: retried past it with a cache buster
        BackingOff, // a retryable error; the next request after a delay
        Refetching, // started over at -1 after a 409, must-refetch or resync
        Paused,
        Failed // stopped until started again; lastError says why
    };

    Phase phase = Phase::Initial;
    ShapeRequestPosition position;
    bool upToDate = false; // reached an up-to-date: the next request is a live one
    int errorCount = 0; // retryable errors in a row
    int malformedCount = 0; // malformed 200 answers in a row
    int refetchCount = 0; // 409s / must-refetch since the last up-to-date
    int outOfBoundsCount = 0; // 400 out-of-bounds in a row
    int emptyCount = 0; // quick empty answers at the same offset in a row
    int staleRetries = 0; // cache-busted retries of a response with the expired handle
    bool positionRejected = false; // one resync per rejected saved position
    bool selfHealed = false; // started over past a stale cache since the last up-to-date
    bool tokenFresh = false; // from the token command, not yet accepted by a response
    QString lastError;
};

// The limits of ShapeStream::Options that the transitions need.
struct ShapeStreamLimits
{
    int maxConsecutiveErrors = 0; // 0 = retry forever
    int malformedRetryLimit = 50;
    int outOfBoundsRetries = 3;
    int staleCacheRetries = 3;
    int refetchLimit = 10;
    int emptyProxyPollMs = 30000; // re-ask a proxy that granted nothing
    // A chunk's body this far along before the next one is requested ahead: a snapshot chunk
    // (~10 MiB) gains the overlap; a small answer would only add a request to waste.
    qint64 prefetchAfterBytes = 1 << 20;
    ShapeBackoff backoff;
};

// What the transitions need to know of one response: no QNetworkReply.
struct ShapeResponseMeta
{
    int status = 0;
    bool live = false; // the request was a live long poll
    QString url; // redacted, for messages
    QString sourceName; // the endpoint's name, for sign-in / not-served messages
    QString host; // the endpoint's host, for cache messages
    bool canRenewToken = false; // the endpoint has a token command
    bool proxy = false; // the endpoint is the hive's proxy (docs/hive-schema.md §5)
    qint64 waitedMs = 0; // how long the request took
    qint64 received = 0; // body bytes so far (onHeaders: the body is still arriving)
    std::optional<QByteArray> handle, offset, cursor, schema, upToDate, retryAfter;
    QByteArray contentType; // lower-case media type without parameters
    QByteArray body; // decoded; error bodies only for their message
};

// How a request ended below HTTP, in the stream's words (URLs already redacted).
struct ShapeTransportEnd
{
    enum class Kind {
        RefusedRedirect, // to another origin, which would receive the credentials
        RedirectLoop, // only redirects, or Qt's redirect limit
        InsecureRedirect, // https to http
        TlsFailed, // the certificate could not be verified
        LiveWatchdog, // a live poll stalled past its watchdog
        Stalled, // the progress check gave up on a catch-up
        TimedOut, // a catch-up cancelled by the transfer timeout
        ClosedWithoutAnswer,
        Unreachable, // no connection at all
        BodyIncomplete // a 2xx cut off or undecodable
    };
    Kind kind;
    QString text;
};

// What ShapeStream does next.
struct ShapeStreamAction
{
    enum class Kind {
        Send, // request again after delayMs
        Retry, // a retryable error: show text, back off delayMs
        Fail, // stop with text and problem
        Refetch, // start over at -1 (state already reset); warn with text when warn is set
        RenewToken, // ask the token command for a new token, then request again
        Accept, // a 2xx with sound metadata: parse its body
        EmptyGrant, // the proxy granted nothing: an empty shape, asked again after delayMs
        // The headers of a catch-up chunk name where the next one starts: request `next` now,
        // while this body downloads and is parsed. Only a guess until the body is accepted:
        // the request is used only if the stream then asks for exactly `next` (usesPrefetch).
        Prefetch,
        Wait // nothing to do before the body has arrived
    };
    // What a reset to -1 does with the current handle: a 409 expired it; out-of-bounds keeps it
    // (the shape lives, our offset does not); the fast-loop guard forgets it and every cache hint.
    enum class OldHandle { Expired, Kept, Forgotten };

    Kind kind = Kind::Send;
    qint64 delayMs = 0;
    QString text;
    ShapeStatus::Problem problem = ShapeStatus::Problem::Other;
    // Refetch: text is also a warning and stays as the status until up to date; showText shows it
    // at once; resetLoopGuard: the requests before were no loop (a self-healing start).
    bool warn = false;
    bool showText = false;
    bool resetLoopGuard = false;
    bool live = false; // Send: a live poll answered empty; the stream is live meanwhile
    ShapeRequestPosition next = {}; // Prefetch: the request to make ahead
};

struct ShapeStreamStep
{
    ShapeStreamState state;
    ShapeStreamAction action;
};

namespace ShapeStreamTransitions {

using Random = std::function<double()>; // [0,1), drawn only when a delay is jittered

// The position of the next request: live once up to date.
ShapeRequestPosition nextRequest(const ShapeStreamState &state);

// A retryable error: back off, or fail once maxConsecutiveErrors is exceeded.
ShapeStreamStep retry(ShapeStreamState state, const QString &reason,
                      std::optional<qint64> retryAfterMs, const ShapeStreamLimits &limits,
                      const Random &random);

// Start over at -1 (a fresh cache buster), dealing with the old handle as `old` says.
ShapeStreamState resetToStart(ShapeStreamState state, const QString &newHandle,
                              ShapeStreamAction::OldHandle old, const QString &cacheBuster);

// The delay after an empty answer: none after a request that waited (a long poll), else the
// backoff for the n-th quick empty answer in a row, so such a server is paced.
ShapeStreamStep emptyAnswer(ShapeStreamState state, qint64 waitedMs,
                            const ShapeStreamLimits &limits, const Random &random);

// A response whose status line and (for 2xx, whole) body arrived: every status rule. Accept
// means a 2xx with content, for checkSuccess.
ShapeStreamStep onResponse(ShapeStreamState state, const ShapeResponseMeta &response,
                           const ShapeStreamLimits &limits, const Random &random,
                           const QDateTime &now, const QString &cacheBuster);

// The metadata of a 2xx with content: the proxy's empty grant, content type, stripped headers, a
// response carrying the expired handle (from a cache), the offset. Accept means the body is to be
// parsed.
ShapeStreamStep checkSuccess(ShapeStreamState state, const ShapeResponseMeta &response,
                             const ShapeStreamLimits &limits, const Random &random,
                             const QString &cacheBuster);

// A request that brought no HTTP answer to act on: what is fatal (redirects away, TLS) fails,
// a stalled live poll is simply asked again, everything else backs off.
ShapeStreamStep onTransportEnd(ShapeStreamState state, const ShapeTransportEnd &end,
                               const ShapeStreamLimits &limits, const Random &random);

// The headers and part of the body of a response arrived. A non-live 2xx, past
// limits.prefetchAfterBytes of body, that carries every header a chunk needs, a valid new
// offset, no up-to-date and not the expired handle lets the next chunk be requested now
// (Prefetch, at most one ahead: the caller asks once per current request); anything else waits
// for the body, whose rules are onResponse's. The state does not change: nothing is accepted
// before the body is.
ShapeStreamStep onHeaders(ShapeStreamState state, const ShapeResponseMeta &response,
                          const ShapeStreamLimits &limits);

// Whether a request made ahead for `prefetched` is the one the stream makes now: only then is
// it used, so an error, a must-refetch, an up-to-date in the body or a reset drops it.
bool usesPrefetch(const ShapeStreamState &state, const ShapeRequestPosition &prefetched);

// The body of an accepted 2xx said must-refetch.
ShapeStreamStep onMustRefetch(ShapeStreamState state, const ShapeResponseMeta &response,
                              const ShapeStreamLimits &limits, const QString &cacheBuster);

// An accepted 2xx body was malformed (text says how): retried up to malformedRetryLimit.
ShapeStreamStep onMalformed(ShapeStreamState state, const QString &text,
                            const ShapeStreamLimits &limits, const Random &random);

// An accepted 2xx body was parsed: advance the position. upToDate: the body or the header said
// so. Returns whether the response progressed (changes, or a new offset).
bool acceptChunk(ShapeStreamState &state, const ShapeResponseMeta &response, bool hasChanges,
                 bool upToDate);

// Electric's offsets (§4.1): -1, or <tx>_<op> with decimal parts, or <tx>_inf.
bool isValidOffset(QByteArrayView offset);
// "HTTP <status> from <url>: <server message>", with a hint for 401/403.
QString describe(int status, const QString &url, const QByteArray &body);

} // namespace ShapeStreamTransitions

} // namespace hivewatch
