#include "sync/pg/PgSetupApplier.h"

#include "sync/pg/PgConnection.h"
#include "sync/pg/PgLog.h"
#include "sync/pg/PgSetupPlan.h"

namespace hivewatch {

namespace {

const QString kRolledBack = QStringLiteral("Nothing was changed: the transaction was rolled back.");

} // namespace

PgSetupApplier::PgSetupApplier(PgConnection &connection)
    : m_connection(connection)
{
}

void PgSetupApplier::collectNotices()
{
    for (const QString &notice : m_connection.takeNotices())
        m_log.append(QStringLiteral("server: ") + notice);
}

Error PgSetupApplier::stepFailed(const PgSetupStep &step, const Error &error,
                                 const QString &sqlState)
{
    // 42501 insufficient_privilege. Postgres words some privilege errors as "must be owner of
    // table x" or "must be superuser to create replication users" with other codes, so those
    // are recognised by their message too.
    const bool permission = sqlState == QLatin1String("42501")
        || error.message.contains(QLatin1String("must be owner"))
        || error.message.contains(QLatin1String("must be superuser"))
        || error.message.contains(QLatin1String("permission denied"));
    QString message;
    if (permission) {
        message = QStringLiteral(
                      "Permission denied for '%1' as user %2: it needs %3. Statement: %4. %5")
                      .arg(step.title, m_connection.describe().section(QLatin1Char('@'), 0, 0),
                           step.privilege, step.displaySql.trimmed(), kRolledBack);
    } else if (sqlState == QLatin1String("55P03")) {
        message
            = QStringLiteral("'%1' waited too long for a lock: another session is using the table. "
                             "Try again when it is idle. %2")
                  .arg(step.title, kRolledBack);
    } else {
        message = QStringLiteral("'%1' failed: %2. Statement: %3. %4")
                      .arg(step.title, error.message, step.displaySql.trimmed(), kRolledBack);
    }
    // The server's own words; never the statement text, which may hold a password hash.
    return Error(message, error.message);
}

Result<void> PgSetupApplier::apply(const PgSetupPlan &plan, const Progress &progress)
{
    m_log.clear();
    if (plan.isEmpty()) {
        m_log.append(QStringLiteral("Nothing to apply: the database already matches the target."));
        return {};
    }
    // A busy table would otherwise make ALTER TABLE wait forever behind its readers.
    auto begun = m_connection.execScript(QStringLiteral("BEGIN; SET LOCAL lock_timeout = '10s'"));
    if (!begun)
        return Error(
            QStringLiteral("Could not start a transaction: %1").arg(begun.error().message));
    m_log.append(QStringLiteral("BEGIN"));

    const QList<PgSetupStep> &steps = plan.steps();
    for (int i = 0; i < steps.size(); ++i) {
        const PgSetupStep &step = steps[i];
        if (progress)
            progress(i, int(steps.size()), step.title);
        m_log.append(QStringLiteral("-- %1\n%2;").arg(step.title, step.displaySql));
        Result<PgResult> done = m_connection.execScript(step.sql);
        QString sqlState = m_connection.lastSqlState();
        const QStringList notices = m_connection.takeNotices();
        for (const QString &notice : notices) {
            m_log.append(QStringLiteral("server: ") + notice);
            // A GRANT by a user without grant option only warns; the target would silently stay
            // unreached, so it counts as the permission error it is.
            if (done && notice.contains(QLatin1String("privileges were granted"))) {
                done = Error(notice);
                sqlState = QStringLiteral("42501");
            }
        }
        if (!done) {
            (void)m_connection.execScript(QStringLiteral("ROLLBACK"));
            const Error error = stepFailed(step, done.error(), sqlState);
            m_log.append(QStringLiteral("ERROR: ") + error.message);
            m_log.append(QStringLiteral("ROLLBACK"));
            qCWarning(lcPg) << "setup step failed, rolled back:" << step.title << sqlState;
            return error;
        }
    }
    auto committed = m_connection.execScript(QStringLiteral("COMMIT"));
    collectNotices();
    if (!committed) {
        (void)m_connection.execScript(QStringLiteral("ROLLBACK"));
        m_log.append(QStringLiteral("ERROR: COMMIT failed: ") + committed.error().message);
        return Error(
            QStringLiteral("COMMIT failed: %1. %2").arg(committed.error().message, kRolledBack));
    }
    m_log.append(QStringLiteral("COMMIT"));
    if (progress)
        progress(int(steps.size()), int(steps.size()), QStringLiteral("Committed"));
    qCDebug(lcPg) << "setup applied:" << steps.size() << "steps";
    return {};
}

} // namespace hivewatch
