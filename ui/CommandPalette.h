#pragma once

#include <QDialog>
#include <QList>

#include <functional>

class QLineEdit;
class QListWidget;
class QMenuBar;

namespace hivewatch {

// The command palette (Ctrl+P, `:`): one field, a list of everything the user can jump to or
// run, narrowed by a fuzzy match as they type; Enter runs the highlighted entry, Esc closes.
// Entries come from providers asked each time the palette opens (so they are never stale) and
// from the menu bar's actions (so every menu command is there without a second list to keep).
class CommandPalette : public QDialog
{
    Q_OBJECT
public:
    struct Entry
    {
        QString kind; // "Task", "Node", "Execution", "Action": shown, and matched too
        QString text;
        QString detail; // shown after the text (a shortcut, an id), not matched
        std::function<void()> run;
    };
    using Provider = std::function<QList<Entry>()>;

    explicit CommandPalette(QWidget *parent = nullptr);

    void addProvider(Provider provider) { m_providers.append(std::move(provider)); }
    // Every enabled action of the menus of `menuBar` (sub-menus included), read on each open.
    void addMenuActions(QMenuBar *menuBar);

    // Collects the entries, clears the field and shows the palette with the field focused.
    void popup();
    QLineEdit *input() const { return m_input; }
    QListWidget *results() const { return m_results; }
    // The shown entries' texts, best match first.
    QStringList shownTexts() const;

    // How well `query` matches `text`: < 0 no match; higher is better. Every query character
    // must appear in order; a substring, word starts and runs of adjacent characters score more.
    static int fuzzyScore(const QString &query, const QString &text);
    static int maxShown() { return 200; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refilter();
    void runCurrent();

    QLineEdit *m_input;
    QListWidget *m_results;
    QList<Provider> m_providers;
    QList<Entry> m_entries;
};

} // namespace hivewatch
