#pragma once

#include "ui/hive/ConnectionProfile.h"

#include <optional>

class QSettings;

namespace hivewatch {

// Saved connection profiles in QSettings (group "Profiles", one subgroup per profile) and which
// one is current. Secrets are never written here (SecretStore keeps them), and a demo profile is
// never saved: its URL only lives as long as the demo.
namespace ProfileStore {

QStringList names(QSettings &settings);
std::optional<ConnectionProfile> load(QSettings &settings, const QString &name);
// Refuses (returns false) for a demo profile.
bool save(QSettings &settings, const ConnectionProfile &profile);
void remove(QSettings &settings, const QString &name);
QString current(QSettings &settings);
void setCurrent(QSettings &settings, const QString &name);
// A user's [Connection] group from before profiles becomes the profile "default" (current, on
// the store it always used) unless profiles exist already; the group is then removed.
void migrateLegacy(QSettings &settings, const QString &legacyStorePath);
// Where a new profile keeps its rows: <dataDir>/profiles/<name>.sqlite (name made file-safe).
QString defaultStorePath(const QString &dataDir, const QString &profileName);

} // namespace ProfileStore

} // namespace hivewatch
