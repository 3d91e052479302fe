#pragma once

#include <QString>

// A fresh, uniquely named database on the private test cluster (see pgcluster.sh), dropped again
// when this object dies. Tests that need Postgres are declared NEEDS_PG in CMake, which starts
// the cluster and sets HIVEWATCH_TEST_PG_CONNFILE.
class TestDatabase
{
public:
    // The cluster's conninfo (database `postgres`); empty with a QFAIL-able reason when unset.
    static QString clusterConninfo(QString *whyNot = nullptr);

    explicit TestDatabase(const QString &prefix = QStringLiteral("test"));
    ~TestDatabase();

    TestDatabase(const TestDatabase &) = delete;
    TestDatabase &operator=(const TestDatabase &) = delete;

    bool isValid() const { return !m_name.isEmpty(); }
    QString error() const { return m_error; }
    QString name() const { return m_name; }
    // conninfo for this database (same host/port/user as the cluster).
    QString conninfo() const;

private:
    QString m_cluster;
    QString m_name;
    QString m_error;
};
