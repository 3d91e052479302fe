#include "ui/logs/LogsPanel.h"

#include "domain/LogTable.h"
#include "domain/StatusVocabularies.h"
#include "models/logs/ExecutionListProxy.h"
#include "models/logs/LogExecutionModel.h"
#include "models/logs/LogLineModel.h"
#include "models/logs/LogModel.h"
#include "models/logs/LogSearchResultsModel.h"
#include "ui/logs/LogHistogramStrip.h"
#include "ui/logs/LogLineDelegate.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMetaEnum>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStyleOptionViewItem>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

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
    , m_lineModel(new LogLineModel(this))
    , m_executionModel(new LogExecutionModel(this))
    , m_executionProxy(new ExecutionListProxy(this))
{
    m_executionProxy->setSourceModel(m_executionModel);
    m_results = new LogSearchResultsModel(this);
    m_results->setExecutionModel(m_executionModel);
    buildUi();
    connect(m_model, &LogModel::executionsChanged, m_executionModel,
            &LogExecutionModel::setExecutions);
    connect(m_model, &LogModel::executionsChanged, this, &LogsPanel::onExecutionsChanged);
    // A large list arrives in slices after executionsChanged: choose a row once all are in.
    connect(m_executionModel, &LogExecutionModel::fillFinished, this,
            &LogsPanel::onExecutionsChanged);
    connect(m_model, &LogModel::totalCountChanged, this, &LogsPanel::updateStatus);
    connect(m_model, &LogModel::loadingChanged, this, &LogsPanel::updateStatus);
    connect(m_model, &LogModel::modelReset, this, &LogsPanel::updateStatus);
    connect(m_model, &LogModel::followingChanged, m_follow, &QToolButton::setChecked);
    connect(m_model, &LogModel::storeOpened, m_lineModel, &LogLineModel::setStorePath);
    connect(m_model, &LogModel::storeOpened, m_results, &LogSearchResultsModel::setStorePath);
    if (!m_model->storePath().isEmpty()) {
        m_lineModel->setStorePath(m_model->storePath());
        m_results->setStorePath(m_model->storePath());
    }
    connect(m_lineModel, &LogLineModel::lineCountChanged, this, &LogsPanel::tryPendingJump);
    connect(m_lineModel, &LogLineModel::searchFinished, this, &LogsPanel::tryPendingJump);
    connect(m_results, &LogSearchResultsModel::searchFinished, this, [this] {
        m_resultsView->expandAll();
        if (!m_results->lastError().isEmpty()) {
            m_lastMessage = m_results->lastError();
            updateStatus();
        }
    });
    // LogModel hears of new lines (the app's wiring) and reads them while following: the line
    // model then counts again and grows.
    connect(m_model, &LogModel::pageApplied, m_lineModel, &LogLineModel::refresh);
    connect(m_lineModel, &LogLineModel::lineCountChanged, this, &LogsPanel::updateStatus);
    connect(m_lineModel, &LogLineModel::rowsInserted, this, [this] {
        if (m_lines->model() == m_lineModel && m_model->isFollowing())
            scrollToBottom();
    });
    connect(m_lineModel, &LogLineModel::lineFound, this, &LogsPanel::showLine);
    connect(m_lineModel, &LogLineModel::searchFinished, this, &LogsPanel::updateCounter);
    connect(m_lineModel, &LogLineModel::hitPageLoaded, this, [this](int row) {
        if (row >= 0)
            showLine(row);
        updateCounter();
    });
    connect(m_lineModel, &LogLineModel::searchingChanged, this, &LogsPanel::updateCounter);
    connect(m_lineModel, &LogLineModel::errorOccurred, this, [this](const QString &message) {
        m_lastMessage = message;
        updateStatus();
    });
    connect(m_model, &LogModel::errorOccurred, this, [this](const QString &message) {
        m_lastMessage = message;
        updateStatus();
    });
    connect(m_model, &LogModel::exportProgress, this, [this](qint64 rows) {
        if (m_exportProgress->maximum() > 0)
            m_exportProgress->setValue(int(qMin<qint64>(rows, m_exportProgress->maximum())));
    });
    connect(m_model, &LogModel::exportFinished, this, [this](qint64 rows, const QString &error) {
        m_lastMessage
            = error.isEmpty() ? tr("Exported %1 lines to %2").arg(rows).arg(m_exportPath) : error;
        // Only a folder that took an export is offered again.
        if (error.isEmpty())
            QSettings().setValue(QLatin1String(kExportFolderKey),
                                 QFileInfo(m_exportPath).absolutePath());
        m_exportProgress->hide();
        m_exportCancel->hide();
        m_exportButton->setEnabled(true);
        updateStatus();
    });
    m_follow->setChecked(m_model->isFollowing());
    updateStatus();
}

LogsPanel::~LogsPanel()
{
    // The view and its scroll bars die in ~QWidget, after this panel's own part: a last
    // rangeChanged as they go must not reach the lambdas above, which use this panel's members
    // (UBSan caught one in tst_logspanel).
    m_lines->verticalScrollBar()->disconnect(this);
    m_lines->disconnect(this);
}

void LogsPanel::buildUi()
{
    m_executions = new QTableView;
    m_executions->setModel(m_executionProxy);
    m_executions->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_executions->setSelectionMode(QAbstractItemView::SingleSelection);
    m_executions->verticalHeader()->hide();
    m_executions->horizontalHeader()->setStretchLastSection(true);
    // Sizing the columns to their contents asked 1,000 rows (Qt's default) for their labels on
    // every refresh of the list, ~20 ms of the GUI thread at 10k executions every 300 ms while
    // logs sync; the first hundred (the newest and the running) show the widths well enough.
    m_executions->horizontalHeader()->setResizeContentsPrecision(100);
    m_executions->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_executions->setAlternatingRowColors(true);
    connect(m_executions->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                m_lastMessage.clear();
                const QModelIndex source = m_executionProxy->mapToSource(current);
                // A filtered-away selection keeps the lines shown (Open logs may land there).
                if (source.isValid())
                    selectExecution(m_executionModel->executionAt(source.row()));
            });

    m_lines = new QTableView;
    m_lines->setModel(m_lineModel);
    connect(m_lines->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &LogsPanel::showDetail);
    connect(m_lineModel, &LogLineModel::pageLoaded, this, &LogsPanel::showDetail);
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
    m_delegate = new LogLineDelegate(LogModel::ContentColumn, this);
    m_lines->setItemDelegate(m_delegate);
    // Expand in place: the triangle, Space, or a double-click.
    m_delegate->setToggleHandler([this](const QModelIndex &index) { toggleExpanded(index.row()); });
    connect(m_lines, &QTableView::doubleClicked, this,
            [this](const QModelIndex &index) { toggleExpanded(index.row()); });
    auto *expand = new QAction(tr("Expand or collapse the line"), this);
    expand->setShortcut(QKeySequence(Qt::Key_Space));
    expand->setShortcutContext(Qt::WidgetShortcut);
    connect(expand, &QAction::triggered, this, [this] {
        if (m_lines->currentIndex().isValid())
            toggleExpanded(m_lines->currentIndex().row());
    });
    m_lines->addAction(expand);
    connect(m_lines->verticalScrollBar(), &QScrollBar::valueChanged, this, &LogsPanel::onScroll);
    // Rows arriving (or a resize) change the range, not the value: stay at the bottom if following.
    connect(m_lines->verticalScrollBar(), &QScrollBar::rangeChanged, this, [this] {
        if (m_model->isFollowing())
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
    bar->addStretch(1);
    auto *findBar = new QHBoxLayout; // a row of its own: finding is the main thing here
    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("find"));
    m_search->setPlaceholderText(tr("Find in this execution…"));
    m_search->setClearButtonEnabled(true);
    auto *searchDelay = new QTimer(this); // search when typing pauses, not per key
    searchDelay->setSingleShot(true);
    searchDelay->setInterval(250);
    connect(m_search, &QLineEdit::textChanged, searchDelay, qOverload<>(&QTimer::start));
    connect(searchDelay, &QTimer::timeout, this, &LogsPanel::applySearch);
    findBar->addWidget(m_search, 1);
    const auto toggle
        = [this, findBar](const QString &text, const QString &name, const QString &tip) {
              auto *b = new QToolButton;
              b->setText(text);
              b->setObjectName(name);
              b->setToolTip(tip);
              b->setCheckable(true);
              connect(b, &QToolButton::toggled, this, &LogsPanel::applySearch);
              findBar->addWidget(b);
              return b;
          };
    m_regex = toggle(QStringLiteral(".*"), QStringLiteral("regex"), tr("Regular expression"));
    m_case = toggle(QStringLiteral("Aa"), QStringLiteral("caseSensitive"), tr("Match case"));
    m_exclude = new QLineEdit;
    m_exclude->setObjectName(QStringLiteral("exclude"));
    m_exclude->setPlaceholderText(tr("Leave out…"));
    m_exclude->setToolTip(tr("Lines containing any of these words (space-separated) are no hits"));
    m_exclude->setClearButtonEnabled(true);
    m_exclude->setMaximumWidth(160);
    connect(m_exclude, &QLineEdit::textChanged, searchDelay, qOverload<>(&QTimer::start));
    findBar->addWidget(m_exclude);
    m_allExecutions = new QCheckBox(tr("All executions"));
    m_allExecutions->setObjectName(QStringLiteral("allExecutions"));
    m_allExecutions->setToolTip(tr("Also search every execution; results grouped on the left"));
    connect(m_allExecutions, &QCheckBox::toggled, this, &LogsPanel::applySearch);
    findBar->addWidget(m_allExecutions);
    m_matchesOnly = new QCheckBox(tr("Only matches"));
    m_matchesOnly->setObjectName(QStringLiteral("matchesOnly"));
    connect(m_matchesOnly, &QCheckBox::toggled, this, &LogsPanel::applySearch);
    findBar->addWidget(m_matchesOnly);
    m_context = new QSpinBox;
    m_context->setObjectName(QStringLiteral("context"));
    m_context->setRange(0, 50);
    m_context->setPrefix(QStringLiteral("±"));
    m_context->setToolTip(tr("Lines of context around each match (with Only matches)"));
    connect(m_context, &QSpinBox::valueChanged, this, &LogsPanel::applySearch);
    findBar->addWidget(m_context);
    m_counter = new QLabel;
    m_counter->setObjectName(QStringLiteral("hitCounter"));
    m_counter->setMinimumWidth(90);
    findBar->addWidget(m_counter);
    auto *next = new QAction(tr("Next match"), this);
    next->setShortcut(QKeySequence(Qt::Key_F3));
    next->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(next, &QAction::triggered, this, [this] { stepHit(true); });
    addAction(next);
    auto *previous = new QAction(tr("Previous match"), this);
    previous->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F3));
    previous->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(previous, &QAction::triggered, this, [this] { stepHit(false); });
    addAction(previous);
    // n / N as in less and lnav, only where typing is not meant.
    auto *nextKey = new QAction(this);
    nextKey->setShortcut(QKeySequence(Qt::Key_N));
    nextKey->setShortcutContext(Qt::WidgetShortcut);
    connect(nextKey, &QAction::triggered, this, [this] { stepHit(true); });
    m_lines->addAction(nextKey);
    auto *previousKey = new QAction(this);
    previousKey->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_N));
    previousKey->setShortcutContext(Qt::WidgetShortcut);
    connect(previousKey, &QAction::triggered, this, [this] { stepHit(false); });
    m_lines->addAction(previousKey);
    m_jump = new QLineEdit;
    m_jump->setObjectName(QStringLiteral("jumpTo"));
    m_jump->setPlaceholderText(tr("Line or time (Ctrl+G)"));
    m_jump->setToolTip(tr("A line number, or a time: 14:05, 14:05:30 or 2026-11-25 14:05"));
    m_jump->setMaximumWidth(190);
    connect(m_jump, &QLineEdit::returnPressed, this, [this] { jumpTo(m_jump->text()); });
    auto *goTo = new QAction(tr("Go to line or time"), this);
    goTo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    goTo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(goTo, &QAction::triggered, this, [this] {
        m_jump->setFocus();
        m_jump->selectAll();
    });
    addAction(goTo);
    findBar->addWidget(m_jump);

    const auto button = [this, bar](const QString &text, const QString &tip, auto slot) {
        auto *b = new QToolButton;
        b->setText(text);
        b->setToolTip(tip);
        connect(b, &QToolButton::clicked, this, slot);
        bar->addWidget(b);
        return b;
    };
    button(tr("Start"), tr("Jump to the first line (Ctrl+Home)"), [this] {
        m_lines->scrollToTop();
    })->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Home));
    button(tr("End"), tr("Jump to the newest line (Ctrl+End)"), [this] {
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
    button(tr("Copy ref"), tr("Copy the current line as execution id:line (Ctrl+Shift+C)"), [this] {
        copyReference();
    })->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_exportButton = button(tr("Export…"), tr("Save the lines the view shows as text"),
                            [this] { chooseExportFile(); });
    m_exportProgress = new QProgressBar;
    m_exportProgress->setObjectName(QStringLiteral("exportProgress"));
    m_exportProgress->setMaximumWidth(160);
    m_exportProgress->hide();
    bar->addWidget(m_exportProgress);
    m_exportCancel = button(tr("Cancel"), tr("Stop the export (no file is left behind)"),
                            [this] { m_model->cancelExport(); });
    m_exportCancel->setObjectName(QStringLiteral("exportCancel"));
    m_exportCancel->hide();

    m_status = new QLabel;
    m_emptyHint = new QLabel(tr("No logs in the local store yet. Lines appear here as they sync."));
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setWordWrap(true);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addLayout(bar);
    rightLayout->addLayout(findBar);
    rightLayout->addWidget(m_emptyHint);
    m_histogram = new LogHistogramStrip;
    m_histogram->setObjectName(QStringLiteral("histogram"));
    connect(m_lineModel, &LogLineModel::histogramChanged, this,
            [this] { m_histogram->setBuckets(m_lineModel->histogram()); });
    connect(m_histogram, &LogHistogramStrip::minuteClicked, m_lineModel, &LogLineModel::findTime);
    rightLayout->addWidget(m_histogram);
    m_detail = new QPlainTextEdit;
    m_detail->setObjectName(QStringLiteral("lineDetail"));
    m_detail->setReadOnly(true);
    m_detail->setFont(mono);
    m_detail->setPlaceholderText(tr("The current line in full"));
    auto *lineSplit = new QSplitter(Qt::Vertical);
    lineSplit->addWidget(m_lines);
    lineSplit->addWidget(m_detail);
    lineSplit->setStretchFactor(0, 4);
    lineSplit->setStretchFactor(1, 1);
    rightLayout->addWidget(lineSplit, 1);
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
    m_resultsView = new QTreeView;
    m_resultsView->setObjectName(QStringLiteral("searchResults"));
    m_resultsView->setModel(m_results);
    m_resultsView->setHeaderHidden(true);
    m_resultsView->setUniformRowHeights(true);
    m_resultsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_resultsView->hide();
    connect(m_resultsView, &QTreeView::clicked, this, [this](const QModelIndex &index) {
        openLine(index.data(LogSearchResultsModel::ExecutionIdRole).toUuid(),
                 index.data(LogSearchResultsModel::LineNumberRole).toLongLong());
    });
    connect(m_resultsView, &QTreeView::activated, m_resultsView, &QTreeView::clicked);
    leftLayout->addWidget(m_resultsView, 2);
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
        selectExecution(executionId);
}

void LogsPanel::selectExecution(const QUuid &executionId)
{
    m_model->setExecution(executionId);
    m_lineModel->setExecution(executionId);
}

LogSearchQuery LogsPanel::fieldsQuery() const
{
    LogSearchQuery query;
    query.text = m_search->text();
    query.regex = m_regex->isChecked();
    query.caseSensitive = m_case->isChecked();
    query.exclude = m_exclude->text().split(u' ', Qt::SkipEmptyParts);
    query.context = m_context->value();
    return query;
}

void LogsPanel::applySearch()
{
    const LogSearchQuery query = fieldsQuery();
    m_delegate->setPattern(query.text, query.regex, query.caseSensitive);
    m_lastMessage.clear();
    m_lineModel->setSearch(query, m_matchesOnly->isChecked());
    m_resultsView->setVisible(m_allExecutions->isChecked());
    m_results->setSearch(m_allExecutions->isChecked() ? query : LogSearchQuery());
    m_lines->viewport()->update();
    updateCounter();
}

void LogsPanel::stepHit(bool forward)
{
    LogLineModel *lines = m_lineModel;
    const QList<int> &hits = lines->hitRows();
    if (hits.isEmpty() || lines->isSearching())
        return;
    const QModelIndex current = m_lines->currentIndex();
    const int from = current.isValid() ? current.row() : (forward ? -1 : lines->rowCount());
    // The model holds one page of hits. Past its edge the next page is read, from the current
    // line when that lies beyond the page (hits in between would be skipped otherwise).
    const LogEntry *at = current.isValid() ? lines->entry(from) : nullptr;
    const qint64 fromId = at ? at->id : 0;
    if (forward) {
        const bool before = from < hits.first() && lines->hasHitsBeforePage();
        const auto it = std::upper_bound(hits.begin(), hits.end(), from);
        if (!before && it != hits.end()) {
            showLine(*it);
        } else if (before && (fromId > 0 || from < 0)) {
            lines->pageHits(true, fromId, false);
        } else if (lines->hasHitsAfterPage()) {
            const bool beyond = from > hits.last() && fromId > 0;
            lines->pageHits(true, beyond ? fromId : lines->hitIds().last(), !beyond);
        } else if (lines->hasHitsBeforePage()) {
            lines->pageHits(true, 0, true); // wrap around to the first hit
        } else {
            showLine(hits.first());
        }
    } else {
        const bool after = from > hits.last() && lines->hasHitsAfterPage();
        const auto it = std::lower_bound(hits.begin(), hits.end(), from);
        if (!after && it != hits.begin()) {
            showLine(*(it - 1));
        } else if (after && (fromId > 0 || from >= lines->rowCount())) {
            lines->pageHits(false, fromId, false);
        } else if (lines->hasHitsBeforePage()) {
            const bool beyond = from < hits.first() && fromId > 0;
            lines->pageHits(false, beyond ? fromId : lines->hitIds().first(), !beyond);
        } else if (lines->hasHitsAfterPage()) {
            lines->pageHits(false, 0, true); // wrap around to the last hit
        } else {
            showLine(hits.last());
        }
    }
    updateCounter();
}

void LogsPanel::updateCounter()
{
    QString text;
    if (m_lineModel->isSearching()) {
        text = tr("searching…");
    } else if (!m_lineModel->searchQuery().text.isEmpty()) {
        const qint64 total = m_lineModel->totalHits();
        const QModelIndex current = m_lines->currentIndex();
        const qint64 k = current.isValid() ? m_lineModel->hitNumber(current.row()) : 0;
        if (total == 0)
            text = tr("no matches");
        else if (k > 0)
            text = tr("%1 of %2").arg(k).arg(total);
        else
            text = tr("%1 matches").arg(total);
    }
    m_counter->setText(text);
}

void LogsPanel::openLine(const QUuid &executionId, qint64 lineNumber)
{
    if (executionId.isNull())
        return;
    m_pendingExecution = executionId;
    m_pendingLine = lineNumber;
    showExecution(executionId);
    tryPendingJump(); // the execution may be shown already
}

void LogsPanel::tryPendingJump()
{
    if (m_pendingExecution.isNull() || m_lineModel->executionId() != m_pendingExecution)
        return;
    if (m_pendingLine <= 0) { // an execution, not a line: its newest lines, as a click shows
        m_pendingExecution = QUuid();
        return;
    }
    // The count must have arrived (and, with matches only, the matches) before the line's row
    // can be known; with streams filtered the count is of the shown lines, so only its arrival
    // is waited for.
    const qint64 count = m_lineModel->lineCount();
    if ((m_lineModel->isStreamFiltered() ? count == 0 : count < m_pendingLine)
        || m_lineModel->isSearching())
        return;
    m_pendingExecution = QUuid();
    m_lineModel->findLine(m_pendingLine); // answers with lineFound or errorOccurred
}

void LogsPanel::showDetail()
{
    const QModelIndex current = m_lines->currentIndex();
    if (!current.isValid()) {
        m_detail->clear();
        return;
    }
    QString content
        = current.siblingAtColumn(LogModel::ContentColumn).data(LogModel::ContentRole).toString();
    if (content.isNull()) {
        const LogEntry *e = m_lineModel->entry(current.row());
        content = e ? e->content : QString();
    }
    // Structured lines read better indented; anything else is shown as it was written.
    QJsonParseError error;
    const QJsonDocument json = QJsonDocument::fromJson(content.toUtf8(), &error);
    if (error.error == QJsonParseError::NoError && !json.isNull())
        content = QString::fromUtf8(json.toJson(QJsonDocument::Indented));
    if (content.endsWith(u'\n'))
        content.chop(1);
    m_detail->setPlainText(content);
}

void LogsPanel::toggleExpanded(int row)
{
    const bool expanded = m_lineModel->setExpanded(row, !m_lineModel->isExpanded(row));
    // Fixed row heights stay the rule (cheap over millions of rows); an expanded row is the
    // exception, as tall as its text.
    int height = m_lines->verticalHeader()->defaultSectionSize();
    if (expanded) {
        QStyleOptionViewItem option;
        option.initFrom(m_lines->viewport());
        option.font = m_lines->font();
        option.fontMetrics = m_lines->fontMetrics();
        const QModelIndex message = m_lineModel->index(row, LogLineModel::ContentColumn);
        height = qMax(height, m_delegate->sizeHint(option, message).height());
    }
    m_lines->setRowHeight(row, height);
}

void LogsPanel::copyReference()
{
    const QModelIndex current = m_lines->currentIndex();
    if (!current.isValid() || m_model->executionId().isNull())
        return;
    const qint64 line = current.data(LogLineModel::LineNumberRole).toLongLong();
    QApplication::clipboard()->setText(m_lineModel->executionId().toString(QUuid::WithoutBraces)
                                       + u':' + QString::number(line));
}

void LogsPanel::jumpTo(const QString &target)
{
    const QString text = target.trimmed();
    if (text.isEmpty())
        return;
    bool isNumber = false;
    const qint64 line = text.toLongLong(&isNumber);
    // Both answer with lineFound (a row) or errorOccurred.
    if (isNumber)
        m_lineModel->findLine(line);
    else
        m_lineModel->findTime(text);
}

void LogsPanel::showLine(int row)
{
    if (row < 0 || row >= m_lineModel->rowCount())
        return;
    m_lastMessage.clear();
    m_model->setFollowing(false);
    const QModelIndex index = m_lineModel->index(row, LogLineModel::ContentColumn);
    m_adjustingScroll = true;
    m_lines->scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_adjustingScroll = false;
    m_lines->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    updateStatus();
    updateCounter();
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
    // Follow exactly while the newest line is in view; scrolling up stops following.
    if (!m_adjustingScroll && m_lineModel->rowCount() > 0)
        m_model->setFollowing(value >= m_lines->verticalScrollBar()->maximum());
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
    m_model->setShownStreams(shown); // what an export writes
    m_lineModel->setStreams(m_model->filter());
    m_lastMessage.clear();
    updateStatus();
}

void LogsPanel::updateStatus()
{
    const bool noExecutions = m_executionModel->rowCount() == 0;
    m_emptyHint->setVisible(noExecutions);
    m_lines->setVisible(!noExecutions);
    QString text;
    if (!m_model->executionId().isNull()) {
        text = (m_lineModel->isStreamFiltered() ? tr("%1: %2 lines of the streams shown")
                                                : tr("%1: %2 lines"))
                   .arg(m_model->executionId().toString(QUuid::WithoutBraces))
                   .arg(m_lineModel->lineCount());
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
        const LogEntry *line = m_lineModel->entry(row);
        if (!line)
            continue; // not read yet: never copy a placeholder as if it were the line
        const LogEntry &e = *line;
        QString content = e.content;
        if (content.endsWith(u'\n'))
            content.chop(1);
        lines << e.timestamp + QStringLiteral(" [") + e.outputType + QStringLiteral("] ") + content;
    }
    if (!lines.isEmpty())
        QApplication::clipboard()->setText(lines.join(u'\n') + u'\n');
}

QString LogsPanel::exportFolder()
{
    const QString folder = QSettings().value(QLatin1String(kExportFolderKey)).toString();
    return folder.isEmpty() || !QDir(folder).exists() ? QDir::homePath() : folder;
}

void LogsPanel::exportToFile(const QString &filePath)
{
    if (m_model->isExporting()) {
        m_lastMessage = tr("An export is already running");
        updateStatus();
        return;
    }
    // What the view shows: the execution's lines of the ticked streams or, with "only matches",
    // every hit with its context, matched as the search matches (regex, case, left-out terms).
    const LogFilter filter = m_model->filter();
    qint64 expected = m_lineModel->lineCount();
    const bool matches = m_matchesOnly->isChecked() && !m_search->text().isEmpty();
    // The fields as they are now, also when typing has not paused long enough to search yet.
    LogSearchQuery query = fieldsQuery();
    query.streams = m_lineModel->streams();
    if (matches)
        expected = 0; // unknown until written: the bar just shows activity
    m_exportPath = filePath;
    m_lastMessage = tr("Exporting to %1…").arg(filePath);
    m_exportProgress->setRange(0, int(qMin<qint64>(expected, std::numeric_limits<int>::max())));
    m_exportProgress->setValue(0);
    m_exportProgress->show();
    m_exportCancel->show();
    m_exportButton->setEnabled(false);
    updateStatus();
    if (matches)
        m_model->exportMatches(filePath, query);
    else
        m_model->exportExecution(filePath, filter);
}

void LogsPanel::chooseExportFile()
{
    if (m_model->executionId().isNull())
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export log lines"),
        QDir(exportFolder())
            .filePath(m_model->executionId().toString(QUuid::WithoutBraces)
                      + QStringLiteral(".log")),
        tr("Text files (*.log *.txt)"));
    if (!path.isEmpty())
        exportToFile(path);
}

} // namespace hivewatch
