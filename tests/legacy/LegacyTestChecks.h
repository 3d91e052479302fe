#pragma once

#include "tests/legacy/NodeDbBuilder.h"

#include <QByteArray>
#include <QList>
#include <QString>

// Reads back what a migration wrote, through Qt Sql (independent of the code under test).
QList<ExpectedEntry> readLogEntries(const QString &path, QString *error = nullptr);
// log_entries rows per execution key, and the ledger's migrated_lines per key.
QHash<QByteArray, qint64> logEntryCounts(const QString &path);
QHash<QByteArray, qint64> ledgerCounts(const QString &path);
// A digest of every row of execution_process_logs, to prove the source was not touched.
QByteArray sourceTableDigest(const QString &path);
QByteArray fileDigest(const QString &path);
// Lists `actual` vs `expected` differences in words, empty when equal.
QString compareEntries(const QList<ExpectedEntry> &actual, const QList<ExpectedEntry> &expected);
