#pragma once

#include <QObject>

class QAction;

namespace hivewatch {

class CommandPalette;
class Dashboard;
class MainWindow;
class ShortcutSheet;

// The keyboard side of the dashboard: the command palette (Ctrl+P or `:`) with jumps to every
// task, node and execution and every menu action; `/` focuses the current panel's filter; `?`
// shows the shortcut sheet. All three are View/Help menu actions, so the sheet and the palette
// list them too. Single-key shortcuts never fire while a text field has focus (Qt gives a line
// edit its printable keys first).
class DashboardCommands : public QObject
{
    Q_OBJECT
public:
    DashboardCommands(Dashboard *dashboard, MainWindow *window);

    CommandPalette *palette() const { return m_palette; }
    ShortcutSheet *shortcutSheet() const { return m_sheet; }
    QAction *paletteAction() const { return m_paletteAction; }

    void openPalette();
    // Puts the keyboard focus in the current panel's filter field, if it has one.
    void focusFilter();
    void jumpToTask(const QString &taskId);
    void jumpToNode(const QString &nodeId);

private:
    void addJumpProviders();

    Dashboard *m_dashboard;
    MainWindow *m_window;
    CommandPalette *m_palette;
    ShortcutSheet *m_sheet;
    QAction *m_paletteAction;
};

} // namespace hivewatch
