#include "ui/legacy/LegacyMigrationDialog.h"

#include "models/legacy/LegacyIssueModel.h"
#include "models/legacy/LegacyMigrationController.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QTableView>
#include <QUuid>
#include <QVBoxLayout>

namespace hivewatch {

namespace {

QWidget *row(QWidget *parent, std::initializer_list<QWidget *> widgets)
{
    auto *box = new QWidget(parent);
    auto *layout = new QHBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    for (QWidget *w : widgets)
        layout->addWidget(w);
    return box;
}

} // namespace

LegacyMigrationDialog::LegacyMigrationDialog(QWidget *parent)
    : QDialog(parent)
    , m_controller(new LegacyMigrationController(this))
    , m_issues(new LegacyIssueModel(this))
{
    setWindowTitle(tr("Migrate legacy logs"));
    buildLayout();
    connect(m_controller, &LegacyMigrationController::progressed, this,
            &LegacyMigrationDialog::showProgress);
    connect(m_controller, &LegacyMigrationController::finished, this,
            &LegacyMigrationDialog::showReport);
    connect(m_controller, &LegacyMigrationController::failed, this,
            &LegacyMigrationDialog::showError);
    connect(m_controller, &LegacyMigrationController::runningChanged, this,
            &LegacyMigrationDialog::setRunning);
    setRunning(false);
    updateInputs();
}

LegacyMigrationDialog::~LegacyMigrationDialog() = default;

void LegacyMigrationDialog::buildLayout()
{
    m_nodeSource = new QRadioButton(tr("Node database (execution_process_logs)"), this);
    m_jsonlSource = new QRadioButton(tr("JSONL file of one execution"), this);
    m_sourcePath = new QLineEdit(this);
    m_sourcePath->setObjectName(QStringLiteral("sourcePath"));
    auto *browseSource = new QPushButton(tr("Browse…"), this);
    m_executionId = new QLineEdit(this);
    m_executionId->setPlaceholderText(tr("all executions"));
    m_inPlace = new QRadioButton(tr("In place: the node's own log_entries"), this);
    m_otherTarget = new QRadioButton(tr("Another database:"), this);
    m_targetPath = new QLineEdit(this);
    m_browseTarget = new QPushButton(tr("Browse…"), this);
    m_dropSource = new QCheckBox(
        tr("Drop execution_process_logs afterwards, if every execution verifies"), this);
    m_acceptSkipped = new QCheckBox(tr("…even if some lines could not be migrated or were stored "
                                       "truncated (they are lost with the table)"),
                                    this);
    m_dropSource->setObjectName(QStringLiteral("dropSource"));
    m_acceptSkipped->setObjectName(QStringLiteral("acceptSkipped"));

    auto *sources = new QButtonGroup(this);
    sources->addButton(m_nodeSource);
    sources->addButton(m_jsonlSource);
    auto *targets = new QButtonGroup(this);
    targets->addButton(m_inPlace);
    targets->addButton(m_otherTarget);
    // Checked only once each pair has its group: auto-exclusive siblings of one parent, the
    // target's radio unchecked the source's, and the dialog opened with no source chosen.
    m_nodeSource->setChecked(true);
    m_inPlace->setChecked(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Source:"), row(this, {m_nodeSource, m_jsonlSource}));
    form->addRow(tr("File:"), row(this, {m_sourcePath, browseSource}));
    form->addRow(tr("Execution id:"), m_executionId);
    form->addRow(tr("Write to:"),
                 row(this, {m_inPlace, m_otherTarget, m_targetPath, m_browseTarget}));
    form->addRow(QString(), m_dropSource);
    form->addRow(QString(), m_acceptSkipped);

    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status = new QLabel(this);
    m_summary
        = new QLabel(tr("Start with a dry run: it reads everything and writes nothing."), this);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_issueView = new QTableView(this);
    m_issueView->setModel(m_issues);
    m_issueView->horizontalHeader()->setStretchLastSection(true);
    m_issueView->setColumnWidth(LegacyIssueModel::ReasonColumn, 320);
    m_issueView->setWordWrap(false);
    m_issueView->verticalHeader()->hide();

    m_dryRunButton = new QPushButton(tr("Dry run"), this);
    m_migrateButton = new QPushButton(tr("Migrate"), this);
    m_cancelButton = new QPushButton(tr("Cancel migration"), this);
    m_dryRunButton->setObjectName(QStringLiteral("dryRunButton"));
    m_migrateButton->setObjectName(QStringLiteral("migrateButton"));
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_openInLogs = new QPushButton(tr("Open in Logs"), this);
    m_openInLogs->setObjectName(QStringLiteral("openInLogs"));
    m_openInLogs->setVisible(false);
    m_status->setObjectName(QStringLiteral("status"));
    m_summary->setObjectName(QStringLiteral("summary"));
    m_issueView->setObjectName(QStringLiteral("issues"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_dryRunButton, QDialogButtonBox::ActionRole);
    buttons->addButton(m_migrateButton, QDialogButtonBox::ActionRole);
    buttons->addButton(m_cancelButton, QDialogButtonBox::ActionRole);
    buttons->addButton(m_openInLogs, QDialogButtonBox::ActionRole);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addWidget(m_summary);
    layout->addWidget(m_issueView, 1);
    layout->addWidget(buttons);
    resize(820, 560);

    connect(browseSource, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Choose the legacy source"), m_sourcePath->text(),
            m_jsonlSource->isChecked() ? tr("JSONL files (*.jsonl *.log);;All files (*)")
                                       : tr("SQLite databases (*.sqlite *.db);;All files (*)"));
        if (!path.isEmpty())
            m_sourcePath->setText(path);
    });
    connect(m_browseTarget, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Database to write log_entries into"), m_targetPath->text(),
            tr("SQLite databases (*.sqlite *.db);;All files (*)"), nullptr,
            QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_targetPath->setText(path);
    });
    for (QAbstractButton *button : std::initializer_list<QAbstractButton *> {
             m_nodeSource, m_jsonlSource, m_inPlace, m_otherTarget, m_dropSource})
        connect(button, &QAbstractButton::toggled, this, &LegacyMigrationDialog::updateInputs);
    connect(m_dryRunButton, &QPushButton::clicked, this, [this] { start(false); });
    connect(m_migrateButton, &QPushButton::clicked, this, &LegacyMigrationDialog::confirmAndStart);
    connect(m_openInLogs, &QPushButton::clicked, this,
            [this] { emit openInLogs(m_lastTarget, m_migratedExecution); });
    connect(m_cancelButton, &QPushButton::clicked, m_controller,
            &LegacyMigrationController::cancel);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void LegacyMigrationDialog::setNodeDatabase(const QString &path)
{
    m_nodeSource->setChecked(true);
    m_sourcePath->setText(path);
}

void LegacyMigrationDialog::updateInputs()
{
    const bool jsonl = m_jsonlSource->isChecked();
    // A JSONL file has no log_entries of its own to write into.
    if (jsonl)
        m_otherTarget->setChecked(true);
    m_inPlace->setEnabled(!jsonl);
    m_targetPath->setEnabled(m_otherTarget->isChecked());
    m_browseTarget->setEnabled(m_otherTarget->isChecked());
    m_dropSource->setEnabled(!jsonl);
    m_acceptSkipped->setEnabled(!jsonl && m_dropSource->isChecked());
    m_executionId->setPlaceholderText(jsonl ? tr("required: the execution the file belongs to")
                                            : tr("all executions"));
}

void LegacyMigrationDialog::start(bool execute)
{
    LegacyMigrationRequest request;
    if (buildRequest(execute, request))
        run(request);
}

void LegacyMigrationDialog::confirmAndStart()
{
    LegacyMigrationRequest request;
    if (!buildRequest(true, request))
        return;
    const bool inPlace = request.target.kind != LegacyTarget::Kind::Store;
    if (!inPlace && !request.options.dropSourceAfterVerify) {
        run(request);
        return;
    }
    QStringList what;
    if (inPlace)
        what << tr("write the lines into <b>log_entries</b> of the node's own database %1")
                    .arg(request.source.path.toHtmlEscaped());
    if (request.options.dropSourceAfterVerify)
        what << (request.options.acceptSkipped
                     ? tr("<b>drop execution_process_logs</b> afterwards, <b>losing</b> the lines "
                          "that could not be migrated or were stored truncated")
                     : tr("<b>drop execution_process_logs</b> afterwards, if every execution "
                          "verifies"));
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Migrate legacy logs"),
                                tr("This will %1. Stop the node first; keep a backup of the "
                                   "file.<br><br>Continue?")
                                    .arg(what.join(tr(", then "))),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("legacyConfirm"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->button(QMessageBox::Yes)
        ->setText(request.options.dropSourceAfterVerify ? tr("Migrate and drop")
                                                        : tr("Migrate in place"));
    box->setWindowModality(Qt::WindowModal);
    connect(box, &QMessageBox::finished, box, &QObject::deleteLater);
    connect(box, &QMessageBox::accepted, this, [this, request] { run(request); });
    box->open();
}

bool LegacyMigrationDialog::buildRequest(bool execute, LegacyMigrationRequest &request)
{
    request.source.kind = m_jsonlSource->isChecked() ? LegacySource::Kind::JsonlFile
                                                     : LegacySource::Kind::NodeTable;
    request.source.path = m_sourcePath->text().trimmed();
    const QString id = m_executionId->text().trimmed();
    if (!id.isEmpty()) {
        request.source.executionId = QUuid::fromString(id);
        if (request.source.executionId.isNull()) {
            m_status->setText(tr("'%1' is not an execution id (a UUID).").arg(id));
            return false;
        }
    }
    if (request.source.path.isEmpty()) {
        m_status->setText(tr("Choose the source file first."));
        return false;
    }
    if (m_otherTarget->isChecked()) {
        request.target.kind = LegacyTarget::Kind::Store;
        request.target.storePath = m_targetPath->text().trimmed();
        if (request.target.storePath.isEmpty()) {
            m_status->setText(tr("Choose the database to write into."));
            return false;
        }
    }
    request.options.execute = execute;
    request.options.dropSourceAfterVerify
        = execute && m_dropSource->isChecked() && m_dropSource->isEnabled();
    request.options.acceptSkipped = request.options.dropSourceAfterVerify
        && m_acceptSkipped->isChecked() && m_acceptSkipped->isEnabled();
    request.options.maxListedIssues = 10000;
    return true;
}

void LegacyMigrationDialog::run(const LegacyMigrationRequest &request)
{
    const bool execute = request.options.execute;
    m_lastRunWasDry = !execute;
    m_lastTarget = request.target.kind == LegacyTarget::Kind::Store ? request.target.storePath
                                                                    : request.source.path;
    m_migratedExecution = QUuid();
    m_openInLogs->setVisible(false);
    m_issues->clear();
    m_progress->setRange(0, 0);
    m_status->setText(execute ? tr("Migrating…") : tr("Reading (dry run, nothing is written)…"));
    m_controller->start(request);
}

void LegacyMigrationDialog::showProgress(const LegacyProgress &progress)
{
    // Rows are the unit everyone shares: every era and the JSONL file count them.
    if (progress.rowsTotal > 0) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(int(1000 * progress.rowsDone / progress.rowsTotal));
    }
    m_status->setText(tr("%1 of %2 executions, %3 lines, %4 MiB read")
                          .arg(progress.executionsDone)
                          .arg(progress.executionsTotal)
                          .arg(progress.linesDone)
                          .arg(progress.bytesDone / (1024 * 1024)));
}

void LegacyMigrationDialog::showReport(const LegacyReport &report)
{
    m_progress->setRange(0, 1);
    m_progress->setValue(report.cancelled ? 0 : 1);
    m_issues->setReport(report);
    QString text = report.executed
        ? tr("Migrated %1 lines of %2 executions now; %3 executions were already migrated, "
             "%4 skipped.")
              .arg(report.migratedLines)
              .arg(report.migratedExecutions)
              .arg(report.alreadyMigratedExecutions)
              .arg(report.skippedExecutions)
        : tr("Dry run: %1 executions, %2 rows, %3 lines, %4 bytes; %5 lines would be migrated, "
             "%6 executions are already migrated.")
              .arg(report.executions)
              .arg(report.rows)
              .arg(report.lines)
              .arg(report.bytes)
              .arg(report.migratableLines)
              .arg(report.alreadyMigratedExecutions);
    text += QLatin1Char(' ')
        + tr("%1 lines cannot be migrated and %2 are empty; they are listed below and "
             "skipped. %3 over-long lines are stored truncated with a marker, and %4 lines got "
             "the migration's time because their row's time is unreadable.")
              .arg(report.badLines)
              .arg(report.blankLines)
              .arg(report.truncatedLines)
              .arg(report.fallbackTimestampLines);
    if (report.unlistedIssues > 0)
        text += QLatin1Char(' ') + tr("(%1 more not listed.)").arg(report.unlistedIssues);
    for (const LegacyExecutionResult &r : report.executionResults) {
        if (r.status == LegacyExecutionResult::Status::Skipped)
            text += QLatin1Char('\n') + tr("Skipped %1: %2").arg(r.execution, r.note);
    }
    if (!report.verification.isEmpty())
        text += QLatin1Char('\n') + report.verification;
    for (const QString &line : report.incompleteExecutions.mid(0, 10))
        text += QLatin1Char('\n') + line;
    if (report.incompleteExecutions.size() > 10)
        text += QLatin1Char('\n')
            + tr("(and %1 more executions)").arg(report.incompleteExecutions.size() - 10);
    if (report.sourceDropped)
        text += QLatin1Char('\n') + tr("execution_process_logs was dropped.");
    for (const LegacyExecutionResult &r : report.executionResults) {
        if (r.status == LegacyExecutionResult::Status::Migrated
            || r.status == LegacyExecutionResult::Status::AlreadyMigrated) {
            m_migratedExecution = QUuid::fromString(r.execution);
            if (!m_migratedExecution.isNull())
                break;
        }
    }
    m_openInLogs->setVisible(report.executed && !m_migratedExecution.isNull());
    m_summary->setText(text);
    m_status->setText(report.cancelled
                          ? tr("Cancelled. The execution in progress was rolled back; run again "
                               "to resume.")
                          : tr("Done."));
}

void LegacyMigrationDialog::showError(const Error &error)
{
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_status->setText(tr("Failed: %1").arg(error.toString()));
}

void LegacyMigrationDialog::setRunning(bool running)
{
    m_dryRunButton->setEnabled(!running);
    m_migrateButton->setEnabled(!running);
    m_cancelButton->setEnabled(running);
}

void LegacyMigrationDialog::reject()
{
    // Closing while a migration runs cancels it (the current execution rolls back).
    m_controller->cancel();
    QDialog::reject();
}

} // namespace hivewatch
