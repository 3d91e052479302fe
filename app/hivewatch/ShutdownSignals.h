#pragma once

#include <QObject>

class QSocketNotifier;
class QWidget;

namespace hivewatch {

// SIGTERM, SIGINT and SIGHUP as a Qt signal, the recipe of "Calling Qt Functions From Unix Signal
// Handlers": the handler only writes the signal's number into a socket pair, and a QSocketNotifier
// hands it to the event loop, where the app quits the way File › Quit does.
//
// The first such signal asks for that orderly shutdown; the next one — or any once the event loop
// is over (markShuttingDown()), when nothing would read the pipe — ends the process at once, by
// the signal's default action. That is safe: SQLite commits are atomic, and the demo's children
// follow a dead Hivewatch by themselves (see DemoHive). One instance at a time.
class ShutdownSignals : public QObject
{
    Q_OBJECT
public:
    explicit ShutdownSignals(QObject *parent = nullptr);
    ~ShutdownSignals() override;

    // The orderly path on a signal: close `window` as File › Quit does (it saves its layout),
    // then quit, which also ends a modal dialog's own event loop; exec() then returns 0.
    void quitOnSignal(QWidget *window);

    // Async-signal-safe; call when the event loop has ended.
    static void markShuttingDown();

signals:
    void received(int signalNumber);

private:
    void readSignal();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace hivewatch
