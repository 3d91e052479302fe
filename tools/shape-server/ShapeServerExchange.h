#pragma once

// Private to ShapeServer*.cpp: the bookkeeping of requests in flight.
#include "tools/shape-server/HttpConnection.h"
#include "tools/shape-server/ShapeServer.h"

#include <QPointer>
#include <QTimer>

// One request in flight: where to answer, and the faults chosen for it when it arrived.
struct ShapeServer::Exchange
{
    QPointer<HttpConnection> connection;
    HttpRequest request;
    QByteArray requestId;
    bool dropMidBody = false;
    bool malformedBody = false;
    bool proxied = false; // came through the proxy path: answers vary by Authorization
    bool forwarded = false; // passed the proxy's checks: streamed (chunked) like the hive's proxy
};

// A request parked until its shape has news: a live long-poll, a snapshot chunk that is not
// written yet, or an offset beyond the shape's end (docs/electric-protocol.md §4.7).
struct ShapeServer::Waiter
{
    enum Kind { Live, Snapshot, OutOfBounds };
    std::shared_ptr<Exchange> exchange;
    ShapeRequest request;
    QString handle;
    Kind kind = Live;
    QDeadlineTimer deadline;
    QTimer *timer = nullptr;
};
