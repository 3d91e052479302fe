#include "ui/pg/PgApplyConfirmDialog.h"

#include "sync/pg/PgSetupPlan.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace hivewatch {

PgApplyConfirmDialog::PgApplyConfirmDialog(const PgSetupPlan &plan, const QString &server,
                                           QWidget *parent)
    : QDialog(parent)
    , m_statements(new QPlainTextEdit(this))
    , m_removals(new QLabel(this))
    , m_apply(new QPushButton(tr("Apply"), this))
{
    setObjectName(QStringLiteral("pgApplyConfirm"));
    setWindowTitle(tr("Apply to PostgreSQL?"));
    const int count = int(plan.steps().size());
    auto *intro = new QLabel(
        tr("Run %n statement(s) on <b>%1</b> in one transaction? Nothing is changed if one "
           "fails.",
           nullptr, count)
            .arg(server.toHtmlEscaped()),
        this);
    intro->setWordWrap(true);

    const QStringList removed = removedTables(plan);
    m_removals->setObjectName(QStringLiteral("pgApplyRemovals"));
    m_removals->setWordWrap(true);
    m_removals->setTextFormat(Qt::RichText);
    m_removals->setStyleSheet(
        QStringLiteral("QLabel { border: 1px solid #d1242f; border-radius: 4px; padding: 6px; }"));
    m_removals->setText(
        tr("<b style='color:#d1242f'>Removes %n table(s) from the publication:</b> %1<br>"
           "Electric stops syncing them; shapes on them fail until they are published again.",
           nullptr, int(removed.size()))
            .arg(removed.join(QStringLiteral(", ")).toHtmlEscaped()));
    m_removals->setVisible(!removed.isEmpty());

    QString text;
    int number = 0;
    for (const PgSetupStep &step : plan.steps())
        text += QStringLiteral("-- %1. %2\n%3\n\n").arg(++number).arg(step.title, step.displaySql);
    m_statements->setObjectName(QStringLiteral("pgApplyStatements"));
    m_statements->setReadOnly(true);
    m_statements->setFont(QFont(QStringLiteral("monospace")));
    m_statements->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_statements->setPlainText(text.trimmed());

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_apply->setObjectName(QStringLiteral("pgApplyConfirmButton"));
    m_apply->setAutoDefault(false);
    buttons->addButton(m_apply, QDialogButtonBox::AcceptRole);
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_removals);
    layout->addWidget(m_statements, 1);
    layout->addWidget(buttons);
    resize(760, 520);
}

QStringList PgApplyConfirmDialog::removedTables(const PgSetupPlan &plan)
{
    // Guarded statements wrap it in a DO block: the statement is found anywhere in the text.
    static const QRegularExpression dropTable(
        QStringLiteral(R"(ALTER\s+PUBLICATION\s+\S+\s+DROP\s+TABLE\s+([^;'$]+))"),
        QRegularExpression::CaseInsensitiveOption);
    QStringList tables;
    for (const PgSetupStep &step : plan.steps()) {
        QRegularExpressionMatchIterator matches = dropTable.globalMatch(step.displaySql);
        while (matches.hasNext()) {
            const QRegularExpressionMatch match = matches.next();
            QString names = match.captured(1);
            names.remove(QLatin1Char('"'));
            tables.append(names.split(QLatin1Char(','), Qt::SkipEmptyParts));
        }
    }
    for (QString &table : tables)
        table = table.trimmed();
    return tables;
}

} // namespace hivewatch
