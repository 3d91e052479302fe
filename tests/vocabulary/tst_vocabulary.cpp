#include "domain/StatusVocabularies.h"

#include <QTest>

using namespace hivewatch;

// Every spelling the hive or a node writes parses to the one value it means; unknown strings are
// kept and shown, and validation names field, value and allowed set.
class TestVocabulary : public QObject
{
    Q_OBJECT

private slots:
    void taskStatusAcceptsBothSpellings_data();
    void taskStatusAcceptsBothSpellings();
    void taskStatusWritesEachSidesSpelling();
    void executionStatusParses_data();
    void executionStatusParses();
    void nodeStatusParses_data();
    void nodeStatusParses();
    void assignmentStatusParses_data();
    void assignmentStatusParses();
    void logOutputTypeParses_data();
    void logOutputTypeParses();
    void progressEventTypeAcceptsStoredAndWireForm_data();
    void progressEventTypeAcceptsStoredAndWireForm();
    void unknownValuesAreKeptAndShown_data();
    void unknownValuesAreKeptAndShown();
    void validationErrorNamesFieldValueAndAllowedSet();
    void matchingIsCaseSensitiveAsOnTheNode();
    void valuesRoundTripThroughQVariant();
};

void TestVocabulary::taskStatusAcceptsBothSpellings_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<TaskStatus>("expected");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("todo") << "todo" << TaskStatus::Todo << "todo";
    QTest::newRow("hive in-progress") << "in-progress" << TaskStatus::InProgress << "in-progress";
    QTest::newRow("node inprogress") << "inprogress" << TaskStatus::InProgress << "in-progress";
    QTest::newRow("hive in-review") << "in-review" << TaskStatus::InReview << "in-review";
    QTest::newRow("node inreview") << "inreview" << TaskStatus::InReview << "in-review";
    QTest::newRow("done") << "done" << TaskStatus::Done << "done";
    QTest::newRow("cancelled") << "cancelled" << TaskStatus::Cancelled << "cancelled";
}

void TestVocabulary::taskStatusAcceptsBothSpellings()
{
    QFETCH(QString, raw);
    QFETCH(TaskStatus, expected);
    QFETCH(QString, canonical);
    const auto v = TaskStatusValue::parse(raw);
    QVERIFY(v.isKnown());
    QCOMPARE(v.value(), expected);
    QCOMPARE(v.raw(), raw);
    QCOMPARE(v.canonical(), canonical);
    QVERIFY(TaskStatusValue::validate(raw).ok());
    QVERIFY(!v.displayText().startsWith(QLatin1String("unknown")));
}

void TestVocabulary::taskStatusWritesEachSidesSpelling()
{
    QCOMPARE(toHiveSpelling(TaskStatus::InProgress), QStringLiteral("in-progress"));
    QCOMPARE(toNodeSpelling(TaskStatus::InProgress), QStringLiteral("inprogress"));
    QCOMPARE(toHiveSpelling(TaskStatus::InReview), QStringLiteral("in-review"));
    QCOMPARE(toNodeSpelling(TaskStatus::InReview), QStringLiteral("inreview"));
    QCOMPARE(toNodeSpelling(TaskStatus::Cancelled), QStringLiteral("cancelled"));
    QCOMPARE(TaskStatusValue::parse(u"inprogress"), TaskStatusValue::parse(u"in-progress"));
    QCOMPARE(TaskStatusValue::parse(u"in-review").displayText(), QStringLiteral("In review"));
}

template<typename E> static void addRows(const QList<std::pair<const char *, E>> &rows)
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<int>("expected");
    for (const auto &[raw, value] : rows)
        QTest::newRow(raw) << QString::fromLatin1(raw) << static_cast<int>(value);
}

template<typename E> static void checkKnown()
{
    QFETCH(QString, raw);
    QFETCH(int, expected);
    const auto v = VocabularyValue<E>::parse(raw);
    QVERIFY(v.isKnown());
    QCOMPARE(static_cast<int>(*v.value()), expected);
    QCOMPARE(v.canonical(), raw);
    const auto validated = VocabularyValue<E>::validate(raw);
    QVERIFY(validated.ok());
    QCOMPARE(validated.value(), v);
    QCOMPARE(VocabularyValue<E>::of(static_cast<E>(expected)).canonical(), raw);
}

void TestVocabulary::executionStatusParses_data()
{
    using S = ExecutionStatus;
    addRows<S>({{"running", S::Running},
                {"completed", S::Completed},
                {"failed", S::Failed},
                {"killed", S::Killed}});
}

void TestVocabulary::executionStatusParses()
{
    checkKnown<ExecutionStatus>();
}

void TestVocabulary::nodeStatusParses_data()
{
    using S = NodeStatus;
    addRows<S>({{"pending", S::Pending},
                {"online", S::Online},
                {"offline", S::Offline},
                {"busy", S::Busy},
                {"draining", S::Draining}});
}

void TestVocabulary::nodeStatusParses()
{
    checkKnown<NodeStatus>();
}

void TestVocabulary::assignmentStatusParses_data()
{
    using S = AssignmentStatus;
    addRows<S>({{"pending", S::Pending},
                {"starting", S::Starting},
                {"running", S::Running},
                {"completed", S::Completed},
                {"failed", S::Failed},
                {"cancelled", S::Cancelled}});
}

void TestVocabulary::assignmentStatusParses()
{
    checkKnown<AssignmentStatus>();
}

void TestVocabulary::logOutputTypeParses_data()
{
    using S = LogOutputType;
    addRows<S>({{"stdout", S::Stdout},
                {"stderr", S::Stderr},
                {"system", S::System},
                {"json_patch", S::JsonPatch},
                {"session_id", S::SessionId},
                {"finished", S::Finished},
                {"refresh_required", S::RefreshRequired}});
}

void TestVocabulary::logOutputTypeParses()
{
    checkKnown<LogOutputType>();
}

void TestVocabulary::progressEventTypeAcceptsStoredAndWireForm_data()
{
    QTest::addColumn<QString>("stored");
    QTest::addColumn<QString>("wire");
    QTest::addColumn<ProgressEventType>("expected");
    using P = ProgressEventType;
    const QList<std::tuple<const char *, const char *, P>> rows = {
        {"agentstarted", "agent_started", P::AgentStarted},
        {"agentthinking", "agent_thinking", P::AgentThinking},
        {"codechanges", "code_changes", P::CodeChanges},
        {"branchcreated", "branch_created", P::BranchCreated},
        {"committed", "committed", P::Committed},
        {"pushed", "pushed", P::Pushed},
        {"pullrequestcreated", "pull_request_created", P::PullRequestCreated},
        {"agentfinished", "agent_finished", P::AgentFinished},
        {"custom", "custom", P::Custom},
    };
    for (const auto &[stored, wire, value] : rows)
        QTest::newRow(wire) << QString::fromLatin1(stored) << QString::fromLatin1(wire) << value;
}

void TestVocabulary::progressEventTypeAcceptsStoredAndWireForm()
{
    QFETCH(QString, stored);
    QFETCH(QString, wire);
    QFETCH(ProgressEventType, expected);
    const auto fromStored = ProgressEventTypeValue::parse(stored);
    const auto fromWire = ProgressEventTypeValue::parse(wire);
    QCOMPARE(fromStored.value(), expected);
    QCOMPARE(fromWire.value(), expected);
    QCOMPARE(fromStored, fromWire);
    QCOMPARE(fromStored.canonical(), wire);
    QCOMPARE(toWireForm(expected), wire);
    QCOMPARE(toStoredForm(expected), stored);
}

void TestVocabulary::unknownValuesAreKeptAndShown_data()
{
    QTest::addColumn<QString>("raw");
    QTest::newRow("newer hive value") << "blocked";
    QTest::newRow("snake case task status") << "in_progress";
    QTest::newRow("empty") << "";
    QTest::newRow("non-ascii") << QStringLiteral("fertig\u00e9 \u2603");
}

void TestVocabulary::unknownValuesAreKeptAndShown()
{
    QFETCH(QString, raw);
    const auto check = [&raw](auto v) {
        QVERIFY(!v.isKnown());
        QVERIFY(!v.value().has_value());
        QCOMPARE(v.raw(), raw);
        QCOMPARE(v.canonical(), raw);
        QCOMPARE(v.displayText(), QStringLiteral("unknown: ") + raw);
    };
    check(TaskStatusValue::parse(raw));
    check(ExecutionStatusValue::parse(raw));
    check(NodeStatusValue::parse(raw));
    check(AssignmentStatusValue::parse(raw));
    check(LogOutputTypeValue::parse(raw));
    check(ProgressEventTypeValue::parse(raw));
    // Unknown values with different strings stay distinct.
    QVERIFY(
        !(TaskStatusValue::parse(raw) == TaskStatusValue::parse(QString(raw + QLatin1Char('x')))));
}

void TestVocabulary::validationErrorNamesFieldValueAndAllowedSet()
{
    const auto task = TaskStatusValue::validate(u"blocked");
    QVERIFY(!task.ok());
    const QString msg = task.error().message;
    QVERIFY2(msg.contains(QLatin1String("task status")), qPrintable(msg));
    QVERIFY2(msg.contains(QLatin1String("\"blocked\"")), qPrintable(msg));
    for (const char *allowed :
         {"todo", "in-progress", "in-review", "done", "cancelled", "inprogress", "inreview"})
        QVERIFY2(msg.contains(QLatin1String(allowed)), qPrintable(msg));

    const auto node = NodeStatusValue::validate(u"asleep");
    QVERIFY(!node.ok());
    QCOMPARE(node.error().message,
             QStringLiteral("Invalid node status \"asleep\": expected one of pending, online, "
                            "offline, busy, draining"));
    const auto progress = ProgressEventTypeValue::validate(u"AgentStarted");
    QVERIFY(!progress.ok());
    QVERIFY(progress.error().message.contains(QLatin1String("progress event type")));
    QVERIFY(progress.error().message.contains(QLatin1String("agentstarted")));
    QVERIFY(progress.error().message.contains(QLatin1String("agent_started")));
    QVERIFY(!ExecutionStatusValue::validate(u"done").ok());
    QVERIFY(!AssignmentStatusValue::validate(u"killed").ok());
    QVERIFY(LogOutputTypeValue::validate(u"json-patch")
                .error()
                .message.contains(QLatin1String("log output type")));
}

void TestVocabulary::matchingIsCaseSensitiveAsOnTheNode()
{
    QVERIFY(!TaskStatusValue::parse(u"TODO").isKnown());
    QVERIFY(!TaskStatusValue::parse(u"In-Progress").isKnown());
    QVERIFY(!LogOutputTypeValue::parse(u"STDOUT").isKnown());
    QVERIFY(!NodeStatusValue::parse(u" online").isKnown());
}

void TestVocabulary::valuesRoundTripThroughQVariant()
{
    const auto unknown = TaskStatusValue::parse(u"blocked");
    const QVariant v = QVariant::fromValue(unknown);
    QCOMPARE(v.value<TaskStatusValue>().displayText(), QStringLiteral("unknown: blocked"));
    const QVariant known = QVariant::fromValue(TaskStatusValue::of(TaskStatus::Done));
    QCOMPARE(known.value<TaskStatusValue>(), TaskStatus::Done);
}

QTEST_GUILESS_MAIN(TestVocabulary)
#include "tst_vocabulary.moc"
