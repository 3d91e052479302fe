#pragma once

#include "sync/legacy/LegacyMigrationTypes.h"

#include <QDialog>
#include <QUuid>

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QTableView;

namespace hivewatch {

class LegacyIssueModel;
class LegacyMigrationController;
struct Error;
struct LegacyMigrationRequest;

// Tools → Migrate legacy logs…: choose a source (a node's db.sqlite or a JSONL file), look at
// the dry-run report, then migrate with a progress bar and a cancel button. Cancelling rolls back
// only the execution in progress; running again resumes where the ledger says.
class LegacyMigrationDialog : public QDialog
{
    Q_OBJECT
public:
    explicit LegacyMigrationDialog(QWidget *parent = nullptr);
    ~LegacyMigrationDialog() override;

    // Fills in the source, e.g. from the command line or a test.
    void setNodeDatabase(const QString &path);

signals:
    // "Open in Logs" after a migration: the file that now holds the lines, and the execution.
    void openInLogs(const QString &storePath, const QUuid &executionId);

private:
    void buildLayout();
    void start(bool execute);
    // Writing into the node's own database, or dropping its table, asks first.
    void confirmAndStart();
    void run(const LegacyMigrationRequest &request);
    bool buildRequest(bool execute, LegacyMigrationRequest &request);
    void showProgress(const LegacyProgress &progress);
    void showReport(const LegacyReport &report);
    void showError(const Error &error);
    void setRunning(bool running);
    void updateInputs();
    void reject() override;

    LegacyMigrationController *m_controller = nullptr;
    LegacyIssueModel *m_issues = nullptr;
    QRadioButton *m_nodeSource = nullptr;
    QRadioButton *m_jsonlSource = nullptr;
    QLineEdit *m_sourcePath = nullptr;
    QLineEdit *m_executionId = nullptr;
    QRadioButton *m_inPlace = nullptr;
    QRadioButton *m_otherTarget = nullptr;
    QLineEdit *m_targetPath = nullptr;
    QPushButton *m_browseTarget = nullptr;
    QCheckBox *m_dropSource = nullptr;
    QCheckBox *m_acceptSkipped = nullptr;
    QPushButton *m_dryRunButton = nullptr;
    QPushButton *m_migrateButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QPushButton *m_openInLogs = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_summary = nullptr;
    QTableView *m_issueView = nullptr;
    bool m_lastRunWasDry = true;
    QString m_lastTarget; // the file the last run wrote into
    QUuid m_migratedExecution; // the first execution the last run migrated
};

} // namespace hivewatch
