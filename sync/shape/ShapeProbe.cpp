#include "ShapeProbe.h"

#include "ShapeUrl.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QSslCertificate>
#include <QSslConfiguration>

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
    auto *process = new QProcess(this);
    connect(process, &QProcess::finished, this,
            [this, process, label, definition, endpoint](int code,
                                                         QProcess::ExitStatus exitStatus) mutable {
                process->deleteLater();
                const QByteArray token = process->readAllStandardOutput().trimmed();
                if (exitStatus != QProcess::NormalExit || code != 0 || token.isEmpty()) {
                    emit finished(
                        label, false,
                        tr("the token command failed (exit status %1): %2")
                            .arg(code)
                            .arg(QString::fromUtf8(process->readAllStandardError().left(200))
                                     .simplified()));
                    return;
                }
                endpoint.bearerToken = QString::fromUtf8(token);
                send(label, definition, endpoint);
            });
    connect(process, &QProcess::errorOccurred, this,
            [this, process, label](QProcess::ProcessError error) {
                if (error != QProcess::FailedToStart)
                    return;
                process->deleteLater();
                emit finished(label, false, tr("the token command could not start"));
            });
    process->start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), endpoint.tokenCommand});
}

void ShapeProbe::send(const QString &label, const ShapeDefinition &definition,
                      const ShapeEndpoint &endpoint)
{
    ShapeRequestPosition position;
    position.offset = QStringLiteral("now");
    QNetworkRequest request(ShapeUrl::requestUrl(endpoint, definition, position));
    request.setTransferTimeout(kTimeoutMs);
    if (!endpoint.bearerToken.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + endpoint.bearerToken.toUtf8());
    if (!endpoint.caFile.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(endpoint.caFile);
        request.setSslConfiguration(tls);
    }
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, label, definition] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 300)
            emit finished(label, true, tr("serves %1").arg(definition.table));
        else
            emit finished(label, false, describeFailure(reply, definition));
    });
}
