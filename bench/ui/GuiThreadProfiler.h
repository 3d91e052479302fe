#pragma once

#include <QApplication>
#include <QByteArray>
#include <QElapsedTimer>
#include <QEvent>
#include <QHash>
#include <QPointer>

#include <map>
#include <vector>

// The bench's answer to "what is the GUI thread busy with?", where perf on one thread of a
// loaded VM often records nothing. Every event delivered on the GUI thread is timed in notify()
// (the thread's CPU time, so other processes' load does not count) and keyed by receiver class,
// objectName and event type; Qt's signal-spy hook times every signal emitted and every slot
// invoked on the GUI thread (slots of queued calls and lambdas are not seen: their event is).
// A tick of the bench's probe over the threshold is attributed to the largest event inside it.
// Bench code only: the product has no notify override.
class GuiThreadProfiler : public QApplication
{
public:
    GuiThreadProfiler(int &argc, char **argv);
    ~GuiThreadProfiler() override;

    bool notify(QObject *receiver, QEvent *event) override;

    // Object trees whose members' timers print() should name (besides top-level widgets).
    void addRoot(QObject *root);
    // Also time signals and slots (costs a little on every emission, in every thread).
    void enableSignalSpy();
    // Also cut the GUI thread's time into event-loop iterations (from one wake-up of the event
    // dispatcher to the next) and keep each iteration over the threshold with its events summed
    // by receiver class, event type and, for a queued call, the slot; the rest of the
    // iteration is what ran outside notify().
    void trackIterations(const QElapsedTimer *clock);
    // Called by the probe at each tick with the GUI thread's CPU time since the previous one.
    void endTick(double busyMs);
    // Top offenders: ticks over 16 ms by their largest event, then events and signals/slots
    // whose longest single run exceeded 16 ms.
    void print(int top) const;

    static double threadCpuMs();

private:
    // An event's group inside an iteration: receiver class, event type, and for a queued call
    // the slot (a method index, or the address of a functor's call function).
    struct GroupKey
    {
        const QMetaObject *receiver;
        int type;
        quintptr slot;
        bool slotIsFunction;
        auto operator<=>(const GroupKey &) const = default;
    };
    struct Group
    {
        double ms = 0;
        qint64 count = 0;
    };
    struct Iteration
    {
        double atS;
        double cpuMs;
        double wallMs;
        std::map<GroupKey, Group> groups;
    };
    void endIteration();
    QByteArray groupName(const GroupKey &key) const;
    QByteArray functionName(quintptr address) const;
    void printIterations(int top) const;

    struct Stat
    {
        qint64 count = 0;
        double totalMs = 0;
        double maxMs = 0;
        qint64 overThreshold = 0;
        void add(double ms, double thresholdMs);
    };
    struct Frame
    {
        const QMetaObject *meta;
        int index;
        bool isSignal;
        double startMs;
    };
    static void signalBegin(QObject *caller, int signalIndex, void **argv);
    static void signalEnd(QObject *caller, int signalIndex);
    static void slotBegin(QObject *caller, int methodIndex, void **argv);
    static void slotEnd(QObject *caller, int methodIndex);
    void endFrame(bool isSignal);
    static QByteArray eventKey(const QObject *receiver, QEvent::Type type);
    static QByteArray methodKey(const QMetaObject *meta, int index, bool isSignal);
    QByteArray ownerOf(const QPointer<QObject> &timer) const;

    Qt::HANDLE m_guiThread;
    int m_depth = 0;
    double m_thresholdMs = 16;
    QHash<QByteArray, Stat> m_events;
    QHash<QByteArray, QPointer<QObject>> m_receivers; // of keyed events, to name them later
    QList<QPointer<QObject>> m_roots;
    QHash<QByteArray, Stat> m_ticks;
    // Keyed by (meta object, index): names are resolved only when printing.
    QHash<QPair<const QMetaObject *, int>, Stat> m_signals;
    QHash<QPair<const QMetaObject *, int>, Stat> m_slots;
    std::vector<Frame> m_frames;
    const QElapsedTimer *m_clock = nullptr;
    bool m_trackIterations = false;
    double m_iterationCpuMs = 0;
    double m_iterationWallMs = 0;
    std::map<GroupKey, Group> m_iterationGroups;
    std::vector<Iteration> m_longIterations;
    qint64 m_iterations = 0;
    mutable QHash<quintptr, QByteArray> m_functionNames;
    QHash<quintptr, QPointer<QObject>> m_timerObjects;
    double m_tickLargestMs = 0;
    QByteArray m_tickLargestKey;
};
