#pragma once

#include <QString>

// The tests' own SQL for what the history reader must answer, written once for every test that
// checks the reader or the charts against it (not the reader's code: an independent oracle).
namespace HistoryOracle {

// Assignments of the first snapshot (a baseline mark, not recorded row by row) that were running
// at ?2 (table ?1): no status recorded for them before ?2, and the old status of their first
// recorded change, else the stored one, is 'running'.
inline QString snapshotRunningSql()
{
    return QStringLiteral(
        "SELECT count(*) FROM (SELECT coalesce((SELECT json_extract(h.old, '$.execution_status') "
        "FROM history h WHERE h.tbl = ?1 AND h.key = r.id AND h.status IS NOT NULL ORDER BY h.id "
        "LIMIT 1), r.s) AS s FROM (SELECT json_extract(value, '$.id') AS id, json_extract(value, "
        "'$.execution_status') AS s FROM shape_rows WHERE shape = (SELECT shape FROM "
        "history_baseline WHERE tbl = ?1) UNION SELECT key, NULL FROM history WHERE tbl = ?1 AND "
        "op = 3) r WHERE (SELECT at_ms FROM history_baseline WHERE tbl = ?1) < ?2 AND NOT EXISTS "
        "(SELECT 1 FROM history h WHERE h.tbl = ?1 AND h.key = r.id AND (h.op = 1 OR (h.at_ms < "
        "?2 AND h.status IS NOT NULL)))) WHERE s = 'running'");
}

// Node ?2's (table ?1) last heartbeat before ?3 in ms: the last recorded, else (a node of the
// first snapshot, received before ?3) the old value of its first recorded beat, else the stored
// one. No row when none is known.
inline QString heartbeatBeforeSql()
{
    return QStringLiteral(
        "SELECT CAST(round((julianday(replace(v, '+00', '')) - 2440587.5) "
        "* 86400000.0) AS INTEGER) FROM (SELECT coalesce((SELECT json_extract(new, "
        "'$.last_heartbeat_at') AS v FROM history WHERE tbl = ?1 AND key = ?2 "
        "AND at_ms < ?3 AND v IS NOT NULL ORDER BY at_ms DESC, id DESC LIMIT 1), "
        "(SELECT CASE WHEN at_ms < ?3 THEN coalesce((SELECT json_extract(old, "
        "'$.last_heartbeat_at') FROM history WHERE tbl = ?1 AND key = ?2 AND "
        "beat_ms IS NOT NULL ORDER BY id LIMIT 1), (SELECT json_extract(value, "
        "'$.last_heartbeat_at') FROM shape_rows WHERE shape = b.shape AND "
        "json_extract(value, '$.id') = ?2)) END FROM history_baseline b WHERE tbl = "
        "?1)) AS v) WHERE v IS NOT NULL");
}

} // namespace HistoryOracle
