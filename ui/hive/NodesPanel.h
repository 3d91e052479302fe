#pragma once

#include <QWidget>

class QChartView;
class QDateTimeAxis;
class QLabel;
class QCheckBox;
class QLineEdit;
class QVBoxLayout;
class QLineSeries;
class QTableView;
class QValueAxis;

namespace hivewatch {

class AssignmentModel;
class HeartbeatSparklineDelegate;
class HiveFilterProxy;
class HistoryScrubber;
class HistorySource;
class NodeModel;
class ProgressEventModel;

// Nodes as a list, and for the selected node its details: status and heartbeat, capabilities,
// its assignments and the most recent progress events of those assignments.
class NodesPanel : public QWidget
{
    Q_OBJECT
public:
    NodesPanel(NodeModel *nodes, AssignmentModel *assignments, ProgressEventModel *events,
               QWidget *parent = nullptr);

    // Selects the node by id (empty = none).
    void selectNode(const QString &nodeId);
    QString selectedNodeId() const { return m_nodeId; }
    QTableView *nodeTable() const { return m_nodeTable; }
    QTableView *assignmentTable() const { return m_assignmentTable; }
    QTableView *eventTable() const { return m_eventTable; }
    QString detailText() const;
    // Heartbeat lag per node from the store's history: a sparkline in the Heartbeat column and
    // the selected node's chart in the detail.
    void setHistorySource(HistorySource *source);
    HeartbeatSparklineDelegate *sparklines() const { return m_sparklines; }
    QLineSeries *heartbeatSeries() const { return m_lagSeries; }
    QChartView *heartbeatChart() const { return m_lagChart; }
    HistoryScrubber *asOfControl() const { return m_asOf; }
    // The stale nodes holding active assignments (FleetSummary's list); the "stranded only"
    // toggle keeps just those in the list.
    void setStrandedNodes(const QStringList &nodeIds);
    void showStrandedOnly(bool only);
    QCheckBox *strandedOnlyBox() const { return m_strandedOnly; }

private:
    void onCurrentChanged();
    void updateDetail();
    void updateEventFilter();
    void updateHeartbeatChart();
    void updateHistoryVisibility();

    NodeModel *m_nodes;
    AssignmentModel *m_assignments;
    HiveFilterProxy *m_nodeProxy;
    HiveFilterProxy *m_assignmentProxy;
    HiveFilterProxy *m_eventProxy;
    QLineEdit *m_search;
    QCheckBox *m_strandedOnly;
    QStringList m_stranded;
    QTableView *m_nodeTable;
    QLabel *m_title;
    QLabel *m_summary;
    QLabel *m_capabilities;
    QTableView *m_assignmentTable;
    QTableView *m_eventTable;
    QString m_nodeId;
    HistorySource *m_history = nullptr;
    HeartbeatSparklineDelegate *m_sparklines;
    QChartView *m_lagChart;
    QLineSeries *m_lagSeries;
    QDateTimeAxis *m_lagTime;
    QValueAxis *m_lagAxis;
    QVBoxLayout *m_detailLayout;
    HistoryScrubber *m_asOf = nullptr;
    QLabel *m_historyTitle = nullptr;
};

} // namespace hivewatch
