#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QTimer>

namespace hivewatch {

// Runs a ShapeEndpoint::tokenCommand through /bin/sh -c without blocking the thread it lives on
// (the shape worker's): standard output, trimmed, is the bearer token. Like git's credential
// helpers, the command owns the sign-in; this only asks it for a current token.
//
// Messages name the exit status and the first line of standard error, never the token and never
// the command line (it may carry credentials of its own).
class ShapeTokenCommand : public QObject
{
    Q_OBJECT
public:
    explicit ShapeTokenCommand(QString command, QObject *parent = nullptr);
    ~ShapeTokenCommand() override;

    // Starts the command unless it is already running; exactly one of tokenReady or failed
    // follows, unless cancel() comes first.
    void start(int timeoutMs);
    // Kills a running command; no signal follows for it.
    void cancel();
    bool isRunning() const { return m_process != nullptr; }

signals:
    void tokenReady(const QString &token);
    void failed(const QString &reason);

private:
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void finishWith(const QString &token, const QString &error);

    QString m_command;
    QProcess *m_process = nullptr;
    QTimer m_timeout;
    int m_timeoutMs = 0;
};

} // namespace hivewatch
