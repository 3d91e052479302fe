#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

// Runs hive-shape-server (tools/shape-server) as a child process for a test: start() waits for
// its "listening on http://127.0.0.1:<port>" line. The binary is found through
// HIVEWATCH_BINARY_DIR (set by ctest). The server's stderr goes to the test's stderr.
class ShapeServerProcess
{
public:
    ShapeServerProcess() = default;
    ~ShapeServerProcess();

    ShapeServerProcess(const ShapeServerProcess &) = delete;
    ShapeServerProcess &operator=(const ShapeServerProcess &) = delete;

    // `extraArgs` are appended to `--dsn <conninfo> --port 0` (e.g. --long-poll-ms 1000).
    bool start(const QString &conninfo, const QStringList &extraArgs = {},
               QString *error = nullptr);
    QUrl baseUrl() const; // http://127.0.0.1:<port>
    QUrl shapeUrl() const; // baseUrl + "/v1/shape"
    void stop(); // SIGTERM, then SIGKILL after 10 s; also in the destructor
    // After stop(): the server's exit code, or -1 if it crashed or had to be killed.
    int lastExitCode() const { return m_lastExitCode; }
    qint64 processId() const { return m_process.processId(); } // for benchmarks (peak RSS)

    static QString binaryPath();
    // An access token for the server's proxy mode (`--proxy-jwt-key key`), as the hive issues
    // them: `hive-shape-server mint-token`. Empty if the binary fails.
    static QString mintToken(const QString &key, const QString &userId, qint64 ttlSeconds = 3600);

private:
    QProcess m_process;
    QUrl m_baseUrl;
    int m_lastExitCode = -1;
};
