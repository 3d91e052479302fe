#include "domain/StatusVocabularies.h"

namespace hivewatch {

namespace {

template<typename E>
Vocabulary::Term term(E code, const char *canonical, QStringList others, const char *label)
{
    return {static_cast<int>(code), QString::fromLatin1(canonical), std::move(others),
            QString::fromLatin1(label)};
}

QString q(const char *s)
{
    return QString::fromLatin1(s);
}

} // namespace

template<> const Vocabulary &vocabularyFor<TaskStatus>()
{
    static const Vocabulary v(
        q("task status"),
        {term(TaskStatus::Todo, "todo", {}, "To do"),
         term(TaskStatus::InProgress, "in-progress", {q("inprogress")}, "In progress"),
         term(TaskStatus::InReview, "in-review", {q("inreview")}, "In review"),
         term(TaskStatus::Done, "done", {}, "Done"),
         term(TaskStatus::Cancelled, "cancelled", {}, "Cancelled")});
    return v;
}

template<> const Vocabulary &vocabularyFor<ExecutionStatus>()
{
    static const Vocabulary v(q("execution status"),
                              {term(ExecutionStatus::Running, "running", {}, "Running"),
                               term(ExecutionStatus::Completed, "completed", {}, "Completed"),
                               term(ExecutionStatus::Failed, "failed", {}, "Failed"),
                               term(ExecutionStatus::Killed, "killed", {}, "Killed")});
    return v;
}

template<> const Vocabulary &vocabularyFor<NodeStatus>()
{
    static const Vocabulary v(q("node status"),
                              {term(NodeStatus::Pending, "pending", {}, "Pending"),
                               term(NodeStatus::Online, "online", {}, "Online"),
                               term(NodeStatus::Offline, "offline", {}, "Offline"),
                               term(NodeStatus::Busy, "busy", {}, "Busy"),
                               term(NodeStatus::Draining, "draining", {}, "Draining")});
    return v;
}

template<> const Vocabulary &vocabularyFor<AssignmentStatus>()
{
    static const Vocabulary v(q("assignment execution status"),
                              {term(AssignmentStatus::Pending, "pending", {}, "Pending"),
                               term(AssignmentStatus::Starting, "starting", {}, "Starting"),
                               term(AssignmentStatus::Running, "running", {}, "Running"),
                               term(AssignmentStatus::Completed, "completed", {}, "Completed"),
                               term(AssignmentStatus::Failed, "failed", {}, "Failed"),
                               term(AssignmentStatus::Cancelled, "cancelled", {}, "Cancelled")});
    return v;
}

template<> const Vocabulary &vocabularyFor<LogOutputType>()
{
    static const Vocabulary v(
        q("log output type"),
        {term(LogOutputType::Stdout, "stdout", {}, "stdout"),
         term(LogOutputType::Stderr, "stderr", {}, "stderr"),
         term(LogOutputType::System, "system", {}, "system"),
         term(LogOutputType::JsonPatch, "json_patch", {}, "JSON patch"),
         term(LogOutputType::SessionId, "session_id", {}, "session id"),
         term(LogOutputType::Finished, "finished", {}, "finished"),
         term(LogOutputType::RefreshRequired, "refresh_required", {}, "refresh required")});
    return v;
}

template<> const Vocabulary &vocabularyFor<ProgressEventType>()
{
    static const Vocabulary v(
        q("progress event type"),
        {term(ProgressEventType::AgentStarted, "agent_started", {q("agentstarted")},
              "Agent started"),
         term(ProgressEventType::AgentThinking, "agent_thinking", {q("agentthinking")},
              "Agent thinking"),
         term(ProgressEventType::CodeChanges, "code_changes", {q("codechanges")}, "Code changes"),
         term(ProgressEventType::BranchCreated, "branch_created", {q("branchcreated")},
              "Branch created"),
         term(ProgressEventType::Committed, "committed", {}, "Committed"),
         term(ProgressEventType::Pushed, "pushed", {}, "Pushed"),
         term(ProgressEventType::PullRequestCreated, "pull_request_created",
              {q("pullrequestcreated")}, "Pull request created"),
         term(ProgressEventType::AgentFinished, "agent_finished", {q("agentfinished")},
              "Agent finished"),
         term(ProgressEventType::Custom, "custom", {}, "Custom")});
    return v;
}

QString toHiveSpelling(TaskStatus status)
{
    return vocabularyFor<TaskStatus>().term(static_cast<int>(status))->canonical;
}

QString toNodeSpelling(TaskStatus status)
{
    return toHiveSpelling(status).remove(QLatin1Char('-'));
}

QString toWireForm(ProgressEventType type)
{
    return vocabularyFor<ProgressEventType>().term(static_cast<int>(type))->canonical;
}

QString toStoredForm(ProgressEventType type)
{
    return toWireForm(type).remove(QLatin1Char('_'));
}

} // namespace hivewatch
