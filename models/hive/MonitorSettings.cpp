#include "models/hive/MonitorSettings.h"

#include <QCoreApplication>
#include <QSettings>

namespace hivewatch {

namespace {
const QString kGroup = QStringLiteral("monitor");
constexpr int kMaxStaleSeconds = 24 * 3600;
constexpr int kMaxStuckMinutes = 30 * 24 * 60;
constexpr int kMaxStderrPercent = 99; // 100 could never be exceeded
constexpr int kMaxStderrMinLines = 1000000;

int boundedInt(const QSettings &settings, const QString &key, int fallback, int max)
{
    bool ok = false;
    const int value = settings.value(key).toInt(&ok);
    return ok && value >= 1 && value <= max ? value : fallback;
}
} // namespace

QList<MonitorSettings::Rule> MonitorSettings::rules()
{
    return {Rule::StaleNodeWithWork, Rule::AssignmentFailed, Rule::TaskStuck, Rule::StderrShare};
}

QString MonitorSettings::ruleKey(Rule rule)
{
    switch (rule) {
    case Rule::StaleNodeWithWork:
        return QStringLiteral("stale-node-with-work");
    case Rule::AssignmentFailed:
        return QStringLiteral("assignment-failed");
    case Rule::TaskStuck:
        return QStringLiteral("task-stuck");
    case Rule::StderrShare:
        return QStringLiteral("stderr-share");
    }
    return {};
}

QString MonitorSettings::ruleLabel(Rule rule)
{
    switch (rule) {
    case Rule::StaleNodeWithWork:
        return QCoreApplication::translate("MonitorSettings", "Stale node holding work");
    case Rule::AssignmentFailed:
        return QCoreApplication::translate("MonitorSettings", "Assignment failed");
    case Rule::TaskStuck:
        return QCoreApplication::translate("MonitorSettings", "Task stuck in a status");
    case Rule::StderrShare:
        return QCoreApplication::translate("MonitorSettings", "Much stderr in a running execution");
    }
    return {};
}

MonitorSettings MonitorSettings::load(QSettings &settings)
{
    settings.beginGroup(kGroup);
    MonitorSettings loaded;
    loaded.staleAfterSeconds = boundedInt(settings, QStringLiteral("staleAfterSeconds"),
                                          kDefaultStaleAfterSeconds, kMaxStaleSeconds);
    loaded.stuckAfterMinutes = boundedInt(settings, QStringLiteral("stuckAfterMinutes"),
                                          kDefaultStuckAfterMinutes, kMaxStuckMinutes);
    loaded.stderrSharePercent = boundedInt(settings, QStringLiteral("stderrSharePercent"),
                                           kDefaultStderrSharePercent, kMaxStderrPercent);
    loaded.stderrMinLines = boundedInt(settings, QStringLiteral("stderrMinLines"),
                                       kDefaultStderrMinLines, kMaxStderrMinLines);
    const QStringList quiet = settings.value(QStringLiteral("quietRules")).toStringList();
    for (Rule rule : rules()) {
        if (quiet.contains(ruleKey(rule)))
            loaded.quietRules.insert(rule);
    }
    settings.endGroup();
    return loaded;
}

void MonitorSettings::save(QSettings &settings) const
{
    settings.beginGroup(kGroup);
    settings.setValue(QStringLiteral("staleAfterSeconds"), staleAfterSeconds);
    settings.setValue(QStringLiteral("stuckAfterMinutes"), stuckAfterMinutes);
    settings.setValue(QStringLiteral("stderrSharePercent"), stderrSharePercent);
    settings.setValue(QStringLiteral("stderrMinLines"), stderrMinLines);
    QStringList quiet;
    for (Rule rule : rules()) {
        if (quietRules.contains(rule))
            quiet.append(ruleKey(rule));
    }
    settings.setValue(QStringLiteral("quietRules"), quiet);
    settings.endGroup();
}

} // namespace hivewatch
