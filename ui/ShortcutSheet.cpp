#include "ui/ShortcutSheet.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMenu>
#include <QMenuBar>
#include <QTableWidget>
#include <QVBoxLayout>

namespace hivewatch {

namespace {
void collect(QMenu *menu, const QString &path, QList<std::pair<QString, QString>> &out)
{
    const QList<QAction *> actions = menu->actions();
    for (QAction *action : actions) {
        QString text = action->text();
        text.remove(QLatin1Char('&'));
        if (QMenu *sub = action->menu()) {
            collect(sub, path + QStringLiteral(" › ") + text, out);
            continue;
        }
        const QList<QKeySequence> shortcuts = action->shortcuts();
        if (action->isSeparator() || shortcuts.isEmpty())
            continue;
        QStringList keys;
        for (const QKeySequence &shortcut : shortcuts)
            keys.append(shortcut.toString(QKeySequence::NativeText));
        out.append({keys.join(QStringLiteral(", ")), path + QStringLiteral(" › ") + text});
    }
}
} // namespace

ShortcutSheet::ShortcutSheet(QMenuBar *menuBar, QWidget *parent)
    : QDialog(parent)
    , m_menuBar(menuBar)
    , m_table(new QTableWidget(0, 2, this))
{
    setObjectName(QStringLiteral("shortcutSheet"));
    setWindowTitle(tr("Keyboard shortcuts"));
    m_table->setHorizontalHeaderLabels({tr("Keys"), tr("What")});
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_table);
    layout->addWidget(buttons);
    resize(560, 520);
}

void ShortcutSheet::addKey(const QString &keys, const QString &what)
{
    m_keys.append({keys, what});
}

void ShortcutSheet::popup()
{
    QList<std::pair<QString, QString>> rows = m_keys;
    if (m_menuBar) {
        const QList<QAction *> menus = m_menuBar->actions();
        for (QAction *action : menus) {
            if (QMenu *menu = action->menu()) {
                QString title = action->text();
                title.remove(QLatin1Char('&'));
                collect(menu, title, rows);
            }
        }
    }
    m_table->setRowCount(int(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
        m_table->setItem(row, 0, new QTableWidgetItem(rows.at(row).first));
        m_table->setItem(row, 1, new QTableWidgetItem(rows.at(row).second));
    }
    m_table->resizeColumnToContents(0);
    show();
    raise();
    activateWindow();
}

} // namespace hivewatch
