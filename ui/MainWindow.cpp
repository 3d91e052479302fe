#include "MainWindow.h"

#include <QApplication>
#include <QMenuBar>
#include <QStatusBar>
#include <QTabWidget>

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_tabs(new QTabWidget(this))
{
    setWindowTitle(QStringLiteral("Hivewatch"));
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

    statusBar()->showMessage(tr("Ready"));
    resize(1200, 800);
}

void MainWindow::addPanel(QWidget *panel, const QString &title)
{
    m_tabs->addTab(panel, title);
}
