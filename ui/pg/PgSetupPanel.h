#pragma once

#include "sync/common/WorkerThread.h"
#include "sync/pg/PgSetupReport.h"
#include "sync/pg/PgSetupRequest.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class QTreeWidget;

namespace hivewatch {

class PgPasswordKeychain;
class PgSetupWorker;
class PgTableListModel;

// "Prepare PostgreSQL for Electric": a connection field, the green/red checklist, the tables as
// a publication editor (one checkbox per table), the SQL the plan would run, Apply, and the log.
// Every libpq call runs in PgSetupWorker on the panel's own thread; this widget only sends
// requests and shows the reports that come back.
class PgSetupPanel : public QWidget
{
    Q_OBJECT
public:
    explicit PgSetupPanel(QWidget *parent = nullptr);
    ~PgSetupPanel() override;

    void setConninfo(const QString &conninfo);
    void setRole(const QString &role); // default electric_sync
    bool isBusy() const { return m_busy; }
    PgTableListModel *tableModel() const { return m_tableModel; }
    PgPasswordKeychain *keychain() const { return m_keychain; }
    // The plan's script as Show SQL shows it (role passwords replaced by a placeholder).
    QString sqlScript() const;

public slots:
    void inspect();
    // Asks first (PgApplyConfirmDialog, window-modal, not blocking); applies when confirmed.
    void apply();
    void copySql();
    bool saveSql(const QString &filePath);

signals:
    void requestRun(const PgSetupRequest &request); // to the worker (queued)
    void reportShown(const PgSetupReport &report); // after the widgets show a report

private:
    void buildLayout();
    void forgetInspection();
    void run(PgSetupRequest::Action action);
    void showReport(const PgSetupReport &report);
    void showChecklist(const PgSetupReport &report);
    void showSql(const PgSetupReport &report);
    void showFix();
    void chooseSqlFile();
    void appendLog(const QString &line);
    void updateButtons();

    QLineEdit *m_conninfo = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_rememberPassword = nullptr;
    QLineEdit *m_role = nullptr;
    QLineEdit *m_rolePassword = nullptr;
    QPushButton *m_inspectButton = nullptr;
    QPushButton *m_showSqlButton = nullptr;
    QPushButton *m_applyButton = nullptr;
    QPushButton *m_copySqlButton = nullptr;
    QPushButton *m_saveSqlButton = nullptr;
    QLabel *m_fix = nullptr; // the current (or first red) check's fix, wrapped
    QLabel *m_summary = nullptr;
    QTreeWidget *m_checklist = nullptr;
    QTableView *m_tables = nullptr;
    PgTableListModel *m_tableModel = nullptr;
    QPlainTextEdit *m_sql = nullptr;
    QPlainTextEdit *m_log = nullptr;
    QProgressBar *m_progress = nullptr;
    PgPasswordKeychain *m_keychain = nullptr;

    std::unique_ptr<PgSetupWorker> m_worker; // runs on m_jobs; its signals arrive queued
    WorkerThread m_jobs {QStringLiteral("pg-setup")}; // after m_worker: joined before it goes
    bool m_busy = false;
    bool m_replanWanted = false; // a table was toggled while a run was in flight
    bool m_haveTables = false; // the table list came from an inspection (the user's choice)
    PgSetupReport m_report;
};

} // namespace hivewatch
