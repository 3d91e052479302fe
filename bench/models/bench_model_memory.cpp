// bench_model_memory: the heap the dashboard's task and assignment models (and one sorted proxy
// over the tasks) hold for rows shaped like bench_ui_stall's seed
// (tests/support/sql/hive_seed.sql), counted by glibc's mallinfo2 on one thread, so the figure does
// not move with the machine's load. Also the heap in use while the snapshot's batch and the model's
// rows are both alive.
#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveFilterProxy.h"
#include "models/hive/TaskModel.h"

#include <QCoreApplication>

#include <cstdio>
#include <malloc.h>

using namespace hivewatch;

namespace {

qint64 heapInUse()
{
    const struct mallinfo2 info = mallinfo2();
    return qint64(info.uordblks + info.hblkhd);
}

QString uuid(const char *kind, qint64 n)
{
    return QStringLiteral("%1-0000-4000-8000-%2")
        .arg(QString::fromLatin1(kind).left(8).leftJustified(8, QLatin1Char('0')))
        .arg(n, 12, 10, QLatin1Char('0'));
}

QString time(qint64 minutes)
{
    return QDateTime(QDate(2025, 12, 1), QTime(8, 0), Qt::UTC)
        .addSecs(minutes * 60)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss+00"));
}

RowChange insert(const QString &table, const QString &id, ShapeRow row)
{
    RowChange change;
    change.key = QStringLiteral(R"("public"."%1"/"%2")").arg(table, id);
    change.operation = RowChange::Operation::Insert;
    change.value = std::move(row);
    return change;
}

ShapeBatch tasks(qint64 count)
{
    static const char *statuses[] = {"todo", "in-progress", "in-review", "done", "cancelled"};
    // One column list for all rows, as the shape consumer's typed rows share theirs.
    const auto columns = std::make_shared<const QStringList>(
        QStringList {"id", "title", "status", "project_id", "assignee_user_id", "version",
                     "updated_at", "deleted_at", "archived_at", "description", "created_at",
                     "organization_id", "creator_user_id", "deleted_by_user_id", "shared_at"});
    ShapeBatch batch;
    batch.shapeName = QStringLiteral("shared_tasks");
    batch.reset = true;
    for (qint64 t = 1; t <= count; ++t) {
        const QString id = uuid("task", t);
        const QVariant description = t % 6 == 0 ? QVariant()
            : t % 6 == 1
            ? QVariant(QString())
            : QVariant(QStringLiteral("Steps:\n1. reproduce\n2. fix (#%1)\n\n\"quoted\", "
                                      "back\\slash, tab\there")
                           .arg(t));
        batch.changes.append(insert(
            batch.shapeName, id,
            ShapeRow(columns,
                     {id, QStringLiteral("Task %1: fix flaky test").arg(t),
                      QString::fromLatin1(statuses[t % 5]), uuid("project", (t - 1) % 100 + 1),
                      t % 4 == 0 ? QVariant() : QVariant(uuid("user", t % 30 + 1)),
                      qlonglong(1 + t % 4), time(t + 60), QVariant(),
                      t % 8 == 0 ? QVariant() : QVariant(time(2 * t)), description, time(t),
                      uuid("org", (t - 1) % 10 + 1), uuid("user", t % 30 + 1),
                      t % 17 == 0 ? QVariant(uuid("user", 1)) : QVariant(), time(t + 1)})));
    }
    return batch;
}

ShapeBatch assignments(qint64 count, qint64 taskCount)
{
    static const char *statuses[] = {"completed", "failed", "cancelled"};
    const auto columns = std::make_shared<const QStringList>(
        QStringList {"id", "task_id", "node_id", "execution_status", "assigned_at", "started_at",
                     "completed_at", "node_project_id"});
    ShapeBatch batch;
    batch.shapeName = QStringLiteral("node_task_assignments");
    batch.reset = true;
    for (qint64 a = 1; a <= count; ++a) {
        const QString id = uuid("assignment", a);
        const qint64 p = ((a - 1) % taskCount) % 100 + 1;
        batch.changes.append(
            insert(batch.shapeName, id,
                   ShapeRow(columns,
                            {id, uuid("task", (a - 1) % taskCount + 1), uuid("node", p % 200 + 1),
                             QString::fromLatin1(statuses[a % 3]), time(a / 2), time(a / 2 + 1),
                             time(a / 2 + 20), uuid("node_project", p)})));
    }
    return batch;
}

void report(const char *what, qint64 rows, qint64 bytes)
{
    std::printf("%-44s %8lld rows %8.1f MiB %6lld bytes/row\n", what, static_cast<long long>(rows),
                bytes / 1048576.0, static_cast<long long>(bytes / std::max<qint64>(rows, 1)));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const qint64 taskCount = 100000;
    const qint64 assignmentCount = 50000;

    TaskModel taskModel;
    AssignmentModel assignmentModel;
    qint64 before = heapInUse();
    {
        const ShapeBatch batch = tasks(taskCount);
        const qint64 batchBytes = heapInUse() - before;
        report("task snapshot batch (ShapeBatch)", taskCount, batchBytes);
        const qint64 withBatch = heapInUse();
        taskModel.applyBatch(batch);
        report("task model + batch, both alive", taskCount, heapInUse() - before);
        report("  of which the model's rows", taskCount, heapInUse() - withBatch);
    }
    report("task model after the batch is freed", taskCount, heapInUse() - before);

    before = heapInUse();
    HiveFilterProxy proxy;
    proxy.setSourceModel(&taskModel);
    proxy.sort(TaskModel::Updated, Qt::DescendingOrder);
    report("one sorted proxy over the tasks", taskCount, heapInUse() - before);

    before = heapInUse();
    assignmentModel.applyBatch(assignments(assignmentCount, taskCount));
    report("assignment model after the batch is freed", assignmentCount, heapInUse() - before);
    return 0;
}
