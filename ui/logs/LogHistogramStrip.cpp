#include "ui/logs/LogHistogramStrip.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

namespace hivewatch {

LogHistogramStrip::LogHistogramStrip(QWidget *parent)
    : QWidget(parent)
{
    setMinimumHeight(36);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Lines per minute (red: stderr); click to jump"));
}

void LogHistogramStrip::setBuckets(const QList<LogHistogramBucket> &buckets)
{
    m_buckets = buckets;
    m_max = 0;
    for (const LogHistogramBucket &b : buckets)
        m_max = qMax(m_max, b.lines);
    update();
}

QSize LogHistogramStrip::sizeHint() const
{
    return {400, 40};
}

QRect LogHistogramStrip::barRect(int index) const
{
    if (index < 0 || index >= m_buckets.size())
        return {};
    const int n = int(m_buckets.size());
    const int left = int(qint64(width()) * index / n);
    const int right = int(qint64(width()) * (index + 1) / n);
    return QRect(left, 0, qMax(1, right - left), height());
}

int LogHistogramStrip::bucketAt(int x) const
{
    if (m_buckets.isEmpty() || x < 0 || x >= width())
        return -1;
    return int(qint64(x) * m_buckets.size() / width());
}

void LogHistogramStrip::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    if (m_max <= 0)
        return;
    const int h = height() - 2;
    for (int i = 0; i < m_buckets.size(); ++i) {
        const QRect slot = barRect(i);
        const int gap = slot.width() > 3 ? 1 : 0;
        const LogHistogramBucket &b = m_buckets.at(i);
        const int lines = int(qMax<qint64>(1, h * b.lines / m_max));
        p.fillRect(QRect(slot.left(), height() - lines, slot.width() - gap, lines),
                   QColor(0x8a, 0x94, 0xa6));
        if (b.stderrLines > 0) {
            const int err = int(qMax<qint64>(1, h * b.stderrLines / m_max));
            p.fillRect(QRect(slot.left(), height() - err, slot.width() - gap, err),
                       QColor(0xc6, 0x28, 0x28));
        }
    }
}

void LogHistogramStrip::mousePressEvent(QMouseEvent *event)
{
    const int index = bucketAt(int(event->position().x()));
    if (index >= 0 && event->button() == Qt::LeftButton)
        emit minuteClicked(m_buckets.at(index).minute);
}

bool LogHistogramStrip::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const int index = bucketAt(help->pos().x());
        if (index >= 0) {
            const LogHistogramBucket &b = m_buckets.at(index);
            QToolTip::showText(
                help->globalPos(),
                tr("%1 UTC: %2 lines, %3 stderr").arg(b.minute).arg(b.lines).arg(b.stderrLines),
                this);
            return true;
        }
    }
    return QWidget::event(event);
}

} // namespace hivewatch
