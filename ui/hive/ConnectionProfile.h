#pragma once

#include "sync/shape/ShapeDefinition.h"
#include "ui/hive/ConnectionSettings.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QUrl>

class QSettings;

namespace hivewatch {

// One place shapes are synced from: a base URL (its query string is kept on every request), a
// style (Electric's `?table=` or a proxy path `/<table>`) and how to authenticate. The secret
// (Electric's API secret or a bearer token) lives in memory only; SecretStore keeps it.
struct ProfileSource
{
    enum class Style { Electric, Proxy };
    enum class Auth { None, Secret, Token, TokenCommand };

    QString name; // the user's name for it: "hive proxy", "Electric"
    QUrl url;
    Style style = Style::Electric;
    Auth auth = Auth::None;
    QString tokenCommand; // Auth::TokenCommand: a shell command printing a bearer token
    // PEM file of extra CAs to trust for https (a hive behind a company CA); TLS is always
    // verified, against the system's CAs plus these.
    QString caFile;
    QString secret; // Auth::Secret or Auth::Token; never persisted by this struct

    static ProfileSource make(const QString &name, const QUrl &url, Style style = Style::Electric,
                              Auth auth = Auth::None);
    ShapeEndpoint endpointFor(const QString &table) const;
    // The keychain key of the secret: one per style and URL (as ConnectionSettings::secretKey,
    // so a migrated connection finds its stored secret).
    QString secretKey() const;
    bool needsSecret() const { return auth == Auth::Secret || auth == Auth::Token; }
    bool operator==(const ProfileSource &) const = default;
};

// A named hive: its sources, which source serves each synced table, and its own local store.
// The demo is a profile too, but one that is never saved (its URL is temporary).
struct ConnectionProfile
{
    QString name;
    QList<ProfileSource> sources;
    QMap<QString, QString> tableSources; // synced table -> source name
    QString storePath; // empty: the caller's default
    bool demo = false;

    QStringList tables() const; // in ConnectionSettings::availableShapes() order
    const ProfileSource *sourceFor(const QString &table) const;
    ProfileSource *source(const QString &name);
    // Empty when usable (a name is not needed for that), else what is wrong, naming the
    // source or table.
    QString problem() const;
    bool isComplete() const { return problem().isEmpty(); }

    // A one-source profile with every chosen table on it (the command line, a legacy
    // [Connection] group, the demo).
    static ConnectionProfile fromConnection(const ConnectionSettings &connection,
                                            const QString &name);

    bool operator==(const ConnectionProfile &) const = default;
};

} // namespace hivewatch
