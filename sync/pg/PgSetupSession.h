#pragma once

#include "PgSetupReport.h"
#include "PgSetupRequest.h"

#include <functional>

// The setup engine shared by the GUI worker and hivectl: connect, inspect, plan, and for Apply
// run the plan and read the state back; every action ends with the checklist. Blocking: call it
// on a worker thread or from the CLI.
class PgSetupSession
{
public:
    using Progress = std::function<void(int step, int steps, const QString &title)>;

    static PgSetupReport run(const PgSetupRequest &request, const Progress &progress = {});
};
