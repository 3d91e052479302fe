#include "ui/hive/CapacityMeter.h"

#include "ui/hive/AlertColor.h"

#include <QPainter>

#include <algorithm>

namespace hivewatch {

namespace {
// Slot boundaries are drawn while each slot is at least this wide; beyond that the bar is a
// plain share, as a 1 px gap every 2 px would be noise.
constexpr int kMinSlotWidth = 6;
} // namespace

CapacityMeter::CapacityMeter(QWidget *parent)
    : QWidget(parent)
{
    setAccessibleName(tr("Capacity"));
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    describe();
}

void CapacityMeter::setCapacity(int used, int total)
{
    used = std::max(used, 0);
    total = std::max(total, 0);
    if (used == m_used && total == m_total)
        return;
    m_used = used;
    m_total = total;
    describe();
    update();
}

QString CapacityMeter::countsText(int used, int total)
{
    return tr("%1 of %2 slots in use").arg(used).arg(total);
}

void CapacityMeter::describe()
{
    QString text = countsText(m_used, m_total);
    if (m_used > m_total)
        text += QLatin1String("; ")
            + tr("%n more than the nodes report slots for", nullptr, m_used - m_total);
    setToolTip(text);
    setAccessibleDescription(text);
}

QSize CapacityMeter::sizeHint() const
{
    return QSize(200, fontMetrics().height());
}

QSize CapacityMeter::minimumSizeHint() const
{
    return QSize(40, fontMetrics().height());
}

void CapacityMeter::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QPalette &pal = palette();
    const QRect frame = rect();
    painter.fillRect(frame, pal.color(QPalette::Mid));
    const QRect inner = frame.adjusted(1, 1, -1, -1);
    painter.fillRect(inner, pal.color(QPalette::Base));

    // The bar spans the total, or all the work when there is more of it than slots.
    const qint64 span = std::max(m_used, m_total);
    if (span <= 0 || inner.isEmpty())
        return;
    const auto xAt = [&](qint64 count) {
        return inner.left() + int(inner.width() * count / span);
    };
    const int inUseEnd = xAt(std::min(m_used, m_total));
    const int usedEnd = xAt(m_used);
    painter.fillRect(QRect(QPoint(inner.left(), inner.top()), QPoint(inUseEnd - 1, inner.bottom())),
                     pal.color(QPalette::Highlight));
    if (usedEnd > inUseEnd)
        painter.fillRect(QRect(QPoint(inUseEnd, inner.top()), QPoint(usedEnd - 1, inner.bottom())),
                         alertColor());

    if (inner.width() / span >= kMinSlotWidth) {
        for (qint64 slot = 1; slot < span; ++slot)
            painter.fillRect(QRect(xAt(slot), inner.top(), 1, inner.height()),
                             pal.color(QPalette::Base));
    }
}

} // namespace hivewatch
