#include "ui/hive/NodesPanel.h"

#include "domain/HiveTables.h"
#include "ui/hive/HistoryScrubber.h"

#include "models/hive/AssignmentModel.h"
#include "models/hive/HistorySource.h"
#include "models/hive/HiveFilterProxy.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/NodeModel.h"
#include "models/hive/ProgressEventModel.h"
#include "ui/hive/HeartbeatSparklineDelegate.h"
#include "ui/hive/TrendChartPoints.h"

#include <QChart>
#include <QChartView>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QValueAxis>

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>

namespace hivewatch {

namespace {
QTableView *makeTable(QAbstractItemModel *model, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setModel(model);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setAlternatingRowColors(true);
    view->setSortingEnabled(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    // Sized to contents when the shown rows change (onCurrentChanged), not on every dataChanged:
    // ResizeToContents would lay out the text of every row each time a heartbeat ticks.
    view->horizontalHeader()->setStretchLastSection(true);
    return view;
}
} // namespace

NodesPanel::NodesPanel(NodeModel *nodes, AssignmentModel *assignments, ProgressEventModel *events,
                       QWidget *parent)
    : QWidget(parent)
    , m_nodes(nodes)
    , m_assignments(assignments)
    , m_nodeProxy(new HiveFilterProxy(this))
    , m_assignmentProxy(new HiveFilterProxy(this))
    , m_eventProxy(new HiveFilterProxy(this))
    , m_search(new QLineEdit(this))
    , m_strandedOnly(new QCheckBox(this))
    , m_title(new QLabel(this))
    , m_summary(new QLabel(this))
    , m_capabilities(new QLabel(this))
    , m_sparklines(new HeartbeatSparklineDelegate(this))
    , m_lagSeries(new QLineSeries(this))
    , m_lagTime(new QDateTimeAxis(this))
    , m_lagAxis(new QValueAxis(this))
{
    m_nodeProxy->setSourceModel(nodes);
    m_assignmentProxy->setSourceModel(assignments);
    m_assignmentProxy->setForeignIdFilter({});
    m_eventProxy->setSourceModel(events);
    m_eventProxy->setForeignIdFilter({});

    m_search->setPlaceholderText(tr("Filter nodes"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_nodeProxy, &HiveFilterProxy::setFilterFixedString);
    m_strandedOnly->setToolTip(tr("Only stale nodes that still hold active assignments: their "
                                  "work is stranded until they come back or it is reassigned"));
    connect(m_strandedOnly, &QCheckBox::toggled, this, [this](bool only) {
        m_nodeProxy->setIdFilter(QSet<QString>(m_stranded.cbegin(), m_stranded.cend()), only);
    });
    setStrandedNodes({});

    m_nodeTable = makeTable(m_nodeProxy, this);
    m_nodeTable->sortByColumn(NodeModel::Name, Qt::AscendingOrder);
    m_sparklines->setStaleSeconds(m_nodes->staleAfterSeconds());
    // The threshold is a setting; the node model announces a change of it as dataChanged.
    connect(m_nodes, &QAbstractItemModel::dataChanged, m_sparklines,
            [this] { m_sparklines->setStaleSeconds(m_nodes->staleAfterSeconds()); });
    m_nodeTable->setItemDelegateForColumn(NodeModel::Heartbeat, m_sparklines);
    m_assignmentTable = makeTable(m_assignmentProxy, this);
    m_assignmentTable->sortByColumn(AssignmentModel::Assigned, Qt::DescendingOrder);
    m_assignmentTable->hideColumn(AssignmentModel::Node);
    m_eventTable = makeTable(m_eventProxy, this);
    m_eventTable->sortByColumn(ProgressEventModel::Time, Qt::DescendingOrder);

    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_capabilities->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_capabilities->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_search, 1);
    filterRow->addWidget(m_strandedOnly);
    leftLayout->addLayout(filterRow);
    leftLayout->addWidget(m_nodeTable, 1);

    auto *detail = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_title);
    auto *form = new QFormLayout;
    form->addRow(tr("Status:"), m_summary);
    form->addRow(tr("Capabilities:"), m_capabilities);
    detailLayout->addLayout(form);
    auto *lagChart = new QChart;
    lagChart->setTitle(tr("Heartbeat lag (s)"));
    lagChart->legend()->hide();
    m_lagTime->setFormat(QStringLiteral("HH:mm"));
    m_lagTime->setTickCount(5);
    m_lagAxis->setLabelFormat(QStringLiteral("%d"));
    lagChart->addAxis(m_lagTime, Qt::AlignBottom);
    lagChart->addAxis(m_lagAxis, Qt::AlignLeft);
    m_lagSeries->setName(tr("heartbeat lag"));
    m_lagSeries->setPointsVisible(true); // a fresh history has a point per bucket, maybe one
    lagChart->addSeries(m_lagSeries);
    m_lagSeries->attachAxis(m_lagTime);
    m_lagSeries->attachAxis(m_lagAxis);
    m_lagChart = makeTrendChartView(lagChart, detail);
    m_lagChart->setMinimumHeight(150);
    m_lagChart->hide(); // until a history is there to show
    detailLayout->addWidget(m_lagChart, 1);
    detailLayout->addWidget(new QLabel(tr("<b>Assignments</b>"), detail));
    detailLayout->addWidget(m_assignmentTable, 1);
    detailLayout->addWidget(new QLabel(tr("<b>Recent progress events</b>"), detail));
    detailLayout->addWidget(m_eventTable, 1);
    m_detailLayout = detailLayout;

    auto *splitter = new QSplitter(this);
    splitter->addWidget(left);
    splitter->addWidget(detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    connect(m_nodeTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &NodesPanel::onCurrentChanged);
    connect(nodes, &QAbstractItemModel::dataChanged, this, &NodesPanel::updateDetail);
    connect(nodes, &KeyedTableModel::batchApplied, this, &NodesPanel::updateDetail);
    connect(assignments, &KeyedTableModel::batchApplied, this, &NodesPanel::updateEventFilter);
    // Size the node list's columns once, when the first nodes arrive.
    auto sizeOnce = std::make_shared<QMetaObject::Connection>();
    *sizeOnce = connect(nodes, &KeyedTableModel::batchApplied, this, [this, sizeOnce] {
        if (m_nodes->rowCount() == 0)
            return;
        m_nodeTable->resizeColumnsToContents();
        disconnect(*sizeOnce);
    });
    updateDetail();
}

void NodesPanel::selectNode(const QString &nodeId)
{
    for (int row = 0; row < m_nodeProxy->rowCount(); ++row) {
        const QModelIndex index = m_nodeProxy->index(row, 0);
        if (index.data(HiveRoles::IdRole).toString() == nodeId) {
            m_nodeTable->setCurrentIndex(index);
            return;
        }
    }
    m_nodeTable->setCurrentIndex({});
}

void NodesPanel::onCurrentChanged()
{
    m_nodeId = m_nodeTable->currentIndex().data(HiveRoles::IdRole).toString();
    m_assignmentProxy->setForeignIdFilter({m_nodeId});
    updateEventFilter();
    updateDetail();
    updateHeartbeatChart();
    if (m_asOf)
        m_asOf->setSubject(HiveTables::Nodes, m_nodeId);
    updateHistoryVisibility();
    m_assignmentTable->resizeColumnsToContents();
    m_eventTable->resizeColumnsToContents();
}

void NodesPanel::updateEventFilter()
{
    const QStringList ids
        = m_nodeId.isEmpty() ? QStringList() : m_assignments->assignmentIdsForNode(m_nodeId);
    m_eventProxy->setForeignIdFilter(QSet<QString>(ids.cbegin(), ids.cend()));
}

void NodesPanel::updateDetail()
{
    const int row = m_nodeId.isEmpty() ? -1 : m_nodes->rowForId(m_nodeId);
    if (row < 0) {
        m_title->setText(m_nodeId.isEmpty() ? tr("Select a node") : tr("Node removed"));
        m_summary->clear();
        m_capabilities->clear();
        return;
    }
    auto cell = [&](int column) {
        return m_nodes->index(row, column).data().toString();
    };
    m_title->setText(cell(NodeModel::Name));
    QString summary = tr("%1 · last heartbeat %2 · %3 active assignment(s)")
                          .arg(cell(NodeModel::Status), cell(NodeModel::Heartbeat),
                               cell(NodeModel::ActiveAssignments));
    if (!cell(NodeModel::PublicUrl).isEmpty())
        summary += QStringLiteral(" · ") + cell(NodeModel::PublicUrl);
    m_summary->setText(summary);
    m_summary->setStyleSheet(
        m_nodes->isStale(row) ? QStringLiteral("color: #b00020; font-weight: bold") : QString());
    const QString caps = m_nodes->capabilitiesText(row);
    m_capabilities->setText(caps.isEmpty() ? tr("none reported") : caps);
}

void NodesPanel::setHistorySource(HistorySource *source)
{
    m_history = source;
    m_lagChart->setVisible(source != nullptr);
    m_asOf = new HistoryScrubber(source, this);
    m_historyTitle = new QLabel(tr("<b>History</b>"), this);
    m_detailLayout->addWidget(m_historyTitle);
    m_detailLayout->addWidget(m_asOf, 1);
    if (!m_nodeId.isEmpty())
        m_asOf->setSubject(HiveTables::Nodes, m_nodeId);
    updateHistoryVisibility();
    connect(source, &HistorySource::trendsReady, this, [this](const TrendSet &trends) {
        m_sparklines->setSeries(trends.heartbeatLag, trends.from.toMSecsSinceEpoch(),
                                trends.to.toMSecsSinceEpoch());
        m_nodeTable->viewport()->update();
        updateHeartbeatChart();
    });
}

// With no node selected the scrubber has no subject: it would show placeholder times, or the
// whole hive's changes under "Select a node" (the History tab is the place for those).
void NodesPanel::updateHistoryVisibility()
{
    if (!m_asOf)
        return;
    m_historyTitle->setVisible(!m_nodeId.isEmpty());
    m_asOf->setVisible(!m_nodeId.isEmpty());
}

void NodesPanel::updateHeartbeatChart()
{
    if (!m_history)
        return;
    const TrendSet &trends = m_history->trends();
    const TrendPoints points = trends.heartbeatLag.value(m_nodeId);
    m_lagSeries->replace(trendChartPoints(points));
    if (trends.to.isValid())
        m_lagTime->setRange(trends.from.toLocalTime(), trends.to.toLocalTime());
    double top = m_nodes->staleAfterSeconds();
    for (const TrendPoint &point : points)
        top = std::max(top, point.value);
    m_lagAxis->setRange(0, top);
    m_lagAxis->applyNiceNumbers();
}

QString NodesPanel::detailText() const
{
    return QStringList({m_title->text(), m_summary->text(), m_capabilities->text()})
        .join(QLatin1Char('\n'));
}

void NodesPanel::setStrandedNodes(const QStringList &nodeIds)
{
    m_stranded = nodeIds;
    m_strandedOnly->setText(tr("Stranded only (%1)").arg(nodeIds.size()));
    if (m_strandedOnly->isChecked())
        m_nodeProxy->setIdFilter(QSet<QString>(nodeIds.cbegin(), nodeIds.cend()));
}

void NodesPanel::showStrandedOnly(bool only)
{
    m_strandedOnly->setChecked(only);
}

} // namespace hivewatch
