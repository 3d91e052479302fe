#pragma once

#include <QObject>
#include <functional>

namespace hivewatch {

// Secrets in the system keychain (Secret Service, KWallet, macOS Keychain) through qtkeychain,
// never in QSettings: the insecure plain-text fallback is switched off. Jobs are asynchronous;
// callbacks run on the GUI thread. Without a keychain (a headless CI box) every call reports an
// error the caller can show, and nothing is written anywhere else.
class SecretStore : public QObject
{
    Q_OBJECT
public:
    explicit SecretStore(QString service, QObject *parent = nullptr);

    using Done = std::function<void(bool ok, const QString &secretOrError)>;
    void read(const QString &key, Done done);
    void write(const QString &key, const QString &secret, Done done);
    void remove(const QString &key, Done done);

private:
    QString m_service;
};

} // namespace hivewatch
