#include "ui/logs/LogsPanel.h"

#include "domain/LogTable.h"
#include "domain/StatusVocabularies.h"
#include "models/logs/ExecutionListProxy.h"
#include "models/logs/LogExecutionModel.h"
#include "models/logs/LogModel.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMetaEnum>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace hivewatch {

namespace {

// One check box per stream the model tells apart; the output types behind each come from the
// domain's list (LogModel::setShownStreams), and Other also covers types it does not know.
const LogModel::Stream kStreams[] = {LogModel::Stream::Stdout, LogModel::Stream::Stderr,
                                     LogModel::Stream::System, LogModel::Stream::Other};

QString streamLabel(LogModel::Stream stream)
{
    switch (stream) {
    case LogModel::Stream::Stdout:
        return LogOutputTypeValue::of(LogOutputType::Stdout).displayText();
    case LogModel::Stream::Stderr:
        return LogOutputTypeValue::of(LogOutputType::Stderr).displayText();
    case LogModel::Stream::System:
        return LogOutputTypeValue::of(LogOutputType::System).displayText();
    default:
        return LogsPanel::tr("other");
    }
}

// "json_patch, session_id, …": what the Other box stands for, read from the domain.
QString otherTypes()
{
    QStringList types;
    for (const QByteArray &name : LogTable::outputTypes()) {
        const QString type = QString::fromLatin1(name);
        if (LogModel::streamOf(type) == LogModel::Stream::Other)
            types << type;
    }
    return types.join(QStringLiteral(", "));
}

} // namespace

LogsPanel::LogsPanel(LogModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_executionModel(new LogExecutionModel(this))
    , m_executionProxy(new ExecutionListProxy(this))
{
    m_executionProxy->setSourceModel(m_executionModel);
    buildUi();
    connect(m_model, &LogModel::executionsChanged, m_executionModel,
            &LogExecutionModel::setExecutions);
    connect(m_model, &LogModel::executionsChanged, this, &LogsPanel::onExecutionsChanged);
    connect(m_model, &LogModel::totalCountChanged, this, &LogsPanel::updateStatus);
    connect(m_model, &LogModel::loadingChanged, this, &LogsPanel::updateStatus);
    connect(m_model, &LogModel::modelReset, this, [this] {
        m_pendingScrollValue = -1;
        updateStatus();
    });
    connect(m_model, &LogModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int) { onRowsInserted(first); });
    connect(m_model, &LogModel::olderRowsInserted, this, [this](int count) {
        // Keep the lines the user was reading in place while older ones appear above them.
        // The scroll range grows only when the view lays out again, so the target may have to
        // wait for rangeChanged.
        QScrollBar *bar = m_lines->verticalScrollBar();
        m_pendingScrollValue = bar->value() + count;
        applyPendingScroll();
    });
    connect(m_model, &LogModel::followingChanged, m_follow, &QToolButton::setChecked);
    connect(m_model, &LogModel::errorOccurred, this, [this](const QString &message) {
        m_lastMessage = message;
        updateStatus();
    });
    connect(m_model, &LogModel::exportFinished, this, [this](qint64 rows, const QString &error) {
        m_lastMessage = error.isEmpty() ? tr("Exported %1 lines").arg(rows) : error;
        updateStatus();
    });
    m_follow->setChecked(m_model->isFollowing());
    updateStatus();
}

void LogsPanel::buildUi()
{
    m_executions = new QTableView;
    m_executions->setModel(m_executionProxy);
    m_executions->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_executions->setSelectionMode(QAbstractItemView::SingleSelection);
    m_executions->verticalHeader()->hide();
    m_executions->horizontalHeader()->setStretchLastSection(true);
    m_executions->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_executions->setAlternatingRowColors(true);
    connect(m_executions->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_lastMessage.clear();
                const QModelIndex source = m_executionProxy->mapToSource(current);
                // A filtered-away selection keeps the lines shown (Open logs may land there).
                if (source.isValid())
                    m_model->setExecution(m_executionModel->executionAt(source.row()));
            });

    m_lines = new QTableView;
    m_lines->setModel(m_model);
    m_lines->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_lines->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_lines->setWordWrap(false);
    m_lines->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    m_lines->verticalHeader()->hide();
    // Fixed row heights keep scrolling through many thousands of rows cheap.
    m_lines->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_lines->verticalHeader()->setDefaultSectionSize(m_lines->fontMetrics().height() + 4);
    m_lines->horizontalHeader()->setStretchLastSection(true);
    m_lines->setColumnWidth(LogModel::IdColumn, 70);
    m_lines->setColumnWidth(LogModel::TimeColumn, 200);
    m_lines->setColumnWidth(LogModel::StreamColumn, 90);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    m_lines->setFont(mono);
    connect(m_lines->verticalScrollBar(), &QScrollBar::valueChanged, this, &LogsPanel::onScroll);
    // Rows arriving (or a resize) change the range, not the value: stay at the bottom if following.
    connect(m_lines->verticalScrollBar(), &QScrollBar::rangeChanged, this, [this] {
        if (m_pendingScrollValue >= 0)
            applyPendingScroll();
        else if (m_model->isFollowing())
            scrollToBottom();
    });

    auto *copy = new QAction(tr("Copy"), this);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, &LogsPanel::copySelection);
    m_lines->addAction(copy);

    auto *bar = new QHBoxLayout;
    for (const LogModel::Stream stream : kStreams) {
        auto *box = new QCheckBox(streamLabel(stream));
        box->setObjectName(
            QLatin1String("stream")
            + QLatin1String(QMetaEnum::fromType<LogModel::Stream>().valueToKey(int(stream))));
        if (stream == LogModel::Stream::Other)
            box->setToolTip(
                tr("%1, and output types this version does not know").arg(otherTypes()));
        box->setChecked(true);
        connect(box, &QCheckBox::toggled, this, &LogsPanel::applyStreamFilter);
        m_streams.append(box);
        bar->addWidget(box);
    }
    m_search = new QLineEdit;
    m_search->setPlaceholderText(tr("Search this execution…"));
    m_search->setClearButtonEnabled(true);
    auto *searchDelay = new QTimer(this); // search when typing pauses, not per key
    searchDelay->setSingleShot(true);
    searchDelay->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, searchDelay, qOverload<>(&QTimer::start));
    connect(searchDelay, &QTimer::timeout, this,
            [this] { m_model->setSearchText(m_search->text()); });
    bar->addWidget(m_search, 1);

    const auto button = [this, bar](const QString &text, const QString &tip, auto slot) {
        auto *b = new QToolButton;
        b->setText(text);
        b->setToolTip(tip);
        connect(b, &QToolButton::clicked, this, slot);
        bar->addWidget(b);
        return b;
    };
    button(tr("Start"), tr("Jump to the first line (Ctrl+Home)"), [this] {
        m_model->jumpToStart();
        m_lines->scrollToTop();
    })->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Home));
    button(tr("End"), tr("Jump to the newest line (Ctrl+End)"), [this] {
        m_model->jumpToEnd();
        m_model->setFollowing(true);
        scrollToBottom();
    })->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_End));
    m_follow = button(tr("Follow"), tr("Keep showing the newest lines as they arrive"), [this] {
        if (m_follow->isChecked()) {
            m_model->jumpToEnd();
            scrollToBottom();
        }
        m_model->setFollowing(m_follow->isChecked());
    });
    m_follow->setCheckable(true);
    button(tr("Copy"), tr("Copy the selected lines"), [this] { copySelection(); });
    button(tr("Export…"), tr("Save the execution's lines (with the current filter) as text"),
           [this] { chooseExportFile(); });

    m_status = new QLabel;
    m_emptyHint = new QLabel(tr("No logs in the local store yet. Lines appear here as they sync."));
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setWordWrap(true);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(bar);
    rightLayout->addWidget(m_emptyHint);
    rightLayout->addWidget(m_lines, 1);
    rightLayout->addWidget(m_status);

    auto *split = new QSplitter;
    m_runningOnly = new QCheckBox(tr("Running only"));
    m_runningOnly->setObjectName(QStringLiteral("runningOnly"));
    m_runningOnly->setToolTip(tr("Show only executions whose assignment is still running"));
    connect(m_runningOnly, &QCheckBox::toggled, m_executionProxy,
            &ExecutionListProxy::setRunningOnly);
    auto *left = new QWidget;
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_runningOnly);
    leftLayout->addWidget(m_executions, 1);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    split->setSizes({300, 900});
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(split);
}

void LogsPanel::showExecution(const QUuid &executionId)
{
    const int row = m_executionModel->rowOf(executionId);
    const QModelIndex shown = row < 0
        ? QModelIndex()
        : m_executionProxy->mapFromSource(m_executionModel->index(row, 0));
    if (shown.isValid())
        m_executions->selectRow(shown.row());
    else
        m_model->setExecution(executionId);
}

void LogsPanel::onExecutionsChanged()
{
    // Pick the most recent execution when none is chosen yet; one shown before the list arrived
    // (Open logs from another panel) stays shown and gets its row selected.
    if (!m_executions->selectionModel()->hasSelection() && m_executionProxy->rowCount() > 0) {
        const QUuid shown = m_model->executionId();
        const int row = shown.isNull() ? -1 : m_executionModel->rowOf(shown);
        if (shown.isNull())
            m_executions->selectRow(0);
        else if (row >= 0)
            showExecution(shown);
    }
    m_executions->resizeColumnsToContents();
    updateStatus();
}

void LogsPanel::onScroll(int value)
{
    if (m_adjustingScroll || m_model->rowCount() == 0)
        return;
    QScrollBar *bar = m_lines->verticalScrollBar();
    if (value <= bar->minimum() && m_model->hasOlder())
        m_model->fetchOlder(); // reached the top: load the page before
    // Follow exactly while the newest line is in view; scrolling up stops following.
    m_model->setFollowing(value >= bar->maximum() && !m_model->hasNewer());
}

void LogsPanel::onRowsInserted(int first)
{
    Q_UNUSED(first)
    if (m_model->isFollowing())
        scrollToBottom();
    updateStatus();
}

void LogsPanel::applyPendingScroll()
{
    QScrollBar *bar = m_lines->verticalScrollBar();
    m_adjustingScroll = true;
    bar->setValue(m_pendingScrollValue);
    m_adjustingScroll = false;
    if (bar->maximum() >= m_pendingScrollValue)
        m_pendingScrollValue = -1;
}

void LogsPanel::scrollToBottom()
{
    QScrollBar *bar = m_lines->verticalScrollBar();
    m_adjustingScroll = true;
    bar->setValue(bar->maximum());
    m_adjustingScroll = false;
}

void LogsPanel::applyStreamFilter()
{
    QList<LogModel::Stream> shown;
    for (int i = 0; i < m_streams.size(); ++i) {
        if (m_streams[i]->isChecked())
            shown << kStreams[i];
    }
    m_model->setShownStreams(shown);
}

void LogsPanel::updateStatus()
{
    const bool noExecutions = m_executionModel->rowCount() == 0;
    m_emptyHint->setVisible(noExecutions);
    m_lines->setVisible(!noExecutions);
    QString text;
    if (!m_model->executionId().isNull()) {
        text = tr("%1: %2 of %3 lines loaded")
                   .arg(m_model->executionId().toString(QUuid::WithoutBraces))
                   .arg(m_model->rowCount())
                   .arg(m_model->totalCount());
        if (m_model->isLoading())
            text += tr(" — loading…");
    }
    if (!m_lastMessage.isEmpty())
        text += (text.isEmpty() ? QString() : QStringLiteral(" — ")) + m_lastMessage;
    m_status->setText(text);
}

void LogsPanel::copySelection()
{
    QList<int> rows;
    for (const QModelIndex &index : m_lines->selectionModel()->selectedRows())
        rows.append(index.row());
    std::sort(rows.begin(), rows.end());
    QStringList lines;
    for (int row : rows) {
        const LogEntry &e = m_model->entry(row);
        QString content = e.content;
        if (content.endsWith(u'\n'))
            content.chop(1);
        lines << e.timestamp + QStringLiteral(" [") + e.outputType + QStringLiteral("] ") + content;
    }
    if (!lines.isEmpty())
        QApplication::clipboard()->setText(lines.join(u'\n') + u'\n');
}

void LogsPanel::exportToFile(const QString &filePath)
{
    m_lastMessage = tr("Exporting to %1…").arg(filePath);
    updateStatus();
    m_model->exportExecution(filePath);
}

void LogsPanel::chooseExportFile()
{
    if (m_model->executionId().isNull())
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export log lines"),
        m_model->executionId().toString(QUuid::WithoutBraces) + QStringLiteral(".log"),
        tr("Text files (*.log *.txt)"));
    if (!path.isEmpty())
        exportToFile(path);
}

} // namespace hivewatch
