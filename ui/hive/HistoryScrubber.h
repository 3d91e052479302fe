#pragma once

#include "models/hive/HistoryQueries.h"
#include "models/hive/HistorySource.h"

#include <QDateTime>
#include <QWidget>

class QDateTimeEdit;
class QLabel;
class QListWidget;
class QSlider;

namespace hivewatch {

// The history scrubber: a time slider over the recorded span with an "as of" field; for a
// subject (a task or a node) it shows the row as it was then (status, node, assignments), and it
// lists what changed between two times (of the subject, or of the whole hive without one).
// Everything is read through the HistorySource's worker, and only while shown; a newer position
// supersedes an older.
class HistoryScrubber : public QWidget
{
    Q_OBJECT
public:
    explicit HistoryScrubber(HistorySource *source, QWidget *parent = nullptr);

    // A task (HiveTables::SharedTasks) or node (HiveTables::Nodes); empty table: the whole hive.
    void setSubject(const QString &table, const QString &key);
    // Re-reads the recorded span (the slider's range) and what is shown.
    void reload();
    void setAsOf(const QDateTime &at);
    void setChangesRange(const QDateTime &from, const QDateTime &to);
    QDateTime asOf() const;
    // What is shown, as plain text (tests, screenshots).
    QString stateText() const;
    QStringList changeLines() const;
    QSlider *slider() const { return m_slider; }

signals:
    void stateShown(const hivewatch::RowState &state);
    void changesShown(const hivewatch::HistoryEvents &events);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void onExtent(const HistoryExtent &extent);
    void onSlider(int position);
    void requestState();
    void requestChanges();
    void showState(const RowState &state);
    void showChanges(const HistoryEvents &events);

    HistorySource *m_source;
    HistorySource::Ticket m_extentTicket;
    HistorySource::Ticket m_stateTicket;
    HistorySource::Ticket m_changesTicket;
    QString m_table;
    QString m_key;
    QDateTime m_first;
    QDateTime m_last;
    // Exact times (the fields show seconds; a scripted or slid time keeps its milliseconds).
    QDateTime m_at;
    QDateTime m_changesFrom;
    QDateTime m_changesTo;
    QSlider *m_slider;
    QDateTimeEdit *m_asOf;
    QLabel *m_state;
    QDateTimeEdit *m_from;
    QDateTimeEdit *m_to;
    QListWidget *m_changes;
    bool m_syncing = false; // slider and field move each other; not in a loop
};

} // namespace hivewatch
