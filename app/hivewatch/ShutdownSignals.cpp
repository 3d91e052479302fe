#include "app/hivewatch/ShutdownSignals.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QWidget>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace hivewatch {

namespace {

int s_pipe[2] = {-1, -1}; // [0] written by the handler, [1] read by the notifier
volatile std::sig_atomic_t s_shuttingDown = 0;

constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP};

void onSignal(int signalNumber)
{
    if (s_shuttingDown) {
        std::signal(signalNumber, SIG_DFL);
        std::raise(signalNumber);
        return;
    }
    s_shuttingDown = 1;
    const int savedErrno = errno;
    const unsigned char byte = static_cast<unsigned char>(signalNumber);
    (void)!::write(s_pipe[0], &byte, 1);
    errno = savedErrno;
}

} // namespace

ShutdownSignals::ShutdownSignals(QObject *parent)
    : QObject(parent)
{
    // Close-on-exec: no child (the shape server, the cluster keeper) may hold our pipe.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s_pipe) != 0) {
        qWarning("hivewatch: no socket pair for signals: SIGTERM and SIGINT end it at once");
        return;
    }
    s_shuttingDown = 0;
    m_notifier = new QSocketNotifier(s_pipe[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &ShutdownSignals::readSignal);
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (int signalNumber : kSignals)
        ::sigaction(signalNumber, &action, nullptr);
}

ShutdownSignals::~ShutdownSignals()
{
    // The handlers stay: with nobody reading the pipe, they end the process at once.
    markShuttingDown();
    delete m_notifier;
    for (int &fd : s_pipe) {
        if (fd >= 0)
            ::close(fd);
        fd = -1;
    }
}

void ShutdownSignals::quitOnSignal(QWidget *window)
{
    connect(this, &ShutdownSignals::received, window, [window](int signalNumber) {
        std::fprintf(stderr, "hivewatch: %s: quitting\n", strsignal(signalNumber));
        window->close();
        QCoreApplication::quit();
    });
}

void ShutdownSignals::markShuttingDown()
{
    s_shuttingDown = 1;
}

void ShutdownSignals::readSignal()
{
    unsigned char byte = 0;
    if (::read(s_pipe[1], &byte, 1) == 1)
        emit received(byte);
}

} // namespace hivewatch
