#pragma once

#include "sync/pg/PgConnection.h"
#include "tests/shapeserver/ShapeClient.h"
#include "tests/support/ShapeServerProcess.h"
#include "tests/support/TestDatabase.h"

#include <QTest>

#include <memory>

using namespace hivewatch;

// A fresh database with the `items` table, a running hive-shape-server on it, and a client.
struct ServerTestEnv
{
    TestDatabase db {QStringLiteral("shapeserver")};
    std::unique_ptr<PgConnection> pg;
    ShapeServerProcess server;
    std::unique_ptr<ShapeClient> client;
    QString error;

    bool start(const QStringList &serverArgs = {})
    {
        if (!db.isValid())
            return fail(db.error());
        auto conn = PgConnection::connect(db.conninfo());
        if (!conn)
            return fail(conn.error().toString());
        pg = std::move(conn.value());
        if (!sql(QStringLiteral("CREATE TABLE items (id int8 PRIMARY KEY, title text, done bool, "
                                "num int, note text);"
                                "INSERT INTO items SELECT g, 'item ' || g, g % 2 = 0, g, NULL FROM "
                                "generate_series(1, 5) g")))
            return false;
        if (!server.start(db.conninfo(),
                          QStringList {QStringLiteral("--long-poll-ms"), QStringLiteral("1000")}
                              + serverArgs,
                          &error))
            return false;
        client = std::make_unique<ShapeClient>(server.baseUrl());
        return true;
    }

    bool sql(const QString &script)
    {
        auto r = pg->execScript(script);
        return r ? true : fail(r.error().toString());
    }

    bool fail(const QString &why)
    {
        error = why;
        return false;
    }
};

#define START_ENV(env, ...)                                                                        \
    ServerTestEnv env;                                                                             \
    QVERIFY2(env.start(__VA_ARGS__), qPrintable(env.error))

using Query = QList<QPair<QString, QString>>;
inline QPair<QString, QString> q(const char *k, const QString &v)
{
    return {QString::fromUtf8(k), v};
}
inline QPair<QString, QString> q(const char *k, const char *v)
{
    return {QString::fromUtf8(k), QString::fromUtf8(v)};
}
