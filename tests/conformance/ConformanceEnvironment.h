#pragma once

#include "ShapeServerProcess.h"
#include "TestDatabase.h"

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
// long-poll hold and DELETE enabled. In proxy mode the server also gets a token file.
class ConformanceEnvironment
{
public:
    bool setUp(bool proxyMode);
    QString error() const { return m_error; }

    QString conninfo() const { return m_db ? m_db->conninfo() : QString(); }
    QUrl baseUrl() const { return m_server.baseUrl(); }
    QUrl shapeUrl() const { return m_server.shapeUrl(); }

    // The proxy token every test uses, and the organizations it grants (seed orgs 1 and 2).
    static QString proxyToken() { return QStringLiteral("conformance-token"); }
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
