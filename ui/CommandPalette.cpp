#include "ui/CommandPalette.h"

#include <QAction>
#include <QKeyEvent>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QVBoxLayout>

#include <algorithm>

namespace hivewatch {

namespace {
QString plainText(QString text)
{
    // "&Connect…" → "Connect…"; "&&" is a literal ampersand.
    text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QStringLiteral("\x01"), QStringLiteral("&"));
    return text;
}

void collectActions(QMenu *menu, const QString &path, QList<CommandPalette::Entry> &out)
{
    const QList<QAction *> actions = menu->actions();
    for (QAction *action : actions) {
        if (action->isSeparator() || !action->isVisible())
            continue;
        const QString text = plainText(action->text());
        if (QMenu *sub = action->menu()) {
            collectActions(sub, path + QStringLiteral(" › ") + text, out);
            continue;
        }
        if (text.isEmpty() || !action->isEnabled())
            continue;
        QString detail = action->shortcut().toString(QKeySequence::NativeText);
        if (action->isCheckable())
            detail = (action->isChecked() ? CommandPalette::tr("on") : CommandPalette::tr("off"))
                + (detail.isEmpty() ? QString() : QStringLiteral(" · ") + detail);
        QPointer<QAction> guarded(action);
        out.append(
            {CommandPalette::tr("Action"), path + QStringLiteral(" › ") + text, detail, [guarded] {
                 if (guarded)
                     guarded->trigger();
             }});
    }
}
} // namespace

CommandPalette::CommandPalette(QWidget *parent)
    : QDialog(parent, Qt::Popup | Qt::FramelessWindowHint)
    , m_input(new QLineEdit(this))
    , m_results(new QListWidget(this))
{
    setObjectName(QStringLiteral("commandPalette"));
    m_input->setObjectName(QStringLiteral("paletteInput"));
    m_input->setPlaceholderText(
        tr("Jump to a task, node or execution, or run a command (Enter runs, Esc closes)"));
    m_results->setObjectName(QStringLiteral("paletteResults"));
    m_results->setUniformItemSizes(true);
    m_results->setFocusPolicy(Qt::NoFocus);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_input);
    layout->addWidget(m_results);
    resize(640, 420);
    m_input->installEventFilter(this);
    connect(m_input, &QLineEdit::textChanged, this, &CommandPalette::refilter);
    connect(m_input, &QLineEdit::returnPressed, this, &CommandPalette::runCurrent);
    connect(m_results, &QListWidget::itemClicked, this, &CommandPalette::runCurrent);
}

void CommandPalette::addMenuActions(QMenuBar *menuBar)
{
    QPointer<QMenuBar> bar(menuBar);
    addProvider([bar] {
        QList<Entry> entries;
        if (!bar)
            return entries;
        const QList<QAction *> menus = bar->actions();
        for (QAction *action : menus) {
            if (QMenu *menu = action->menu())
                collectActions(menu, plainText(action->text()), entries);
        }
        return entries;
    });
}

void CommandPalette::popup()
{
    m_entries.clear();
    for (const Provider &provider : std::as_const(m_providers))
        m_entries.append(provider());
    m_input->clear();
    refilter();
    if (QWidget *owner = parentWidget()) {
        const QRect area = owner->window()->geometry();
        move(area.center().x() - width() / 2, area.top() + area.height() / 6);
    }
    show();
    raise();
    activateWindow();
    m_input->setFocus();
}

QStringList CommandPalette::shownTexts() const
{
    QStringList texts;
    for (int row = 0; row < m_results->count(); ++row)
        texts.append(m_results->item(row)->data(Qt::UserRole + 1).toString());
    return texts;
}

int CommandPalette::fuzzyScore(const QString &query, const QString &text)
{
    if (query.isEmpty())
        return 0;
    const int substring = text.indexOf(query, 0, Qt::CaseInsensitive);
    if (substring >= 0) {
        const bool wordStart = substring == 0 || !text.at(substring - 1).isLetterOrNumber();
        return 1000 + (wordStart ? 200 : 0) - qMin(substring, 100)
            - qMin(int(text.size()), 100) / 4;
    }
    int score = 0;
    int at = 0;
    int previous = -2;
    for (const QChar c : query) {
        if (c.isSpace())
            continue;
        const int found = text.indexOf(c, at, Qt::CaseInsensitive);
        if (found < 0)
            return -1;
        if (found == previous + 1)
            score += 8;
        if (found == 0 || !text.at(found - 1).isLetterOrNumber())
            score += 10;
        score -= qMin(found - at, 10);
        previous = found;
        at = found + 1;
    }
    return qMax(score, 0);
}

bool CommandPalette::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_input && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const int count = m_results->count();
        int row = m_results->currentRow();
        switch (key->key()) {
        case Qt::Key_Down:
            row = count ? (row + 1) % count : -1;
            break;
        case Qt::Key_Up:
            row = count ? (row + count - 1) % count : -1;
            break;
        case Qt::Key_PageDown:
            row = qMin(row + 10, count - 1);
            break;
        case Qt::Key_PageUp:
            row = qMax(row - 10, 0);
            break;
        default:
            return QDialog::eventFilter(watched, event);
        }
        m_results->setCurrentRow(row);
        return true;
    }
    return QDialog::eventFilter(watched, event);
}

void CommandPalette::refilter()
{
    const QString query = m_input->text().trimmed();
    QList<std::pair<int, int>> ranked; // (score, entry)
    for (int i = 0; i < m_entries.size(); ++i) {
        const Entry &entry = m_entries.at(i);
        int score = fuzzyScore(query, entry.text);
        // "node gpu" finds nodes: the kind word counts when the text alone does not match.
        if (score < 0)
            score = fuzzyScore(query, entry.kind + QLatin1Char(' ') + entry.text) - 50;
        if (score >= 0 || query.isEmpty())
            ranked.append({score, i});
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto &a, const auto &b) { return a.first > b.first; });
    m_results->clear();
    for (qsizetype i = 0; i < ranked.size() && i < maxShown(); ++i) {
        const Entry &entry = m_entries.at(ranked.at(i).second);
        QString label = QStringLiteral("%1  ·  %2").arg(entry.kind, entry.text);
        if (!entry.detail.isEmpty())
            label += QStringLiteral("    (%1)").arg(entry.detail);
        auto *item = new QListWidgetItem(label, m_results);
        item->setData(Qt::UserRole, ranked.at(i).second);
        item->setData(Qt::UserRole + 1, entry.text);
        item->setToolTip(entry.text);
    }
    if (m_results->count())
        m_results->setCurrentRow(0);
}

void CommandPalette::runCurrent()
{
    const QListWidgetItem *item = m_results->currentItem();
    if (!item)
        return;
    const std::function<void()> run = m_entries.value(item->data(Qt::UserRole).toInt()).run;
    hide();
    if (run)
        run();
}

} // namespace hivewatch
