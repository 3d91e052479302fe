#include "sync/shape/ShapeStream.h"

#include "sync/common/HugePages.h"
#include "sync/shape/ShapeContentEncoding.h"
#include "sync/shape/ShapeValue.h"
#include "sync/shape/SyncLog.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSslCertificate>

#include <algorithm>

namespace hivewatch {

namespace {

const QByteArray kHandle = QByteArrayLiteral("electric-handle");
const QByteArray kOffset = QByteArrayLiteral("electric-offset");
const QByteArray kCursor = QByteArrayLiteral("electric-cursor");
const QByteArray kSchema = QByteArrayLiteral("electric-schema");
const QByteArray kUpToDate = QByteArrayLiteral("electric-up-to-date");
constexpr int kMaxRedirects = 10; // a shape URL behind more redirects than this is a loop

// scheme://host:port, never the userinfo, path or query (they may hold credentials).
QString origin(const QUrl &url)
{
    return url
        .adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery
                  | QUrl::RemoveFragment)
        .toString();
}

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    const int defaultPort = a.scheme() == QLatin1String("https") ? 443 : 80;
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0
        && a.port(defaultPort) == b.port(defaultPort);
}

} // namespace

ShapeStream::ShapeStream(ShapeDefinition definition, ShapeEndpoint endpoint,
                         QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , m_definition(std::move(definition))
    , m_endpoint(std::move(endpoint))
    , m_network(network)
{
    m_watchdog.setSingleShot(true);
    connect(&m_watchdog, &QTimer::timeout, this, [this] {
        if (m_reply) {
            qCDebug(lcSync) << m_definition.effectiveName()
                            << "live request watchdog fired; restarting";
            m_watchdogFired = true;
            m_reply->abort();
        }
    });
    m_nextRequest.setSingleShot(true);
    connect(&m_nextRequest, &QTimer::timeout, this, &ShapeStream::sendRequest);
    connect(&m_progress, &QTimer::timeout, this, &ShapeStream::checkProgress);
    m_clock.start();
    m_token = m_endpoint.bearerToken;
    if (!m_endpoint.tokenCommand.isEmpty()) {
        m_tokenCommand = new ShapeTokenCommand(m_endpoint.tokenCommand, this);
        connect(m_tokenCommand, &ShapeTokenCommand::tokenReady, this, [this](const QString &token) {
            m_token = token;
            m_core.tokenFresh = true;
            scheduleNext(0);
        });
        connect(m_tokenCommand, &ShapeTokenCommand::failed, this, [this](const QString &reason) {
            fail(QStringLiteral("sign-in needed for %1: %2").arg(sourceName(), reason),
                 ShapeStatus::Problem::SignInNeeded);
        });
    }
}

ShapeStream::~ShapeStream()
{
    m_running = false;
    abortReply();
    if (m_tokenCommand)
        m_tokenCommand->cancel();
}

void ShapeStream::resumeFrom(const QString &handle, const QString &offset,
                             const ShapeSchema &schema)
{
    m_core.position.handle = handle;
    m_core.position.offset = offset.isEmpty() ? QStringLiteral("-1") : offset;
    m_schema = schema;
    m_pendingReset = m_core.position.offset == QLatin1String("-1");
    m_core.upToDate = false;
}

void ShapeStream::start()
{
    QString tlsError;
    if (!prepareTls(&tlsError)) {
        m_running = true;
        fail(tlsError);
        return;
    }
    m_running = true;
    m_paused = false;
    m_problem = ShapeStatus::Problem::None;
    m_resyncNote.clear();
    m_errorText.clear();
    m_core.errorCount = 0;
    m_core.malformedCount = 0;
    m_core.refetchCount = 0;
    m_core.upToDate = false; // always catch up non-live first
    m_core.phase = ShapeStreamState::Phase::CatchingUp;
    setState(ShapeStatus::State::Syncing);
    scheduleNext(0);
}

void ShapeStream::stop()
{
    m_running = false;
    halt();
    setState(ShapeStatus::State::Idle);
}

void ShapeStream::pause()
{
    if (!m_running || m_paused)
        return;
    m_paused = true;
    halt(); // resume() asks for a token again
    m_core.upToDate = false; // resume with a non-live catch-up (pending changes are kept)
    m_core.phase = ShapeStreamState::Phase::Paused;
    setState(ShapeStatus::State::Idle);
}

void ShapeStream::resume()
{
    if (!m_running || !m_paused)
        return;
    m_paused = false;
    m_core.phase = ShapeStreamState::Phase::CatchingUp;
    setState(ShapeStatus::State::Syncing);
    scheduleNext(0);
}

QUrl ShapeStream::nextRequestUrl() const
{
    return ShapeUrl::requestUrl(m_endpoint, m_definition,
                                ShapeStreamTransitions::nextRequest(m_core));
}

double ShapeStream::random() const
{
    return m_options.random ? m_options.random() : QRandomGenerator::global()->generateDouble();
}

bool ShapeStream::prepareTls(QString *error)
{
    if (m_sslReady)
        return true;
    // Plain http needs none of it, and redirects stay on the endpoint's origin (onRedirected):
    // loading the TLS backend and the system's CA certificates came before every hivectl sync's
    // first request. A CA file is still checked now, so a wrong one is reported at start.
    if (m_endpoint.url.scheme() != QLatin1String("https") && m_endpoint.caFile.isEmpty())
        return true;
    m_ssl = QSslConfiguration::defaultConfiguration();
    m_ssl->setPeerVerifyMode(QSslSocket::VerifyPeer); // never relaxed, whatever the endpoint
    if (!m_endpoint.caFile.isEmpty()) {
        const QList<QSslCertificate> certificates = QSslCertificate::fromPath(m_endpoint.caFile);
        if (certificates.isEmpty()) {
            *error = QStringLiteral("the CA file %1 holds no readable PEM certificate")
                         .arg(m_endpoint.caFile);
            return false;
        }
        m_ssl->addCaCertificates(certificates);
    }
    m_sslReady = true;
    return true;
}

void ShapeStream::scheduleNext(qint64 delayMs)
{
    m_lastDelayMs = delayMs;
    if (!m_running || m_paused)
        return;
    m_nextRequest.start(int(std::min<qint64>(delayMs, std::numeric_limits<int>::max())));
}

void ShapeStream::abortReply()
{
    dropPrefetch();
    if (!m_reply)
        return;
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    m_bodyOf = nullptr;
    disconnect(reply, nullptr, this, nullptr);
    reply->abort();
    reply->deleteLater();
}

void ShapeStream::halt()
{
    m_nextRequest.stop();
    m_watchdog.stop();
    m_progress.stop();
    abortReply();
    if (m_tokenCommand)
        m_tokenCommand->cancel();
}

void ShapeStream::beginRequest(bool live, qint64 startedMs, qint64 received)
{
    m_replyLive = live;
    m_watchdogFired = false;
    m_refusedRedirect.clear();
    m_redirectedFrom.clear();
    m_redirects = 0;
    m_stalled.clear();
    m_received = received;
    m_receivedAtWindowStart = 0;
    m_requestStartedMs = startedMs;
    m_prefetchAsked = false;
    m_bodyOf = nullptr;
}

void ShapeStream::sendRequest()
{
    if (!m_running || m_paused || m_reply || (m_tokenCommand && m_tokenCommand->isRunning()))
        return;
    if (m_tokenCommand && m_token.isEmpty()) {
        renewToken();
        return;
    }
    ShapeRequestPosition position = ShapeStreamTransitions::nextRequest(m_core);
    if (!position.live) {
        switch (m_loopGuard.record(position.offset, m_clock.elapsed())) {
        case FastLoopGuard::Verdict::Ok:
            break;
        case FastLoopGuard::Verdict::Resync:
            qCWarning(lcSync) << m_definition.effectiveName() << "requests loop on offset"
                              << position.offset << "; resyncing from scratch";
            handleRefetch({},
                          QStringLiteral("the server kept answering offset %1 without progress")
                              .arg(position.offset),
                          OldHandle::Forgotten);
            return;
        case FastLoopGuard::Verdict::BackOff:
            m_loopGuard.record(QString(), m_clock.elapsed()); // the delayed request starts afresh
            m_core.position.offset = position.offset;
            scheduleNext(m_loopGuard.backoffMs(random()));
            return;
        case FastLoopGuard::Verdict::Fail:
            fail(QStringLiteral("the server keeps answering at offset %1 without progress; "
                                "giving up after repeated resyncs")
                     .arg(position.offset));
            return;
        }
    }
    if (adoptPrefetch(position))
        return;
    dropPrefetch(); // made for a position the stream did not reach
    m_core.position.cacheBuster.clear(); // one-shot

    qCDebug(lcSync) << "GET"
                    << ShapeUrl::redacted(ShapeUrl::requestUrl(m_endpoint, m_definition, position));
    beginRequest(position.live, m_clock.elapsed(), 0);
    m_reply = get(position);
    if (!position.live)
        m_progress.start(m_options.requestTimeoutMs);
    if (position.live)
        m_watchdog.start(m_options.liveTimeoutMs);
    if (m_core.errorCount == 0)
        setState(m_core.upToDate || m_emptyProxy ? ShapeStatus::State::Live
                                                 : ShapeStatus::State::Syncing);
}

QNetworkReply *ShapeStream::get(const ShapeRequestPosition &position)
{
    const QUrl url = ShapeUrl::requestUrl(m_endpoint, m_definition, position);
    QNetworkRequest request(url);
    // No cache is attached to the manager, so nothing is replayed; AlwaysNetwork would add
    // Cache-Control/Pragma: no-cache and defeat the request collapsing of CDNs in between.
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    // Proxies and CDNs gzip shape responses. Naming the encodings ourselves turns Qt's decoding
    // off (see ShapeContentEncoding); should Qt decode anyway, its decompression-bomb check
    // must not stop a full log chunk (>= 10 MiB of repetitive rows, far above a ratio of 40).
    request.setRawHeader("Accept-Encoding", ShapeContentEncoding::kAccepted);
    request.setDecompressedSafetyCheckThreshold(-1);
    request.setRawHeader("Accept", "application/json");
    // Qt keeps Authorization (and the URL's secret) across redirects: only follow those that
    // stay on this origin (onRedirected).
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::UserVerifiedRedirectPolicy);
    request.setMaximumRedirectsAllowed(kMaxRedirects);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    if (url.scheme() == QLatin1String("https")) {
        if (!m_ssl) { // not expected (same-origin redirects only), but never unverified
            m_ssl = QSslConfiguration::defaultConfiguration();
            m_ssl->setPeerVerifyMode(QSslSocket::VerifyPeer);
        }
        request.setSslConfiguration(*m_ssl);
    }
    // No Qt transfer timeout: it is reset by every byte, so a body trickling a byte a second
    // would never end; checkProgress() also wants a minimum rate and says which limit was hit.

    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::downloadProgress, this, [this, reply](qint64 received, qint64) {
        if (reply == m_reply) {
            m_received = received;
            if (!m_prefetchAsked && m_options.prefetchAfterBytes >= 0
                && received >= m_options.prefetchAfterBytes)
                onHeaders(reply);
        } else if (reply == m_prefetch) {
            m_prefetchReceived = received;
        }
    });
    connect(reply, &QNetworkReply::metaDataChanged, this, [this, reply] {
        // Qt drops a header section it cannot parse (a field over its size limit, e.g. a 600 KB
        // cookie) and keeps only the status: the reply would then wait for a close that a
        // keep-alive server never sends. Every real server sends some header.
        // (Qt's redirect limit ends a reply the same way, with status 100: onFinished says that.)
        if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() < 200)
            return;
        const bool unreadable = reply->rawHeaderPairs().isEmpty();
        if (reply == m_prefetch) {
            if (unreadable)
                dropPrefetch(); // the request proper meets it again and says so
            return;
        }
        if (reply != m_reply)
            return;
        if (unreadable) {
            fail(QStringLiteral("the response from %1 has a header section that cannot be read (a "
                                "header too large, such as a huge cookie, or malformed headers); "
                                "check the proxy or server in front of Electric")
                     .arg(ShapeUrl::redacted(reply->url())));
        }
    });
    connect(reply, &QNetworkReply::readyRead, this, [this, reply] { readArrived(reply); });
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onFinished(reply); });
    connect(reply, &QNetworkReply::redirected, this, [this, reply](const QUrl &target) {
        if (reply == m_prefetch)
            dropPrefetch(); // the request proper follows or refuses it, with the checks
        else
            onRedirected(reply, target);
    });
    return reply;
}

void ShapeStream::onHeaders(QNetworkReply *reply)
{
    if (m_prefetchAsked || m_prefetch || !m_running || m_paused || reply != m_reply || m_replyLive
        || m_redirects > 0 || (m_tokenCommand && m_tokenCommand->isRunning())
        || !reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid())
        return;
    m_prefetchAsked = true;
    ShapeResponseMeta meta = responseMeta(reply, QByteArray());
    meta.received = m_received;
    apply(ShapeStreamTransitions::onHeaders(m_core, meta, limits()));
}

bool ShapeStream::adoptPrefetch(const ShapeRequestPosition &position)
{
    if (!m_prefetch || position.live
        || !ShapeStreamTransitions::usesPrefetch(m_core, m_prefetchPosition))
        return false;
    qCDebug(lcSync) << m_definition.effectiveName() << "using the request made ahead for offset"
                    << position.offset;
    QNetworkReply *reply = m_prefetch;
    m_prefetch = nullptr;
    beginRequest(false, m_prefetchStartedMs, m_prefetchReceived);
    m_reply = reply;
    m_progress.start(m_options.requestTimeoutMs);
    if (m_core.errorCount == 0)
        setState(ShapeStatus::State::Syncing);
    // Its body came this far while it waited: the next one may go now. Also when it is complete
    // already (a body parsed in parts, handed out as the writer takes them, takes longer than
    // the next one's download), or the next chunk would only be asked for after this one.
    const bool finished = m_prefetchFinished; // (a request made ahead now clears it)
    if (m_options.prefetchAfterBytes >= 0 && m_received >= m_options.prefetchAfterBytes)
        onHeaders(reply);
    if (finished) {
        // Not from inside the handling of the body before it.
        QMetaObject::invokeMethod(
            this,
            [this, reply = QPointer<QNetworkReply>(reply)] {
                if (reply && reply == m_reply)
                    onFinished(reply);
            },
            Qt::QueuedConnection);
    }
    return true;
}

void ShapeStream::dropPrefetch()
{
    if (!m_prefetch)
        return;
    QNetworkReply *reply = m_prefetch;
    m_prefetch = nullptr;
    m_prefetchFinished = false;
    disconnect(reply, nullptr, this, nullptr);
    reply->abort();
    reply->deleteLater();
}

void ShapeStream::onRedirected(QNetworkReply *reply, const QUrl &target)
{
    // reply->url() already names the target here: the URL that redirected is the request's, or
    // the target of the redirect followed before. The credentials belong to the configured origin.
    const QUrl from = m_redirectedFrom.isEmpty() ? reply->request().url() : m_redirectedFrom;
    const QUrl to = from.resolved(target);
    if (sameOrigin(m_endpoint.url, to)) {
        m_redirectedFrom = to;
        ++m_redirects;
        emit reply->redirectAllowed();
        return;
    }
    m_refusedRedirect
        = QStringLiteral("refused to follow the redirect from %1 to %2: it leads to "
                         "another origin than %3, which would receive the "
                         "credentials")
              .arg(ShapeUrl::redacted(from), ShapeUrl::redacted(to), origin(m_endpoint.url));
    reply->abort();
}

void ShapeStream::checkProgress()
{
    if (!m_reply || m_replyLive) {
        m_progress.stop();
        return;
    }
    const qint64 window = m_options.requestTimeoutMs;
    const QString url = ShapeUrl::redacted(m_reply->url());
    if (!m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid()) {
        // Nothing, or a header section that never ends (trickling, or too large for Qt).
        m_stalled = QStringLiteral("no response from %1 within %2 s (no complete status line "
                                   "and headers)")
                        .arg(url)
                        .arg(window / 1000.0);
    } else if (m_received - m_receivedAtWindowStart
               < qint64(m_options.minBytesPerSecond) * window / 1000) {
        m_stalled = QStringLiteral("no progress: %1 bytes in %2 s from %3 (the body arrives "
                                   "slower than %4 bytes/s)")
                        .arg(m_received)
                        .arg((m_clock.elapsed() - m_requestStartedMs) / 1000.0, 0, 'f', 1)
                        .arg(url)
                        .arg(m_options.minBytesPerSecond);
    } else {
        m_receivedAtWindowStart = m_received;
        return;
    }
    m_progress.stop();
    m_reply->abort(); // onFinished retries with m_stalled
}

void ShapeStream::onFinished(QNetworkReply *reply)
{
    if (reply == m_prefetch) {
        m_prefetchFinished = true; // handled when the stream gets there (adoptPrefetch)
        return;
    }
    reply->deleteLater();
    if (reply != m_reply)
        return;
    m_reply = nullptr;
    const bool continued = m_bodyOf == reply;
    m_bodyOf = nullptr;
    m_watchdog.stop();
    m_progress.stop();
    if (!m_running)
        return;

    using End = ShapeTransportEnd::Kind;
    const auto ended = [this](End kind, const QString &text = {}) {
        apply(ShapeStreamTransitions::onTransportEnd(m_core, {kind, text}, limits(),
                                                     [this] { return random(); }));
    };
    if (!m_refusedRedirect.isEmpty()) {
        ended(End::RefusedRedirect, m_refusedRedirect);
        return;
    }
    if (!m_stalled.isEmpty()) {
        ended(End::Stalled, m_stalled);
        return;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_watchdogFired && m_replyLive) {
        ended(End::LiveWatchdog); // even one stalled mid-body: start a new one
        return;
    }
    if (reply->error() == QNetworkReply::TooManyRedirectsError
        || reply->error() == QNetworkReply::InsecureRedirectError
        || (m_redirects > 0 && (status < 200 || (status >= 300 && status < 400)))) {
        // Qt's redirect limit ends such a reply without a status of its own (it says 100).
        // (Qt does not report every redirect it follows: no count.)
        const QString route
            = QStringLiteral("from %1, only redirects, the last from %2")
                  .arg(ShapeUrl::redacted(reply->request().url()),
                       ShapeUrl::redacted(m_redirectedFrom.isEmpty() ? reply->url()
                                                                     : m_redirectedFrom));
        if (reply->error() == QNetworkReply::InsecureRedirectError)
            ended(End::InsecureRedirect,
                  QStringLiteral("refused a redirect from https to http %1").arg(route));
        else
            ended(End::RedirectLoop, QStringLiteral("no answer %1: a redirect loop?").arg(route));
        return;
    }
    if (!m_replyLive
        && (reply->error() == QNetworkReply::OperationCanceledError
            || reply->error() == QNetworkReply::TimeoutError)) {
        // Only the transfer timeout cancels a request we still own; "Operation canceled" would
        // hide that the server went silent.
        ended(End::TimedOut,
              QStringLiteral("no data from %1 for %2 s")
                  .arg(ShapeUrl::redacted(reply->url()))
                  .arg(m_options.requestTimeoutMs / 1000.0));
        return;
    }
    if (status == 0) {
        if (reply->error() == QNetworkReply::SslHandshakeFailedError) {
            ended(End::TlsFailed,
                  QStringLiteral(
                      "TLS verification of %1 failed: %2 (add the server's CA with a CA file)")
                      .arg(m_endpoint.url.host(), reply->errorString()));
            return;
        }
        if (reply->error() == QNetworkReply::RemoteHostClosedError) {
            ended(End::ClosedWithoutAnswer,
                  QStringLiteral("%1 closed the connection without answering")
                      .arg(ShapeUrl::redacted(reply->url())));
            return;
        }
        // Host and port only: the URL's user:password@ must not reach a message.
        ended(End::Unreachable,
              QStringLiteral("cannot reach %1: %2")
                  .arg(m_endpoint.url.adjusted(QUrl::RemoveUserInfo).authority(),
                       reply->errorString()));
        return;
    }
    QByteArray &body = m_body;
    readBody(reply, body, continued);
    const bool success = status >= 200 && status < 300;
    if (success) {
        // The status line arrived, but a body that did not arrive whole (cut off, undecodable)
        // is not the server's answer: retry, never parse it.
        const QString problem = bodyProblem(reply, body);
        if (!problem.isEmpty()) {
            ended(End::BodyIncomplete,
                  QStringLiteral("the HTTP %1 response from %2 %3")
                      .arg(status)
                      .arg(ShapeUrl::redacted(reply->url()), problem));
            return;
        }
    } else {
        // Error bodies are only read for their message; a broken one just says less.
        QByteArray decoded = body;
        if (ShapeContentEncoding::decode(decoded, reply->rawHeader("content-encoding")).isEmpty())
            body = std::move(decoded);
    }
    const ShapeResponseMeta meta = responseMeta(reply, body);
    if (apply(ShapeStreamTransitions::onResponse(
            m_core, meta, limits(), [this] { return random(); }, QDateTime::currentDateTimeUtc(),
            ShapeUrl::newCacheBuster())))
        return;
    handleSuccess(reply, body);
}

namespace {
// A live response is small: a buffer above this, a snapshot chunk's, goes at up-to-date.
constexpr qsizetype kKeptBodyBytes = 1 << 20;
} // namespace

void ShapeStream::handleSuccess(QNetworkReply *reply, const QByteArray &body)
{
    const bool live = m_replyLive;
    const ShapeResponseMeta meta = responseMeta(reply, body);
    ShapeStreamStep checked = ShapeStreamTransitions::checkSuccess(
        m_core, meta, limits(), [this] { return random(); }, ShapeUrl::newCacheBuster());
    if (checked.action.kind != ShapeStreamAction::Kind::Fail)
        m_emptyProxy = false;
    if (apply(std::move(checked)))
        return;

    // A large catch-up body goes out in parts while it is parsed: the receiver stores the first
    // rows of a sync's first chunk instead of waiting for the whole chunk, and after the last
    // chunk only its last part is left to store. Its NOT NULL check needs the schema now.
    ShapeBodySlices slices;
    ShapeSchema headerSchema;
    bool sliced = false;
    if (!live && m_options.sliceRows > 0) {
        if (m_schema.isEmpty()) {
            if (auto schema = ShapeSchema::parse(reply->rawHeader(kSchema)); schema)
                headerSchema = std::move(schema).value();
        }
        if (!m_schema.isEmpty() || !headerSchema.isEmpty()) {
            slices.rows = m_options.sliceRows;
            slices.take = [&](QList<ShapeMessage> &&changes) {
                if (!m_running) // a receiver stopped the stream: the rest is not handed out
                    return;
                warnNullViolations(m_schema.isEmpty() ? headerSchema : m_schema, changes);
                m_pending.append(std::move(changes));
                sliced = true;
                // Where this body leads and its schema, as a part handed out after it would say
                // (the recorded history keeps the offset): the stream's own position and schema
                // change only once the body is accepted.
                ShapeUpdate part = takePending();
                part.handle = QString::fromUtf8(meta.handle.value_or(QByteArray()));
                part.offset = QString::fromUtf8(meta.offset.value_or(QByteArray()));
                if (m_schema.isEmpty())
                    part.schema = headerSchema;
                emit changesPending(part);
            };
        }
    }
    auto parsed
        = parseShapeBody(body, m_options.insertsAsJson, slices.rows > 0 ? &slices : nullptr);
    if (sliced && !m_running)
        return;
    if (!parsed) {
        apply(ShapeStreamTransitions::onMalformed(
            m_core, QStringLiteral("%1 from %2").arg(parsed.error().toString(), meta.url), limits(),
            [this] { return random(); }));
        return;
    }
    if (parsed->mustRefetch) {
        apply(ShapeStreamTransitions::onMustRefetch(m_core, meta, limits(),
                                                    ShapeUrl::newCacheBuster()));
        return;
    }
    if (!live && m_schema.isEmpty()) {
        auto schema = ShapeSchema::parse(reply->rawHeader(kSchema));
        if (!schema) {
            fail(schema.error().toString());
            return;
        }
        m_schema = std::move(schema).value(); // first schema per handle wins, as in the TS client
    }
    if (parsed->skipped > 0)
        qCDebug(lcSync) << m_definition.effectiveName() << "skipped" << parsed->skipped
                        << "unknown messages";
    warnNullViolations(m_schema, parsed->changes);

    const bool upToDate = parsed->upToDate || meta.upToDate.has_value();
    const bool progressed = ShapeStreamTransitions::acceptChunk(
        m_core, meta, !parsed->changes.isEmpty() || parsed->handedOut > 0, upToDate);
    m_errorText = m_resyncNote; // kept in view until the resync is complete
    m_retryAt = {};
    m_pending.append(std::move(parsed->changes));

    if (upToDate) {
        if (m_body.capacity() > kKeptBodyBytes)
            m_body = QByteArray(); // a snapshot's chunk buffer is not kept while live
        const ShapeUpdate update = takePending();
        m_loopGuard.reset();
        m_resyncNote.clear();
        m_errorText.clear();
        setState(ShapeStatus::State::Live);
        emit updateReady(update);
        if (!progressed) {
            // An up-to-date without progress, answered at once, must not become a tight loop.
            apply(ShapeStreamTransitions::emptyAnswer(m_core,
                                                      m_clock.elapsed() - m_requestStartedMs,
                                                      limits(), [this] { return random(); }));
            return;
        }
    } else {
        if (m_state != ShapeStatus::State::Live)
            setState(m_core.upToDate ? ShapeStatus::State::Live : ShapeStatus::State::Syncing);
        // A body handed out in slices hands out its rest now too: the receiver stores it while
        // the next chunk is parsed, where it sat idle waiting for it (docs/benchmarks.md).
        if (m_pending.size() >= m_options.flushThreshold || (sliced && !m_pending.isEmpty())) {
            // Ask for the next chunk first: Qt downloads it on its own thread while the
            // receiver stores this part.
            sendRequest();
            emit changesPending(takePending());
            return;
        }
    }
    scheduleNext(0);
}

void ShapeStream::warnNullViolations(const ShapeSchema &schema, const QList<ShapeMessage> &changes)
{
    for (const ShapeMessage &change : changes) {
        if (change.operation == RowChange::Operation::Delete || change.value.isEmpty())
            continue;
        for (const QString &problem :
             ShapeValue::notNullViolations(schema, change.keyText(), change.value))
            emit warning(problem);
    }
}

void ShapeStream::renewToken()
{
    if (!m_running || m_paused || !m_tokenCommand)
        return;
    m_tokenCommand->start(m_options.tokenCommandTimeoutMs);
}

QString ShapeStream::sourceName() const
{
    return m_endpoint.sourceName.isEmpty() ? m_endpoint.url.host() : m_endpoint.sourceName;
}

void ShapeStream::handleRefetch(const QString &newHandle, const QString &reason, OldHandle old)
{
    m_core = ShapeStreamTransitions::resetToStart(std::move(m_core), newHandle, old,
                                                  ShapeUrl::newCacheBuster());
    startOver(reason);
}

void ShapeStream::startOver(const QString &reason)
{
    qCInfo(lcSync) << m_definition.effectiveName() << "resyncing from scratch:" << reason;
    m_schema = ShapeSchema();
    m_pending.clear();
    m_pendingReset = true;
    emit mustRefetch();
    if (!m_running)
        return;
    setState(ShapeStatus::State::Syncing);
    scheduleNext(0);
}

bool ShapeStream::apply(ShapeStreamStep step)
{
    m_core = std::move(step.state);
    const ShapeStreamAction &action = step.action;
    switch (action.kind) {
    case ShapeStreamAction::Kind::Accept:
        return false;
    case ShapeStreamAction::Kind::Wait:
        break;
    case ShapeStreamAction::Kind::Prefetch:
        qCDebug(lcSync) << m_definition.effectiveName() << "requesting offset" << action.next.offset
                        << "ahead";
        m_prefetchFinished = false;
        m_prefetchReceived = 0;
        m_prefetchStartedMs = m_clock.elapsed();
        m_prefetchPosition = action.next;
        m_prefetch = get(action.next);
        break;
    case ShapeStreamAction::Kind::Send:
        if (action.live)
            setState(ShapeStatus::State::Live);
        scheduleNext(action.delayMs);
        break;
    case ShapeStreamAction::Kind::Retry:
        dropPrefetch(); // this body did not lead where it went
        qCInfo(lcSync) << m_definition.effectiveName() << action.text << "- retrying in"
                       << action.delayMs << "ms";
        m_errorText = action.text;
        m_retryAt = QDateTime::currentDateTimeUtc().addMSecs(action.delayMs);
        setState(ShapeStatus::State::BackingOff);
        emit stateChanged(); // the error text changes even when the state does not
        scheduleNext(action.delayMs);
        break;
    case ShapeStreamAction::Kind::Fail:
        dropPrefetch(); // this body did not lead where it went
        fail(action.text, action.problem);
        break;
    case ShapeStreamAction::Kind::Refetch:
        dropPrefetch(); // this body did not lead where it went
        if (action.warn) {
            emit warning(action.text);
            m_resyncNote = action.text;
        }
        if (action.resetLoopGuard)
            m_loopGuard.reset(); // the busted retries were not a loop, and this start is no repeat
        startOver(action.text);
        if (action.showText) {
            m_errorText = action.text;
            emit stateChanged();
        }
        break;
    case ShapeStreamAction::Kind::EmptyGrant: {
        dropPrefetch();
        m_schema = ShapeSchema();
        m_pending.clear();
        m_pendingReset = true;
        m_errorText.clear();
        m_emptyProxy = true; // polled now and then, shown as live meanwhile
        ShapeUpdate update;
        update.reset = true;
        update.offset = m_core.position.offset;
        update.receivedAt = QDateTime::currentDateTimeUtc();
        setState(ShapeStatus::State::Live);
        emit updateReady(update);
        scheduleNext(action.delayMs);
        break;
    }
    case ShapeStreamAction::Kind::RenewToken:
        dropPrefetch(); // this body did not lead where it went
        // An access token that expired: ask the command for a new one, then retry this request.
        qCInfo(lcSync) << m_definition.effectiveName()
                       << "the token was refused; asking the token command for a new one";
        m_token.clear();
        renewToken();
        break;
    }
    return true;
}

ShapeResponseMeta ShapeStream::responseMeta(QNetworkReply *reply, const QByteArray &body) const
{
    const auto header = [reply](const QByteArray &name) -> std::optional<QByteArray> {
        if (!reply->hasRawHeader(name))
            return std::nullopt;
        return reply->rawHeader(name);
    };
    ShapeResponseMeta meta;
    meta.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    meta.live = m_replyLive;
    meta.url = ShapeUrl::redacted(reply->url());
    meta.sourceName = sourceName();
    meta.host = m_endpoint.url.host();
    meta.canRenewToken = m_tokenCommand != nullptr;
    meta.proxy = m_endpoint.style == ShapeEndpoint::Style::Proxy;
    meta.waitedMs = m_clock.elapsed() - m_requestStartedMs;
    meta.handle = header(kHandle);
    meta.offset = header(kOffset);
    meta.cursor = header(kCursor);
    meta.schema = header(kSchema);
    meta.upToDate = header(kUpToDate);
    meta.retryAfter = header("retry-after");
    meta.contentType = reply->rawHeader("content-type").split(';').first().trimmed().toLower();
    // Not shared: the body keeps its padding for the in-place parse and is never detached.
    meta.body = QByteArray::fromRawData(body.constData(), body.size());
    return meta;
}

ShapeStreamLimits ShapeStream::limits() const
{
    ShapeStreamLimits limits;
    limits.maxConsecutiveErrors = m_options.maxConsecutiveErrors;
    limits.malformedRetryLimit = m_options.malformedRetryLimit;
    limits.outOfBoundsRetries = m_options.outOfBoundsRetries;
    limits.staleCacheRetries = m_options.staleCacheRetries;
    limits.refetchLimit = m_options.refetchLimit;
    limits.emptyProxyPollMs = m_options.emptyProxyPollMs;
    limits.prefetchAfterBytes = std::max<qint64>(0, m_options.prefetchAfterBytes);
    limits.backoff = m_options.backoff;
    return limits;
}

void ShapeStream::fail(const QString &reason, ShapeStatus::Problem problem)
{
    qCWarning(lcSync) << m_definition.effectiveName() << "stopped:" << reason;
    m_running = false;
    halt();
    m_problem = problem;
    m_core.phase = ShapeStreamState::Phase::Failed;
    m_core.lastError = reason;
    m_errorText = reason;
    m_retryAt = {};
    setState(ShapeStatus::State::Failed);
    emit stateChanged();
}

void ShapeStream::setState(ShapeStatus::State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged();
}

void ShapeStream::growBody(QByteArray &body, qsizetype bytes)
{
    // An eighth to spare: a snapshot's chunks differ by a few bytes, and a buffer too small by
    // those is a fresh one faulted in again. Huge pages: the first chunk's buffer was ~2,800
    // page faults on the path before the writer's first rows.
    body.reserve(bytes + bytes / 8 + kShapeBodyPadding);
    adviseHugePages(body.constData(), size_t(body.capacity()));
}

void ShapeStream::readArrived(QNetworkReply *reply)
{
    // The first chunk of a sync arrives while this thread has nothing else to do: copying its
    // 10 MiB out of Qt's buffer as it comes (instead of all at once when it is complete) took
    // that copy, and the page faults of the buffer, off the path before the first rows can be
    // stored. Only a 2xx body of the current request: a request made ahead keeps its bytes in
    // Qt until it becomes the current one, and an error or redirect body is read whole.
    if (reply != m_reply)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status < 200 || status >= 300)
        return;
    const qint64 available = reply->bytesAvailable();
    if (available <= 0)
        return;
    if (m_bodyOf != reply) {
        m_bodyOf = reply;
        m_body.resize(0);
    }
    const qsizetype size = m_body.size();
    if (m_body.capacity() < size + available + kShapeBodyPadding)
        growBody(m_body, std::max<qsizetype>(size + available, m_body.capacity() * 2));
    m_body.resize(size + available);
    const qint64 read = reply->read(m_body.data() + size, available);
    m_body.resize(size + std::max<qint64>(read, 0));
}

void ShapeStream::readBody(QNetworkReply *reply, QByteArray &body, bool continued)
{
    // Into one buffer kept across a snapshot's chunks, with the padding parseShapeBody needs to
    // parse in place: readAll() and a padded copy of it cost two fresh 10 MiB allocations a
    // chunk, and the page faults of touching them.
    const qint64 available = reply->bytesAvailable();
    if (continued) {
        // The start came as it arrived (readArrived): the rest, with the padding after it.
        const qsizetype size = body.size();
        if (body.capacity() < size + available + kShapeBodyPadding)
            growBody(body, size + available);
        body.resize(size + available);
        const qint64 read = available > 0 ? reply->read(body.data() + size, available) : 0;
        body.resize(size + std::max<qint64>(read, 0));
        if (reply->bytesAvailable() > 0)
            body.append(reply->readAll());
        return;
    }
    body.resize(0);
    // A chunk larger than the one before gets a fresh buffer with room for the next few (the
    // snapshot's chunks differ by a few bytes), not a realloc() copying the old chunk's bytes.
    if (body.capacity() < available + kShapeBodyPadding) {
        body = QByteArray();
        growBody(body, available);
    }
    body.resize(available);
    const qint64 read = available > 0 ? reply->read(body.data(), available) : 0;
    body.resize(std::max<qint64>(read, 0));
    if (reply->bytesAvailable() > 0) // not expected: Qt has the whole body by now
        body.append(reply->readAll());
}

QString ShapeStream::bodyProblem(QNetworkReply *reply, QByteArray &body) const
{
    if (reply->error() != QNetworkReply::NoError)
        return QStringLiteral("could not be read whole: %1 (network error %2)")
            .arg(reply->errorString())
            .arg(int(reply->error()));
    bool hasLength = false;
    const qint64 length = reply->rawHeader("content-length").trimmed().toLongLong(&hasLength);
    if (hasLength && body.size() < length)
        return QStringLiteral("was cut off: the connection closed after %1 of its %2 bytes")
            .arg(body.size())
            .arg(length);
    const QString problem
        = ShapeContentEncoding::decode(body, reply->rawHeader("content-encoding"));
    if (problem.isEmpty())
        return {};
    return (ShapeContentEncoding::isCutOff(problem) ? QStringLiteral("was cut off: ")
                                                    : QStringLiteral("could not be decoded: "))
        + problem;
}

ShapeUpdate ShapeStream::takePending()
{
    ShapeUpdate update;
    update.reset = m_pendingReset;
    update.changes = std::move(m_pending);
    update.handle = m_core.position.handle;
    update.offset = m_core.position.offset;
    update.schema = m_schema;
    update.receivedAt = QDateTime::currentDateTimeUtc();
    m_pending.clear();
    m_pendingReset = false;
    return update;
}

} // namespace hivewatch
