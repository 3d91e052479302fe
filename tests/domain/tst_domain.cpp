#include "domain/HiveTables.h"
#include "domain/LogTable.h"
#include "domain/StatusVocabularies.h"

#include <QTest>

using namespace hivewatch;

// The hive's words as the domain floor gives them to every layer: table names, the log table's
// identity and output types, and status spellings with their aliases.
class TestDomain : public QObject
{
    Q_OBJECT

private slots:
    void outputTypesAreTheNodesInVocabularyOrder();
    void outputTypeNamesMatchExactlyAndAreStatic();
    void unknownOutputTypesFallBackToSystem();
    void outputTypeSqlListQuotesEachType();
    void tableListsAgree();
    void statusAliasesNormalise_data();
    void statusAliasesNormalise();
    void unknownStatusesAreKeptNotMapped();
};

void TestDomain::outputTypesAreTheNodesInVocabularyOrder()
{
    const QByteArrayList expected = {"stdout",     "stderr",   "system",          "json_patch",
                                     "session_id", "finished", "refresh_required"};
    QCOMPARE(LogTable::outputTypes(), expected);
    const auto &terms = vocabularyFor<LogOutputType>().terms();
    QCOMPARE(terms.size(), expected.size());
    for (const Vocabulary::Term &t : terms)
        QCOMPARE(LogTable::outputTypes().at(t.code), t.canonical.toLatin1());
}

void TestDomain::outputTypeNamesMatchExactlyAndAreStatic()
{
    for (const QByteArray &name : LogTable::outputTypes()) {
        // The same pointer each time: callers bind it to SQLite without a copy.
        const char *fromBytes = LogTable::outputTypeName(QByteArrayView(QByteArray(name)));
        QVERIFY(fromBytes == name.constData());
        QVERIFY(LogTable::outputTypeName(QString::fromLatin1(name)) == name.constData());
    }
    for (const char *bad : {"STDOUT", "json-patch", "stdout ", "", "brand_new_type"}) {
        QVERIFY2(!LogTable::outputTypeName(QByteArrayView(bad)), bad);
        QVERIFY2(!LogTable::outputTypeName(QString::fromLatin1(bad)), bad);
    }
}

void TestDomain::unknownOutputTypesFallBackToSystem()
{
    QCOMPARE(QByteArray(LogTable::fallbackOutputType()), QByteArray("system"));
    QVERIFY(LogOutputTypeValue::parse(QString::fromLatin1(LogTable::fallbackOutputType()))
            == LogOutputType::System);
}

void TestDomain::outputTypeSqlListQuotesEachType()
{
    QCOMPARE(LogTable::outputTypeSqlList(),
             QStringLiteral("'stdout', 'stderr', 'system', 'json_patch', 'session_id', "
                            "'finished', 'refresh_required'"));
}

void TestDomain::tableListsAgree()
{
    QCOMPARE(QString(LogTable::Name), QStringLiteral("node_task_output_logs"));
    QCOMPARE(HiveTables::rowModelShapes(),
             QStringList({"projects", "node_projects", "shared_tasks", "nodes",
                          "node_task_assignments", "node_task_progress_events"}));
    const QStringList shapes = HiveTables::dashboardShapes();
    QCOMPARE(shapes, HiveTables::rowModelShapes() << QString(LogTable::Name));
    const QStringList published = HiveTables::publishedTables();
    for (const QString &shape : shapes)
        QVERIFY2(published.contains(shape), qPrintable(shape));
    QVERIFY(published.contains(QString(HiveTables::Projects)));
    QVERIFY(published.contains(QString(HiveTables::NodeProjects)));
    QCOMPARE(QStringList(published).removeDuplicates(), 0);
}

void TestDomain::statusAliasesNormalise_data()
{
    QTest::addColumn<QString>("hive");
    QTest::addColumn<QString>("node");
    QTest::newRow("in progress") << "in-progress"
                                 << "inprogress";
    QTest::newRow("in review") << "in-review"
                               << "inreview";
    QTest::newRow("todo") << "todo"
                          << "todo";
}

void TestDomain::statusAliasesNormalise()
{
    QFETCH(QString, hive);
    QFETCH(QString, node);
    const auto fromHive = TaskStatusValue::parse(hive);
    const auto fromNode = TaskStatusValue::parse(node);
    QVERIFY(fromHive.isKnown() && fromNode.isKnown());
    QVERIFY(fromHive == fromNode);
    QCOMPARE(fromNode.canonical(), hive);
    QCOMPARE(fromNode.raw(), node); // what was read is kept
    QCOMPARE(toHiveSpelling(*fromNode.value()), hive);
    QCOMPARE(toNodeSpelling(*fromHive.value()), node);
}

void TestDomain::unknownStatusesAreKeptNotMapped()
{
    const auto task = TaskStatusValue::parse(u"blocked");
    QVERIFY(!task.isKnown());
    QCOMPARE(task.raw(), QStringLiteral("blocked"));
    QCOMPARE(task.displayText(), QStringLiteral("unknown: blocked"));
    QVERIFY(!TaskStatusValue::parse(u"In-Progress").isKnown()); // exact, as the node matches
    QVERIFY(!NodeStatusValue::parse(u"asleep").isKnown());
    const auto error = TaskStatusValue::validate(u"blocked");
    QVERIFY(!error.ok());
    QVERIFY(error.error().message.contains(QStringLiteral("task status")));
    QVERIFY(error.error().message.contains(QStringLiteral("inprogress")));
}

QTEST_MAIN(TestDomain)
#include "tst_domain.moc"
