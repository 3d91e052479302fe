#include "tests/support/ShapeServerProcess.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QRegularExpression>

ShapeServerProcess::~ShapeServerProcess()
{
    stop();
}

QString ShapeServerProcess::binaryPath()
{
    return qEnvironmentVariable("HIVEWATCH_BINARY_DIR")
        + QStringLiteral("/tools/shape-server/hive-shape-server");
}

QString ShapeServerProcess::mintToken(const QString &key, const QString &userId, qint64 ttlSeconds)
{
    QProcess mint;
    mint.start(binaryPath(),
               {QStringLiteral("mint-token"), QStringLiteral("--jwt-key"), key,
                QStringLiteral("--sub"), userId, QStringLiteral("--ttl-s"),
                QString::number(ttlSeconds)});
    if (!mint.waitForFinished(10000) || mint.exitCode() != 0)
        return {};
    return QString::fromUtf8(mint.readAllStandardOutput()).trimmed();
}

bool ShapeServerProcess::start(const QString &conninfo, const QStringList &extraArgs,
                               QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return false;
    };
    stop();
    const QString binary = binaryPath();
    if (!QFileInfo(binary).isExecutable())
        return fail(
            QStringLiteral("hive-shape-server not found at '%1' (is HIVEWATCH_BINARY_DIR set? run "
                           "through ctest)")
                .arg(binary));
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start(binary,
                    QStringList {QStringLiteral("--dsn"), conninfo, QStringLiteral("--port"),
                                 QStringLiteral("0")}
                        + extraArgs);
    if (!m_process.waitForStarted(10000))
        return fail(QStringLiteral("cannot start %1: %2").arg(binary, m_process.errorString()));
    static const QRegularExpression ready(QStringLiteral("^listening on (http://\\S+)\\s*$"));
    QByteArray seen;
    QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        if (m_process.canReadLine()
            || m_process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())))) {
            while (m_process.canReadLine()) {
                const QByteArray line = m_process.readLine();
                seen += line;
                const auto match = ready.match(QString::fromUtf8(line));
                if (match.hasMatch()) {
                    m_baseUrl = QUrl(match.captured(1));
                    return true;
                }
            }
        }
        if (m_process.state() != QProcess::Running)
            return fail(
                QStringLiteral(
                    "hive-shape-server exited with code %1 before it was ready (stdout: %2)")
                    .arg(m_process.exitCode())
                    .arg(QString::fromUtf8(seen)));
    }
    stop();
    return fail(QStringLiteral("hive-shape-server did not print its listening line within 30 s"));
}

QUrl ShapeServerProcess::baseUrl() const
{
    return m_baseUrl;
}

QUrl ShapeServerProcess::shapeUrl() const
{
    QUrl url = m_baseUrl;
    url.setPath(QStringLiteral("/v1/shape"));
    return url;
}

void ShapeServerProcess::stop()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (m_process.waitForFinished(10000)) {
            m_lastExitCode
                = m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
        } else {
            m_process.kill();
            m_process.waitForFinished(5000);
            m_lastExitCode = -1;
        }
    }
    m_baseUrl.clear();
}
