#pragma once

#include "sync/pg/PgSetupReport.h"
#include "sync/pg/PgSetupRequest.h"

#include <functional>

namespace hivewatch {

class PgConnection;

// The setup engine shared by the GUI worker and hivectl: connect, inspect, plan, and for Apply
// run the plan and read the state back; every action ends with the checklist. Blocking: call it
// on a worker thread or from the CLI.
class PgSetupSession
{
public:
    using Progress = std::function<void(int step, int steps, const QString &title)>;
    // Called with the connection once it is open and with nullptr before it closes, so that
    // another thread can cancel what runs on it (PQcancel).
    using Connected = std::function<void(PgConnection *connection)>;

    static PgSetupReport run(const PgSetupRequest &request, const Progress &progress = {},
                             const Connected &connected = {});
};

} // namespace hivewatch
