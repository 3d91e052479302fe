#pragma once

#include <QDialog>
#include <QList>

class QMenuBar;
class QTableWidget;

namespace hivewatch {

// The shortcut sheet (`?`): every menu action that has a shortcut, read from the menu bar when
// shown (so it never lists a key that no longer exists), plus the keys that are not menu actions
// (the palette's `:`, `/`, a panel's own keys), added with addKey().
class ShortcutSheet : public QDialog
{
    Q_OBJECT
public:
    ShortcutSheet(QMenuBar *menuBar, QWidget *parent = nullptr);

    void addKey(const QString &keys, const QString &what);
    // Rebuilds the table and shows the sheet.
    void popup();
    QTableWidget *table() const { return m_table; }

private:
    QMenuBar *m_menuBar;
    QTableWidget *m_table;
    QList<std::pair<QString, QString>> m_keys;
};

} // namespace hivewatch
