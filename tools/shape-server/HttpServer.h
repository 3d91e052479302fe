#pragma once

#include "tools/shape-server/HttpMessage.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>

#include <functional>

class HttpConnection;
class QTcpServer;

// Accepts loopback connections and hands every parsed request to one handler. The handler
// answers through the QPointer whenever it likes (immediately, or after a long-poll hold).
class HttpServer : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(QPointer<HttpConnection>, const HttpRequest &)>;

    explicit HttpServer(Handler handler, QObject *parent = nullptr);

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    quint16 port() const;

private:
    void acceptPending();

    Handler m_handler;
    QTcpServer *m_server;
};
