#pragma once

#include <QObject>
#include <QString>

namespace hivewatch {

// The Postgres password of a connection, kept in the system keychain (qtkeychain; the insecure
// plain-text fallback is off), keyed by the conninfo it belongs to. Never in QSettings, never
// logged. Jobs are asynchronous; answers arrive as signals on the GUI thread. Without a keychain
// service (headless boxes) reads find nothing and writes report why.
class PgPasswordKeychain : public QObject
{
    Q_OBJECT
public:
    explicit PgPasswordKeychain(QObject *parent = nullptr);

    static bool isAvailable();
    void read(const QString &conninfo);
    void write(const QString &conninfo, const QString &password);
    // How many reads and writes were asked of the keychain (the panel touches it only when
    // Remember is checked; tests check that).
    int requests() const { return m_requests; }

signals:
    void found(const QString &conninfo, const QString &password);
    void failed(const QString &message);

private:
    int m_requests = 0;
};

} // namespace hivewatch
