#include "ui/logs/LogLineDelegate.h"

#include <QApplication>
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
    const QString text = shownText(opt.text);
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QRect rect
        = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget).adjusted(2, 0, -2, 0);
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
    QTextLine line = layout.createLine();
    if (line.isValid())
        line.setLineWidth(1e6);
    layout.endLayout();
    painter->save();
    painter->setClipRect(rect);
    const bool selected = opt.state & QStyle::State_Selected;
    const QVariant foreground = index.data(Qt::ForegroundRole);
    if (selected || !foreground.canConvert<QBrush>())
        painter->setPen(opt.palette.color(QPalette::Active,
                                          selected ? QPalette::HighlightedText : QPalette::Text));
    else
        painter->setPen(foreground.value<QBrush>().color());
    const qreal y = rect.top() + (rect.height() - line.height()) / 2;
    layout.draw(painter, QPointF(rect.left(), y));
    painter->restore();
}

} // namespace hivewatch
