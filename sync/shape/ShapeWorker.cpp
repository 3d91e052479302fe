#include "sync/shape/ShapeWorker.h"

#include "sync/shape/PendingChanges.h"
#include "sync/shape/ShapeStore.h"
#include "sync/shape/ShapeStream.h"
#include "sync/shape/ShapeUrl.h"
#include "sync/shape/ShapeValue.h"
#include "sync/shape/SyncLog.h"
#include "sync/store/LogStore.h"

#include <QNetworkAccessManager>
#include <QTemporaryDir>

namespace hivewatch {

struct ShapeWorker::Shape
{
    ShapeDefinition definition;
    ShapeEndpoint endpoint;
    QString key;
    std::unique_ptr<ShapeStream> stream;
    ShapeStatus status;
    // Parts of the batch in progress (ShapeStream::changesPending), already in the store's open
    // transaction; kept only when someone listens to batchReady.
    PendingChanges pendingApplied;
    qsizetype pendingCount = 0; // changes in those parts (counted when rows are not kept)
    bool batchesCarryRows = true; // false: its sink's readers read its rows (ShapeRowSink)
    bool hasSink = false; // its rows go to a ShapeRowSink (which reads whole rows)
    bool pendingReset = false;
    bool restartOnResume = false; // paused half-way through a snapshot: its parts were dropped
    bool snapshotDropped = false; // failed half-way through a snapshot: its parts were dropped
    QHash<QString, qint64> warningsSeen; // per distinct text, for logging without a flood
    bool warningsCapped = false;
};

ShapeWorker::ShapeWorker(const QString &storePath, QObject *parent)
    : QObject(parent)
    , m_storePath(storePath)
{
    registerShapeBatchMetaTypes();
    qRegisterMetaType<ShapeStatus>();
}

ShapeWorker::~ShapeWorker()
{
    shutdown();
}

bool ShapeWorker::ensureStore(QString *error)
{
    if (m_store)
        return true;
    QString path = m_storePath;
    if (path.isEmpty()) {
        m_tempDir = std::make_unique<QTemporaryDir>();
        path = m_tempDir->filePath(QStringLiteral("shapes.sqlite"));
    }
    auto opened = LogStore::open(path, LogStore::Access::ReadWrite);
    if (!opened) {
        *error = opened.error().toString();
        return false;
    }
    m_logStore = std::move(opened).value();
    auto store = std::make_unique<ShapeStore>(*m_logStore);
    if (auto migrated = store->migrate(); !migrated) {
        *error = migrated.error().toString();
        m_logStore.reset();
        return false;
    }
    m_store = std::move(store);
    return true;
}

QNetworkAccessManager *ShapeWorker::networkFor(const QString &shapeName)
{
    // Not one manager for all shapes: Qt's HTTP/1.1 opens at most six connections per host and
    // manager, and a live shape holds one for its whole long poll (20 s on Electric). With seven
    // shapes on one host, requests queued behind long polls: in bench_ui_stall the 200-row
    // nodes shape went live after 18.6 s instead of 1.6 s, and the 1M-line log shape's chunks
    // waited the same way (docs/benchmarks.md, "Dashboard"). A manager per shape gives each its
    // own connection, as Node's fetch (no per-host limit) does under Electric's official client.
    QNetworkAccessManager *&network = m_networks[shapeName];
    if (!network)
        network = new QNetworkAccessManager(this); // no cache attached: nothing is replayed
    return network;
}

bool ShapeWorker::wantsBatches() const
{
    return m_emitRows;
}

bool ShapeWorker::wantsRows(const Shape &shape) const
{
    // Some shapes' batches say how much changed, not what: their readers page the sink's table.
    return wantsBatches() && shape.batchesCarryRows;
}

std::unique_ptr<ShapeRowSink> ShapeWorker::makeSink(Shape &shape) const
{
    std::unique_ptr<ShapeRowSink> sink = m_sinks ? m_sinks(shape.definition) : nullptr;
    shape.batchesCarryRows = !sink || sink->batchesCarryRows();
    shape.hasSink = sink != nullptr;
    return sink;
}

void ShapeWorker::addShape(const ShapeDefinition &definition, const ShapeEndpoint &endpoint)
{
    if (m_shutDown)
        return;
    const QString name = definition.effectiveName();
    removeShape(name);

    auto shape = std::make_shared<Shape>();
    shape->definition = definition;
    shape->endpoint = endpoint;
    shape->key = ShapeUrl::shapeKey(endpoint, definition);
    shape->status.shapeName = name;
    m_shapes.insert(name, shape);

    QString error;
    if (!ensureStore(&error)) {
        failShape(*shape, error);
        return;
    }
    auto stored = m_store->load(name, shape->key, makeSink(*shape));
    if (!stored) {
        failShape(*shape, stored.error().toString());
        return;
    }
    if (auto recording
        = m_store->setRecorder(name, m_recorders ? m_recorders(definition) : nullptr);
        !recording) {
        failShape(*shape, recording.error().toString());
        return;
    }
    shape->stream = std::make_unique<ShapeStream>(definition, endpoint, networkFor(name));
    ShapeStream::Options options;
    if (m_flushThreshold > 0)
        options.flushThreshold = m_flushThreshold;
    if (m_requestTimeoutMs > 0)
        options.requestTimeoutMs = m_requestTimeoutMs;
    if (m_liveTimeoutMs > 0)
        options.liveTimeoutMs = m_liveTimeoutMs;
    // Rows nobody reads are only stored: the store would rebuild them anyway when asked.
    options.insertsAsJson = !wantsRows(*shape) && !shape->hasSink;
    // Such rows are stored while the rest of their chunk is parsed (docs/benchmarks.md, "The
    // task shape: parts handed out while parsed"). A sink's too, so a 10 MiB chunk of log lines
    // is not held parsed whole beside its prepared rows.
    if (options.insertsAsJson || shape->hasSink)
        options.sliceRows = 8192; // ~25 ms of the writer's; 4096 and 16384 measured slower
    shape->stream->setOptions(options);
    if (stored.value()) {
        const StoredShape &saved = *stored.value();
        shape->stream->resumeFrom(saved.handle, saved.offset, saved.schema);
        showSaved(*shape, saved);
    }
    ShapeStream *stream = shape->stream.get();
    connect(stream, &ShapeStream::updateReady, this,
            [this, name](const ShapeUpdate &update) { onUpdate(name, update); });
    connect(stream, &ShapeStream::changesPending, this,
            [this, name](const ShapeUpdate &part) { onPart(name, part); });
    connect(stream, &ShapeStream::mustRefetch, this, [this, name] {
        // The dead snapshot's parts go; the consumers never saw them.
        if (auto it = m_shapes.find(name); it != m_shapes.end())
            dropPartial(**it);
    });
    connect(stream, &ShapeStream::stateChanged, this, [this, name] {
        const auto it = m_shapes.find(name);
        if (it == m_shapes.end())
            return;
        Shape &shape = **it;
        if (shape.stream->state() == ShapeStatus::State::Failed && dropPartial(shape))
            shape.snapshotDropped = true;
        publishStatus(shape);
    });
    connect(stream, &ShapeStream::warning, this, [this, name](const QString &text) {
        if (auto it = m_shapes.find(name); it != m_shapes.end())
            noteWarning(**it, text, 1);
    });
    stream->start();
    publishStatus(*shape);
}

void ShapeWorker::removeShape(const QString &name)
{
    const auto shape = m_shapes.take(name);
    if (shape && shape->stream)
        shape->stream->stop();
    if (shape && m_store) {
        if (auto abandoned = m_store->abandon(name); !abandoned)
            storeFailed(abandoned.error().toString());
    }
}

void ShapeWorker::showStoredShape(const ShapeDefinition &definition, const ShapeEndpoint &endpoint)
{
    if (m_shutDown)
        return;
    Shape shape;
    shape.definition = definition;
    shape.status.shapeName = definition.effectiveName();
    removeShape(shape.status.shapeName);
    QString error;
    auto stored = ensureStore(&error)
        ? m_store->load(shape.status.shapeName, ShapeUrl::shapeKey(endpoint, definition),
                        makeSink(shape))
        : Result<std::optional<StoredShape>>(Error(error));
    if (!stored) {
        failShape(shape, stored.error().toString());
        return;
    }
    if (stored.value())
        showSaved(shape, *stored.value());
    emit statusChanged(shape.status);
}

void ShapeWorker::pauseAll()
{
    for (const auto &shape : std::as_const(m_shapes)) {
        if (!shape->stream)
            continue;
        shape->stream->pause();
        // Its stream would resume in the middle of a snapshot whose first parts are gone.
        if (dropPartial(*shape))
            shape->restartOnResume = true;
    }
}

void ShapeWorker::resumeAll()
{
    QList<std::shared_ptr<Shape>> restarts;
    for (const auto &shape : std::as_const(m_shapes)) {
        if (shape->restartOnResume)
            restarts.append(shape);
        else if (shape->stream)
            shape->stream->resume();
    }
    for (const auto &shape : std::as_const(restarts))
        addShape(shape->definition, shape->endpoint); // from the saved -1: a fresh snapshot
}

void ShapeWorker::shutdown()
{
    if (m_shutDown)
        return;
    m_shutDown = true;
    blockSignals(true);
    for (const auto &shape : std::as_const(m_shapes)) {
        if (shape->stream)
            shape->stream->stop();
    }
    m_shapes.clear();
    if (m_store) {
        m_store->leaveCheckpoints(); // to the next open: shutting down must not wait for one
        m_store->rollback(); // only half-received snapshots are uncommitted; they resync
    }
    qDeleteAll(std::exchange(m_networks, {}));
    m_store.reset();
    m_logStore.reset();
}

void ShapeWorker::showSaved(Shape &shape, const StoredShape &saved)
{
    shape.status.rowCount = saved.rowCount;
    shape.status.lastSyncedAt = saved.lastSyncedAt;
    shape.status.handle = saved.handle;
    shape.status.offset = saved.offset;
    if (saved.offset != QLatin1String("-1")) // -1: a snapshot was cut off; its rows will go
        emitStoredRows(shape, saved.schema);
}

void ShapeWorker::emitStoredRows(Shape &shape, const ShapeSchema &rowSchema)
{
    // Instant resume: what the store holds is shown before the network answers. A shape whose
    // readers read its sink's table (the log views page log_entries) is not replayed here.
    if (!wantsRows(shape))
        return;
    ShapeBatch batch;
    batch.shapeName = shape.status.shapeName;
    batch.reset = true;
    batch.handle = shape.status.handle;
    batch.offset = shape.status.offset;
    batch.receivedAt = shape.status.lastSyncedAt;
    ShapeRow::Columns columns;
    auto visited = m_store->forEachRow(batch.shapeName, [&](const QString &key, const RawRow &row) {
        batch.changes.append({RowChange::Operation::Insert, key,
                              ShapeValue::typedShapeRow(rowSchema, row, columns)});
    });
    if (!visited) {
        qCWarning(lcSync) << batch.shapeName << visited.error().toString();
        return;
    }
    emit batchReady(batch);
}

void ShapeWorker::onPart(const QString &name, const ShapeUpdate &part)
{
    const auto it = m_shapes.find(name);
    if (it == m_shapes.end())
        return;
    Shape &shape = **it;
    shape.pendingReset = shape.pendingReset || part.reset;
    shape.pendingCount += part.changes.size();
    QList<AppliedChange> applied;
    auto written = m_store->write(name, part, wantsRows(shape) ? &applied : nullptr);
    if (!written) {
        storeFailed(written.error().toString());
        return;
    }
    for (AppliedChange &change : applied) {
        shape.pendingApplied.append(change);
        change.row = RawRow(); // the part's rows are not all held twice
    }
}

void ShapeWorker::onUpdate(const QString &name, const ShapeUpdate &update)
{
    const auto it = m_shapes.find(name);
    if (it == m_shapes.end())
        return;
    Shape &shape = **it;
    const bool reset = update.reset || shape.pendingReset;
    const qsizetype changeCount = shape.pendingCount + update.changes.size();
    const bool changed = reset || changeCount > 0;
    if (changed || update.offset != shape.status.offset) {
        const bool batches = wantsBatches();
        PendingChanges pending = std::move(shape.pendingApplied);
        shape.pendingApplied.clear();
        QList<AppliedChange> applied;
        shape.pendingCount = 0;
        shape.pendingReset = false;
        auto written = m_store->write(name, update, wantsRows(shape) ? &applied : nullptr);
        auto rows
            = written ? m_store->commit(name, shape.key, update) : Result<qint64>(written.error());
        if (!rows) {
            storeFailed(rows.error().toString());
            return;
        }
        shape.status.rowCount = rows.value();
        if (batches && changed) {
            ShapeBatch batch;
            batch.shapeName = name;
            batch.reset = reset;
            batch.handle = update.handle;
            batch.offset = update.offset;
            batch.receivedAt = update.receivedAt;
            if (!shape.batchesCarryRows)
                batch.storedChangeCount = changeCount;
            batch.changes.reserve(pending.size() + applied.size());
            QStringList problems;
            ShapeRow::Columns columns;
            auto type = [&](const AppliedChange &change) {
                batch.changes.append(
                    {change.operation, change.key,
                     ShapeValue::typedShapeRow(update.schema, change.row, columns, &problems)});
            };
            // A snapshot's pending and typed rows are not held whole at once: each block of
            // the pending ones is freed once typed.
            pending.drain(type);
            for (AppliedChange &change : applied) {
                type(change);
                change.row = RawRow();
            }
            // One row's problem usually repeats in every row: count it, say it once.
            QHash<QString, qint64> counts;
            QStringList distinct;
            for (const QString &problem : std::as_const(problems)) {
                if (counts[problem]++ == 0)
                    distinct.append(problem);
            }
            for (const QString &problem : std::as_const(distinct))
                noteWarning(shape, problem, counts.value(problem));
            emit batchReady(batch);
        }
    }
    shape.status.lastSyncedAt = update.receivedAt;
    publishStatus(shape);
    emit upToDate(name);
}

void ShapeWorker::storeFailed(const QString &error)
{
    // Every shape shares the store's transaction: roll it all back (the store keeps the last
    // committed, consistent state) and stop every shape; starting them again resumes from it.
    m_store->rollback();
    for (const auto &shape : std::as_const(m_shapes)) {
        shape->pendingApplied.clear();
        shape->pendingCount = 0;
        shape->pendingReset = false;
        failShape(*shape, error);
    }
}

bool ShapeWorker::dropPartial(Shape &shape)
{
    shape.pendingApplied.clear();
    shape.pendingCount = 0;
    shape.pendingReset = false;
    const QString &name = shape.status.shapeName;
    if (!m_store || !m_store->isPartial(name))
        return false;
    qCInfo(lcSync) << name << "stopped half-way through a snapshot; dropping its stored part";
    if (auto abandoned = m_store->abandon(name); !abandoned)
        storeFailed(abandoned.error().toString());
    return true;
}

void ShapeWorker::failShape(Shape &shape, const QString &error)
{
    if (shape.stream)
        shape.stream->stop();
    shape.status.state = ShapeStatus::State::Failed;
    shape.status.errorText = error;
    shape.status.retryAt = {};
    emit statusChanged(shape.status);
}

void ShapeWorker::noteWarning(Shape &shape, const QString &text, qint64 count)
{
    const QString &name = shape.status.shapeName;
    shape.status.warningCount += count;
    shape.status.lastWarning = text;
    shape.status.lastWarningAt = QDateTime::currentDateTimeUtc();
    // Logged the first time and whenever its count passes a power of ten: a problem in every
    // row of a million-row shape makes seven lines, not a million.
    constexpr qsizetype kMaxDistinct = 1000; // texts that name a value may never repeat
    auto seen = shape.warningsSeen.find(text);
    if (seen == shape.warningsSeen.end()) {
        if (shape.warningsSeen.size() < kMaxDistinct) {
            shape.warningsSeen.insert(text, count);
            qCWarning(lcSync).noquote()
                << name << ":" << text
                << (count > 1 ? QStringLiteral("(%1 times)").arg(count) : QString());
        } else if (!shape.warningsCapped) {
            shape.warningsCapped = true;
            qCWarning(lcSync).noquote() << name << ": more than" << kMaxDistinct
                                        << "distinct warnings; only counting them from now on";
        }
    } else {
        const qint64 before = *seen;
        *seen += count;
        qint64 step = 10;
        while (step <= before)
            step *= 10;
        if (*seen >= step)
            qCWarning(lcSync).noquote()
                << name << ":" << text << QStringLiteral("(%1 times so far)").arg(*seen);
    }
    emit warning(name, text);
    // A status per text, so that a listener can tell the counts of several texts apart.
    emit statusChanged(shape.status);
}

void ShapeWorker::publishStatus(Shape &shape)
{
    if (!shape.stream)
        return;
    const ShapeStream &stream = *shape.stream;
    if (shape.status.state == ShapeStatus::State::Failed
        && stream.state() == ShapeStatus::State::Idle)
        return; // keep showing the store failure that stopped the stream
    shape.status.state = stream.state();
    shape.status.problem = stream.problem();
    shape.status.errorText = stream.errorText();
    shape.status.retryAt = stream.retryAt();
    shape.status.retryAttempt = stream.retryAttempt();
    shape.status.handle = stream.handle();
    shape.status.offset = stream.offset();
    if (shape.status.state == ShapeStatus::State::Failed && shape.snapshotDropped)
        shape.status.errorText += QStringLiteral(
            " — the part of its snapshot received so far was dropped; it syncs again from the "
            "start when restarted");
    emit statusChanged(shape.status);
}

} // namespace hivewatch
