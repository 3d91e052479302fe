#include "ui/NewRowsPill.h"

#include "models/hive/SortedFilterProxy.h"

#include <QAbstractItemView>
#include <QEvent>
#include <QItemSelectionModel>
#include <QScrollBar>

namespace hivewatch {

NewRowsPill::NewRowsPill(QAbstractItemView *view)
    // On the viewport, so moving onto the pill does not leave the list.
    : QPushButton(view->viewport())
    , m_view(view)
    , m_proxy(qobject_cast<SortedFilterProxy *>(view->model()))
{
    setObjectName(QStringLiteral("newRowsPill"));
    setCursor(Qt::PointingHandCursor);
    setFocusPolicy(Qt::NoFocus);
    setToolTip(tr("Rows that arrived or moved while you were on this list"));
    setStyleSheet(
        QStringLiteral("QPushButton { border-radius: 10px; padding: 2px 12px;"
                       " background: palette(highlight); color: palette(highlighted-text);"
                       " font-weight: bold; }"));
    hide();
    if (!m_proxy)
        return;
    view->viewport()->installEventFilter(this);
    // Scrolling moves the viewport's children with the content.
    connect(view->verticalScrollBar(), &QScrollBar::valueChanged, this, &NewRowsPill::place);
    connect(view->horizontalScrollBar(), &QScrollBar::valueChanged, this, &NewRowsPill::place);
    connect(m_proxy, &SortedFilterProxy::heldCountChanged, this, &NewRowsPill::onHeldCountChanged);
    connect(this, &QPushButton::clicked, this, [this] {
        if (m_proxy)
            m_proxy->releaseHeld();
    });
    if (QItemSelectionModel *selection = view->selectionModel())
        connect(selection, &QItemSelectionModel::selectionChanged, this, &NewRowsPill::updateHold);
}

NewRowsPill *NewRowsPill::of(QAbstractItemView *view)
{
    return view ? view->viewport()->findChild<NewRowsPill *>(QStringLiteral("newRowsPill"),
                                                             Qt::FindDirectChildrenOnly)
                : nullptr;
}

bool NewRowsPill::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::Enter:
        if (watched == m_view->viewport()) {
            m_hovered = true;
            updateHold();
        }
        break;
    case QEvent::Leave:
        if (watched == m_view->viewport()) {
            m_hovered = false;
            updateHold();
        }
        break;
    case QEvent::Resize:
        place();
        break;
    default:
        break;
    }
    return QPushButton::eventFilter(watched, event);
}

void NewRowsPill::updateHold()
{
    if (!m_proxy)
        return;
    const QItemSelectionModel *selection = m_view->selectionModel();
    m_proxy->setHold(m_hovered || (selection && selection->hasSelection()));
}

void NewRowsPill::onHeldCountChanged(int count)
{
    setText(tr("↑ %n new", nullptr, count));
    setVisible(count > 0);
    if (count > 0) {
        place();
        raise();
    }
}

void NewRowsPill::place()
{
    adjustSize();
    move((m_view->viewport()->width() - width()) / 2, 6);
}

} // namespace hivewatch
