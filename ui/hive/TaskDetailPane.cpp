#include "ui/hive/TaskDetailPane.h"

#include "domain/HiveTables.h"
#include "ui/hive/HistoryScrubber.h"

#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveModels.h"
#include "models/hive/HiveValues.h"
#include "models/hive/NodeModel.h"
#include "models/hive/NodeProjectModel.h"
#include "models/hive/ProgressEventModel.h"
#include "models/hive/TaskModel.h"

#include <QDesktopServices>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QJsonValue>
#include <QLabel>
#include <QPushButton>
#include <QTextBrowser>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

namespace hivewatch {

namespace {
const QString kScheme = QStringLiteral("hivewatch");
constexpr int kShownEvents = 10;

QString link(const QString &what, const QString &id, const QString &text)
{
    return QStringLiteral("<a href=\"%1:%2/%3\">%4</a>")
        .arg(kScheme, what, id.toHtmlEscaped(), text.toHtmlEscaped());
}

QString time(const QVariant &value)
{
    return HiveValues::displayTime(value.toDateTime());
}

// PR and branch from an event's metadata, as the node reports them (hive-schema §1.8).
QStringList metadataLinks(const QVariant &metadata)
{
    if (metadata.metaType().id() != QMetaType::QJsonValue || !metadata.toJsonValue().isObject())
        return {};
    const QJsonObject object = metadata.toJsonValue().toObject();
    QStringList links;
    if (const QUrl url = ProgressEventModel::pullRequestUrl(metadata); !url.isEmpty())
        links << QStringLiteral("<a href=\"%1\">PR</a>")
                     .arg(url.toString(QUrl::FullyEncoded).toHtmlEscaped());
    const QString branch = object.value(QLatin1String("branch")).toString();
    if (!branch.isEmpty())
        links << TaskDetailPane::tr("branch <code>%1</code>").arg(branch.toHtmlEscaped());
    return links;
}
} // namespace

TaskDetailPane::TaskDetailPane(HiveModels *models, QWidget *parent)
    : QWidget(parent)
    , m_models(models)
    , m_title(new QLabel(this))
    , m_browser(new QTextBrowser(this))
    , m_openLogs(new QPushButton(tr("Open &logs"), this))
{
    setObjectName(QStringLiteral("taskDetail"));
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setWordWrap(true);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_browser->setOpenLinks(false);
    m_browser->setOpenExternalLinks(false);
    connect(m_browser, &QTextBrowser::anchorClicked, this, &TaskDetailPane::activateLink);
    m_openLogs->setToolTip(tr("The lines of the task's running (or latest) execution"));
    connect(m_openLogs, &QPushButton::clicked, this, [this] {
        const QUuid id = QUuid::fromString(logsAssignmentId());
        if (!id.isNull())
            emit openLogsRequested(id);
    });

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_title, 1);
    bar->addWidget(m_openLogs);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_browser, 1);

    // Live rows change often; the pane re-renders at most a few times a second.
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(250);
    connect(&m_refreshTimer, &QTimer::timeout, this, &TaskDetailPane::refresh);
    const auto later = [this] {
        if (!m_taskId.isEmpty() && !m_refreshTimer.isActive())
            m_refreshTimer.start();
    };
    for (KeyedTableModel *model : {static_cast<KeyedTableModel *>(models->tasks()),
                                   static_cast<KeyedTableModel *>(models->assignments()),
                                   static_cast<KeyedTableModel *>(models->progressEvents()),
                                   static_cast<KeyedTableModel *>(models->nodes())})
        connect(model, &KeyedTableModel::batchApplied, this, later);
    refresh();
}

void TaskDetailPane::showTask(const QString &taskId)
{
    m_taskId = taskId;
    if (m_asOf) {
        m_asOf->setSubject(HiveTables::SharedTasks, taskId);
        // No task, no subject: the box would show placeholder times or the whole hive's changes.
        m_historyBox->setVisible(!taskId.isEmpty());
    }
    refresh();
}

void TaskDetailPane::setHistorySource(HistorySource *source)
{
    auto *box = m_historyBox = new QGroupBox(tr("History"), this);
    box->setCheckable(true); // unchecked: folded away, the live pane gets the room
    box->setChecked(true);
    m_asOf = new HistoryScrubber(source, box);
    auto *boxLayout = new QVBoxLayout(box);
    boxLayout->addWidget(m_asOf);
    connect(box, &QGroupBox::toggled, m_asOf, &QWidget::setVisible);
    static_cast<QVBoxLayout *>(layout())->addWidget(box, 1);
    if (!m_taskId.isEmpty())
        m_asOf->setSubject(HiveTables::SharedTasks, m_taskId);
    box->setVisible(!m_taskId.isEmpty());
}

QString TaskDetailPane::logsAssignmentId() const
{
    const AssignmentModel *assignments = m_models->assignments();
    const QString active = assignments->activeAssignmentForTask(m_taskId);
    if (!active.isEmpty())
        return active;
    return assignments->assignmentIdsForTask(m_taskId).value(0);
}

QList<TaskDetailPane::HistoryEntry> TaskDetailPane::statusHistory() const
{
    const TaskModel *tasks = m_models->tasks();
    const int row = tasks->rowForId(m_taskId);
    if (row < 0)
        return {};
    QList<HistoryEntry> history;
    const QDateTime created = tasks->field(row, TaskModel::FCreated).toDateTime();
    if (created.isValid())
        history.append({created, tr("created")});
    const QString status = tasks->index(row, TaskModel::Status).data().toString();
    const QDateTime updated = tasks->field(row, TaskModel::FUpdated).toDateTime();
    if (updated.isValid())
        history.append({updated, tr("last updated, now %1").arg(status)});
    const QDateTime archived = tasks->field(row, TaskModel::FArchived).toDateTime();
    if (archived.isValid())
        history.append({archived, tr("archived")});
    const QDateTime deleted = tasks->field(row, TaskModel::FDeleted).toDateTime();
    if (deleted.isValid())
        history.append({deleted, tr("deleted")});
    std::stable_sort(history.begin(), history.end(),
                     [](const HistoryEntry &a, const HistoryEntry &b) { return a.at < b.at; });
    return history;
}

void TaskDetailPane::refresh()
{
    const TaskModel *tasks = m_models->tasks();
    const int row = m_taskId.isEmpty() ? -1 : tasks->rowForId(m_taskId);
    m_openLogs->setEnabled(row >= 0 && !logsAssignmentId().isEmpty());
    if (row < 0) {
        m_title->setText(m_taskId.isEmpty() ? tr("Select a task (Enter or double-click)")
                                            : tr("Task not in the store (removed?)"));
        m_browser->clear();
        return;
    }
    auto cell = [&](int column) {
        return tasks->index(row, column).data().toString().toHtmlEscaped();
    };
    m_title->setText(tasks->field(row, TaskModel::FTitle).toString());
    QString html;
    html += QStringLiteral("<p><b>%1</b> · %2")
                .arg(cell(TaskModel::Status), cell(TaskModel::Project));
    const QString node = tasks->runningOnNodeId(row);
    if (!node.isEmpty())
        html += tr(" · running on %1")
                    .arg(link(QStringLiteral("node"), node, tasks->runningOnName(row)));
    html += QStringLiteral("</p>");
    const QString description = tasks->field(row, TaskModel::FDescription).toString();
    html += QStringLiteral("<p style=\"white-space: pre-wrap\">%1</p>")
                .arg(description.isEmpty() ? tr("<i>No description</i>")
                                           : description.left(20000).toHtmlEscaped());
    html += tr("<h3>Status history</h3>");
    html += QStringLiteral("<table cellspacing=\"4\">");
    for (const HistoryEntry &entry : statusHistory())
        html += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>")
                    .arg(HiveValues::displayTime(entry.at), entry.text.toHtmlEscaped());
    html += QStringLiteral("</table>");
    html += assignmentsHtml();
    html += eventsHtml(m_models->assignments()->assignmentIdsForTask(m_taskId));
    m_browser->setHtml(html);
}

QString TaskDetailPane::assignmentsHtml() const
{
    const AssignmentModel *assignments = m_models->assignments();
    const QStringList ids = assignments->assignmentIdsForTask(m_taskId);
    QString html = tr("<h3>Assignments</h3>");
    if (ids.isEmpty())
        return html + tr("<p><i>Never assigned to a node</i></p>");
    html += QStringLiteral("<table cellspacing=\"4\"><tr><th align=\"left\">%1</th>"
                           "<th align=\"left\">%2</th><th align=\"left\">%3</th>"
                           "<th align=\"left\">%4</th><th align=\"left\">%5</th><th></th></tr>")
                .arg(tr("Node"), tr("Status"), tr("Assigned"), tr("Started"), tr("Completed"));
    for (const QString &id : ids) {
        const int row = assignments->rowForId(id);
        const QString nodeId = assignments->field(row, AssignmentModel::FNodeId).toString();
        QString where = link(QStringLiteral("node"), nodeId, assignments->nodeName(row));
        const QString repo = m_models->nodeProjects()->describe(
            assignments->field(row, AssignmentModel::FNodeProjectId).toString());
        if (!repo.isEmpty())
            where += QStringLiteral("<br><small>%1</small>").arg(repo.toHtmlEscaped());
        html += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td>"
                               "<td>%6</td></tr>")
                    .arg(where,
                         assignments->index(row, AssignmentModel::Status)
                             .data()
                             .toString()
                             .toHtmlEscaped(),
                         time(assignments->field(row, AssignmentModel::FAssigned)),
                         time(assignments->field(row, AssignmentModel::FStarted)),
                         time(assignments->field(row, AssignmentModel::FCompleted)),
                         link(QStringLiteral("logs"), id, tr("Open logs")));
    }
    return html + QStringLiteral("</table>");
}

QString TaskDetailPane::eventsHtml(const QStringList &assignmentIds) const
{
    const ProgressEventModel *events = m_models->progressEvents();
    QList<int> rows;
    for (int row = 0; row < events->rowCount(); ++row) {
        if (assignmentIds.contains(
                events->field(row, ProgressEventModel::FAssignmentId).toString()))
            rows.append(row);
    }
    std::sort(rows.begin(), rows.end(), [events](int a, int b) {
        return events->field(a, ProgressEventModel::FTimestamp).toDateTime()
            > events->field(b, ProgressEventModel::FTimestamp).toDateTime();
    });
    QString html = tr("<h3>Latest progress events</h3>");
    if (rows.isEmpty())
        return html + tr("<p><i>None reported</i></p>");
    html += QStringLiteral("<table cellspacing=\"4\">");
    for (int row : rows.mid(0, kShownEvents)) {
        QStringList what
            = {events->index(row, ProgressEventModel::Type).data().toString().toHtmlEscaped()};
        const QString message = events->field(row, ProgressEventModel::FMessage).toString();
        if (!message.isEmpty())
            what << message.left(500).toHtmlEscaped();
        what << metadataLinks(events->field(row, ProgressEventModel::FMetadata));
        html += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>")
                    .arg(time(events->field(row, ProgressEventModel::FTimestamp)),
                         what.join(QStringLiteral(" · ")));
    }
    return html + QStringLiteral("</table>");
}

void TaskDetailPane::activateLink(const QUrl &url)
{
    if (url.scheme() != kScheme) {
        QDesktopServices::openUrl(url);
        return;
    }
    const QString what = url.path().section(u'/', 0, 0);
    const QString id = url.path().section(u'/', 1);
    if (what == u"node")
        emit nodeRequested(id);
    else if (what == u"task")
        emit taskRequested(id);
    else if (what == u"logs" && !QUuid::fromString(id).isNull())
        emit openLogsRequested(QUuid::fromString(id));
}

QString TaskDetailPane::text() const
{
    return m_title->text() + QLatin1Char('\n') + m_browser->toPlainText();
}

} // namespace hivewatch
