#include "bench/ui/GuiThreadProfiler.h"

#include <QAbstractEventDispatcher>
#include <QEvent>
#include <QMetaEnum>
#include <QMetaMethod>
#include <QPointer>
#include <QProcess>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <cxxabi.h>
#include <dlfcn.h>
#include <time.h>
#include <typeinfo>

// Qt's signal-spy hook (exported by QtCore, declared only in its private headers; QtTest's
// -vs option uses it). The layout is Qt 6's.
struct QSignalSpyCallbackSet
{
    using BeginCallback = void (*)(QObject *caller, int signal_or_method_index, void **argv);
    using EndCallback = void (*)(QObject *caller, int signal_or_method_index);
    BeginCallback signal_begin_callback, slot_begin_callback;
    EndCallback signal_end_callback, slot_end_callback;
};
void Q_CORE_EXPORT qt_register_signal_spy_callbacks(QSignalSpyCallbackSet *callback_set);

namespace {
GuiThreadProfiler *g_profiler = nullptr;
// Events cheaper than this are counted per type only, to keep the probe's own cost small.
constexpr double kKeyedMs = 0.5;

// What a queued call will run, read from Qt 6.4's private QMetaCallEvent (qobject_p.h): the
// fields after QEvent's, and the functor's call function in QSlotObjectBase. Bench code only,
// checked against that one version; elsewhere queued calls are grouped by receiver alone.
struct MetaCallFields
{
    int signalId;
    const QObject *sender;
    void *semaphore;
    void *slotObject;
    void **args;
    void *callFunction;
    int argCount;
    ushort methodOffset;
    ushort methodRelative;
};
struct SlotObjectFields
{
    QAtomicInt ref;
    void *impl;
};

std::pair<quintptr, bool> queuedSlot(const QEvent *event)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 4, 0) && QT_VERSION < QT_VERSION_CHECK(6, 5, 0)
    if (std::strcmp(typeid(*event).name(), "14QMetaCallEvent") != 0)
        return {0, false};
    const auto *fields = reinterpret_cast<const MetaCallFields *>(
        reinterpret_cast<const char *>(event) + sizeof(QEvent));
    if (fields->slotObject)
        return {quintptr(static_cast<const SlotObjectFields *>(fields->slotObject)->impl), true};
    return {quintptr(fields->methodOffset + fields->methodRelative), false};
#else
    Q_UNUSED(event);
    return {0, false};
#endif
}
} // namespace

GuiThreadProfiler::GuiThreadProfiler(int &argc, char **argv)
    : QApplication(argc, argv)
    , m_guiThread(QThread::currentThreadId())
{
    g_profiler = this;
}

GuiThreadProfiler::~GuiThreadProfiler()
{
    static QSignalSpyCallbackSet none {nullptr, nullptr, nullptr, nullptr};
    qt_register_signal_spy_callbacks(&none);
    g_profiler = nullptr;
}

double GuiThreadProfiler::threadCpuMs()
{
    timespec now {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

void GuiThreadProfiler::Stat::add(double ms, double thresholdMs)
{
    ++count;
    totalMs += ms;
    maxMs = std::max(maxMs, ms);
    if (ms > thresholdMs)
        ++overThreshold;
}

QByteArray GuiThreadProfiler::eventKey(const QObject *receiver, QEvent::Type type)
{
    QByteArray key = receiver->metaObject()->className();
    // A member QTimer has neither parent nor name: its address tells timers apart, and
    // print() finds the object it is a member of.
    if (!receiver->parent() && receiver->objectName().isEmpty() && receiver->inherits("QTimer"))
        key += QByteArray(" 0x") + QByteArray::number(quintptr(receiver), 16);
    if (!receiver->objectName().isEmpty())
        key += " \"" + receiver->objectName().toUtf8() + '"';
    // A QTimer or a private helper says little alone; its owner says whose work it is.
    if (const QObject *parent = receiver->parent()) {
        key += " (in " + QByteArray(parent->metaObject()->className());
        if (!parent->objectName().isEmpty())
            key += " \"" + parent->objectName().toUtf8() + '"';
        key += ')';
    }
    const char *name = QMetaEnum::fromType<QEvent::Type>().valueToKey(type);
    key += ' ' + (name ? QByteArray(name) : QByteArray::number(int(type)));
    return key;
}

QByteArray GuiThreadProfiler::methodKey(const QMetaObject *meta, int index, bool isSignal)
{
    if (!isSignal)
        return QByteArray(meta->className()) + "::" + meta->method(index).methodSignature();
    // Signal indexes count signals only, base classes first; method indexes list each class's
    // signals before its other methods, also base first, so the n-th signal method is the one.
    int seen = 0;
    for (int i = 0; i < meta->methodCount(); ++i) {
        const QMetaMethod method = meta->method(i);
        if (method.methodType() != QMetaMethod::Signal)
            continue;
        if (seen++ == index)
            return QByteArray(meta->className()) + "::" + method.methodSignature() + " (signal)";
    }
    return QByteArray(meta->className()) + "::signal#" + QByteArray::number(index);
}

bool GuiThreadProfiler::notify(QObject *receiver, QEvent *event)
{
    if (m_depth > 0 || QThread::currentThreadId() != m_guiThread)
        return QApplication::notify(receiver, event);
    // The receiver may be gone after delivery (DeferredDelete): name it before.
    QPointer<QObject> alive(receiver);
    const char *className = receiver->metaObject()->className();
    const QEvent::Type type = event->type();
    const QMetaObject *receiverMeta = receiver->metaObject();
    const double start = threadCpuMs();
    ++m_depth;
    const bool result = QApplication::notify(receiver, event);
    --m_depth;
    const double ms = threadCpuMs() - start;
    QByteArray key;
    if (ms < kKeyedMs) {
        const char *name = QMetaEnum::fromType<QEvent::Type>().valueToKey(type);
        key = QByteArray("(any, under 0.5 ms) ") + (name ? name : "?");
    } else if (alive) {
        key = eventKey(receiver, type);
        if (!m_receivers.contains(key))
            m_receivers.insert(key, alive);
    } else {
        key = QByteArray(className) + " (deleted in delivery) " + QByteArray::number(int(type));
    }
    m_events[key].add(ms, m_thresholdMs);
    if (m_trackIterations) {
        auto [slot, isFunction]
            = type == QEvent::MetaCall ? queuedSlot(event) : std::pair<quintptr, bool> {};
        // A timer's owner says whose work it is: one group per QTimer object.
        if (type == QEvent::Timer && alive && receiverMeta->inherits(&QTimer::staticMetaObject)) {
            slot = quintptr(alive.data());
            if (!m_timerObjects.contains(slot))
                m_timerObjects.insert(slot, alive);
        }
        Group &group = m_iterationGroups[{receiverMeta, int(type), slot, isFunction}];
        group.ms += ms;
        ++group.count;
    }
    if (ms > m_tickLargestMs) {
        m_tickLargestMs = ms;
        m_tickLargestKey = key;
    }
    return result;
}

void GuiThreadProfiler::trackIterations(const QElapsedTimer *clock)
{
    m_clock = clock;
    m_trackIterations = true;
    m_iterationCpuMs = threadCpuMs();
    m_iterationWallMs = clock->nsecsElapsed() / 1e6;
    // Both dispatchers (glib's and Qt's own) emit awake() once at the start of each
    // processEvents(), before anything of that iteration is delivered.
    connect(
        QAbstractEventDispatcher::instance(), &QAbstractEventDispatcher::awake, this,
        [this] { endIteration(); }, Qt::DirectConnection);
}

void GuiThreadProfiler::endIteration()
{
    const double cpu = threadCpuMs();
    const double wall = m_clock->nsecsElapsed() / 1e6;
    ++m_iterations;
    if (cpu - m_iterationCpuMs > m_thresholdMs)
        m_longIterations.push_back(
            {wall / 1000, cpu - m_iterationCpuMs, wall - m_iterationWallMs, m_iterationGroups});
    m_iterationGroups.clear();
    m_iterationCpuMs = cpu;
    m_iterationWallMs = wall;
}

QByteArray GuiThreadProfiler::functionName(quintptr address) const
{
    if (const auto known = m_functionNames.constFind(address); known != m_functionNames.cend())
        return *known;
    QByteArray name = "functor at 0x" + QByteArray::number(address, 16);
    Dl_info info {};
    if (dladdr(reinterpret_cast<void *>(address), &info) && info.dli_sname) {
        int status = 0;
        char *demangled = abi::__cxa_demangle(info.dli_sname, nullptr, nullptr, &status);
        name = status == 0 ? QByteArray(demangled) : QByteArray(info.dli_sname);
        std::free(demangled);
    } else if (info.dli_fname) {
        // The project's code is linked statically into the bench: not in the dynamic symbol
        // table, so ask addr2line about the file offset.
        QProcess addr2line;
        addr2line.start(QStringLiteral("addr2line"),
                        {QStringLiteral("-f"), QStringLiteral("-C"), QStringLiteral("-e"),
                         QString::fromLocal8Bit(info.dli_fname),
                         QStringLiteral("0x%1").arg(address - quintptr(info.dli_fbase), 0, 16)});
        if (addr2line.waitForFinished(10000))
            name = addr2line.readAllStandardOutput().split('\n').value(0);
    }
    // A functor's call function is named after its template: keep the functor's own type.
    for (const char *wrapper : {"QFunctorSlotObject<", "QSlotObject<", "QCallableObject<"}) {
        const int at = name.indexOf(wrapper);
        if (at >= 0) {
            name = name.mid(at + int(std::strlen(wrapper)));
            const int end = name.indexOf(", QtPrivate::List<");
            name = name.left(end >= 0 ? end : 160);
            break;
        }
    }
    m_functionNames.insert(address, name);
    return name;
}

QByteArray GuiThreadProfiler::groupName(const GroupKey &key) const
{
    QByteArray name = key.receiver->className();
    const char *type = QMetaEnum::fromType<QEvent::Type>().valueToKey(key.type);
    name += ' ' + (type ? QByteArray(type) : QByteArray::number(key.type));
    if (key.type == QEvent::Timer && key.slot != 0)
        return name + " (" + ownerOf(m_timerObjects.value(key.slot)).trimmed() + ')';
    if (key.type != QEvent::MetaCall || (key.slot == 0 && !key.slotIsFunction))
        return name;
    if (key.slotIsFunction)
        return name + ": " + functionName(key.slot);
    return name + ": " + methodKey(key.receiver, int(key.slot), false);
}

void GuiThreadProfiler::printIterations(int top) const
{
    std::printf("Event-loop iterations over %.0f ms of GUI CPU: %zu of %lld\n", m_thresholdMs,
                m_longIterations.size(), static_cast<long long>(m_iterations));
    std::vector<const Iteration *> longest;
    for (const Iteration &iteration : m_longIterations)
        longest.push_back(&iteration);
    std::sort(longest.begin(), longest.end(),
              [](const Iteration *a, const Iteration *b) { return a->cpuMs > b->cpuMs; });
    QHash<QByteArray, Group> overall;
    double overallOutside = 0;
    for (const Iteration &iteration : m_longIterations) {
        double inside = 0;
        for (const auto &[key, group] : iteration.groups) {
            Group &sum = overall[groupName(key)];
            sum.ms += group.ms;
            sum.count += group.count;
            inside += group.ms;
        }
        overallOutside += iteration.cpuMs - inside;
    }
    for (size_t i = 0; i < longest.size() && int(i) < top; ++i) {
        const Iteration &iteration = *longest[i];
        std::vector<std::pair<QByteArray, Group>> groups;
        double inside = 0;
        qint64 events = 0;
        for (const auto &[key, group] : iteration.groups) {
            groups.emplace_back(groupName(key), group);
            inside += group.ms;
            events += group.count;
        }
        std::sort(groups.begin(), groups.end(),
                  [](const auto &a, const auto &b) { return a.second.ms > b.second.ms; });
        std::printf("  ending at %.2f s: CPU %.1f ms (wall %.1f ms); %lld events %.1f ms, outside "
                    "notify() %.1f ms\n",
                    iteration.atS, iteration.cpuMs, iteration.wallMs,
                    static_cast<long long>(events), inside, iteration.cpuMs - inside);
        for (size_t g = 0; g < groups.size() && g < 6; ++g)
            std::printf("    %7.1f ms %6lld x %s\n", groups[g].second.ms,
                        static_cast<long long>(groups[g].second.count),
                        groups[g].first.constData());
    }
    std::vector<std::pair<QByteArray, Group>> sums(overall.keyValueBegin(), overall.keyValueEnd());
    std::sort(sums.begin(), sums.end(),
              [](const auto &a, const auto &b) { return a.second.ms > b.second.ms; });
    std::printf("All iterations over %.0f ms, summed: outside notify() %.1f ms; by group:\n",
                m_thresholdMs, overallOutside);
    for (size_t g = 0; g < sums.size() && int(g) < top; ++g)
        std::printf("  %8.1f ms %7lld x %s\n", sums[g].second.ms,
                    static_cast<long long>(sums[g].second.count), sums[g].first.constData());
}

void GuiThreadProfiler::addRoot(QObject *root)
{
    m_roots.append(root);
}

void GuiThreadProfiler::enableSignalSpy()
{
    static QSignalSpyCallbackSet callbacks {&signalBegin, &slotBegin, &signalEnd, &slotEnd};
    qt_register_signal_spy_callbacks(&callbacks);
}

void GuiThreadProfiler::signalBegin(QObject *caller, int signalIndex, void **)
{
    if (g_profiler && QThread::currentThreadId() == g_profiler->m_guiThread)
        g_profiler->m_frames.push_back({caller->metaObject(), signalIndex, true, threadCpuMs()});
}

void GuiThreadProfiler::signalEnd(QObject *, int)
{
    if (g_profiler && QThread::currentThreadId() == g_profiler->m_guiThread)
        g_profiler->endFrame(true);
}

void GuiThreadProfiler::slotBegin(QObject *caller, int methodIndex, void **)
{
    if (g_profiler && QThread::currentThreadId() == g_profiler->m_guiThread)
        g_profiler->m_frames.push_back({caller->metaObject(), methodIndex, false, threadCpuMs()});
}

void GuiThreadProfiler::slotEnd(QObject *, int)
{
    if (g_profiler && QThread::currentThreadId() == g_profiler->m_guiThread)
        g_profiler->endFrame(false);
}

void GuiThreadProfiler::endFrame(bool isSignal)
{
    // Begin and end pair up per thread; a mismatch (a callback registered mid-emission) is
    // dropped rather than attributed to the wrong frame.
    if (m_frames.empty() || m_frames.back().isSignal != isSignal)
        return;
    const Frame frame = m_frames.back();
    m_frames.pop_back();
    auto &stats = isSignal ? m_signals : m_slots;
    stats[{frame.meta, frame.index}].add(threadCpuMs() - frame.startMs, m_thresholdMs);
}

void GuiThreadProfiler::endTick(double busyMs)
{
    if (busyMs > m_thresholdMs)
        m_ticks[m_tickLargestKey.isEmpty() ? QByteArray("(no event)") : m_tickLargestKey].add(
            busyMs, m_thresholdMs);
    m_tickLargestMs = 0;
    m_tickLargestKey.clear();
}

QByteArray GuiThreadProfiler::ownerOf(const QPointer<QObject> &timer) const
{
    if (!timer)
        return "      (timer gone)\n";
    // A member QTimer lies inside its owner's memory: the nearest object below it that the
    // object trees know of is, very likely, whose timer it is.
    const auto at = quintptr(timer.data());
    const QObject *owner = nullptr;
    for (const QPointer<QObject> &root : m_roots) {
        if (!root)
            continue;
        QList<QObject *> objects = root->findChildren<QObject *>();
        objects.append(root);
        for (const QObject *object : std::as_const(objects)) {
            const auto address = quintptr(object);
            if (address < at && at - address < 4096 && (!owner || address > quintptr(owner)))
                owner = object;
        }
    }
    if (!owner)
        return "      (owner not found)\n";
    QByteArray result = "      a member of " + QByteArray(owner->metaObject()->className());
    if (!owner->objectName().isEmpty())
        result += " \"" + owner->objectName().toUtf8() + '"';
    return result + " (at +" + QByteArray::number(at - quintptr(owner)) + " bytes)\n";
}

void GuiThreadProfiler::print(int top) const
{
    const double thresholdMs = m_thresholdMs;
    using Row = std::pair<QByteArray, Stat>;
    auto printRows = [&](const char *title, std::vector<Row> rows, bool onlyLong) {
        std::sort(rows.begin(), rows.end(),
                  [](const Row &a, const Row &b) { return a.second.totalMs > b.second.totalMs; });
        std::printf("%s\n", title);
        int shown = 0;
        for (const auto &[key, stat] : rows) {
            if (onlyLong && stat.maxMs <= thresholdMs)
                continue;
            if (shown++ == top)
                break;
            std::printf("  %8.0f ms total, %6lld x, longest %6.1f ms, %5lld over %.0f ms: %s\n",
                        stat.totalMs, static_cast<long long>(stat.count), stat.maxMs,
                        static_cast<long long>(stat.overThreshold), thresholdMs, key.constData());
            if (key.startsWith("QTimer 0x"))
                std::printf("%s", ownerOf(m_receivers.value(key)).constData());
        }
        if (shown == 0)
            std::printf("  (none)\n");
    };
    std::vector<Row> ticks(m_ticks.keyValueBegin(), m_ticks.keyValueEnd());
    printRows("GUI-thread ticks over the threshold, by the largest event in each (CPU ms of the "
              "whole tick):",
              ticks, false);
    std::vector<Row> events(m_events.keyValueBegin(), m_events.keyValueEnd());
    printRows("Events delivered on the GUI thread (CPU ms, top level only), whose longest "
              "exceeded the threshold:",
              events, true);
    auto named = [](const QHash<QPair<const QMetaObject *, int>, Stat> &stats, bool isSignal) {
        std::vector<Row> rows;
        for (auto it = stats.cbegin(); it != stats.cend(); ++it)
            rows.emplace_back(methodKey(it.key().first, it.key().second, isSignal), it.value());
        return rows;
    };
    if (m_trackIterations)
        printIterations(top);
    if (!m_signals.isEmpty() || !m_slots.isEmpty()) {
        printRows("Signals emitted on the GUI thread (CPU ms including their direct slots; "
                  "nested ones count in each level):",
                  named(m_signals, true), true);
        printRows("Slots invoked by direct connections (CPU ms, nested as above):",
                  named(m_slots, false), true);
    }
}
