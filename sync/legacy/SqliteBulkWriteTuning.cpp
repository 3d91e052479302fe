#include "SqliteBulkWriteTuning.h"

#include "SqliteDatabase.h"

#include <QByteArray>

SqliteBulkWriteTuning::SqliteBulkWriteTuning(const SqliteDatabase *db)
    : m_db(db)
{
    if (!m_db)
        return;
    m_mmapSize = readPragma("PRAGMA mmap_size", 0);
    m_autoCheckpoint = readPragma("PRAGMA wal_autocheckpoint", 1000);
    pragma("PRAGMA mmap_size = 0");
    pragma("PRAGMA wal_autocheckpoint = 16384");
}

SqliteBulkWriteTuning::~SqliteBulkWriteTuning()
{
    if (!m_db)
        return;
    pragma("PRAGMA wal_checkpoint(TRUNCATE)");
    pragma("PRAGMA wal_autocheckpoint = " + QByteArray::number(m_autoCheckpoint));
    pragma("PRAGMA mmap_size = " + QByteArray::number(m_mmapSize));
}

qint64 SqliteBulkWriteTuning::readPragma(const char *sql, qint64 fallback) const
{
    auto stmt = m_db->prepare(sql);
    if (!stmt)
        return fallback;
    auto row = stmt->step();
    return row.ok() && row.value() ? stmt->columnInt(0) : fallback;
}

void SqliteBulkWriteTuning::pragma(const QByteArray &sql) const
{
    // Best effort: a pragma that fails costs speed or memory, never data.
    auto stmt = m_db->prepare(std::string_view(sql.constData(), size_t(sql.size())));
    if (stmt)
        (void)stmt->run();
}
