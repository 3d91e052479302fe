#include "sync/sqlite/SqliteCancelCheck.h"

#include <sqlite3.h>

namespace hivewatch {

SqliteCancelCheck::SqliteCancelCheck(const SqliteConnection &connection,
                                     std::function<bool()> isStale, int ops)
    : m_connection(connection)
    , m_isStale(std::move(isStale))
{
    if (!m_connection.handle() || !m_isStale)
        return;
    sqlite3_progress_handler(
        m_connection.handle(), ops,
        [](void *check) { return (*static_cast<std::function<bool()> *>(check))() ? 1 : 0; },
        &m_isStale);
}

SqliteCancelCheck::~SqliteCancelCheck()
{
    if (m_connection.handle())
        sqlite3_progress_handler(m_connection.handle(), 0, nullptr, nullptr);
}

} // namespace hivewatch
