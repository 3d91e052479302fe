#pragma once

#include <QRegularExpression>
#include <QStyledItemDelegate>

namespace hivewatch {

// Paints log lines with what the search matches highlighted (issue 16). The message column is
// drawn on one line: a multi-line entry shows its line breaks as "⏎" (the detail pane shows it
// whole), and match ranges are found in that shown text, so a highlight lands where it is read.
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

private:
    int m_messageColumn;
    QString m_text;
    QRegularExpression m_regex; // valid when searching by regular expression
    bool m_useRegex = false;
    Qt::CaseSensitivity m_case = Qt::CaseInsensitive;
};

} // namespace hivewatch
