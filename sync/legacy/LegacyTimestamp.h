#pragma once

#include <string>
#include <string_view>

namespace hivewatch {

// Normalises a legacy `inserted_at` to the log_entries timestamp form "YYYY-MM-DD HH:MM:SS.sss"
// (UTC). Accepts what SQLite's datetime('now','subsec') and sqlx write: a space or 'T' between
// date and time, 0–9 fraction digits (kept to milliseconds), an optional 'Z' or "+00:00".
// Returns false for anything else; the caller reports the row's lines instead of guessing.
bool normalizeLegacyTimestamp(std::string_view in, std::string &out);

} // namespace hivewatch
