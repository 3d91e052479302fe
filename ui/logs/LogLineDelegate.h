#pragma once

#include <QRegularExpression>
#include <QStyledItemDelegate>

#include <functional>

namespace hivewatch {

// Paints log lines with what the search matches highlighted (issue 16). The message column is
// drawn on one line: a multi-line entry shows its line breaks as "⏎", and match ranges are found
// in that shown text, so a highlight lands where it is read. An entry with more to show (several
// lines, or JSON) has a disclosure triangle before it; expanded (LogLineModel::ExpandedRole) it
// is drawn whole, line under line, JSON pretty-printed, and its size hint is that tall.
class LogLineDelegate : public QStyledItemDelegate
{
public:
    explicit LogLineDelegate(int messageColumn, QObject *parent = nullptr);

    // What to highlight: a substring (or a regular expression), with or without case.
    void setPattern(const QString &text, bool regex, bool caseSensitive);
    bool hasPattern() const { return !m_text.isEmpty(); }
    // The ranges of `text` the pattern matches, as (start, length), left to right.
    QList<std::pair<int, int>> matchRanges(const QString &text) const;
    // The message as painted: line breaks shown as "⏎".
    static QString shownText(const QString &content);

    static QColor highlightColor() { return QColor(0xff, 0xd5, 0x4f); }

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    // Called with the message's index when its disclosure triangle is clicked.
    void setToggleHandler(std::function<void(const QModelIndex &)> toggle)
    {
        m_toggle = std::move(toggle);
    }
    // Where the triangle of a message cell at `cell` is, and what it is clicked in.
    static QRect disclosureRect(const QRect &cell, const QFontMetrics &metrics);

protected:
    bool editorEvent(QEvent *event, QAbstractItemModel *model, const QStyleOptionViewItem &option,
                     const QModelIndex &index) override;

private:
    int m_messageColumn;
    QString m_text;
    QRegularExpression m_regex; // valid when searching by regular expression
    bool m_useRegex = false;
    Qt::CaseSensitivity m_case = Qt::CaseInsensitive;
    std::function<void(const QModelIndex &)> m_toggle;
};

} // namespace hivewatch
