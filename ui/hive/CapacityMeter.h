#pragma once

#include <QCoreApplication>
#include <QWidget>

namespace hivewatch {

// "N of M slots in use" as a bar: slots in use in the highlight colour, free slots in the base
// colour and, when the fleet runs more work than its nodes report slots for, the excess in the
// alert colour, the bar then spanning all the work so the excess shows as a share of it.
//
// Not a QProgressBar: that reads as a task's progress to screen readers, can only clamp work
// beyond its maximum (12 of 8 drew a plain full bar), and under Qt 6.4's Fusion every repaint
// strokes stripes with a 9 px pen, a fill Qt hands to its thread pool while the GUI thread waits
// for those threads to get a core (docs/benchmarks.md, session 14). This paints solid rects only.
class CapacityMeter : public QWidget
{
    Q_DECLARE_TR_FUNCTIONS(CapacityMeter)
public:
    explicit CapacityMeter(QWidget *parent = nullptr);

    // Negative values count as 0.
    void setCapacity(int used, int total);
    int used() const { return m_used; }
    int total() const { return m_total; }

    // "N of M slots in use": the Overview's label says the same as the meter's tooltip.
    static QString countsText(int used, int total);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void describe();

    int m_used = 0;
    int m_total = 0;
};

} // namespace hivewatch
