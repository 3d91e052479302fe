#pragma once

#include <Qt>

namespace hivewatch {

// Item roles shared by the hive models, for proxies, delegates and tests.
namespace HiveRoles {
enum Role {
    SortRole = Qt::UserRole + 1, // a value that sorts naturally (QDateTime, number, text)
    IdRole, // the row's primary key as text
    StatusRole, // canonical status (raw text when unknown)
    UnknownStatusRole, // bool: the status is not in the vocabulary
    HiddenRole, // bool: hidden by default (soft-deleted or archived task)
    StaleRole, // bool: an online/busy node whose heartbeat is too old
    ForeignIdRole, // the id this row points at (task_id, node_id, assignment_id)
};
} // namespace HiveRoles

} // namespace hivewatch
