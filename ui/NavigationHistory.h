#pragma once

#include <QList>
#include <QObject>
#include <QString>

namespace hivewatch {

// Where the operator was: a panel and, within it, what was selected (a task, a node, an
// execution). Like a browser's history: visiting drops what lay ahead, back and forward move.
struct NavigationLocation
{
    QString panel;
    QString id;
    bool operator==(const NavigationLocation &other) const = default;
};

class NavigationHistory : public QObject
{
    Q_OBJECT
public:
    explicit NavigationHistory(QObject *parent = nullptr);

    // Appends `location` after the current one (dropping the forward entries); visiting the
    // current location again changes nothing.
    void visit(const NavigationLocation &location);
    bool canGoBack() const { return m_current > 0; }
    bool canGoForward() const { return m_current + 1 < m_entries.size(); }
    // Moves and returns the new current location; the current one when there is nowhere to go.
    NavigationLocation back();
    NavigationLocation forward();
    NavigationLocation current() const;
    bool isEmpty() const { return m_entries.isEmpty(); }
    qsizetype size() const { return m_entries.size(); }

signals:
    void changed();

private:
    QList<NavigationLocation> m_entries;
    qsizetype m_current = -1;
};

} // namespace hivewatch
