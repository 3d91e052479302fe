#include "ui/pg/PgPasswordKeychain.h"

#ifdef HIVEWATCH_HAVE_KEYCHAIN
#include <qt6keychain/keychain.h>
#endif

namespace hivewatch {

namespace {

const QString kService = QStringLiteral("Hivewatch PostgreSQL");

} // namespace

PgPasswordKeychain::PgPasswordKeychain(QObject *parent)
    : QObject(parent)
{
}

bool PgPasswordKeychain::isAvailable()
{
#ifdef HIVEWATCH_HAVE_KEYCHAIN
    return true;
#else
    return false;
#endif
}

void PgPasswordKeychain::read(const QString &conninfo)
{
    ++m_requests;
#ifdef HIVEWATCH_HAVE_KEYCHAIN
    auto *job = new QKeychain::ReadPasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(conninfo);
    connect(job, &QKeychain::Job::finished, this, [this, job, conninfo] {
        // "not found" is the normal case for a new connection, not worth a message.
        if (job->error() == QKeychain::NoError)
            emit found(conninfo, job->textData());
        else if (job->error() != QKeychain::EntryNotFound)
            emit failed(tr("Keychain: %1").arg(job->errorString()));
    });
    job->start();
#else
    Q_UNUSED(conninfo)
#endif
}

void PgPasswordKeychain::write(const QString &conninfo, const QString &password)
{
    ++m_requests;
#ifdef HIVEWATCH_HAVE_KEYCHAIN
    auto *job = new QKeychain::WritePasswordJob(kService, this);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(conninfo);
    job->setTextData(password);
    connect(job, &QKeychain::Job::finished, this, [this, job] {
        if (job->error() != QKeychain::NoError)
            emit failed(tr("Keychain: the password was not saved: %1").arg(job->errorString()));
    });
    job->start();
#else
    Q_UNUSED(conninfo)
    Q_UNUSED(password)
    emit failed(tr("This build has no keychain support; the password was not saved."));
#endif
}

} // namespace hivewatch
