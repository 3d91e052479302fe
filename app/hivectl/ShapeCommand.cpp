#include "app/hivectl/Command.h"

#include "domain/HiveTables.h"
#include "domain/TableName.h"
#include "sync/common/WorkerThread.h"
#include "sync/hive/HiveHistoryRecorder.h"
#include "sync/hive/HiveShapeRowSinks.h"
#include "sync/shape/ShapeStore.h"
#include "sync/shape/ShapeUrl.h"
#include "sync/shape/ShapeValue.h"
#include "sync/shape/ShapeWorker.h"
#include "sync/store/LogIndexBuilder.h"
#include "sync/store/LogStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace hivewatch {

namespace {

std::atomic<bool> g_interrupted {false};

constexpr qint64 kBoundedGiveUpMs = 30000; // --give-up-after's default with --follow-ms

void onSignal(int)
{
    g_interrupted = true;
}

struct SyncOptions
{
    ShapeDefinition definition;
    ShapeEndpoint endpoint;
    QString dbPath;
    std::optional<qint64> followMs; // nullopt: until SIGINT/SIGTERM
    std::optional<qint64> giveUpAfterMs; // nullopt: retry for as long as it runs
    QString giveUpAfterText; // as the user wrote it, for the message
    qint64 requestTimeoutMs = 0; // 0: the stream's defaults
    qint64 liveTimeoutMs = 0;
    bool dump = false;
    bool index = false;
    enum class History { HiveTables, Always, Never } history = History::HiveTables;
};

// "500ms", "30s", "2m", "1h" (fractions allowed) in milliseconds; nullopt when malformed.
std::optional<qint64> parseDuration(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d+(?:\\.\\d+)?)(ms|s|m|h)$"));
    const QRegularExpressionMatch match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return std::nullopt;
    const double value = match.captured(1).toDouble();
    const QString unit = match.captured(2);
    const double factor = unit == QLatin1String("ms") ? 1
        : unit == QLatin1String("s")                  ? 1000
        : unit == QLatin1String("m")                  ? 60000
                                                      : 3600000;
    const double ms = value * factor;
    if (ms > double(std::numeric_limits<int>::max()))
        return std::nullopt;
    return qint64(ms);
}

int usageError(const QString &message)
{
    QTextStream(stderr) << "hivectl shape sync: " << message << "\n"
                        << "Run 'hivectl shape sync --help' for the options.\n";
    return 2;
}

// Parses the command line into options; returns an exit status when it should stop right away.
std::optional<int> parseSyncOptions(const QStringList &args, SyncOptions &options)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Sync one Electric shape into the local store, follow it live, and optionally print it.\n\n"
        "--url is either Electric's endpoint (…/v1/shape, with --table) or a proxy shape URL\n"
        "(…/v1/shape/<table>, no --table; use --token or --token-command). The URL's query\n"
        "string (e.g. Electric Cloud's ?source_id=…&secret=…) is kept on every request. With\n"
        "--dump the materialized rows after the last up-to-date are printed as JSON lines sorted\n"
        "by key: {\"key\": …, \"value\": {…}}."));
    parser.addHelpOption();
    parser.addOptions({
        {QStringLiteral("url"), QStringLiteral("Electric endpoint or proxy shape URL."),
         QStringLiteral("URL")},
        {QStringLiteral("table"), QStringLiteral("Table (Electric endpoint only)."),
         QStringLiteral("T")},
        {QStringLiteral("where"), QStringLiteral("Row filter, may use $1, $2, …"),
         QStringLiteral("W")},
        {QStringLiteral("param"), QStringLiteral("Value of $N in --where (repeatable)."),
         QStringLiteral("N=V")},
        {QStringLiteral("columns"),
         QStringLiteral("Comma-separated projection (must include the PK)."),
         QStringLiteral("a,b")},
        {QStringLiteral("replica"), QStringLiteral("default or full."), QStringLiteral("MODE")},
        {QStringLiteral("token"), QStringLiteral("Bearer token for the proxy."),
         QStringLiteral("T")},
        {QStringLiteral("token-command"),
         QStringLiteral("Shell command printing a bearer token; run when no token is known and "
                        "again when the server refuses the token (401)."),
         QStringLiteral("CMD")},
        {QStringLiteral("secret"), QStringLiteral("Electric API secret."), QStringLiteral("S")},
        {QStringLiteral("ca-file"),
         QStringLiteral("Extra trusted CA certificates (PEM) for https."), QStringLiteral("FILE")},
        {QStringLiteral("db"), QStringLiteral("Local store file (default: a temporary one)."),
         QStringLiteral("FILE")},
        {QStringLiteral("follow-ms"),
         QStringLiteral(
             "Follow live for N ms after the first up-to-date (0 = stop there; default: until "
             "SIGINT/SIGTERM)."),
         QStringLiteral("N")},
        {QStringLiteral("give-up-after"),
         QStringLiteral("Exit 1 with the last error when no successful response arrived for "
                        "this long (e.g. 500ms, 30s, 2m; default: 30s with --follow-ms, else "
                        "keep retrying)."),
         QStringLiteral("DURATION")},
        {QStringLiteral("request-timeout"),
         QStringLiteral("Abandon and retry a catch-up request that brings no status line and "
                        "headers within this time, or less than 100 bytes/s of body over it "
                        "(default: 60s)."),
         QStringLiteral("DURATION")},
        {QStringLiteral("live-timeout"),
         QStringLiteral("Restart a live request the server holds longer than this (default: "
                        "45s; Electric holds them about 20 s)."),
         QStringLiteral("DURATION")},
        {QStringLiteral("dump"), QStringLiteral("Print the materialized rows at the end.")},
        {QStringLiteral("history"),
         QStringLiteral("Record every change of the shape in the store's history table, "
                        "whatever its table (its status column: status). Without it only the "
                        "hive's tasks, nodes and assignments are recorded, as in the dashboard.")},
        {QStringLiteral("no-history"), QStringLiteral("Record no history, whatever the table.")},
        {QStringLiteral("index"),
         QStringLiteral("Keep the store's full-text log index just behind the writer while "
                        "syncing, as the dashboard does: ingest first (the index builder holds "
                        "the write lock at most 5% of the time while lines arrive), the rest when "
                        "the writer is idle. What is not indexed at exit is indexed by the next "
                        "run with --index or by Hivewatch; searches scan it meanwhile.")},
        {QStringLiteral("verbose"), QStringLiteral("Log every request to stderr.")},
    });
    QStringList argv = args.mid(1); // drop "shape": the parser wants a program name first
    argv[0] = QStringLiteral("hivectl shape sync");
    if (!parser.parse(argv))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));

    const QUrl url(parser.value(QStringLiteral("url")), QUrl::StrictMode);
    if (!url.isValid()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return usageError(QStringLiteral("--url must be an http(s) URL, got '%1'")
                              .arg(parser.value(QStringLiteral("url"))));
    options.endpoint = ShapeEndpoint::fromUrl(url);
    options.endpoint.bearerToken = parser.value(QStringLiteral("token"));
    options.endpoint.secret = parser.value(QStringLiteral("secret"));
    options.endpoint.caFile = parser.value(QStringLiteral("ca-file"));
    options.endpoint.tokenCommand = parser.value(QStringLiteral("token-command"));
    if (parser.isSet(QStringLiteral("token-command"))
        && options.endpoint.tokenCommand.trimmed().isEmpty())
        return usageError(QStringLiteral("--token-command must not be empty"));
    if (parser.isSet(QStringLiteral("give-up-after"))) {
        options.giveUpAfterText = parser.value(QStringLiteral("give-up-after"));
        options.giveUpAfterMs = parseDuration(options.giveUpAfterText);
        if (!options.giveUpAfterMs || *options.giveUpAfterMs <= 0)
            return usageError(QStringLiteral("--give-up-after must be a duration such as 500ms, "
                                             "30s or 2m, got '%1'")
                                  .arg(options.giveUpAfterText));
    }
    for (const auto &[name, target] :
         {std::pair {QStringLiteral("request-timeout"), &options.requestTimeoutMs},
          std::pair {QStringLiteral("live-timeout"), &options.liveTimeoutMs}}) {
        if (!parser.isSet(name))
            continue;
        const auto ms = parseDuration(parser.value(name));
        if (!ms || *ms <= 0)
            return usageError(
                QStringLiteral("--%1 must be a duration such as 500ms, 30s or 2m, got '%2'")
                    .arg(name, parser.value(name)));
        *target = *ms;
    }
    ShapeDefinition &definition = options.definition;
    if (options.endpoint.style == ShapeEndpoint::Style::Electric) {
        definition.table = parser.value(QStringLiteral("table"));
        if (definition.table.isEmpty())
            return usageError(
                QStringLiteral("--table is required with an Electric endpoint URL (…/v1/shape)"));
    } else {
        if (parser.isSet(QStringLiteral("table")))
            return usageError(QStringLiteral(
                "--table cannot be used with a proxy shape URL (…/v1/shape/<table>)"));
        definition.table = options.endpoint.proxyTable();
    }
    definition.where = parser.value(QStringLiteral("where"));
    QMap<int, QString> params;
    for (const QString &param : parser.values(QStringLiteral("param"))) {
        const qsizetype equals = param.indexOf(QLatin1Char('='));
        bool ok = false;
        const int index = equals > 0 ? param.left(equals).toInt(&ok) : 0;
        if (!ok || index < 1)
            return usageError(
                QStringLiteral("--param must look like N=VALUE with N >= 1, got '%1'").arg(param));
        params.insert(index, param.mid(equals + 1));
    }
    for (int i = 1; i <= params.size(); ++i) {
        if (!params.contains(i))
            return usageError(
                QStringLiteral("--param %1=… is missing (parameters must be numbered 1..n)")
                    .arg(i));
        definition.params << params.value(i);
    }
    if (parser.isSet(QStringLiteral("columns")))
        definition.columns
            = parser.value(QStringLiteral("columns")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const QString replica = parser.value(QStringLiteral("replica"));
    if (replica == QLatin1String("full"))
        definition.replica = ShapeDefinition::Replica::Full;
    else if (!replica.isEmpty() && replica != QLatin1String("default"))
        return usageError(
            QStringLiteral("--replica must be default or full, got '%1'").arg(replica));
    options.dbPath = parser.value(QStringLiteral("db"));
    if (parser.isSet(QStringLiteral("follow-ms"))) {
        bool ok = false;
        const qint64 ms = parser.value(QStringLiteral("follow-ms")).toLongLong(&ok);
        if (!ok || ms < 0)
            return usageError(QStringLiteral("--follow-ms must be a number of milliseconds >= 0"));
        options.followMs = ms;
        if (!options.giveUpAfterMs) {
            // A bounded run must end, whatever the server does.
            options.giveUpAfterMs = kBoundedGiveUpMs;
            options.giveUpAfterText = QStringLiteral("30s");
        }
    }
    options.dump = parser.isSet(QStringLiteral("dump"));
    options.index = parser.isSet(QStringLiteral("index"));
    if (parser.isSet(QStringLiteral("history")) && parser.isSet(QStringLiteral("no-history")))
        return usageError(QStringLiteral("--history and --no-history exclude each other"));
    if (parser.isSet(QStringLiteral("history")))
        options.history = SyncOptions::History::Always;
    else if (parser.isSet(QStringLiteral("no-history")))
        options.history = SyncOptions::History::Never;
    if (!parser.isSet(QStringLiteral("verbose")) && !qEnvironmentVariableIsSet("QT_LOGGING_RULES"))
        // The sync layer's own warnings repeat what this command prints from the shape's status
        // and warning signals: each failure once (--verbose shows them all).
        QLoggingCategory::setFilterRules(QStringLiteral(
            "hivewatch.*.debug=false\nhivewatch.*.info=false\nhivewatch.sync.warning=false"));
    return std::nullopt;
}

// Prints the stored rows of the shape as the --dump JSON lines; returns false on a store error.
bool dumpRows(const SyncOptions &options, const QString &storePath)
{
    auto logStore = LogStore::open(storePath, LogStore::Access::ReadWrite);
    if (!logStore) {
        QTextStream(stderr) << "hivectl shape sync: " << logStore.error().toString() << "\n";
        return false;
    }
    ShapeStore store(*logStore.value());
    const QString name = options.definition.effectiveName();
    auto stored = store.load(name, ShapeUrl::shapeKey(options.endpoint, options.definition),
                             hiveShapeRowSinks()(options.definition));
    if (!stored || !stored.value()) {
        QTextStream(stderr) << "hivectl shape sync: nothing stored for shape " << name << "\n";
        return false;
    }
    const ShapeSchema schema = stored.value()->schema;
    QStringList problems;
    auto visited = store.forEachRow(name, [&](const QString &key, const RawRow &row) {
        QVariantMap line;
        line.insert(QStringLiteral("key"), key);
        line.insert(QStringLiteral("value"), ShapeValue::typedRow(schema, row, &problems));
        const QByteArray text = ShapeValue::toDumpJson(line) + '\n';
        std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
    });
    std::fflush(stdout);
    for (const QString &problem : std::as_const(problems))
        QTextStream(stderr) << "hivectl shape sync: warning: " << problem << "\n";
    if (!visited) {
        QTextStream(stderr) << "hivectl shape sync: " << visited.error().toString() << "\n";
        return false;
    }
    return true;
}

int runSync(const QStringList &args)
{
    SyncOptions options;
    if (const auto exit = parseSyncOptions(args, options))
        return *exit;

    QTemporaryDir tempDir;
    const QString storePath = options.dbPath.isEmpty()
        ? tempDir.filePath(QStringLiteral("shapes.sqlite"))
        : options.dbPath;
    const QString name = options.definition.effectiveName();
    QTextStream err(stderr);

    auto worker = std::make_unique<ShapeWorker>(storePath);
    worker->setRequestTimeouts(int(options.requestTimeoutMs), int(options.liveTimeoutMs));
    worker->setRowSinks(hiveShapeRowSinks());
    switch (options.history) {
    case SyncOptions::History::HiveTables:
        worker->setChangeRecorders(hiveChangeRecorders());
        break;
    case SyncOptions::History::Always:
        worker->setChangeRecorders([](const ShapeDefinition &definition) {
            return std::make_unique<HiveHistoryRecorder>(bareTableName(definition.table),
                                                         QByteArrayLiteral("status"));
        });
        break;
    case SyncOptions::History::Never:
        break;
    }
    // --index: the builder follows the writer on a thread of its own, over its own connection.
    // The store is created first, so the builder does not start by backing off from a missing
    // file.
    std::unique_ptr<LogIndexBuilder> indexBuilder;
    WorkerThread indexThread(QStringLiteral("log index"));
    if (options.index) {
        if (auto created = LogStore::open(storePath, LogStore::Access::ReadWrite); !created) {
            err << "hivectl shape sync: " << created.error().toString() << "\n";
            return 1;
        }
        indexBuilder
            = std::make_unique<LogIndexBuilder>(storePath, LogIndexBuilder::kFollowerChunkRows);
        indexBuilder->setFollow(true);
        indexThread.start();
        indexThread.post([builder = indexBuilder.get()] { builder->run(); });
    }
    int exitCode = 0;
    bool sawUpToDate = false;
    bool reachedUpToDate = false; // this run, whatever --follow-ms says
    QTimer followTimer;
    followTimer.setSingleShot(true);
    QObject::connect(&followTimer, &QTimer::timeout, qApp, [] { QCoreApplication::exit(0); });
    QObject::connect(worker.get(), &ShapeWorker::upToDate, qApp, [&](const QString &) {
        reachedUpToDate = true;
        if (sawUpToDate || !options.followMs)
            return;
        sawUpToDate = true;
        if (*options.followMs == 0)
            QCoreApplication::exit(0);
        else
            followTimer.start(
                int(std::min<qint64>(*options.followMs, std::numeric_limits<int>::max())));
    });
    // --give-up-after: the clock runs from the last time the stream was not backing off (its
    // start, or the last answer that ended a run of errors).
    QElapsedTimer sinceSuccess;
    sinceSuccess.start();
    QString lastError;
    QTimer giveUpTimer;
    giveUpTimer.setSingleShot(true);
    QObject::connect(&giveUpTimer, &QTimer::timeout, qApp, [&] {
        err << "hivectl shape sync: giving up: no successful response for "
            << options.giveUpAfterText << "; last error: " << lastError << "\n";
        err.flush();
        QCoreApplication::exit(1);
    });
    // One line per failure: a shape's status is published again for every field that changes,
    // and a server failing the same way for minutes must not fill the terminal.
    bool failureReported = false;
    QString lastRetryText;
    int reportedAttempt = 0;
    QObject::connect(
        worker.get(), &ShapeWorker::statusChanged, qApp, [&](const ShapeStatus &status) {
            if (status.state == ShapeStatus::State::Failed) {
                if (!failureReported) {
                    failureReported = true;
                    err << "hivectl shape sync: " << status.errorText << "\n";
                    err.flush();
                }
                QCoreApplication::exit(1);
            } else if (status.state == ShapeStatus::State::BackingOff) {
                lastError = status.errorText;
                // "(retrying in 4 min)" counts down with an HTTP-date Retry-After: same failure.
                static const QRegularExpression when(
                    QStringLiteral(" \\(retrying in \\d+ min\\)$"));
                const QString failure = QString(status.errorText).remove(when);
                if (failure != lastRetryText) {
                    lastRetryText = failure;
                    reportedAttempt = status.retryAttempt;
                    err << "hivectl shape sync: " << status.errorText << " (retrying)\n";
                    err.flush();
                } else if (status.retryAttempt > reportedAttempt
                           && (status.retryAttempt == 10 || status.retryAttempt == 100
                               || status.retryAttempt % 1000 == 0)) {
                    // Following for hours: a count now and then instead of a line per attempt.
                    reportedAttempt = status.retryAttempt;
                    err << "hivectl shape sync: still failing after " << status.retryAttempt
                        << " attempts in a row: " << status.errorText << " (retrying)\n";
                    err.flush();
                }
                if (options.giveUpAfterMs && !giveUpTimer.isActive())
                    giveUpTimer.start(
                        int(std::max<qint64>(0, *options.giveUpAfterMs - sinceSuccess.elapsed())));
            } else if (status.state != ShapeStatus::State::Idle) {
                sinceSuccess.restart();
                giveUpTimer.stop();
            }
        });
    QObject::connect(worker.get(), &ShapeWorker::warning, qApp,
                     [&](const QString &, const QString &text) {
                         err << "hivectl shape sync: warning: " << text << "\n";
                         err.flush();
                     });

    g_interrupted = false;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    QTimer signalPoll;
    QObject::connect(&signalPoll, &QTimer::timeout, qApp, [&] {
        if (!g_interrupted)
            return;
        if (reachedUpToDate) {
            QCoreApplication::exit(0);
            return;
        }
        // What the store holds predates this run's answer: neither success nor rows to print.
        err << "hivectl shape sync: interrupted before the shape was up to date"
            << (lastError.isEmpty() ? QString()
                                    : QStringLiteral(" (last error: %1)").arg(lastError))
            << "\n";
        err.flush();
        QCoreApplication::exit(1);
    });
    signalPoll.start(50);

    // Inside the event loop, so a failure reported right away still ends it.
    QTimer::singleShot(0, worker.get(),
                       [&] { worker->addShape(options.definition, options.endpoint); });
    exitCode = QCoreApplication::exec();
    worker->shutdown(); // aborts requests; what was applied is committed, nothing half-written
    worker.reset();
    if (indexBuilder) {
        indexBuilder->stop(); // within a chunk; the mark keeps what was indexed
        indexThread.shutdown();
        qint64 behind = 0;
        if (auto store = LogStore::open(storePath, LogStore::Access::ReadOnly)) {
            if (auto progress = store.value()->indexProgress())
                behind = progress.value().tail();
        }
        if (behind > 0)
            err << "hivectl shape sync: full-text index " << behind
                << " line(s) behind; the next run with --index or Hivewatch indexes them "
                   "(searches scan them meanwhile)\n";
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);

    if (exitCode == 0 && options.dump && !dumpRows(options, storePath))
        return 1;
    return exitCode;
}

} // namespace

int runShapeCommand(const QStringList &args)
{
    const QString sub = args.value(1);
    if (sub == QLatin1String("sync"))
        return runSync(args);
    QTextStream err(stderr);
    if (sub.isEmpty() || sub == QLatin1String("--help") || sub == QLatin1String("-h")) {
        QTextStream(sub.isEmpty() ? stderr : stdout)
            << "Usage: hivectl shape sync --url URL [--table T] [options]\n"
               "Run 'hivectl shape sync --help' for the options.\n";
        return sub.isEmpty() ? 2 : 0;
    }
    err << "hivectl shape: unknown subcommand '" << sub << "'\n";
    return 2;
}

} // namespace hivewatch
