#include "models/pg/PgTableListModel.h"
#include "sync/pg/PgSetupChecklist.h"
#include "sync/pg/PgSetupState.h"
#include "sync/pg/PgSetupTarget.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace hivewatch;

// The value side of the setup, without a server: table names as users type them, the checklist
// judged from a state, and the publication editor's model.
class TestPgSetupValues : public QObject
{
    Q_OBJECT

    static PgTableName name(const QString &schema, const QString &table)
    {
        return PgTableName {schema, table};
    }

private slots:
    void tableNamesParseAsWritten_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("schema");
        QTest::addColumn<QString>("table");
        QTest::newRow("bare") << "shared_tasks"
                              << "public"
                              << "shared_tasks";
        QTest::newRow("schema") << "audit.events"
                                << "audit"
                                << "events";
        QTest::newRow("case kept") << "Audit.MixedCase"
                                   << "Audit"
                                   << "MixedCase";
        QTest::newRow("spaces") << " public.Odd Name "
                                << "public"
                                << "Odd Name";
        QTest::newRow("quoted dot") << "\"a.b\".\"c.d\""
                                    << "a.b"
                                    << "c.d";
        QTest::newRow("doubled quote") << "\"say \"\"hi\"\"\""
                                       << "public"
                                       << "say \"hi\"";
        QTest::newRow("quoted spaces kept") << "\" padded \""
                                            << "public"
                                            << " padded ";
    }
    void tableNamesParseAsWritten()
    {
        QFETCH(QString, text);
        QFETCH(QString, schema);
        QFETCH(QString, table);
        auto parsed = PgTableName::parse(text);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        QCOMPARE(parsed->schema, schema);
        QCOMPARE(parsed->name, table);
        QCOMPARE(PgTableName::parse(parsed->display()).value(), parsed.value());
    }

    void badTableNamesAreRejectedWithTheInput_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("unterminated") << "\"oops"
                                      << "unterminated double quote";
        QTest::newRow("three parts") << "a.b.c"
                                     << "more than one dot";
        QTest::newRow("empty part") << "public."
                                    << "empty part";
        QTest::newRow("empty") << ""
                               << "empty part";
    }
    void badTableNamesAreRejectedWithTheInput()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        auto parsed = PgTableName::parse(text);
        QVERIFY(!parsed.ok());
        QVERIFY2(parsed.error().message.contains(expected), qPrintable(parsed.error().message));
        QVERIFY(parsed.error().message.contains(QLatin1Char('\'') + text + QLatin1Char('\'')));
    }

    void tableListsSplitOnCommasOutsideQuotes()
    {
        auto list = PgTableName::parseList(QStringLiteral("nodes, \"a,b\".c ,nodes,, x.\"y, z\""));
        QVERIFY(list.ok());
        QCOMPARE(
            list.value(),
            (QList<PgTableName> {name("public", "nodes"), name("a,b", "c"), name("x", "y, z")}));
        QVERIFY(!PgTableName::parseList(QStringLiteral(" , ")).ok());
    }

    void checklistNamesTheFixForEveryRedItem()
    {
        PgSetupState state;
        state.serverVersionNumber = 150019;
        state.walLevel = QStringLiteral("replica");
        state.maxReplicationSlots = 0;
        state.maxWalSenders = 10;
        state.role = QStringLiteral("electric_sync");
        state.publication = QStringLiteral("electric_publication_default");
        state.publicationExists = true;
        state.publicationAllTables = true;
        PgTableState missing;
        missing.table = name("public", "projects");
        missing.chosen = true;
        state.tables = {missing};
        PgSetupTarget target;
        const QList<PgSetupCheck> checks = PgSetupChecklist::build(state, target);
        QVERIFY(!PgSetupChecklist::allOk(checks));
        QStringList red;
        for (const PgSetupCheck &c : checks) {
            if (!c.ok) {
                red.append(c.key);
                QVERIFY2(!c.fix.isEmpty(), qPrintable(c.key));
            } else {
                QVERIFY(c.fix.isEmpty());
            }
        }
        QCOMPARE(red,
                 (QStringList {"wal_level", "max_replication_slots", "role.exists", "role.login",
                               "role.replication", "role.connect", "publication.not_all_tables",
                               "publication.operations", "helper"}));
        // A hive table missing from this schema version is skipped; a table the user named is not.
        target.skipMissingTables = false;
        const QList<PgSetupCheck> named = PgSetupChecklist::build(state, target);
        QCOMPARE(named.last().key, QStringLiteral("table:public.projects"));
        QVERIFY(!named.last().ok);
    }

    void tableListModelIsAPublicationEditor()
    {
        PgTableListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        PgTableState published;
        published.table = name("public", "nodes");
        published.exists = published.chosen = published.inPublication = published.selectGranted
            = true;
        published.replicaIdentity = 'f';
        PgTableState other;
        other.table = name("public", "users");
        other.exists = true;
        PgTableState missing;
        missing.table = name("public", "projects");
        missing.chosen = true;
        model.setTables({published, other, missing});
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.data(model.index(0, PgTableListModel::Table)).toString(),
                 QStringLiteral("public.nodes"));
        QCOMPARE(model.data(model.index(0, PgTableListModel::ReplicaIdentity)).toString(),
                 QStringLiteral("full"));
        QCOMPARE(model.data(model.index(2, PgTableListModel::ReplicaIdentity)).toString(),
                 QStringLiteral("missing"));
        QVERIFY(model.flags(model.index(1, PgTableListModel::Publish)) & Qt::ItemIsUserCheckable);
        QVERIFY(
            !(model.flags(model.index(2, PgTableListModel::Publish)) & Qt::ItemIsUserCheckable));

        QSignalSpy changed(&model, &PgTableListModel::choiceChanged);
        QVERIFY(model.setData(model.index(1, PgTableListModel::Publish), Qt::Checked,
                              Qt::CheckStateRole));
        QVERIFY(model.setChosen(name("public", "nodes"), false));
        QVERIFY(!model.setChosen(name("public", "nope"), true));
        QCOMPARE(changed.count(), 2);
        QCOMPARE(model.chosenTables(),
                 (QList<PgTableName> {name("public", "users"), name("public", "projects")}));
        QCOMPARE(model.data(model.index(0, PgTableListModel::Publish), Qt::CheckStateRole).toInt(),
                 int(Qt::Unchecked));
    }
};

QTEST_GUILESS_MAIN(TestPgSetupValues)
#include "tst_pgsetup_values.moc"
