// A signal while a modal dialog runs its own event loop (the connection dialog, the sign-in
// prompt) still takes File › Quit's path: the dialog is rejected, the main window closes and
// saves its layout, and the application's event loop ends with 0. The app's own run with the
// demo is tests/demo/tst_demo_shutdown.
#include "app/hivewatch/ShutdownSignals.h"
#include "ui/MainWindow.h"

#include <QApplication>
#include <QDialog>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <csignal>

using namespace hivewatch;

class TestShutdownSignals : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_config;

private slots:
    void initTestCase()
    {
        QVERIFY(m_config.isValid());
        // Before the first QSettings: it reads the location once.
        qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("Hivewatch"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_shutdown_signals"));
    }

    void signalDuringAModalDialogQuitsLikeFileQuit_data()
    {
        QTest::addColumn<int>("signalNumber");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
        QTest::newRow("SIGHUP") << int(SIGHUP);
    }

    void signalDuringAModalDialogQuitsLikeFileQuit()
    {
        QFETCH(int, signalNumber);
        QSettings().remove(QStringLiteral("MainWindow"));
        MainWindow window;
        window.addPanel(new QWidget, QStringLiteral("One"));
        window.addPanel(new QWidget, QStringLiteral("Two"));
        window.restoreLayout();
        window.show();
        window.tabs()->setCurrentIndex(1);
        ShutdownSignals shutdownSignals;
        shutdownSignals.quitOnSignal(&window);

        int dialogResult = -1;
        QTimer::singleShot(0, &window, [&] {
            QDialog dialog(&window);
            // Once the dialog's own loop runs.
            QTimer::singleShot(0, &dialog, [signalNumber] { ::raise(signalNumber); });
            dialogResult = dialog.exec();
        });
        // A bound instead of a hang if the signal were lost.
        QTimer bound;
        bound.setSingleShot(true);
        connect(&bound, &QTimer::timeout, qApp, [] { QCoreApplication::exit(99); });
        bound.start(60000);
        QCOMPARE(QCoreApplication::exec(), 0);
        QCOMPARE(dialogResult, int(QDialog::Rejected));
        QVERIFY(!window.isVisible());

        QSettings settings;
        QVERIFY(!settings.value(QStringLiteral("MainWindow/geometry")).toByteArray().isEmpty());
        QCOMPARE(settings.value(QStringLiteral("MainWindow/currentTab")).toInt(), 1);
    }
};

QTEST_MAIN(TestShutdownSignals)
#include "tst_shutdown_signals.moc"
