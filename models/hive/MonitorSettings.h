#pragma once

#include <QSet>

class QSettings;

namespace hivewatch {

// The operator's thresholds for fleet health and alerts, kept in QSettings (group "monitor") so
// every window and hivectl judge staleness the same way. Nothing here is a secret.
struct MonitorSettings
{
    enum class Rule { StaleNodeWithWork, AssignmentFailed, TaskStuck, StderrShare };

    // The hive's own monitor marks a node offline after 60 s without a heartbeat (nodes send one
    // every 30 s): the default shows the same nodes as stale that the hive is about to drop.
    static constexpr int kDefaultStaleAfterSeconds = 60;
    static constexpr int kDefaultStuckAfterMinutes = 120;
    // A healthy agent writes a little to stderr (progress, warnings); a fifth of its output is
    // already unusual. Below the minimum line count a share says nothing (1 of 2 lines is 50 %).
    static constexpr int kDefaultStderrSharePercent = 20;
    static constexpr int kDefaultStderrMinLines = 20;

    int staleAfterSeconds = kDefaultStaleAfterSeconds;
    int stuckAfterMinutes = kDefaultStuckAfterMinutes;
    int stderrSharePercent = kDefaultStderrSharePercent; // alert when the share is above this
    int stderrMinLines = kDefaultStderrMinLines;
    // Rules whose alerts stay in the list but raise no desktop notification.
    QSet<Rule> quietRules;

    bool notifies(Rule rule) const { return !quietRules.contains(rule); }
    static QList<Rule> rules();
    // Stable spelling for settings and hivectl ("stale-node-with-work").
    static QString ruleKey(Rule rule);
    static QString ruleLabel(Rule rule);

    // Out-of-range stored values (a hand-edited file) fall back to the defaults.
    static MonitorSettings load(QSettings &settings);
    void save(QSettings &settings) const;

    bool operator==(const MonitorSettings &) const = default;
};

inline size_t qHash(MonitorSettings::Rule rule, size_t seed = 0)
{
    return ::qHash(static_cast<int>(rule), seed);
}

} // namespace hivewatch
