#pragma once

#include <QString>
#include <QStringList>
#include <QUrl>

class QSettings;

namespace hivewatch {

// A hive with a single source: what --electric-url/--proxy-url and ELECTRIC_URL give, and the
// [Connection] settings group from before connection profiles (ProfileStore::migrateLegacy turns
// it into one; ConnectionProfile::fromConnection does the same in memory). The secret (Electric's
// API secret or the proxy's bearer token) is carried in memory only: load()/save() never read or
// write it, SecretStore keeps it in the system keychain.
struct ConnectionSettings
{
    enum class Mode { Electric, Proxy };

    Mode mode = Mode::Electric;
    QUrl url; // Electric: …/v1/shape; Proxy: the hive's base URL …/v1/shape
    QString secret; // never persisted by this struct
    QStringList shapes; // table names to sync

    static QStringList availableShapes();
    static ConnectionSettings load(QSettings &settings);
    void save(QSettings &settings) const;
    bool isComplete() const { return url.isValid() && !url.isEmpty() && !shapes.isEmpty(); }
    // The key the secret is stored under in the keychain: one per mode and URL.
    QString secretKey() const;

    bool operator==(const ConnectionSettings &) const = default;
};

} // namespace hivewatch
