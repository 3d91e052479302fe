#include "ui/pg/PgSetupPanel.h"

#include "models/pg/PgTableListModel.h"
#include "sync/pg/PgSetupWorker.h"
#include "ui/UiLog.h"
#include "ui/pg/PgApplyConfirmDialog.h"
#include "ui/pg/PgPasswordKeychain.h"

#include <QCheckBox>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QTime>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace hivewatch {

namespace {

QIcon dot(const QColor &color)
{
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setBrush(color);
    painter.setPen(color.darker(130));
    painter.drawEllipse(1, 1, 12, 12);
    return QIcon(pixmap);
}

const QColor kGreen(0x2e, 0xa0, 0x43);
const QColor kRed(0xd1, 0x24, 0x2f);

} // namespace

PgSetupPanel::PgSetupPanel(QWidget *parent)
    : QWidget(parent)
    , m_tableModel(new PgTableListModel(this))
    , m_keychain(new PgPasswordKeychain(this))
{
    setObjectName(QStringLiteral("PgSetupPanel"));
    buildLayout();

    PgSetupWorker::registerMetaTypes();
    m_worker = std::make_unique<PgSetupWorker>();
    PgSetupWorker *worker = m_worker.get();
    connect(this, &PgSetupPanel::requestRun, this, [this, worker](const PgSetupRequest &request) {
        // A newer request makes the older one moot: drop it if queued, cancel it if running.
        m_jobs.cancel([worker] { worker->cancel(); });
        m_jobs.post([worker, request] { worker->run(request); });
    });
    connect(worker, &PgSetupWorker::progress, this,
            [this](int step, int steps, const QString &title) {
                m_progress->setRange(0, steps);
                m_progress->setValue(step);
                if (step < steps)
                    appendLog(tr("[%1/%2] %3").arg(step + 1).arg(steps).arg(title));
            });
    connect(worker, &PgSetupWorker::finished, this, &PgSetupPanel::showReport);
    m_jobs.start();

    connect(m_tableModel, &PgTableListModel::choiceChanged, this, [this] {
        // The plan depends on the choice: recompute it so "Show SQL" never shows a stale plan.
        if (m_busy)
            m_replanWanted = true;
        else
            run(PgSetupRequest::Action::Plan);
    });
    connect(m_keychain, &PgPasswordKeychain::found, this,
            [this](const QString &conninfo, const QString &password) {
                if (conninfo == m_conninfo->text() && m_password->text().isEmpty())
                    m_password->setText(password);
            });
    connect(m_keychain, &PgPasswordKeychain::failed, this, &PgSetupPanel::appendLog);
    updateButtons();
}

PgSetupPanel::~PgSetupPanel()
{
    // Quitting does not wait for a long statement: it is cancelled, and an apply's transaction
    // rolls back on the server. (Connecting is not cancellable: at most its connect_timeout.)
    m_jobs.cancel([this] { m_worker->cancel(); });
    m_jobs.shutdown();
}

void PgSetupPanel::buildLayout()
{
    m_conninfo = new QLineEdit(this);
    m_conninfo->setObjectName(QStringLiteral("pgConninfo"));
    m_conninfo->setPlaceholderText(
        tr("host=… port=5432 dbname=… user=…  or  postgresql://user@host/db  "
           "(empty: PGHOST, PGUSER, … and ~/.pgpass)"));
    m_password = new QLineEdit(this);
    m_password->setObjectName(QStringLiteral("pgPassword"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("optional; or from ~/.pgpass"));
    m_rememberPassword = new QCheckBox(tr("Remember in the keychain"), this);
    m_rememberPassword->setEnabled(PgPasswordKeychain::isAvailable());
    m_role = new QLineEdit(PgSetupTarget().role, this);
    m_role->setObjectName(QStringLiteral("pgRole"));
    m_role->setMinimumWidth(
        m_role->fontMetrics().horizontalAdvance(QStringLiteral("electric_sync_12345678")));
    m_rolePassword = new QLineEdit(this);
    m_rolePassword->setObjectName(QStringLiteral("pgRolePassword"));
    m_rolePassword->setEchoMode(QLineEdit::Password);
    m_rolePassword->setPlaceholderText(
        tr("only used when the role is created; never shown or saved"));
    // Another database or role: the table choice of the previous one must not be carried over
    // (the editor's unchecked rows are removed from the publication).
    connect(m_conninfo, &QLineEdit::textEdited, this, &PgSetupPanel::forgetInspection);
    connect(m_role, &QLineEdit::textEdited, this, &PgSetupPanel::forgetInspection);
    // The keychain is touched only when the user asked for it (Remember): reading it otherwise
    // logged "Keychain: Unknown error" on machines without a keychain service.
    QSettings settings;
    m_rememberPassword->setChecked(
        m_rememberPassword->isEnabled()
        && settings.value(QStringLiteral("PgSetupPanel/rememberPassword"), false).toBool());
    const auto readRemembered = [this] {
        if (m_rememberPassword->isChecked() && m_password->text().isEmpty()
            && !m_conninfo->text().trimmed().isEmpty())
            m_keychain->read(m_conninfo->text().trimmed());
    };
    connect(m_conninfo, &QLineEdit::editingFinished, this, readRemembered);
    connect(m_rememberPassword, &QCheckBox::toggled, this, [readRemembered](bool on) {
        QSettings().setValue(QStringLiteral("PgSetupPanel/rememberPassword"), on);
        readRemembered();
    });

    auto *passwordRow = new QHBoxLayout;
    passwordRow->addWidget(m_password, 1);
    passwordRow->addWidget(m_rememberPassword);
    auto *form = new QFormLayout;
    form->addRow(tr("Connection:"), m_conninfo);
    form->addRow(tr("Password:"), passwordRow);
    auto *roleRow = new QHBoxLayout;
    roleRow->addWidget(m_role);
    roleRow->addWidget(new QLabel(tr("Password for a new role:"), this));
    roleRow->addWidget(m_rolePassword, 1);
    form->addRow(tr("Electric role:"), roleRow);

    m_inspectButton = new QPushButton(tr("Inspect"), this);
    m_inspectButton->setObjectName(QStringLiteral("pgInspect"));
    m_showSqlButton = new QPushButton(tr("Show SQL"), this);
    m_showSqlButton->setObjectName(QStringLiteral("pgShowSql"));
    m_showSqlButton->setCheckable(true);
    m_applyButton = new QPushButton(tr("Apply"), this);
    m_applyButton->setObjectName(QStringLiteral("pgApply"));
    m_copySqlButton = new QPushButton(tr("Copy SQL"), this);
    m_copySqlButton->setObjectName(QStringLiteral("pgCopySql"));
    m_saveSqlButton = new QPushButton(tr("Save SQL…"), this);
    m_saveSqlButton->setObjectName(QStringLiteral("pgSaveSql"));
    connect(m_copySqlButton, &QPushButton::clicked, this, &PgSetupPanel::copySql);
    connect(m_saveSqlButton, &QPushButton::clicked, this, &PgSetupPanel::chooseSqlFile);
    m_summary = new QLabel(tr("Not inspected yet."), this);
    m_summary->setObjectName(QStringLiteral("pgSummary"));
    m_progress = new QProgressBar(this);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(160);
    m_progress->setVisible(false);
    connect(m_inspectButton, &QPushButton::clicked, this, &PgSetupPanel::inspect);
    connect(m_applyButton, &QPushButton::clicked, this, &PgSetupPanel::apply);
    connect(m_showSqlButton, &QPushButton::toggled, this,
            [this](bool on) { m_sql->setVisible(on); });
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_inspectButton);
    buttons->addWidget(m_showSqlButton);
    buttons->addWidget(m_copySqlButton);
    buttons->addWidget(m_saveSqlButton);
    buttons->addWidget(m_applyButton);
    buttons->addSpacing(12);
    buttons->addWidget(m_summary, 1);
    buttons->addWidget(m_progress);

    m_checklist = new QTreeWidget(this);
    m_checklist->setObjectName(QStringLiteral("pgChecklist"));
    m_checklist->setHeaderLabels({tr("Check"), tr("Found"), tr("Fix")});
    m_checklist->setRootIsDecorated(false);
    // Fix takes what is left and wraps; the pane below shows the chosen check's fix in full.
    m_checklist->setWordWrap(true);
    m_checklist->setUniformRowHeights(false);
    m_checklist->header()->setStretchLastSection(false);
    m_checklist->header()->setSectionResizeMode(0, QHeaderView::Interactive);
    m_checklist->header()->setSectionResizeMode(1, QHeaderView::Interactive);
    m_checklist->header()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_checklist->setColumnWidth(0, 300);
    m_checklist->setColumnWidth(1, 150);
    m_fix = new QLabel(this);
    m_fix->setObjectName(QStringLiteral("pgFix"));
    m_fix->setWordWrap(true);
    m_fix->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fix->setVisible(false);
    connect(m_checklist, &QTreeWidget::currentItemChanged, this, &PgSetupPanel::showFix);
    m_tables = new QTableView(this);
    m_tables->setObjectName(QStringLiteral("pgTables"));
    m_tables->setModel(m_tableModel);
    m_tables->verticalHeader()->hide();
    m_tables->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tables->horizontalHeader()->setStretchLastSection(true);
    m_tables->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_sql = new QPlainTextEdit(this);
    m_sql->setObjectName(QStringLiteral("pgSql"));
    m_sql->setReadOnly(true);
    m_sql->setFont(QFont(QStringLiteral("monospace")));
    m_sql->setVisible(false);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("pgLog"));
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setFont(QFont(QStringLiteral("monospace")));

    auto *checks = new QWidget(this);
    auto *checksLayout = new QVBoxLayout(checks);
    checksLayout->setContentsMargins(0, 0, 0, 0);
    checksLayout->addWidget(m_checklist, 1);
    checksLayout->addWidget(m_fix);
    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(checks);
    top->addWidget(m_tables);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    auto *main = new QSplitter(Qt::Vertical, this);
    main->addWidget(top);
    main->addWidget(m_sql);
    main->addWidget(m_log);
    main->setStretchFactor(0, 3);
    main->setStretchFactor(1, 2);
    main->setStretchFactor(2, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(buttons);
    layout->addWidget(main, 1);
}

void PgSetupPanel::setConninfo(const QString &conninfo)
{
    m_conninfo->setText(conninfo);
    forgetInspection();
}

void PgSetupPanel::forgetInspection()
{
    m_haveTables = false;
    m_report = PgSetupReport();
    m_tableModel->setTables({});
    m_checklist->clear();
    showFix();
    m_sql->clear();
    m_summary->setText(tr("Not inspected yet."));
    updateButtons();
}

void PgSetupPanel::setRole(const QString &role)
{
    m_role->setText(role);
    forgetInspection();
}

void PgSetupPanel::inspect()
{
    run(PgSetupRequest::Action::Inspect);
}

void PgSetupPanel::apply()
{
    if (m_busy || !m_report.hasPlan || m_report.plan.isEmpty())
        return;
    auto *dialog = new PgApplyConfirmDialog(m_report.plan, m_report.server, this);
    connect(dialog, &QDialog::finished, dialog, &QObject::deleteLater);
    dialog->setWindowModality(Qt::WindowModal);
    // The plan confirmed is the plan applied: the worker refuses if the database changed since.
    const QString confirmed = m_report.plan.displayScript();
    connect(dialog, &QDialog::accepted, this, [this, confirmed] {
        if (m_report.hasPlan && m_report.plan.displayScript() == confirmed)
            run(PgSetupRequest::Action::Apply);
        else
            appendLog(tr("The plan changed while the confirmation was open; review it and "
                         "apply again."));
    });
    dialog->open();
}

QString PgSetupPanel::sqlScript() const
{
    if (!m_report.hasPlan || m_report.plan.isEmpty())
        return {};
    return QStringLiteral("BEGIN;\n\n") + m_report.plan.displayScript()
        + QStringLiteral("COMMIT;\n");
}

void PgSetupPanel::copySql()
{
    const QString script = sqlScript();
    if (script.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(script);
    appendLog(tr("Copied the SQL (%n statement(s)) to the clipboard.", nullptr,
                 int(m_report.plan.steps().size())));
}

void PgSetupPanel::chooseSqlFile()
{
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Save SQL"), QStringLiteral("electric-setup.sql"),
                                       tr("SQL files (*.sql);;All files (*)"));
    if (!path.isEmpty())
        saveSql(path);
}

bool PgSetupPanel::saveSql(const QString &filePath)
{
    const QString script = sqlScript();
    if (script.isEmpty())
        return false;
    QSaveFile file(filePath);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text) || file.write(script.toUtf8()) < 0
        || !file.commit()) {
        appendLog(tr("Could not save the SQL to %1: %2").arg(filePath, file.errorString()));
        return false;
    }
    appendLog(tr("Saved the SQL to %1.").arg(filePath));
    return true;
}

void PgSetupPanel::showFix()
{
    const QTreeWidgetItem *item = m_checklist->currentItem();
    if (!item) {
        // Nothing chosen: the first red check's fix is the one that matters.
        for (int i = 0; i < m_checklist->topLevelItemCount() && !item; ++i) {
            if (!m_checklist->topLevelItem(i)->data(0, Qt::UserRole).toBool())
                item = m_checklist->topLevelItem(i);
        }
    }
    const QString fix = item ? item->text(2) : QString();
    m_fix->setText(
        fix.isEmpty()
            ? QString()
            : tr("<b>%1</b> — Fix: %2").arg(item->text(0).toHtmlEscaped(), fix.toHtmlEscaped()));
    m_fix->setVisible(!fix.isEmpty());
}

void PgSetupPanel::run(PgSetupRequest::Action action)
{
    if (m_busy)
        return;
    PgSetupRequest request;
    request.action = action;
    request.conninfo = m_conninfo->text().trimmed();
    request.password = m_password->text();
    request.target.role = m_role->text().trimmed();
    if (action == PgSetupRequest::Action::Apply)
        request.expectedPlan = m_report.plan.displayScript();
    request.target.rolePassword = m_rolePassword->text();
    if (m_haveTables) {
        // The editor's checkboxes are the whole truth: unchecked tables leave the publication.
        request.target.tables = m_tableModel->chosenTables();
        request.target.removeOtherTables = true;
        if (request.target.tables.isEmpty()) {
            appendLog(tr("Choose at least one table to publish."));
            return;
        }
    }
    m_busy = true;
    updateButtons();
    m_progress->setRange(0, 0); // busy until the first progress report
    if (action != PgSetupRequest::Action::Plan)
        appendLog(tr("%1 %2 …").arg(PgSetupRequest::actionName(action), request.conninfo));
    emit requestRun(request);
}

void PgSetupPanel::showReport(const PgSetupReport &report)
{
    m_busy = false;
    m_report = report;
    for (const QString &line : report.log)
        appendLog(line);
    if (report.hasState) {
        m_tableModel->setTables(report.state.tables);
        m_haveTables = true;
        if (m_rememberPassword->isChecked() && !m_password->text().isEmpty())
            m_keychain->write(m_conninfo->text().trimmed(), m_password->text());
    }
    showChecklist(report);
    showSql(report);
    if (report.hasState && !report.hasPlan)
        appendLog(tr("Cannot plan: %1").arg(report.planError.message));
    if (!report.ok) {
        appendLog(tr("ERROR: %1").arg(report.error.message));
        if (!report.error.detail.isEmpty())
            appendLog(QStringLiteral("       ") + report.error.detail);
        qCWarning(lcUi) << "pg setup" << PgSetupRequest::actionName(report.action) << "failed";
    } else if (report.action == PgSetupRequest::Action::Apply) {
        appendLog(tr("Applied %n step(s).", nullptr, report.appliedSteps));
    }
    updateButtons();
    emit reportShown(report);
    if (std::exchange(m_replanWanted, false))
        run(PgSetupRequest::Action::Plan);
}

void PgSetupPanel::showChecklist(const PgSetupReport &report)
{
    if (!report.hasState) {
        m_summary->setText(tr("<b style='color:#d1242f'>Not connected.</b>"));
        return;
    }
    m_checklist->clear();
    int failed = 0;
    for (const PgSetupCheck &check : report.checks) {
        auto *item = new QTreeWidgetItem(m_checklist, {check.title, check.detail, check.fix});
        item->setIcon(0, dot(check.ok ? kGreen : kRed));
        item->setData(0, Qt::UserRole, check.ok);
        item->setData(0, Qt::UserRole + 1, check.key);
        for (int column = 0; column < 3; ++column)
            item->setToolTip(column, item->text(column));
        failed += check.ok ? 0 : 1;
    }
    // New items with new icons: repaint now, not on the next expose (the dots stayed red).
    m_checklist->viewport()->update();
    showFix();
    m_summary->setText(
        failed == 0 ? tr("<b style='color:#2ea043'>Ready for Electric</b> (%1)").arg(report.server)
                    : tr("<b style='color:#d1242f'>%n check(s) failed</b>", nullptr, failed));
}

void PgSetupPanel::showSql(const PgSetupReport &report)
{
    QString text;
    for (const QString &note : report.plan.notes())
        text += QStringLiteral("-- NOTE: ") + note + QLatin1Char('\n');
    if (report.hasState && !report.hasPlan)
        text += QStringLiteral("-- Cannot plan: ") + report.planError.message + QLatin1Char('\n');
    else if (report.hasPlan && report.plan.isEmpty())
        text += tr("-- Nothing to do: the database already matches the target.\n");
    else if (report.hasPlan)
        text += QStringLiteral("BEGIN;\n\n") + report.plan.displayScript()
            + QStringLiteral("COMMIT;\n");
    m_sql->setPlainText(text);
}

void PgSetupPanel::appendLog(const QString &line)
{
    m_log->appendPlainText(QTime::currentTime().toString(QStringLiteral("HH:mm:ss ")) + line);
}

void PgSetupPanel::updateButtons()
{
    m_inspectButton->setEnabled(!m_busy);
    m_applyButton->setEnabled(!m_busy && m_report.hasPlan && !m_report.plan.isEmpty());
    m_applyButton->setToolTip(
        m_report.hasPlan ? tr("Run the %n statement(s) shown by Show SQL in one transaction",
                              nullptr, int(m_report.plan.steps().size()))
                         : tr("Inspect first"));
    const bool haveSql = m_report.hasPlan && !m_report.plan.isEmpty();
    m_copySqlButton->setEnabled(haveSql);
    m_saveSqlButton->setEnabled(haveSql);
    m_tables->setEnabled(!m_busy);
    m_progress->setVisible(m_busy);
}

} // namespace hivewatch
