#include "tests/support/NginxProcess.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <unistd.h>

namespace {

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort(); // released on return; nginx binds it right after
}

// Electric's long-poll holds requests for 20 s: the proxy must wait longer than that.
QByteArray config(const QString &dir, quint16 port, const QUrl &upstream,
                  const QString &certificate, const QString &key)
{
    const QByteArray d = dir.toUtf8();
    QByteArray conf;
    // As root, nginx would switch its workers to "nobody", who cannot read the temp directory.
    if (geteuid() == 0)
        conf += "user root;\n";
    conf += "worker_processes 1;\n"
            "pid "
        + d
        + "/nginx.pid;\n"
          "error_log "
        + d
        + "/error.log info;\n"
          "events { worker_connections 256; }\n"
          "http {\n"
          "  access_log "
        + d
        + "/access.log;\n"
          "  client_body_temp_path "
        + d
        + "/client_body;\n"
          "  proxy_temp_path "
        + d
        + "/proxy;\n"
          "  fastcgi_temp_path "
        + d
        + "/fastcgi;\n"
          "  uwsgi_temp_path "
        + d
        + "/uwsgi;\n"
          "  scgi_temp_path "
        + d
        + "/scgi;\n"
          "  gzip on;\n"
          "  gzip_types application/json;\n"
          "  gzip_proxied any;\n"
          "  gzip_min_length 0;\n"
          "  server {\n"
          "    listen 127.0.0.1:"
        + QByteArray::number(port) + (certificate.isEmpty() ? "" : " ssl") + ";\n"
        + (certificate.isEmpty() ? QByteArray()
                                 : "    ssl_certificate " + certificate.toUtf8()
                   + ";\n"
                     "    ssl_certificate_key "
                   + key.toUtf8() + ";\n")
        + "    location / {\n"
          "      proxy_pass http://"
        + upstream.host().toUtf8() + ':' + QByteArray::number(upstream.port())
        + ";\n"
          "      proxy_http_version 1.1;\n"
          "      proxy_set_header Connection \"\";\n"
          "      proxy_buffering off;\n"
          "      proxy_read_timeout 60s;\n"
          "    }\n"
          "  }\n"
          "}\n";
    return conf;
}

} // namespace

NginxProcess::~NginxProcess()
{
    stop();
}

QString NginxProcess::binaryPath()
{
    const QString configured = qEnvironmentVariable("HIVEWATCH_NGINX");
    return configured.isEmpty() ? QStringLiteral("/usr/sbin/nginx") : configured;
}

bool NginxProcess::start(const QUrl &upstream, QString *error)
{
    auto fail = [this, error](const QString &why) {
        if (error)
            *error = why + QStringLiteral("\n") + errorLog();
        stop();
        return false;
    };
    stop();
    if (!isAvailable())
        return fail(QStringLiteral("nginx not found at '%1' (apt-get install nginx-light)")
                        .arg(binaryPath()));
    m_dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/hw-nginx-XXXXXX"));
    if (!m_dir->isValid())
        return fail(QStringLiteral("cannot create a temporary directory for nginx"));
    const quint16 port = freeLoopbackPort();
    if (port == 0)
        return fail(QStringLiteral("no free loopback port for nginx"));
    QFile conf(m_dir->filePath(QStringLiteral("nginx.conf")));
    if (!conf.open(QIODevice::WriteOnly)
        || conf.write(config(m_dir->path(), port, upstream, m_certificate, m_key)) < 0)
        return fail(QStringLiteral("cannot write %1").arg(conf.fileName()));
    conf.close();
    m_process.setProcessChannelMode(QProcess::ForwardedChannels);
    m_process.start(binaryPath(),
                    {QStringLiteral("-p"), m_dir->path(), QStringLiteral("-c"), conf.fileName(),
                     QStringLiteral("-e"), m_dir->filePath(QStringLiteral("error.log")),
                     QStringLiteral("-g"), QStringLiteral("daemon off;")});
    if (!m_process.waitForStarted(10000))
        return fail(QStringLiteral("cannot start nginx: %1").arg(m_process.errorString()));
    // nginx prints nothing when ready: wait until its port accepts a connection.
    QDeadlineTimer deadline(20000);
    while (!deadline.hasExpired()) {
        if (m_process.state() != QProcess::Running)
            return fail(QStringLiteral("nginx exited with code %1").arg(m_process.exitCode()));
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        if (probe.waitForConnected(500)) {
            m_baseUrl = QUrl(
                QStringLiteral("%1://127.0.0.1:%2")
                    .arg(m_certificate.isEmpty() ? QStringLiteral("http") : QStringLiteral("https"))
                    .arg(port));
            return true;
        }
        QThread::msleep(50);
    }
    return fail(
        QStringLiteral("nginx did not accept connections on port %1 within 20 s").arg(port));
}

QString NginxProcess::errorLog() const
{
    if (!m_dir)
        return {};
    QFile log(m_dir->filePath(QStringLiteral("error.log")));
    return log.open(QIODevice::ReadOnly) ? QString::fromUtf8(log.readAll().right(4000)) : QString();
}

void NginxProcess::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(10000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }
    m_baseUrl.clear();
}
