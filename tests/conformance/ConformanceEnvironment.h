#pragma once

#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"

#include <QByteArray>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

// What a node subprocess left behind.
struct NodeRun
{
    bool started = false;
    int exitCode = -1;
    QByteArray stdoutText;
    QByteArray stderrText;
};

// The world a conformance test runs in: a fresh database with the hive schema, its Electric setup,
// a small deterministic seed and the conformance fixture table, and a hive-shape-server on it
// with a small chunk size (so snapshots and transactions split across responses), a short
// long-poll hold and DELETE enabled. In proxy mode the server emulates the hive's proxy, with a
// user who belongs to two organizations.
class ConformanceEnvironment
{
public:
    bool setUp(bool proxyMode);
    QString error() const { return m_error; }

    QString conninfo() const { return m_db ? m_db->conninfo() : QString(); }
    QUrl baseUrl() const { return m_server.baseUrl(); }
    QUrl shapeUrl() const { return m_server.shapeUrl(); }

    // A fresh access token for the proxy mode, and the organizations its user belongs to (seed
    // orgs 1 and 2): a JWT signed with the server's key, as the hive issues them.
    static QString proxyToken()
    {
        return ShapeServerProcess::mintToken(proxyJwtKey(), proxyUserId());
    }
    static QString proxyJwtKey() { return QStringLiteral("conformance-jwt-key"); }
    static QString proxyUserId() { return QStringLiteral("e0000000-0000-4000-8000-000000000001"); }
    QStringList proxyOrganizations() const { return m_organizations; }

    // Runs `node conformance.mjs ARGS` from the npm-installed directory (CONFORMANCE_NODE_DIR).
    static NodeRun runNode(const QStringList &args, int timeoutMs);
    // Runs any program; used for hivectl.
    static NodeRun runProgram(const QString &program, const QStringList &args, int timeoutMs);

private:
    bool load(const QString &path);

    std::unique_ptr<TestDatabase> m_db;
    ShapeServerProcess m_server;
    QTemporaryDir m_dir;
    QStringList m_organizations;
    QString m_error;
};
