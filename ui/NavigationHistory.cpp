#include "ui/NavigationHistory.h"

namespace hivewatch {

namespace {
// A long session of clicking around must not grow without bound.
constexpr qsizetype kMaxEntries = 200;
} // namespace

NavigationHistory::NavigationHistory(QObject *parent)
    : QObject(parent)
{
}

void NavigationHistory::visit(const NavigationLocation &location)
{
    if (m_current >= 0 && m_entries.at(m_current) == location)
        return;
    m_entries.resize(m_current + 1);
    m_entries.append(location);
    if (m_entries.size() > kMaxEntries)
        m_entries.removeFirst();
    m_current = m_entries.size() - 1;
    emit changed();
}

NavigationLocation NavigationHistory::back()
{
    if (canGoBack()) {
        --m_current;
        emit changed();
    }
    return current();
}

NavigationLocation NavigationHistory::forward()
{
    if (canGoForward()) {
        ++m_current;
        emit changed();
    }
    return current();
}

NavigationLocation NavigationHistory::current() const
{
    return m_current < 0 ? NavigationLocation() : m_entries.at(m_current);
}

} // namespace hivewatch
