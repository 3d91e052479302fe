#pragma once

#include <QDialog>
#include <QStringList>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace hivewatch {

class PgSetupPlan;

// Asked before Apply runs DDL, as pgAdmin and Supabase Studio do: the statements in the order
// they run (in one transaction), with tables leaving the publication called out above them,
// since Electric stops syncing those. Cancel is the default button: Enter does not apply.
class PgApplyConfirmDialog : public QDialog
{
    Q_OBJECT
public:
    PgApplyConfirmDialog(const PgSetupPlan &plan, const QString &server, QWidget *parent = nullptr);

    // The tables a plan removes from the publication ("public.projects"), from its statements.
    static QStringList removedTables(const PgSetupPlan &plan);

    QPushButton *applyButton() const { return m_apply; }
    QPlainTextEdit *statements() const { return m_statements; }
    QLabel *removals() const { return m_removals; }

private:
    QPlainTextEdit *m_statements;
    QLabel *m_removals;
    QPushButton *m_apply;
};

} // namespace hivewatch
