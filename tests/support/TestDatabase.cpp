#include "tests/support/TestDatabase.h"

#include "sync/pg/PgConnection.h"

#include <QCoreApplication>
#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>

using namespace hivewatch;

QString TestDatabase::clusterConninfo(QString *whyNot)
{
    const QString path = qEnvironmentVariable("HIVEWATCH_TEST_PG_CONNFILE");
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) {
        if (whyNot)
            *whyNot
                = QStringLiteral("no private PostgreSQL cluster: HIVEWATCH_TEST_PG_CONNFILE='%1' "
                                 "is not readable (run the test through ctest)")
                      .arg(path);
        return {};
    }
    return QString::fromUtf8(file.readAll()).trimmed();
}

TestDatabase::TestDatabase(const QString &prefix)
{
    m_cluster = clusterConninfo(&m_error);
    if (m_cluster.isEmpty())
        return;
    auto admin = PgConnection::connect(m_cluster);
    if (!admin) {
        m_error = admin.error().toString();
        return;
    }
    const QString name
        = QStringLiteral("%1_%2_%3")
              .arg(prefix.toLower().replace(QRegularExpression(QStringLiteral("[^a-z0-9_]")),
                                            QStringLiteral("_")))
              .arg(QCoreApplication::applicationPid())
              .arg(QRandomGenerator::global()->bounded(1000000));
    auto created
        = (*admin)->exec(QStringLiteral("CREATE DATABASE ") + (*admin)->quoteIdentifier(name));
    if (!created) {
        m_error = created.error().toString();
        return;
    }
    m_name = name;
}

TestDatabase::~TestDatabase()
{
    if (m_name.isEmpty())
        return;
    auto admin = PgConnection::connect(m_cluster);
    if (!admin)
        return;
    // Replication slots and walsenders of the test may still hold the database.
    (void)(*admin)->exec(
        QStringLiteral("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                       "WHERE database = $1 AND NOT active"),
        {m_name});
    (void)(*admin)->exec(QStringLiteral("DROP DATABASE IF EXISTS ")
                         + (*admin)->quoteIdentifier(m_name) + QStringLiteral(" WITH (FORCE)"));
}

QString TestDatabase::conninfo() const
{
    QString info = m_cluster;
    info.replace(QRegularExpression(QStringLiteral("dbname=\\S+")),
                 QStringLiteral("dbname=") + m_name);
    return info;
}
