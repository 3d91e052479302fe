// Live latency of the shape consumer: from a Postgres COMMIT returning to the ShapeBatch holding
// that row arriving on the receiving (GUI) thread through ShapeClient. Prints median and p99.
//   bench_shape_live_latency CONNINFO SHAPE_URL [SAMPLES]
#include "sync/pg/PgConnection.h"
#include "sync/shape/ShapeClient.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>

using namespace hivewatch;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(
        QStringLiteral("hivewatch.*.debug=false\nhivewatch.*.info=false"));
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        QTextStream(stderr) << "usage: bench_shape_live_latency CONNINFO SHAPE_URL [SAMPLES]\n";
        return 2;
    }
    const int samples = args.value(3, QStringLiteral("100")).toInt();
    auto pg = PgConnection::connect(args[1]);
    if (!pg) {
        QTextStream(stderr) << pg.error().toString() << "\n";
        return 1;
    }
    const QString assignment
        = pg.value()
              ->exec(QStringLiteral("SELECT id::text FROM node_task_assignments LIMIT 1"))
              ->text(0, 0);

    QTemporaryDir dir;
    ShapeClient client(dir.filePath(QStringLiteral("bench.sqlite")));
    ShapeDefinition definition;
    definition.name = QStringLiteral("latency");
    definition.table = QStringLiteral("node_task_progress_events");
    QElapsedTimer clock;
    clock.start();
    qint64 committedAt = -1;
    bool live = false;
    QList<double> latencies;

    auto insertOne = [&] {
        const auto result = pg.value()->exec(
            QStringLiteral(
                "INSERT INTO node_task_progress_events (assignment_id, event_type, message) "
                "VALUES ($1, 'bench', 'latency probe')"),
            {assignment});
        committedAt = clock.nsecsElapsed(); // the COMMIT (autocommit) has returned
        if (!result)
            QCoreApplication::exit(1);
    };
    QObject::connect(&client, &ShapeClient::statusChanged, &app, [&](const ShapeStatus &status) {
        if (!live && status.state == ShapeStatus::State::Live) {
            live = true;
            QTimer::singleShot(300, &app, insertOne);
        }
        if (status.state == ShapeStatus::State::Failed) {
            QTextStream(stderr) << status.errorText << "\n";
            QCoreApplication::exit(1);
        }
    });
    QObject::connect(&client, &ShapeClient::batchReady, &app, [&](const ShapeBatch &batch) {
        if (committedAt < 0 || batch.reset || batch.changes.isEmpty())
            return;
        latencies.append(double(clock.nsecsElapsed() - committedAt) / 1e6);
        committedAt = -1;
        if (latencies.size() >= samples)
            QCoreApplication::exit(0);
        else
            QTimer::singleShot(50, &app, insertOne); // let the next long poll start first
    });
    client.addShape(definition, ShapeEndpoint::electric(QUrl(args[2])));
    const int rc = app.exec();
    client.stop();
    if (rc != 0 || latencies.isEmpty())
        return 1;
    std::sort(latencies.begin(), latencies.end());
    const double median = latencies[latencies.size() / 2];
    const double p99
        = latencies[std::min<qsizetype>(latencies.size() - 1, qsizetype(latencies.size() * 0.99))];
    QTextStream(stdout) << QStringLiteral("{\"samples\": %1, \"medianMs\": %2, \"p99Ms\": %3}\n")
                               .arg(latencies.size())
                               .arg(median, 0, 'f', 2)
                               .arg(p99, 0, 'f', 2);
    return 0;
}
