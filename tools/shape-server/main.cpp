// hive-shape-server: the Electric Shape API over a real PostgreSQL, for tests and demos.
// Command line: see ServerOptions::usage(). Prints exactly one line on stdout when ready:
//   listening on http://127.0.0.1:<port>
#include "tools/shape-server/JwtToken.h"
#include "tools/shape-server/ServerOptions.h"
#include "tools/shape-server/ShapeServer.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    (void)!write(signalPipe[1], &c, 1);
}

// `mint-token --jwt-key K --sub USER [--ttl-s N]`: prints an access token for the proxy mode, as
// the hive would issue it. Needs no Postgres.
int mintToken(const QStringList &args)
{
    QByteArray key;
    QString subject;
    qint64 ttl = 3600;
    for (qsizetype i = 0; i + 1 < args.size(); i += 2) {
        bool ok = true;
        if (args[i] == QLatin1String("--jwt-key"))
            key = args[i + 1].toUtf8();
        else if (args[i] == QLatin1String("--sub"))
            subject = args[i + 1];
        else if (args[i] == QLatin1String("--ttl-s"))
            ttl = args[i + 1].toLongLong(&ok);
        else
            ok = false;
        if (!ok) {
            std::fprintf(stderr, "mint-token: bad option %s\n", qPrintable(args[i]));
            return 2;
        }
    }
    if (key.isEmpty() || subject.isEmpty() || args.size() % 2 != 0) {
        std::fprintf(stderr,
                     "usage: hive-shape-server mint-token --jwt-key K --sub USER "
                     "[--ttl-s 3600]\n");
        return 2;
    }
    const QByteArray token = JwtToken::mint(key, subject, ttl, QDateTime::currentSecsSinceEpoch());
    std::printf("%s\n", token.constData());
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (app.arguments().value(1) == QLatin1String("mint-token"))
        return mintToken(app.arguments().mid(2));
    auto options = ServerOptions::parse(app.arguments().mid(1));
    if (!options) {
        std::fprintf(stderr, "%s\n", qPrintable(options.error().toString()));
        return 2;
    }

    // SIGTERM/SIGINT end the event loop, so the destructors run: the replication connection
    // closes and Postgres drops the temporary slot.
    if (pipe(signalPipe) != 0)
        return 1;
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [] {
        char c;
        (void)!read(signalPipe[0], &c, 1);
        QCoreApplication::quit();
    });
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    std::signal(SIGPIPE, SIG_IGN);

    ShapeServer server(options.value());
    int exitCode = 0;
    QObject::connect(&server, &ShapeServer::ready, &app, [](const QString &url) {
        std::printf("listening on %s\n", qPrintable(url));
        std::fflush(stdout);
    });
    QObject::connect(&server, &ShapeServer::fatal, &app, [&exitCode](const QString &error) {
        std::fprintf(stderr, "hive-shape-server: %s\n", qPrintable(error));
        exitCode = 1;
        QCoreApplication::exit(1);
    });
    server.start();
    const int rc = app.exec();
    return exitCode ? exitCode : rc;
}
