// Switching hives in the app's own wiring (Dashboard), offscreen, against two real hives (two
// databases, two test shape servers): from the demo profile to a profile made in File → Connect…
// and back, then a restart. The demo's temporary URL must never be saved, and no row of the hive
// left behind may stay on screen; the demo banner shows with the demo only.
#include "app/hivewatch/Dashboard.h"
#include "app/hivewatch/DashboardOptions.h"
#include "models/hive/HiveModels.h"
#include "models/hive/NodeModel.h"
#include "models/hive/ShapeStatusModel.h"
#include "models/hive/TaskModel.h"
#include "sync/pg/PgConnection.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"
#include "ui/MainWindow.h"
#include "ui/hive/ConnectionDialog.h"
#include "ui/hive/ProfileStore.h"
#include "ui/hive/SyncStatusPanel.h"

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QDialogButtonBox>
#include <QFile>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace hivewatch;

namespace {
constexpr int kTimeout = 30000; // ms

QString readSql(const QString &name)
{
    QFile file(qEnvironmentVariable("HIVEWATCH_SOURCE_DIR") + QStringLiteral("/tests/support/sql/")
               + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll());
}

struct Hive
{
    std::unique_ptr<TestDatabase> db;
    ShapeServerProcess server;
};
} // namespace

class TestProfileSwitch : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Hive m_demoHive; // stands in for the demo's shape server: its URL is as temporary
    Hive m_realHive;

    void startHive(Hive &hive, const QString &prefix, const QString &seed)
    {
        hive.db = std::make_unique<TestDatabase>(prefix);
        QVERIFY2(hive.db->isValid(), qPrintable(hive.db->error()));
        auto pg = PgConnection::connect(hive.db->conninfo());
        QVERIFY2(pg.ok(), qPrintable(pg.ok() ? QString() : pg.error().toString()));
        for (const char *file : {"hive_schema.sql", "electric_setup.sql", "hive_seed.sql"}) {
            auto done = pg.value()->execScript(readSql(QLatin1String(file)));
            QVERIFY2(done.ok(), file);
        }
        QVERIFY(pg.value()->execScript(seed).ok());
        QString error;
        QVERIFY2(hive.server.start(hive.db->conninfo(), {"--long-poll-ms", "2000"}, &error),
                 qPrintable(error));
    }

    ConnectionProfile demoProfile() const
    {
        ConnectionSettings settings;
        settings.url = m_demoHive.server.shapeUrl();
        settings.shapes = ConnectionSettings::availableShapes();
        ConnectionProfile demo
            = ConnectionProfile::fromConnection(settings, Dashboard::demoProfileName());
        demo.demo = true;
        demo.storePath = m_dir.filePath("demo/store.sqlite");
        return demo;
    }

    QByteArray settingsFile() const
    {
        QSettings settings;
        settings.sync();
        QFile file(settings.fileName());
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    static void choose(QComboBox *switcher, const QString &text)
    {
        const int index = switcher->findText(text);
        QVERIFY2(index >= 0, qPrintable(text));
        switcher->setCurrentIndex(index);
        emit switcher->activated(index);
    }

private slots:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("HivewatchTest"));
        QCoreApplication::setApplicationName(QStringLiteral("profile-switch"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.path());
        startHive(m_demoHive, QStringLiteral("switch_demo"),
                  QStringLiteral("SELECT hive_seed(1, 2, 12, 3, 6, 40, 12)"));
        startHive(m_realHive, QStringLiteral("switch_real"),
                  QStringLiteral("SELECT hive_seed(1, 1, 5, 2, 2, 10, 4)"));
    }

    void demoToProfileAndBackThenRestart()
    {
        const QString demoPort = QStringLiteral(":%1").arg(m_demoHive.server.shapeUrl().port());
        {
            MainWindow window;
            Dashboard dashboard(&window, m_dir.filePath("demo/store.sqlite"));
            dashboard.setDataDir(m_dir.filePath("data"));
            connect(&dashboard, &Dashboard::demoRequested, this,
                    [&] { dashboard.connectTo(demoProfile()); });
            window.show();
            TaskModel *tasks = dashboard.models()->tasks();
            NodeModel *nodes = dashboard.models()->nodes();

            dashboard.connectTo(demoProfile());
            QTRY_COMPARE_WITH_TIMEOUT(tasks->rowCount(), 12, kTimeout);
            QTRY_COMPARE_WITH_TIMEOUT(nodes->rowCount(), 3, kTimeout);
            QVERIFY(dashboard.demoBanner()->isVisible());

            // File → Connect… during the demo: a new profile is offered, not the demo's URL.
            bool filled = false;
            QTimer::singleShot(0, this, [&] {
                auto *dialog = window.findChild<ConnectionDialog *>();
                QVERIFY(dialog);
                QVERIFY(dialog->urlEdit()->text().isEmpty());
                QTest::keyClicks(dialog->nameEdit(), "real hive");
                QTest::keyClicks(dialog->urlEdit(), m_realHive.server.shapeUrl().toString());
                QCOMPARE(dialog->problem(), QString());
                dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
                filled = true;
            });
            dashboard.editConnection();
            QVERIFY(filled);
            // The demo's rows and banner went with the switch, before any new row arrived.
            QCOMPARE(tasks->rowCount(), 0);
            QCOMPARE(nodes->rowCount(), 0);
            QVERIFY(!dashboard.demoBanner()->isVisible());
            QVERIFY(dashboard.storePath() != m_dir.filePath("demo/store.sqlite"));
            QTRY_COMPARE_WITH_TIMEOUT(tasks->rowCount(), 5, kTimeout);
            QTRY_COMPARE_WITH_TIMEOUT(nodes->rowCount(), 2, kTimeout);
            QVERIFY(window.windowTitle().contains("real hive"));
            QCOMPARE(dashboard.profileSwitcher()->currentText(), QStringLiteral("real hive"));

            // Back to the demo from the status bar switcher, and to the real hive again.
            choose(dashboard.profileSwitcher(), Dashboard::demoProfileName());
            QCOMPARE(tasks->rowCount(), 0);
            QTRY_COMPARE_WITH_TIMEOUT(tasks->rowCount(), 12, kTimeout);
            QVERIFY(dashboard.demoBanner()->isVisible());
            choose(dashboard.profileSwitcher(), QStringLiteral("real hive"));
            QCOMPARE(tasks->rowCount(), 0);
            QVERIFY(!dashboard.demoBanner()->isVisible());
            QTRY_COMPARE_WITH_TIMEOUT(tasks->rowCount(), 5, kTimeout);
            // And to the demo once more: what a user left on screen before quitting.
            choose(dashboard.profileSwitcher(), Dashboard::demoProfileName());
            QTRY_COMPARE_WITH_TIMEOUT(tasks->rowCount(), 12, kTimeout);
        }

        const QByteArray saved = settingsFile();
        QVERIFY2(saved.contains("real hive") || saved.contains("real%20hive"), saved.constData());
        QVERIFY2(!saved.contains(demoPort.toUtf8()), saved.constData());

        // Restart: the saved profile comes back, with its own rows only.
        QCommandLineParser parser;
        DashboardOptions::addTo(parser);
        QVERIFY(parser.parse({QStringLiteral("hivewatch")}));
        QSettings settings;
        auto options = DashboardOptions::resolve(parser, settings, {});
        QVERIFY(options.ok());
        QCOMPARE(options->profile.name, QStringLiteral("real hive"));
        QVERIFY(!options->profile.demo);
        QVERIFY(options->profile.isComplete());
        QCOMPARE(options->profile.sources.constFirst().url, m_realHive.server.shapeUrl());

        MainWindow window;
        Dashboard dashboard(&window, options->storePath);
        window.show();
        QCOMPARE(dashboard.models()->tasks()->rowCount(), 0);
        dashboard.start(options->profile);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.models()->tasks()->rowCount(), 5, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.models()->nodes()->rowCount(), 2, kTimeout);
        QVERIFY(!dashboard.demoBanner()->isVisible());
    }

    void unreachableHiveOffersToEditOrStartTheDemo()
    {
        MainWindow window;
        Dashboard dashboard(&window, m_dir.filePath("unreachable/store.sqlite"));
        window.show();
        ConnectionProfile gone;
        gone.name = "gone hive";
        // Port 9 (discard) has no listener on loopback: every request is refused.
        gone.sources.append(ProfileSource::make("Electric", QUrl("http://127.0.0.1:9/v1/shape")));
        gone.tableSources = {{"nodes", "Electric"}};
        bool demoAsked = false;
        connect(&dashboard, &Dashboard::demoRequested, this, [&] { demoAsked = true; });
        dashboard.start(gone);
        QTRY_VERIFY_WITH_TIMEOUT(dashboard.unreachablePrompt()->isVisible(), kTimeout);
        QPushButton *demo = nullptr;
        for (QPushButton *button : dashboard.unreachablePrompt()->findChildren<QPushButton *>()) {
            if (button->text() == QStringLiteral("Start the demo"))
                demo = button;
        }
        QVERIFY(demo);
        demo->click();
        QVERIFY(demoAsked);
    }

    void aNewTokenRestartsTheShapesOfThatSourceOnly()
    {
        auto pg = PgConnection::connect(m_realHive.db->conninfo());
        QVERIFY(pg.ok());
        auto user = pg.value()->exec("SELECT hive_seed_uuid('user', 1)::text");
        QVERIFY(user.ok() && user->rows() == 1);
        const QString key = "profile-switch-jwt-key";
        const QString goodToken = ShapeServerProcess::mintToken(key, user->text(0, 0));
        QVERIFY(!goodToken.isEmpty());
        ShapeServerProcess proxy;
        QString error;
        QVERIFY2(proxy.start(m_realHive.db->conninfo(),
                             {"--long-poll-ms", "2000", "--proxy-jwt-key", key}, &error),
                 qPrintable(error));

        MainWindow window;
        Dashboard dashboard(&window, m_dir.filePath("signin/store.sqlite"));
        window.show();
        ConnectionProfile hive;
        hive.name = "proxied hive";
        ProfileSource viaProxy
            = ProfileSource::make("hive proxy", proxy.shapeUrl(), ProfileSource::Style::Proxy,
                                  ProfileSource::Auth::Token);
        viaProxy.secret = "expired-token";
        hive.sources = {viaProxy, ProfileSource::make("Electric", proxy.shapeUrl())};
        hive.tableSources = {{"shared_tasks", "hive proxy"}, {"nodes", "Electric"}};
        dashboard.connectTo(hive);
        ShapeStatusModel *statuses = dashboard.models()->shapeStatuses();
        QTRY_COMPARE_WITH_TIMEOUT(statuses->status("shared_tasks").state,
                                  ShapeStatus::State::Failed, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.models()->nodes()->rowCount(), 2, kTimeout);
        QCOMPARE(dashboard.models()->tasks()->rowCount(), 0);

        QTimer::singleShot(0, this, [&] {
            auto *input = window.findChild<QInputDialog *>();
            QVERIFY(input);
            QVERIFY(input->labelText().contains("hive proxy"));
            input->setTextValue(goodToken);
            input->accept();
        });
        emit dashboard.syncStatusPanel()->signInRequested("shared_tasks");
        QTRY_COMPARE_WITH_TIMEOUT(dashboard.models()->tasks()->rowCount(), 5, kTimeout);
        QTRY_COMPARE_WITH_TIMEOUT(statuses->status("shared_tasks").state, ShapeStatus::State::Live,
                                  kTimeout);
        QCOMPARE(dashboard.models()->nodes()->rowCount(), 2);
        // The token is kept for this session only: nothing was saved.
        QVERIFY(!settingsFile().contains(goodToken.toUtf8()));
    }

    void testButtonAsksEverySourceAndNamesTheCause()
    {
        ConnectionProfile profile;
        profile.name = "tested";
        profile.sources.append(ProfileSource::make("Electric", m_realHive.server.shapeUrl()));
        profile.sources.append(ProfileSource::make("nowhere", QUrl("http://127.0.0.1:9/v1/shape")));
        // This server is no proxy: /v1/shape/<table> is not served.
        profile.sources.append(ProfileSource::make("hive proxy", m_realHive.server.shapeUrl(),
                                                   ProfileSource::Style::Proxy));
        profile.tableSources = {{"shared_tasks", "Electric"},
                                {"nodes", "nowhere"},
                                {"node_task_assignments", "hive proxy"}};
        ConnectionDialog dialog({profile}, profile);
        dialog.show();
        QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.testResult()->text().count("<br>") == 2, kTimeout);
        const QString text = dialog.testResult()->text();
        QVERIFY2(text.contains("✔ Electric: serves shared_tasks"), qPrintable(text));
        QVERIFY2(text.contains("✘ nowhere: Connection refused"), qPrintable(text));
        QVERIFY2(text.contains("✘ hive proxy: does not serve node_task_assignments (HTTP 404)"),
                 qPrintable(text));
    }
};

QTEST_MAIN(TestProfileSwitch)
#include "tst_profile_switch.moc"
