#include "tools/shape-server/PgOutputDecoder.h"

#include <QtEndian>

// Big-endian reader over one message; every read checks the bounds.
class ByteReader
{
public:
    ByteReader(const char *data, int length)
        : m_p(data)
        , m_end(data + length)
    {
    }
    bool ok() const { return m_ok; }
    template<typename T> T read()
    {
        if (m_end - m_p < qsizetype(sizeof(T))) {
            m_ok = false;
            return T {};
        }
        const T v = qFromBigEndian<T>(m_p);
        m_p += sizeof(T);
        return v;
    }
    QString readCString()
    {
        const char *start = m_p;
        while (m_p < m_end && *m_p)
            ++m_p;
        if (m_p >= m_end) {
            m_ok = false;
            return {};
        }
        return QString::fromUtf8(start, m_p++ - start);
    }
    QByteArray readBytes(qint32 n)
    {
        if (n < 0 || m_end - m_p < n) {
            m_ok = false;
            return {};
        }
        QByteArray b(m_p, n);
        m_p += n;
        return b;
    }

private:
    const char *m_p;
    const char *m_end;
    bool m_ok = true;
};

bool PgOutputDecoder::readTuple(ByteReader &reader, Tuple *tuple)
{
    const qint16 count = reader.read<qint16>();
    for (qint16 i = 0; i < count && reader.ok(); ++i) {
        TupleValue v;
        const char kind = reader.read<qint8>();
        if (kind == 'n') {
            v.kind = TupleValue::Kind::Null;
        } else if (kind == 'u') {
            v.kind = TupleValue::Kind::Unchanged;
        } else if (kind == 't') {
            v.kind = TupleValue::Kind::Text;
            v.text = reader.readBytes(reader.read<qint32>());
        } else {
            return false; // 'b' (binary) is never sent without the binary option
        }
        tuple->append(v);
    }
    return reader.ok();
}

std::optional<ReplicationTransaction> PgOutputDecoder::feed(const char *data, int length,
                                                            QString *error)
{
    ByteReader reader(data, length);
    const char tag = reader.read<qint8>();
    auto bad = [&](const char *what) {
        *error = QStringLiteral("unreadable pgoutput %1 message").arg(QLatin1String(what));
        return std::nullopt;
    };
    switch (tag) {
    case 'B': {
        ReplicationTransaction t;
        t.commitLsn = reader.read<quint64>();
        reader.read<qint64>(); // commit timestamp
        t.xid = reader.read<quint32>();
        if (!reader.ok())
            return bad("Begin");
        m_current = t;
        return std::nullopt;
    }
    case 'C': {
        reader.read<qint8>();
        const quint64 commitLsn = reader.read<quint64>();
        if (!reader.ok() || !m_current)
            return bad("Commit");
        if (m_current->commitLsn == 0)
            m_current->commitLsn = commitLsn;
        auto done = std::move(m_current);
        m_current.reset();
        return done;
    }
    case 'R': {
        const quint32 relid = reader.read<quint32>();
        Relation r;
        r.schema = reader.readCString();
        r.name = reader.readCString();
        reader.read<qint8>(); // replica identity setting
        const qint16 count = reader.read<qint16>();
        QStringList signature;
        for (qint16 i = 0; i < count && reader.ok(); ++i) {
            reader.read<qint8>(); // flags (part of the key)
            r.columns.append(reader.readCString());
            const quint32 typeOid = reader.read<quint32>();
            const qint32 typmod = reader.read<qint32>();
            signature.append(
                QStringLiteral("%1:%2:%3").arg(r.columns.constLast()).arg(typeOid).arg(typmod));
        }
        r.columnSignature = signature.join(QLatin1Char(','));
        if (!reader.ok())
            return bad("Relation");
        m_relations.insert(relid, r);
        return std::nullopt;
    }
    case 'I':
    case 'U':
    case 'D': {
        if (!m_current)
            return bad("change outside a transaction");
        const quint32 relid = reader.read<quint32>();
        const auto rel = m_relations.constFind(relid);
        if (rel == m_relations.cend())
            return bad("change for an unknown relation");
        RowChange c;
        c.kind = tag == 'I' ? RowChange::Kind::Insert
                            : (tag == 'U' ? RowChange::Kind::Update : RowChange::Kind::Delete);
        c.schema = rel->schema;
        c.table = rel->name;
        c.columns = rel->columns;
        c.columnSignature = rel->columnSignature;
        char part = reader.read<qint8>();
        if (part == 'K' || part == 'O') {
            c.hasOld = true;
            c.oldIsKeyOnly = part == 'K';
            if (!readTuple(reader, &c.oldTuple))
                return bad("old tuple");
            if (tag == 'U')
                part = reader.read<qint8>();
        }
        if (tag != 'D') {
            if (part != 'N' || !readTuple(reader, &c.newTuple))
                return bad("new tuple");
        }
        if (!reader.ok())
            return bad("row change");
        m_current->changes.append({m_current->changeCount++, c});
        return std::nullopt;
    }
    case 'T': {
        if (!m_current)
            return bad("Truncate outside a transaction");
        const qint32 count = reader.read<qint32>();
        reader.read<qint8>(); // options (CASCADE, RESTART IDENTITY)
        for (qint32 i = 0; i < count && reader.ok(); ++i) {
            const auto rel = m_relations.constFind(reader.read<quint32>());
            if (rel != m_relations.cend())
                m_current->truncated.append({rel->schema, rel->name});
        }
        ++m_current->changeCount;
        return reader.ok() ? std::nullopt : bad("Truncate");
    }
    default:
        return std::nullopt; // Type, Origin, logical Message: nothing a shape needs
    }
}
