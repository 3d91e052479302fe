#pragma once

// The hive's and the node's status vocabularies (docs/hive-schema.md §2), each with one enum, one
// VocabularyValue alias that keeps unknown strings, and the spellings each side writes.
//
//   auto s = TaskStatusValue::parse(row.value("status").toString());
//   if (s == TaskStatus::InProgress) …            // "in-progress" and "inprogress" alike
//   label->setText(s.displayText());              // "In progress" or "unknown: <raw>"

#include "domain/VocabularyValue.h"

namespace hivewatch {

// shared_tasks.status (PG enum, kebab-case) and the node's tasks.status (lowercase, no dashes).
enum class TaskStatus { Todo, InProgress, InReview, Done, Cancelled };
// The node's execution_processes.status and the hive's node_execution_processes.status.
enum class ExecutionStatus { Running, Completed, Failed, Killed };
// nodes.status (PG enum node_status).
enum class NodeStatus { Pending, Online, Offline, Busy, Draining };
// node_task_assignments.execution_status (TEXT, no CHECK).
enum class AssignmentStatus { Pending, Starting, Running, Completed, Failed, Cancelled };
// log_entries.output_type (node) and node_task_output_logs.output_type (hive: first three only).
enum class LogOutputType {
    Stdout,
    Stderr,
    System,
    JsonPatch,
    SessionId,
    Finished,
    RefreshRequired
};
// node_task_progress_events.event_type: stored without underscores ("agentstarted"), sent on the
// wire with them ("agent_started").
enum class ProgressEventType {
    AgentStarted,
    AgentThinking,
    CodeChanges,
    BranchCreated,
    Committed,
    Pushed,
    PullRequestCreated,
    AgentFinished,
    Custom
};

template<> const Vocabulary &vocabularyFor<TaskStatus>();
template<> const Vocabulary &vocabularyFor<ExecutionStatus>();
template<> const Vocabulary &vocabularyFor<NodeStatus>();
template<> const Vocabulary &vocabularyFor<AssignmentStatus>();
template<> const Vocabulary &vocabularyFor<LogOutputType>();
template<> const Vocabulary &vocabularyFor<ProgressEventType>();

using TaskStatusValue = VocabularyValue<TaskStatus>;
using ExecutionStatusValue = VocabularyValue<ExecutionStatus>;
using NodeStatusValue = VocabularyValue<NodeStatus>;
using AssignmentStatusValue = VocabularyValue<AssignmentStatus>;
using LogOutputTypeValue = VocabularyValue<LogOutputType>;
using ProgressEventTypeValue = VocabularyValue<ProgressEventType>;

// Spellings each side writes. Canonical (VocabularyValue::canonical()) is the hive's PostgreSQL
// spelling for task statuses and the wire form for progress event types.
QString toHiveSpelling(TaskStatus status); // "in-progress"
QString toNodeSpelling(TaskStatus status); // "inprogress"
QString toWireForm(ProgressEventType type); // "agent_started"
QString toStoredForm(ProgressEventType type); // "agentstarted"

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::TaskStatusValue)
Q_DECLARE_METATYPE(hivewatch::ExecutionStatusValue)
Q_DECLARE_METATYPE(hivewatch::NodeStatusValue)
Q_DECLARE_METATYPE(hivewatch::AssignmentStatusValue)
Q_DECLARE_METATYPE(hivewatch::LogOutputTypeValue)
Q_DECLARE_METATYPE(hivewatch::ProgressEventTypeValue)
