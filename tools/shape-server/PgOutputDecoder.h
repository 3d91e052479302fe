#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

// One column value of a pgoutput TupleData: NULL, an unchanged TOASTed value, or Postgres text.
struct TupleValue
{
    enum class Kind : char { Null = 'n', Unchanged = 'u', Text = 't' };
    Kind kind = Kind::Null;
    QByteArray text;
};
using Tuple = QList<TupleValue>;

struct RowChange
{
    enum class Kind { Insert, Update, Delete };
    Kind kind = Kind::Insert;
    QString schema;
    QString table;
    QStringList columns; // the relation's columns, as pgoutput last described them
    QString columnSignature; // "name:typeoid:typmod,…", compared with TableInfo's
    bool hasOld = false; // old tuple present (REPLICA IDENTITY FULL, or a key change)
    bool oldIsKeyOnly = false;
    Tuple oldTuple;
    Tuple newTuple;
};

// One committed transaction as it came out of the replication stream.
struct ReplicationTransaction
{
    quint32 xid = 0;
    quint64 commitLsn = 0; // Begin's final LSN = the commit record's LSN
    int changeCount = 0; // inserts, updates, deletes and truncates, in stream order
    QList<QPair<int, RowChange>> changes; // (position in the transaction, change)
    QList<QPair<QString, QString>> truncated; // (schema, table)
};
Q_DECLARE_METATYPE(ReplicationTransaction)

// Decodes pgoutput protocol version 1 messages (Relation, Begin, Insert, Update, Delete,
// Truncate, Commit; Type/Origin/Message are skipped) into whole transactions.
class PgOutputDecoder
{
public:
    // Feeds one XLogData payload. Returns a transaction when the payload was its Commit; sets
    // *error (and returns nothing) on a message it cannot read.
    std::optional<ReplicationTransaction> feed(const char *data, int length, QString *error);

private:
    struct Relation
    {
        QString schema;
        QString name;
        QStringList columns;
        QString columnSignature;
    };

    bool readTuple(class ByteReader &reader, Tuple *tuple);

    QHash<quint32, Relation> m_relations;
    std::optional<ReplicationTransaction> m_current;
};
