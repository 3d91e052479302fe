#pragma once

#include "sync/shape/ShapeDefinition.h"

#include <QObject>

class QNetworkAccessManager;

namespace hivewatch {

// "Does this source serve this table with these credentials?" for a Test button: one
// `offset=now` request (an immediate up-to-date, no rows transferred) per probe, on the probe's
// own network access manager so it never queues behind the sync's long polls. Asynchronous;
// `finished` reports success or the cause in words (refused connection, 401, 404, …). A token
// command runs first when the endpoint has one and no token. Secrets never appear in the text.
class ShapeProbe : public QObject
{
    Q_OBJECT
public:
    explicit ShapeProbe(QObject *parent = nullptr);

    // `label` comes back with the answer (e.g. the source's name).
    void probe(const QString &label, const ShapeDefinition &definition,
               const ShapeEndpoint &endpoint);

signals:
    void finished(const QString &label, bool ok, const QString &text);

private:
    void send(const QString &label, const ShapeDefinition &definition,
              const ShapeEndpoint &endpoint);
    void runTokenCommand(const QString &label, const ShapeDefinition &definition,
                         ShapeEndpoint endpoint);

    QNetworkAccessManager *m_network;
    int m_inFlight = 0;
};

} // namespace hivewatch
