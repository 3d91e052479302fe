#pragma once

#include <QMainWindow>

class QTabWidget;

// The shell: menus, status bar and one tab per panel. Panels own their widgets; the app layer
// creates them and hands them over with addPanel().
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

    void addPanel(QWidget *panel, const QString &title);
    QTabWidget *tabs() const { return m_tabs; }

private:
    QTabWidget *m_tabs = nullptr;
};
