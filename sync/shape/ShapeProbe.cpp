#include "sync/shape/ShapeProbe.h"

#include "sync/shape/ShapeTokenCommand.h"
#include "sync/shape/ShapeUrl.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>

namespace hivewatch {

namespace {
constexpr int kTimeoutMs = 10000;

QString describeFailure(QNetworkReply *reply, const ShapeDefinition &definition)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString body = QString::fromUtf8(reply->readAll().left(300)).simplified();
    switch (status) {
    case 401:
    case 403:
        return QObject::tr("sign-in needed: the source refused the credentials (HTTP %1)")
            .arg(status);
    case 404:
        return QObject::tr("does not serve %1 (HTTP 404)").arg(definition.table);
    case 0:
        if (reply->error() == QNetworkReply::SslHandshakeFailedError)
            return QObject::tr("TLS verification failed: %1 (trust the server's CA with a CA "
                               "file)")
                .arg(reply->errorString());
        return reply->error() == QNetworkReply::OperationCanceledError
            ? QObject::tr("no answer within %1 s").arg(kTimeoutMs / 1000)
            : reply->errorString().replace(reply->url().toString(),
                                           ShapeUrl::redacted(reply->url()));
    default:
        return body.isEmpty() ? QObject::tr("HTTP %1").arg(status)
                              : QObject::tr("HTTP %1: %2").arg(status).arg(body);
    }
}
} // namespace

ShapeProbe::ShapeProbe(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
}

void ShapeProbe::probe(const QString &label, const ShapeDefinition &definition,
                       const ShapeEndpoint &endpoint)
{
    if (!endpoint.url.isValid() || endpoint.url.isEmpty()) {
        emit finished(label, false, tr("no URL"));
        return;
    }
    if (!endpoint.tokenCommand.isEmpty() && endpoint.bearerToken.isEmpty())
        runTokenCommand(label, definition, endpoint);
    else
        send(label, definition, endpoint);
}

void ShapeProbe::runTokenCommand(const QString &label, const ShapeDefinition &definition,
                                 ShapeEndpoint endpoint)
{
    // The syncing streams' own runner: bounded in time, and its errors never hold the token.
    auto *command = new ShapeTokenCommand(endpoint.tokenCommand, this);
    connect(command, &ShapeTokenCommand::tokenReady, this,
            [this, command, label, definition, endpoint](const QString &token) mutable {
                command->deleteLater();
                endpoint.bearerToken = token;
                send(label, definition, endpoint);
            });
    connect(command, &ShapeTokenCommand::failed, this,
            [this, command, label](const QString &reason) {
                command->deleteLater();
                emit finished(label, false, tr("the token command failed: %1").arg(reason));
            });
    command->start(kTimeoutMs);
}

void ShapeProbe::send(const QString &label, const ShapeDefinition &definition,
                      const ShapeEndpoint &endpoint)
{
    ShapeRequestPosition position;
    position.offset = QStringLiteral("now");
    QNetworkRequest request(ShapeUrl::requestUrl(endpoint, definition, position));
    request.setTransferTimeout(kTimeoutMs);
    // As the streams: the token never follows a redirect to another origin.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::SameOriginRedirectPolicy);
    if (!endpoint.bearerToken.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + endpoint.bearerToken.toUtf8());
    if (!endpoint.caFile.isEmpty()) {
        const QList<QSslCertificate> certificates = QSslCertificate::fromPath(endpoint.caFile);
        if (certificates.isEmpty()) {
            emit finished(
                label, false,
                tr("the CA file %1 holds no readable PEM certificate").arg(endpoint.caFile));
            return;
        }
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(certificates);
        request.setSslConfiguration(tls);
    }
    // Qt keeps a connection (and the TLS trust it was opened with) per host: a Test after the
    // user added a CA file would otherwise reuse the connection that refused the certificate.
    if (m_inFlight == 0)
        m_network->clearConnectionCache();
    ++m_inFlight;
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, label, definition] {
        --m_inFlight;
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 300)
            emit finished(label, true, tr("serves %1").arg(definition.table));
        else
            emit finished(label, false, describeFailure(reply, definition));
    });
}

} // namespace hivewatch
