#pragma once

#include "sync/store/LogSearch.h"

#include <QByteArray>
#include <QString>

namespace hivewatch {

class LogLineMatcher;
class SqliteStatement;

// Candidates in id order, in one or two statements: the trigram index answers the ids up to its
// mark when the query has a literal of at least three characters (the shortest trigram); the
// lines above the mark (the tail the builder has not reached, normally a few thousand) and every
// query the index cannot answer are scanned, narrowed by SQL where SQL can say it exactly enough
// (instr is exact; LIKE folds ASCII only, so only ASCII terms). The mark is bound, not read in
// the statements, so the two parts cover every id exactly once even while the builder moves it.
struct LogSearchCandidates
{
    // What both statements select, in this order.
    static constexpr char kColumns[]
        = "l.id, l.execution_id, l.output_type, l.content, l.timestamp";

    static LogSearchCandidates of(const LogSearchQuery &query, const LogIndexProgress &index,
                                  const LogLineMatcher &matcher);

    // The parameters of one of the statements: ?1 its text, ?2 the execution, ?3 the index's
    // mark, ?4 and ?5 the id range. `execution` must outlive the statement's run.
    void bind(SqliteStatement &q, const LogSearchQuery &query, bool fromIndex,
              const QByteArray &execution) const;

    QString indexSql; // empty: no index part
    QString scanSql;
    QString indexText; // ?1 of indexSql
    QString scanText; // ?1 of scanSql, when it uses it
    qint64 mark = 0; // ?3 of both
    qint64 indexFrom = 0; // ?6 of indexSql: its ids start above it (the count's fast part below)
    // The count's fast part: ids up to here are counted from the index and the run map alone
    // (0: none). Only where an index hit is a hit on an ASCII line: a case-insensitive ASCII
    // text, no exclude terms, every stream.
    qint64 fastTo = 0;
};

// Whether a line of this output type passes a stream filter.
bool inStreams(const LogFilter &streams, const QString &outputType);

} // namespace hivewatch
