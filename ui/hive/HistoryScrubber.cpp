#include "ui/hive/HistoryScrubber.h"

#include <QDateTimeEdit>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QSlider>
#include <QVBoxLayout>

namespace hivewatch {

namespace {

constexpr int kSliderSteps = 1000;

QDateTimeEdit *makeTimeEdit(QWidget *parent)
{
    auto *edit = new QDateTimeEdit(parent);
    edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    edit->setCalendarPopup(true);
    return edit;
}

QString timeText(const QDateTime &at)
{
    return at.isValid() ? at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                        : QString();
}

} // namespace

HistoryScrubber::HistoryScrubber(HistorySource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_asOf(makeTimeEdit(this))
    , m_state(new QLabel(this))
    , m_from(makeTimeEdit(this))
    , m_to(makeTimeEdit(this))
    , m_changes(new QListWidget(this))
{
    m_slider->setRange(0, kSliderSteps);
    m_slider->setValue(kSliderSteps);
    m_slider->setToolTip(tr("Drag to see the history as it was at that time"));
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state->setTextFormat(Qt::PlainText);

    auto *time = new QHBoxLayout;
    time->addWidget(new QLabel(tr("As of"), this));
    time->addWidget(m_asOf);
    time->addWidget(m_slider, 1);
    auto *between = new QHBoxLayout;
    between->addWidget(new QLabel(tr("Changes between"), this));
    between->addWidget(m_from);
    between->addWidget(new QLabel(tr("and"), this));
    between->addWidget(m_to);
    between->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(time);
    layout->addWidget(m_state);
    layout->addLayout(between);
    layout->addWidget(m_changes, 1);

    connect(m_slider, &QSlider::valueChanged, this, &HistoryScrubber::onSlider);
    connect(m_asOf, &QDateTimeEdit::dateTimeChanged, this, [this](const QDateTime &at) {
        if (!m_syncing)
            setAsOf(at);
    });
    connect(m_from, &QDateTimeEdit::dateTimeChanged, this, [this](const QDateTime &from) {
        if (!m_syncing)
            setChangesRange(from, m_changesTo);
    });
    connect(m_to, &QDateTimeEdit::dateTimeChanged, this, [this](const QDateTime &to) {
        if (!m_syncing)
            setChangesRange(m_changesFrom, to.addMSecs(999)); // through the shown second
    });
    m_state->setText(tr("Reading the history…"));
    // New history (the source refreshes at most every few seconds) moves a live end along.
    connect(source, &HistorySource::trendsReady, this, [this] {
        if (isVisible())
            reload();
    });
}

void HistoryScrubber::setSubject(const QString &table, const QString &key)
{
    m_table = table;
    m_key = key;
    m_at = {};
    m_changesFrom = {};
    m_changesTo = {};
    // The former subject's answers still on their way are not this one's.
    m_stateTicket.cancel();
    m_changesTicket.cancel();
    m_state->setText(tr("Reading the history…"));
    m_changes->clear();
    m_state->setVisible(!table.isEmpty());
    // Hidden (another tab, a folded box, no node selected), it reads nothing: a row's whole
    // record can be thousands of changes. Shown, showEvent() reads.
    if (isVisible())
        reload();
}

void HistoryScrubber::reload()
{
    m_source->extent(m_extentTicket, this,
                     [this](const HistoryExtent &extent) { onExtent(extent); });
}

void HistoryScrubber::onExtent(const HistoryExtent &extent)
{
    if (!extent.error.isEmpty() || !extent.first.isValid()) {
        m_state->setText(extent.error.isEmpty() ? tr("Nothing recorded yet")
                                                : tr("No history: %1").arg(extent.error));
        m_state->setVisible(true);
        return;
    }
    // Following the live end (the default) keeps following it as history grows; a time the
    // user chose stays.
    m_state->setVisible(!m_table.isEmpty()); // an earlier "no history" is gone
    const bool atEnd = !m_at.isValid() || m_at >= m_last;
    const bool changesAtEnd = !m_changesTo.isValid() || m_changesTo >= m_last;
    m_first = extent.first;
    // The span reaches now: "as of now" is the live state, and the last change may be long ago.
    m_last = std::max(extent.last, QDateTime::currentDateTimeUtc());
    m_syncing = true;
    for (QDateTimeEdit *edit : {m_asOf, m_from, m_to})
        edit->setDateTimeRange(m_first.toLocalTime(), m_last.toLocalTime());
    m_syncing = false;
    setAsOf(atEnd ? m_last : m_at);
    if (changesAtEnd) {
        // A row's whole record; of the whole hive the last hour (a first snapshot is thousands).
        const QDateTime from = m_changesFrom.isValid() ? m_changesFrom
            : m_table.isEmpty()                        ? std::max(m_first, m_last.addSecs(-3600))
                                                       : m_first;
        setChangesRange(from, m_last);
    }
}

void HistoryScrubber::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    reload();
}

void HistoryScrubber::onSlider(int position)
{
    if (m_syncing || !m_first.isValid())
        return;
    const qint64 span = m_first.msecsTo(m_last);
    setAsOf(m_first.addMSecs(span * position / kSliderSteps));
}

void HistoryScrubber::setAsOf(const QDateTime &at)
{
    m_at = at.toUTC();
    m_syncing = true;
    m_asOf->setDateTime(m_at.toLocalTime());
    if (m_first.isValid() && m_first < m_last) {
        const qint64 span = m_first.msecsTo(m_last);
        m_slider->setValue(int(m_first.msecsTo(m_at) * kSliderSteps / span));
    }
    m_syncing = false;
    requestState();
}

QDateTime HistoryScrubber::asOf() const
{
    return m_at;
}

void HistoryScrubber::setChangesRange(const QDateTime &from, const QDateTime &to)
{
    m_changesFrom = from.toUTC();
    m_changesTo = to.toUTC();
    m_syncing = true;
    m_from->setDateTime(from.toLocalTime());
    m_to->setDateTime(to.toLocalTime());
    m_syncing = false;
    requestChanges();
}

void HistoryScrubber::requestState()
{
    if (m_table.isEmpty() || m_key.isEmpty())
        return;
    m_source->rowAsOf(m_stateTicket, this, m_table, m_key, asOf(),
                      [this](const RowState &state) { showState(state); });
}

void HistoryScrubber::requestChanges()
{
    // The "to" field shows seconds; the changes of that second are included.
    const QDateTime to = m_to->dateTime().toUTC().addMSecs(999);
    m_source->changesBetween(m_changesTicket, this, m_from->dateTime().toUTC(), to, m_table, m_key,
                             [this](const HistoryEvents &events) { showChanges(events); });
}

void HistoryScrubber::showState(const RowState &state)
{
    if (!state.error.isEmpty()) {
        m_state->setText(tr("No history: %1").arg(state.error));
    } else if (!state.existed) {
        m_state->setText(
            tr("As of %1: not there (not yet created, or deleted)").arg(timeText(state.at)));
    } else {
        QStringList parts;
        parts << tr("As of %1: %2 — %3").arg(timeText(state.at), state.name, state.status);
        if (!state.nodeId.isEmpty())
            parts << tr("on node %1").arg(state.nodeName.isEmpty() ? state.nodeId : state.nodeName);
        if (state.lastHeartbeat.isValid())
            parts << tr("last heartbeat %1").arg(timeText(state.lastHeartbeat));
        if (state.since.isValid())
            parts << tr("since %1").arg(timeText(state.since));
        QString text = parts.join(QStringLiteral(" · "));
        QStringList assignments;
        for (const AssignmentState &assignment : state.assignments)
            assignments << tr("%1 %2 on %3%4")
                               .arg(assignment.id.left(8), assignment.status,
                                    assignment.nodeName.isEmpty() ? assignment.nodeId
                                                                  : assignment.nodeName,
                                    assignment.active ? tr(" (active)") : QString());
        if (!assignments.isEmpty())
            text += QLatin1Char('\n')
                + tr("Assignments: %1").arg(assignments.join(QStringLiteral("; ")));
        m_state->setText(text);
    }
    emit stateShown(state);
}

void HistoryScrubber::showChanges(const HistoryEvents &events)
{
    m_changes->clear();
    if (!events.error.isEmpty()) {
        m_changes->addItem(tr("No history: %1").arg(events.error));
    } else if (events.events.isEmpty()) {
        m_changes->addItem(tr("No changes in this span"));
    }
    for (const HistoryEvent &event : events.events) {
        const QString row = event.label.isEmpty()
            ? event.key
            : QStringLiteral("%1 \u201c%2\u201d").arg(event.key, event.label);
        QString line = QStringLiteral("%1  %2 %3 %4")
                           .arg(timeText(event.at), event.table, row, event.operation);
        if (!event.summary.isEmpty())
            line += QStringLiteral(": ") + event.summary;
        m_changes->addItem(line);
    }
    if (events.truncated)
        m_changes->addItem(tr("… more changes; narrow the span"));
    emit changesShown(events);
}

QString HistoryScrubber::stateText() const
{
    return m_state->text();
}

QStringList HistoryScrubber::changeLines() const
{
    QStringList lines;
    for (int row = 0; row < m_changes->count(); ++row)
        lines << m_changes->item(row)->text();
    return lines;
}

} // namespace hivewatch
