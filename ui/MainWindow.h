#pragma once

#include <QMainWindow>

class QDockWidget;
class QLabel;
class QMenu;
class QTabWidget;

namespace hivewatch {

// The shell: one tab per panel, docks, menus, shortcuts, the status bar, and the window layout
// remembered between runs (QSettings group "MainWindow"). Panels own their widgets; the app layer
// creates them and hands them over with addPanel()/addDock().
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

    // A tab, reachable from the View menu and with Ctrl+1…Ctrl+9 in the order added.
    void addPanel(QWidget *panel, const QString &title);
    // A dock; `objectName` must be stable, it keys the saved layout.
    QDockWidget *addDock(QWidget *widget, const QString &title, const QString &objectName,
                         Qt::DockWidgetArea area = Qt::BottomDockWidgetArea);
    QTabWidget *tabs() const { return m_tabs; }
    QMenu *fileMenu() const { return m_fileMenu; }
    QMenu *viewMenu() const { return m_viewMenu; }
    void showPanel(const QString &title);

    // A short, permanent text at the right of the status bar (the sync summary).
    void setStatusText(const QString &text);
    // A message the user should notice, shown in the status bar for a while.
    void showMessage(const QString &text, int milliseconds = 10000);

    // Call after every panel and dock is added: docks can only be restored once they exist.
    void restoreLayout();
    void saveLayout() const;

    // Whether the window has been painted once since it was shown (firstPainted was emitted).
    bool hasPainted() const { return m_painted; }

signals:
    // Once, after the first paint of the window has finished (queued behind it): work that
    // competes with the GUI thread for the machine's cores (starting the sync) waits for it, so
    // the window appears at once rather than after the workers' start-up.
    void firstPainted();

protected:
    bool event(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    QTabWidget *m_tabs = nullptr;
    QMenu *m_fileMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_panelsMenu = nullptr;
    QLabel *m_statusText = nullptr;
    bool m_painted = false;
};

} // namespace hivewatch
