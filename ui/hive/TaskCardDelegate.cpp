#include "ui/hive/TaskCardDelegate.h"

#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"
#include "models/hive/TaskModel.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace hivewatch {

namespace {
constexpr int kMargin = 4;
constexpr int kStrip = 5;
constexpr int kPadding = 6;
} // namespace

TaskCardDelegate::TaskCardDelegate(const TaskModel *tasks, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_tasks(tasks)
    , m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
}

QColor TaskCardDelegate::statusColour(const QString &canonicalStatus)
{
    const int index = int(HiveValues::taskStatuses().indexOf(canonicalStatus));
    // In workflow order: todo, in progress, in review, done, cancelled.
    static const QColor colours[]
        = {QColor(0x8a, 0x8f, 0x98), QColor(0x1f, 0x6f, 0xeb), QColor(0xd2, 0x99, 0x22),
           QColor(0x2e, 0xa0, 0x43), QColor(0x57, 0x60, 0x6a)};
    if (index >= 0 && index < int(std::size(colours)))
        return colours[index];
    return QColor(0xe3, 0x6c, 0x09); // unknown: flagged
}

QString TaskCardDelegate::detailLine(const QModelIndex &index) const
{
    const int row = m_tasks->rowForId(index.data(HiveRoles::IdRole).toString());
    if (row < 0)
        return {};
    QStringList parts;
    const QString project = m_tasks->index(row, TaskModel::Project).data().toString();
    if (!project.isEmpty())
        parts << project;
    const QString node = m_tasks->runningOnName(row);
    if (!node.isEmpty())
        parts << QStringLiteral("▶ ") + node;
    const QDateTime updated = m_tasks->field(row, TaskModel::FUpdated).toDateTime();
    if (updated.isValid())
        parts << HiveValues::displayAge(updated.secsTo(m_clock()));
    if (const QUrl pr = m_tasks->pullRequest(row); !pr.isEmpty()) {
        // "PR #12" when the link ends in the number (GitHub /pull/12, GitLab /merge_requests/12).
        const QString last = pr.path().section(u'/', -1, -1, QString::SectionSkipEmpty);
        bool numbered = false;
        last.toULongLong(&numbered);
        parts << (numbered ? QStringLiteral("PR #") + last : QStringLiteral("PR"));
    }
    return parts.join(QStringLiteral(" · "));
}

QSize TaskCardDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &) const
{
    const QFontMetrics metrics(option.font);
    // A list view stretches items to its width; asking for more would scroll sideways.
    return {120, 2 * metrics.height() + 2 * kPadding + 2 * kMargin + 2};
}

void TaskCardDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                             const QModelIndex &index) const
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QRect card = option.rect.adjusted(kMargin, kMargin, -kMargin, -kMargin);
    const bool selected = option.state & QStyle::State_Selected;
    const QPalette &palette = option.palette;
    QPainterPath path;
    path.addRoundedRect(card, 4, 4);
    painter->fillPath(path, selected ? palette.highlight() : palette.base());
    painter->setPen(palette.mid().color());
    painter->drawPath(path);
    const QColor colour = statusColour(index.data(HiveRoles::StatusRole).toString());
    painter->fillRect(QRect(card.left(), card.top(), kStrip, card.height()), colour);

    const QRect text = card.adjusted(kStrip + kPadding, kPadding, -kPadding, -kPadding);
    QFont titleFont = option.font;
    titleFont.setBold(true);
    const QFontMetrics titleMetrics(titleFont);
    painter->setFont(titleFont);
    painter->setPen(selected ? palette.highlightedText().color() : palette.text().color());
    painter->drawText(
        QRect(text.left(), text.top(), text.width(), titleMetrics.height()),
        Qt::AlignLeft | Qt::AlignVCenter,
        titleMetrics.elidedText(index.data().toString(), Qt::ElideRight, text.width()));
    const QFontMetrics metrics(option.font);
    painter->setFont(option.font);
    painter->setPen(selected ? palette.highlightedText().color()
                             : palette.placeholderText().color());
    painter->drawText(
        QRect(text.left(), text.top() + titleMetrics.height() + 2, text.width(), metrics.height()),
        Qt::AlignLeft | Qt::AlignVCenter,
        metrics.elidedText(detailLine(index), Qt::ElideRight, text.width()));
    painter->restore();
}

} // namespace hivewatch
