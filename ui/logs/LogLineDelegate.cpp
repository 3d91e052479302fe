#include "ui/logs/LogLineDelegate.h"

#include "models/logs/LogLineModel.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QTextLayout>

namespace hivewatch {

LogLineDelegate::LogLineDelegate(int messageColumn, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_messageColumn(messageColumn)
{
}

void LogLineDelegate::setPattern(const QString &text, bool regex, bool caseSensitive)
{
    m_text = text;
    m_case = caseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive;
    m_useRegex = regex;
    if (regex) {
        m_regex.setPattern(text);
        m_regex.setPatternOptions(caseSensitive ? QRegularExpression::NoPatternOption
                                                : QRegularExpression::CaseInsensitiveOption);
        if (!m_regex.isValid())
            m_text.clear(); // the search reports the error; nothing to highlight
    }
}

QString LogLineDelegate::shownText(const QString &content)
{
    QString text = content;
    if (text.endsWith(u'\n'))
        text.chop(1);
    // QStyledItemDelegate's displayText() has already turned line breaks into separators.
    text.replace(u'\n', QChar(0x23ce)).replace(QChar::LineSeparator, QChar(0x23ce));
    return text;
}

QList<std::pair<int, int>> LogLineDelegate::matchRanges(const QString &text) const
{
    QList<std::pair<int, int>> ranges;
    if (m_text.isEmpty())
        return ranges;
    if (m_useRegex) {
        auto it = m_regex.globalMatch(text);
        while (it.hasNext()) {
            const auto match = it.next();
            if (match.capturedLength() > 0)
                ranges.append({int(match.capturedStart()), int(match.capturedLength())});
        }
        return ranges;
    }
    for (qsizetype at = text.indexOf(m_text, 0, m_case); at >= 0;
         at = text.indexOf(m_text, at + m_text.size(), m_case))
        ranges.append({int(at), int(m_text.size())});
    return ranges;
}

void LogLineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                            const QModelIndex &index) const
{
    if (index.column() != m_messageColumn) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const bool expanded = index.data(LogLineModel::ExpandedRole).toBool();
    // Expanded: line under line, with the breaks the line has (LineSeparator keeps the length,
    // so match ranges still fall on the same characters).
    const QString text = expanded
        ? index.data(LogLineModel::ExpandedTextRole).toString().replace(u'\n', QChar::LineSeparator)
        : shownText(opt.text);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QRect cell
        = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget).adjusted(2, 0, -2, 0);
    const QRect triangle = disclosureRect(cell, opt.fontMetrics);
    const QRect rect = cell.adjusted(triangle.width(), 0, 0, 0);
    QList<QTextLayout::FormatRange> formats;
    for (const auto &[start, length] : matchRanges(text)) {
        QTextLayout::FormatRange range;
        range.start = start;
        range.length = length;
        range.format.setBackground(highlightColor());
        range.format.setForeground(QColor(Qt::black));
        formats.append(range);
    }
    QTextLayout layout(text, opt.font);
    layout.setFormats(formats);
    QTextOption textOption;
    textOption.setWrapMode(QTextOption::NoWrap);
    layout.setTextOption(textOption);
    layout.beginLayout();
    qreal height = 0;
    for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
        line.setLineWidth(1e6);
        line.setPosition(QPointF(0, height));
        height += line.height();
        if (!expanded)
            break; // one line: the breaks are shown as "⏎"
    }
    layout.endLayout();
    painter->save();
    painter->setClipRect(cell);
    const bool selected = opt.state & QStyle::State_Selected;
    const QVariant foreground = index.data(Qt::ForegroundRole);
    if (selected || !foreground.canConvert<QBrush>())
        painter->setPen(opt.palette.color(QPalette::Active,
                                          selected ? QPalette::HighlightedText : QPalette::Text));
    else
        painter->setPen(foreground.value<QBrush>().color());
    const qreal firstLine = layout.lineCount() > 0 ? layout.lineAt(0).height() : height;
    // One line is centred in the row; an expanded entry starts at the top, as the triangle does.
    const qreal y = expanded ? rect.top() + 1 : rect.top() + (rect.height() - firstLine) / 2;
    layout.draw(painter, QPointF(rect.left(), y));
    if (index.data(LogLineModel::ExpandableRole).toBool()) {
        const QRect at = expanded ? triangle.adjusted(0, 1, 0, 0) : triangle;
        painter->drawText(at, Qt::AlignLeft | (expanded ? Qt::AlignTop : Qt::AlignVCenter),
                          expanded ? QStringLiteral("▾") : QStringLiteral("▸"));
    }
    painter->restore();
}

QRect LogLineDelegate::disclosureRect(const QRect &cell, const QFontMetrics &metrics)
{
    return QRect(cell.left(), cell.top(), metrics.horizontalAdvance(QStringLiteral("▾ ")),
                 qMin(cell.height(), metrics.height() + 2));
}

QSize LogLineDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    if (index.column() != m_messageColumn || !index.data(LogLineModel::ExpandedRole).toBool())
        return size;
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const qsizetype lines = index.data(LogLineModel::ExpandedTextRole).toString().count(u'\n') + 1;
    size.setHeight(qMax<int>(size.height(), int(lines) * opt.fontMetrics.lineSpacing() + 4));
    return size;
}

bool LogLineDelegate::editorEvent(QEvent *event, QAbstractItemModel *model,
                                  const QStyleOptionViewItem &option, const QModelIndex &index)
{
    if (event->type() == QEvent::MouseButtonRelease && index.column() == m_messageColumn && m_toggle
        && index.data(LogLineModel::ExpandableRole).toBool()) {
        const auto *mouse = static_cast<QMouseEvent *>(event);
        const QWidget *widget = option.widget;
        QStyle *style = widget ? widget->style() : QApplication::style();
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const QRect cell = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget)
                               .adjusted(2, 0, -2, 0);
        if (disclosureRect(cell, opt.fontMetrics).contains(mouse->position().toPoint())) {
            m_toggle(index);
            return true;
        }
    }
    return QStyledItemDelegate::editorEvent(event, model, option, index);
}

} // namespace hivewatch
