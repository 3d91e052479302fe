#include "sync/pg/PgSetupSession.h"

#include "sync/pg/PgConnection.h"
#include "sync/pg/PgLog.h"
#include "sync/pg/PgSetupApplier.h"
#include "sync/pg/PgSetupChecklist.h"
#include "sync/pg/PgSetupInspector.h"

namespace hivewatch {

QString PgSetupRequest::actionName(Action action)
{
    switch (action) {
    case Action::Inspect:
        return QStringLiteral("inspect");
    case Action::Plan:
        return QStringLiteral("plan");
    case Action::Apply:
        return QStringLiteral("apply");
    case Action::Verify:
        return QStringLiteral("verify");
    }
    return {};
}

bool PgSetupReport::verified() const
{
    return hasState && PgSetupChecklist::allOk(checks);
}

namespace {

// Inspect, then plan and check, into `report`. False when inspection failed.
bool readState(PgConnection &connection, const PgSetupRequest &request, PgSetupReport &report)
{
    auto state = PgSetupInspector(connection).inspect(request.target);
    if (!state) {
        report.ok = false;
        report.error = state.error();
        return false;
    }
    report.state = state.value();
    report.hasState = true;
    report.checks = PgSetupChecklist::build(report.state, request.target);
    auto plan = PgSetupPlan::build(report.state, request.target, connection);
    report.hasPlan = plan.ok();
    report.plan = plan.ok() ? plan.value() : PgSetupPlan();
    report.planError = plan.ok() ? Error() : plan.error();
    return true;
}

} // namespace

PgSetupReport PgSetupSession::run(const PgSetupRequest &request, const Progress &progress,
                                  const Connected &connected)
{
    PgSetupReport report;
    report.action = request.action;
    auto connection = PgConnection::connect(request.conninfo, request.password);
    if (!connection) {
        report.error = connection.error();
        return report;
    }
    PgConnection &c = *connection.value();
    // Every return below passes through here before the connection closes.
    struct Announce
    {
        const Connected &connected;
        ~Announce()
        {
            if (connected)
                connected(nullptr);
        }
    } announce {connected};
    if (connected)
        connected(&c);
    report.server = c.describe();
    report.ok = true;
    if (!readState(c, request, report))
        return report;
    if (request.action == PgSetupRequest::Action::Plan && !report.hasPlan) {
        report.ok = false;
        report.error = report.planError;
    }
    if (request.action == PgSetupRequest::Action::Verify && !report.verified()) {
        report.ok = false;
        report.error
            = Error(QStringLiteral("The database is not ready for Electric: see the red checks"));
    }
    if (request.action != PgSetupRequest::Action::Apply)
        return report;

    if (!report.hasPlan) {
        report.ok = false;
        report.error = report.planError;
        return report;
    }
    if (!request.expectedPlan.isNull() && request.expectedPlan != report.plan.displayScript()) {
        report.ok = false;
        report.error
            = Error(QStringLiteral("The database changed since the plan was shown; nothing was "
                                   "applied. Review the new plan and apply again"));
        return report;
    }
    PgSetupApplier applier(c);
    auto applied = applier.apply(report.plan, progress);
    report.log = applier.log();
    report.appliedSteps = applied ? int(report.plan.steps().size()) : 0;
    if (!applied) {
        report.ok = false;
        report.error = applied.error();
        return report;
    }
    // Verify what was committed by reading it back, not by trusting the plan.
    const QStringList log = report.log;
    if (!readState(c, request, report))
        return report;
    report.log = log;
    if (!report.plan.isEmpty())
        qCWarning(lcPg) << "plan not empty after apply:" << report.plan.steps().size() << "steps";
    return report;
}

} // namespace hivewatch
