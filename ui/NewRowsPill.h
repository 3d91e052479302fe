#pragma once

#include "models/hive/SortedFilterProxy.h"

#include <QPointer>
#include <QPushButton>

class QAbstractItemView;

namespace hivewatch {

// Keeps a live list still while the user is on it: while the pointer is over the view or a row is
// selected, its SortedFilterProxy holds rows that would be inserted or would move, and this pill
// ("12 new") floats at the top of the view. Clicking the pill places them; leaving the view with
// nothing selected releases them too. Selection follows the row itself (persistent indexes), so a
// tooltip or a selection never jumps to another row.
class NewRowsPill : public QPushButton
{
    Q_OBJECT
public:
    // Attaches to `view`, whose model must be a SortedFilterProxy (else the pill stays hidden).
    explicit NewRowsPill(QAbstractItemView *view);

    SortedFilterProxy *proxy() const { return m_proxy; }
    static NewRowsPill *of(QAbstractItemView *view);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateHold();
    void onHeldCountChanged(int count);
    void place();

    QAbstractItemView *m_view;
    QPointer<SortedFilterProxy> m_proxy;
    bool m_hovered = false;
};

} // namespace hivewatch
