#pragma once

#include "PgSetupReport.h"
#include "PgSetupRequest.h"

#include <QObject>

// Runs PgSetupSession off the GUI thread: move it to a QThread and call run() through a queued
// connection (or QMetaObject::invokeMethod). Every libpq call happens on that thread; the GUI
// gets progress and one finished report, both by value.
class PgSetupWorker : public QObject
{
    Q_OBJECT
public:
    explicit PgSetupWorker(QObject *parent = nullptr);

    static void registerMetaTypes();

public slots:
    void run(const PgSetupRequest &request);

signals:
    void progress(int step, int steps, const QString &title);
    void finished(const PgSetupReport &report);
};
