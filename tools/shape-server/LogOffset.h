#pragma once

#include <QString>

#include <compare>
#include <cstdint>
#include <optional>

// An Electric log offset (docs/electric-protocol.md §4.1): `-1` (before everything), `0_N`
// (snapshot chunk N), `0_inf` (end of the snapshot), or `<commit LSN>_<op>` for replicated changes.
struct LogOffset
{
    static constexpr std::uint64_t Infinity = UINT64_MAX;

    std::uint64_t tx = 0;
    std::uint64_t op = 0;
    bool beforeAll = false;

    static LogOffset before() { return {0, 0, true}; }
    static LogOffset snapshotChunk(std::uint64_t index) { return {0, index, false}; }
    static LogOffset snapshotEnd() { return {0, Infinity, false}; }

    // nullopt for anything Electric answers with "has invalid format". `now` is not an offset.
    static std::optional<LogOffset> parse(const QString &text);
    QString toString() const;

    bool isSnapshot() const { return !beforeAll && tx == 0 && op != Infinity; }

    std::strong_ordering operator<=>(const LogOffset &other) const;
    bool operator==(const LogOffset &other) const { return (*this <=> other) == 0; }
};
