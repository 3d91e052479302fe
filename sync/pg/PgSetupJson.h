#pragma once

#include <QJsonObject>

namespace hivewatch {

struct PgSetupReport;

// The report as JSON for `hivectl pg … --json` (and anything else that wants it). Keys are
// stable snake_case; a password never appears (the plan holds only masked statements).
class PgSetupJson
{
public:
    static QJsonObject toJson(const PgSetupReport &report);
};

} // namespace hivewatch
