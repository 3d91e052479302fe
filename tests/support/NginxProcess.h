#pragma once

#include <QFileInfo>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

// Runs Debian's nginx in the foreground as a compressing reverse proxy in front of a test server
// (`gzip on` for application/json, as Electric's own dev nginx.conf and the hive's deployments
// do), so tests see real gzip transfer: Content-Encoding: gzip on chunked, streamed shape bodies.
// Everything nginx writes (config, pid, logs, temp files) stays in a temporary directory; it
// listens on a free loopback port. The binary is /usr/sbin/nginx or $HIVEWATCH_NGINX.
class NginxProcess
{
public:
    NginxProcess() = default;
    ~NginxProcess();

    NginxProcess(const NginxProcess &) = delete;
    NginxProcess &operator=(const NginxProcess &) = delete;

    // Serve https with this certificate chain and key (PEM files) instead of http; call before
    // start(). Tests sign the certificate with a CA of their own that the system does not trust.
    void setTls(const QString &certificateFile, const QString &keyFile)
    {
        m_certificate = certificateFile;
        m_key = keyFile;
    }
    // Proxies every path to `upstream` (http://127.0.0.1:<port>). Waits until nginx answers.
    bool start(const QUrl &upstream, QString *error = nullptr);
    QUrl baseUrl() const { return m_baseUrl; }
    void stop(); // SIGTERM (nginx's fast shutdown), then SIGKILL after 10 s; also in the destructor
    QString errorLog() const; // nginx's error.log, for a failing test's message

    static QString binaryPath();
    static bool isAvailable() { return QFileInfo(binaryPath()).isExecutable(); }

private:
    QProcess m_process;
    std::unique_ptr<QTemporaryDir> m_dir;
    QUrl m_baseUrl;
    QString m_certificate;
    QString m_key;
};
