#pragma once

#include "domain/Result.h"
#include "sync/store/LogSearchCandidates.h"
#include "sync/store/LogSearchCountCache.h"

#include <QList>

namespace hivewatch {

class LogLineMatcher;
class SqliteConnection;

// Every hit counted per execution in one pass over the candidates, on the stored bytes: no
// QString, no LogEntry per hit, and no recheck of the text for an index hit on an ASCII line
// when the trigram phrase is exactly the query (LogLineMatcher::indexAnswersText()); up to
// c.fastTo not even the line is read: the index's hits are given their execution by the run map
// (log_id_runs). Over a big store that part is split across two connections and threads.
// Stays cancellable through `db`'s interrupt() and progress handler.
class LogHitCounter
{
public:
    static Result<QList<LogHitCount>> count(const SqliteConnection &db, const LogSearchQuery &query,
                                            LogSearchCandidates c, const LogLineMatcher &matcher);
};

} // namespace hivewatch
