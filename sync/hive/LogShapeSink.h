#pragma once

#include "sync/shape/ShapeRowSink.h"
#include "sync/store/LogStore.h"

#include <QByteArray>

#include <memory>
#include <optional>

namespace hivewatch {

class LogRowWriter;

// The hive's log table (node_task_output_logs) keeps its shape rows once, as log lines:
// LogRowWriter upserts them into log_entries by the hive row id, with their key and wire form
// (shape_key/shape_row); a delete detaches the line from the shape but keeps it in the local log
// history. Rows are resolved by their Electric key: only a row whose key is key_prefix + its id
// becomes a line (so source_id stands for exactly one key); any other goes back to the store's
// shape_rows. A store holds one log shape at a time (ShapeRowSink: one copy per kind).
class LogShapeSink final : public ShapeRowSink
{
public:
    // shape_state.log_rows of a log shape, as stores since log_entries kept its rows say.
    static constexpr int Kind = 1;

    LogShapeSink();
    ~LogShapeSink() override;

    int kind() const override { return Kind; }
    // The log views page log_entries: the batches only count the changes.
    bool batchesCarryRows() const override { return false; }
    Result<void> open(const SqliteConnection &db) override;
    Result<bool> resume(const QString &name, const QByteArray &state, bool checked) override;
    // The keys' prefix before the quoted id (shape_state.key_prefix).
    QByteArray state() const override { return m_keyPrefix; }
    std::shared_ptr<const ShapeSinkPart> prepare(const ShapeUpdate &update) override;
    Result<qint64> apply(const QString &name, const ShapeUpdate &update, const ShapeSinkPart *part,
                         ShapeRows &rows, QList<AppliedChange> *applied) override;
    Result<void> reset(const QString &name) override;
    Result<void> dropPartial(const QString &name) override;
    Result<void>
    forEachRow(const QString &name, const QByteArray &state,
               const std::function<Result<void>(const QByteArray &key, const RawRow &row)> &visit)
        override;
    void close() override;

private:
    struct Part;
    Result<LogRowWriter *> writer();
    Error sqlError(const QString &what) const;

    const SqliteConnection *m_db = nullptr; // the store's, on its writer thread
    std::unique_ptr<LogRowWriter> m_writer; // log_entries, on m_db; made when first needed
    // What Electric puts before the quoted id in this shape's keys (see shapeLogKeyPrefix);
    // empty until known. Set by prepare() on the caller's thread: apply() reads its part's copy.
    QByteArray m_keyPrefix;
};

} // namespace hivewatch
