#include "sync/legacy/SqliteBulkWriteTuning.h"

#include "sync/legacy/WalCheckpointer.h"
#include "sync/sqlite/SqliteConnection.h"

#include <QByteArray>

#include <algorithm>

namespace hivewatch {

SqliteBulkWriteTuning::SqliteBulkWriteTuning(const SqliteConnection *db, qint64 checkpointStepBytes,
                                             qint64 checkpointWaitBytes)
    : m_db(db)
{
    if (!m_db)
        return;
    m_mmapSize = readPragma("PRAGMA mmap_size", 0);
    m_autoCheckpoint = readPragma("PRAGMA wal_autocheckpoint", 1000);
    m_ignoreChecks = readPragma("PRAGMA ignore_check_constraints", 0);
    pragma("PRAGMA mmap_size = 0");
    pragma("PRAGMA wal_autocheckpoint = 16384");
    pragma("PRAGMA ignore_check_constraints = ON");

    const qint64 pageSize = readPragma("PRAGMA page_size", 4096);
    if (inWalMode() && pageSize > 0)
        m_checkpointer = WalCheckpointer::start(
            *m_db, int(std::max<qint64>(1, checkpointStepBytes / pageSize)),
            int(std::max<qint64>(1, checkpointWaitBytes / pageSize)));
}

SqliteBulkWriteTuning::~SqliteBulkWriteTuning()
{
    if (!m_db)
        return;
    // Stop the background checkpointer first: it would make the TRUNCATE checkpoint busy.
    m_checkpointer.reset();
    pragma("PRAGMA ignore_check_constraints = " + QByteArray::number(m_ignoreChecks));
    pragma("PRAGMA wal_checkpoint(TRUNCATE)");
    pragma("PRAGMA wal_autocheckpoint = " + QByteArray::number(m_autoCheckpoint));
    pragma("PRAGMA mmap_size = " + QByteArray::number(m_mmapSize));
}

bool SqliteBulkWriteTuning::inWalMode() const
{
    auto mode = m_db->prepare("PRAGMA journal_mode");
    if (!mode)
        return false;
    auto row = mode->step();
    return row.ok() && *row && mode->columnBytes(0) == std::string_view("wal");
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

} // namespace hivewatch
