#pragma once

#include "sync/shape/ShapeChangeRecorder.h"
#include "sync/sqlite/SqliteStatement.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace hivewatch {

// Records the applied changes of one of the hive's row tables (tasks, nodes, assignments) into
// the store's `history` table: the time received, the batch's Electric offset, the row's id, the
// operation, and only the columns that changed (old and new), plus the row's status when it
// changed so the charts count transitions from an index instead of parsing JSON.
class HiveHistoryRecorder final : public ShapeChangeRecorder
{
public:
    // `table`: the hive table recorded; `statusColumn`: its status column (may be empty);
    // `beatColumn`: a timestamptz column kept as ms in beat_ms when a change sets it (the nodes'
    // last_heartbeat_at, for the heartbeat chart; may be empty).
    HiveHistoryRecorder(QString table, QByteArray statusColumn, QByteArray beatColumn = {});

    // Creates the history table and its indexes when missing (the recorder's open() does too).
    static Result<void> migrate(const SqliteConnection &db);
    // The status recorded for a deleted row (HistoryChange::status).
    static QString deletedStatus();
    // Postgres timestamptz text ("2026-12-06 07:00:00.123+00") in ms since the epoch.
    static std::optional<qint64> timestampMs(const QString &text);

    Result<void> open(const SqliteConnection &db) override;
    Result<void> record(const QString &name, const ShapeUpdate &update,
                        const RecordedChange &change) override;
    void close() override;

private:
    Result<void> markBaseline(const QString &name, const ShapeUpdate &update,
                              const RecordedChange &change);
    // Writes the shape's baseline mark: replacing an older one (a first snapshot), or only when
    // it has none (its first recorded change).
    Result<void> mark(const QString &name, const ShapeUpdate &update, const RecordedChange &change,
                      bool replace);

    QString m_table;
    QByteArray m_statusColumn;
    QByteArray m_statusPath; // the status column as a JSON path, for json_extract
    QByteArray m_beatColumn;
    const SqliteConnection *m_db = nullptr;
    SqliteStatement m_insert;
    SqliteStatement m_mark;
    SqliteStatement m_markOnce;
    bool m_marking = false; // within a first snapshot whose mark is written
    bool m_marked = false; // the shape has a mark (written or found) since open()
};

// The recorders of the hive's shapes: one for shared_tasks, nodes and node_task_assignments,
// none for any other table. Hand it to ShapeClient or ShapeWorker::setChangeRecorders.
ShapeChangeRecorderFactory hiveChangeRecorders();

} // namespace hivewatch
