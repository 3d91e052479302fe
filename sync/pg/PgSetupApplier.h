#pragma once

#include "domain/Result.h"

#include <QStringList>

#include <functional>

namespace hivewatch {

class PgConnection;
class PgSetupPlan;

// Runs a plan in one transaction (everything it contains is transactional in Postgres: roles,
// grants, publications, ALTER TABLE). Either every step commits or none does; a failure rolls
// back and names the step, its statement and, for a permission error, the missing privilege.
class PgSetupApplier
{
public:
    // Called before each step: index (0-based), step count, the step's title.
    using Progress = std::function<void(int, int, const QString &)>;

    explicit PgSetupApplier(PgConnection &connection);

    // The log lines of what ran (statements as displaySql, server notices), also on failure.
    Result<void> apply(const PgSetupPlan &plan, const Progress &progress = {});
    const QStringList &log() const { return m_log; }

private:
    Error stepFailed(const struct PgSetupStep &step, const Error &error, const QString &sqlState);
    void collectNotices();

    PgConnection &m_connection;
    QStringList m_log;
};

} // namespace hivewatch
