#pragma once

#include <QByteArrayList>
#include <QElapsedTimer>
#include <QProcess>
#include <QTest>

// The built hivectl, run as a user runs it. The caller's event loop keeps turning while it runs,
// so a scripted server in the test process goes on answering.
struct HivectlRun
{
    int exitCode = -1; // -1: did not finish in time, -2: crashed
    QByteArray out;
    QByteArray err;
    qint64 elapsedMs = 0;

    // stderr's non-empty lines: "one message per failure" is counted here.
    QByteArrayList errLines() const
    {
        QByteArrayList lines;
        for (const QByteArray &line : err.split('\n'))
            if (!line.trimmed().isEmpty())
                lines.append(line);
        return lines;
    }
    QString describe() const
    {
        return QStringLiteral("exit %1\n--- stdout\n%2\n--- stderr\n%3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out.left(4000)), QString::fromUtf8(err.left(4000)));
    }

    static QString path()
    {
        return qEnvironmentVariable("HIVEWATCH_BINARY_DIR")
            + QStringLiteral("/app/hivectl/hivectl");
    }

    static HivectlRun run(const QStringList &args, int timeoutMs = 60000,
                          const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        QProcess process;
        process.setProcessEnvironment(env);
        HivectlRun result;
        QElapsedTimer clock;
        clock.start();
        process.start(path(), args);
        if (!process.waitForStarted(10000))
            return result;
        while (process.state() != QProcess::NotRunning && clock.elapsed() < timeoutMs)
            QTest::qWait(20);
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        } else {
            result.exitCode
                = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
        }
        result.elapsedMs = clock.elapsed();
        result.out = process.readAllStandardOutput();
        result.err = process.readAllStandardError();
        return result;
    }
};
