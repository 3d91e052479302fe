#include "sync/shape/ShapeTokenCommand.h"

namespace hivewatch {

namespace {

QString firstLine(const QByteArray &text)
{
    for (const QByteArray &line : text.split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (!trimmed.isEmpty())
            return QString::fromUtf8(trimmed.left(300));
    }
    return {};
}

} // namespace

ShapeTokenCommand::ShapeTokenCommand(QString command, QObject *parent)
    : QObject(parent)
    , m_command(std::move(command))
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        finishWith({},
                   QStringLiteral("the token command did not finish within %1 s")
                       .arg(m_timeoutMs / 1000.0));
    });
}

ShapeTokenCommand::~ShapeTokenCommand()
{
    cancel();
}

void ShapeTokenCommand::start(int timeoutMs)
{
    if (m_process)
        return;
    m_timeoutMs = timeoutMs;
    m_process = new QProcess(this);
    // Nothing to read from the user here: a command that prompts must fail, not hang.
    m_process->setStandardInputFile(QProcess::nullDevice());
    connect(m_process, &QProcess::finished, this, &ShapeTokenCommand::onFinished);
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && m_process)
            finishWith({},
                       QStringLiteral("the token command could not be started (/bin/sh: %1)")
                           .arg(m_process->errorString()));
    });
    m_process->start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), m_command});
    m_timeout.start(timeoutMs);
}

void ShapeTokenCommand::cancel()
{
    m_timeout.stop();
    if (!m_process)
        return;
    QProcess *process = m_process;
    m_process = nullptr;
    process->disconnect(this);
    process->kill();
    process->waitForFinished(1000); // reap it; a killed shell ends at once
    process->deleteLater();
}

void ShapeTokenCommand::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (!m_process)
        return;
    const QString stderrLine = firstLine(m_process->readAllStandardError());
    const QString detail = stderrLine.isEmpty() ? QString() : QStringLiteral(": ") + stderrLine;
    if (status != QProcess::NormalExit) {
        finishWith({}, QStringLiteral("the token command crashed%1").arg(detail));
        return;
    }
    if (exitCode != 0) {
        finishWith(
            {},
            QStringLiteral("the token command exited with status %1%2").arg(exitCode).arg(detail));
        return;
    }
    const QString token = QString::fromUtf8(m_process->readAllStandardOutput()).trimmed();
    if (token.isEmpty() || token.contains(QLatin1Char('\n'))) {
        finishWith({},
                   QStringLiteral("the token command exited with status 0 but printed %1%2")
                       .arg(token.isEmpty() ? QStringLiteral("no token")
                                            : QStringLiteral("more than one line"))
                       .arg(detail));
        return;
    }
    finishWith(token, {});
}

void ShapeTokenCommand::finishWith(const QString &token, const QString &error)
{
    cancel();
    if (error.isEmpty())
        emit tokenReady(token);
    else
        emit failed(error);
}

} // namespace hivewatch
