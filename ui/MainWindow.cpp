#include "ui/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

namespace hivewatch {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_tabs(new QTabWidget(this))
    , m_statusText(new QLabel(this))
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(QStringLiteral("Hivewatch"));
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);

    m_fileMenu = menuBar()->addMenu(tr("&File"));
    m_fileMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_panelsMenu = m_viewMenu->addMenu(tr("&Panels"));
    m_viewMenu->addAction(
        tr("Next panel"), QKeySequence(Qt::CTRL | Qt::Key_PageDown), this, [this] {
            m_tabs->setCurrentIndex((m_tabs->currentIndex() + 1) % qMax(1, m_tabs->count()));
        });
    m_viewMenu->addAction(tr("Previous panel"), QKeySequence(Qt::CTRL | Qt::Key_PageUp), this,
                          [this] {
                              m_tabs->setCurrentIndex((m_tabs->currentIndex() + m_tabs->count() - 1)
                                                      % qMax(1, m_tabs->count()));
                          });
    m_viewMenu->addSeparator();

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Hivewatch"), this, [this] {
        QMessageBox::about(this, tr("About Hivewatch"),
                           tr("<b>Hivewatch %1</b><p>Live dashboard for a hive of AI-coding-agent "
                              "nodes, synced with ElectricSQL.</p>")
                               .arg(QApplication::applicationVersion()));
    });

    m_statusText->setObjectName(QStringLiteral("syncSummary"));
    statusBar()->addPermanentWidget(m_statusText);
    statusBar()->showMessage(tr("Ready"));
    resize(1280, 800);
}

void MainWindow::addPanel(QWidget *panel, const QString &title)
{
    const int index = m_tabs->addTab(panel, title);
    QAction *action
        = m_panelsMenu->addAction(title, this, [this, panel] { m_tabs->setCurrentWidget(panel); });
    if (index < 9)
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + index)));
}

QDockWidget *MainWindow::addDock(QWidget *widget, const QString &title, const QString &objectName,
                                 Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, this);
    dock->setObjectName(objectName);
    dock->setWidget(widget);
    addDockWidget(area, dock);
    m_viewMenu->addAction(dock->toggleViewAction());
    return dock;
}

void MainWindow::showPanel(const QString &title)
{
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->tabText(i) == title)
            m_tabs->setCurrentIndex(i);
    }
}

void MainWindow::setStatusText(const QString &text)
{
    m_statusText->setText(text);
}

void MainWindow::showMessage(const QString &text, int milliseconds)
{
    statusBar()->showMessage(text, milliseconds);
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("MainWindow"));
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    const int tab = settings.value(QStringLiteral("currentTab"), 0).toInt();
    if (tab >= 0 && tab < m_tabs->count())
        m_tabs->setCurrentIndex(tab);
}

void MainWindow::saveLayout() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("MainWindow"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("currentTab"), m_tabs->currentIndex());
}

bool MainWindow::event(QEvent *event)
{
    // The top-level widget is painted first in the backing store's sync, which paints every
    // child and flushes in the same event: a zero timer queued here runs after all of it.
    if (event->type() == QEvent::Paint && !m_painted) {
        m_painted = true;
        QTimer::singleShot(0, this, &MainWindow::firstPainted);
    }
    return QMainWindow::event(event);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    event->accept();
}

} // namespace hivewatch
