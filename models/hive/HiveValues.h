#pragma once

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace hivewatch {

// Turning shape values into what the hive models show. Status words go through the shared
// vocabularies (domain/StatusVocabularies.h); these wrappers give the models the three
// things they need from a status cell: its canonical spelling, its label and whether it is known.
namespace HiveValues {

// Postgres timestamptz text ("2025-12-25 10:00:00.123456+00") or ISO 8601 -> UTC QDateTime;
// a null QVariant when absent or unparsable.
QVariant timestamp(const QVariant &raw);
QString displayTime(const QDateTime &time);
// "12 s", "5 min", "3 h", "2 d"
QString displayAge(qint64 seconds);

struct Status
{
    QString canonical; // the canonical spelling ("in-progress"), or the raw text when unknown
    QString label; // what a person reads ("In progress"); "unknown: <raw>" when unknown
    bool known = false;
};

Status taskStatus(const QVariant &raw);
Status nodeStatus(const QVariant &raw);
Status assignmentStatus(const QVariant &raw);
Status progressEventType(const QVariant &raw);

// The canonical task statuses in workflow order (one kanban column each).
QStringList taskStatuses();

} // namespace HiveValues

} // namespace hivewatch
