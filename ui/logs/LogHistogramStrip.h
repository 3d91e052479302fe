#pragma once

#include "sync/store/LogSearch.h"

#include <QWidget>

namespace hivewatch {

// A strip of one bar per minute of an execution (issue 16): all lines grey, stderr lines red in
// front, scaled to the busiest minute; hovering names the minute and its counts, a click asks to
// jump to that minute. Minutes without lines are gaps only if the data says so: the buckets are
// drawn side by side, one per minute that has lines.
class LogHistogramStrip : public QWidget
{
    Q_OBJECT
public:
    explicit LogHistogramStrip(QWidget *parent = nullptr);

    void setBuckets(const QList<LogHistogramBucket> &buckets);
    const QList<LogHistogramBucket> &buckets() const { return m_buckets; }
    // The bucket under x (widget coordinates), or -1.
    int bucketAt(int x) const;
    // The x range of bucket `index` (for tests and tooltips).
    QRect barRect(int index) const;

    QSize sizeHint() const override;

signals:
    void minuteClicked(const QString &minute);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    QList<LogHistogramBucket> m_buckets;
    qint64 m_max = 0;
};

} // namespace hivewatch
