#pragma once

#include "sync/legacy/LegacyLine.h"
#include "sync/legacy/LogMsgParser.h"

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace hivewatch {

// Parses LogMsg lines on a second thread while the caller writes the previous lines into SQLite:
// the migration's writing thread is its bottleneck, and JSON parsing was a tenth of its time.
// Lines are copied into a chunk; a full chunk goes to the parse thread in exchange for the chunk
// parsed before it, so at most two chunks exist and every line comes back in its original order.
class LogMsgParseQueue
{
public:
    // Truncated: an over-long line stored as its first bytes with a marker (an Entry that also
    // has a reason).
    enum class Kind : quint8 { Entry, Truncated, Blank, Bad };
    // A chunk is handed over at this many lines or 1 MiB of text, whichever comes first: a few
    // hundred hand-overs per second, and memory stays at two chunks plus at most one over-long
    // line each.
    static constexpr size_t kChunkLines = 512;

    struct Line
    {
        qint64 rowId = 0;
        qint64 lineNumber = 0;
        size_t textOffset = 0; // in Chunk::text
        size_t textSize = 0;
        size_t timestampOffset = 0; // in Chunk::text
        size_t timestampSize = 0;
        qint64 fullBytes = 0; // see LegacyLine::fullBytes
        // Set by the parse thread.
        Kind kind = Kind::Bad;
        std::string_view outputType; // Entry: a literal from LogMsgParser
        size_t contentOffset = 0; // Entry: in Chunk::content
        size_t contentSize = 0;
        std::string reason; // Bad: why the line cannot be migrated; Truncated: what was kept
    };

    struct Chunk
    {
        std::string text;
        std::string content;
        std::vector<Line> lines;

        std::string_view timestamp(const Line &line) const
        {
            return std::string_view(text).substr(line.timestampOffset, line.timestampSize);
        }
        std::string_view contentOf(const Line &line) const
        {
            return std::string_view(content).substr(line.contentOffset, line.contentSize);
        }
        // The line as read (Bad and Truncated lines are reported with it).
        std::string_view textOf(const Line &line) const
        {
            return std::string_view(text).substr(line.textOffset, line.textSize);
        }
    };

    LogMsgParseQueue();
    ~LogMsgParseQueue();
    LogMsgParseQueue(const LogMsgParseQueue &) = delete;
    LogMsgParseQueue &operator=(const LogMsgParseQueue &) = delete;

    // Copies the line in; true when the chunk is full and should be submitted.
    bool add(const LegacyLine &line);
    // Hands the filled chunk to the parse thread and returns the chunk parsed before it (empty
    // if none), valid until the next add().
    const Chunk &submit();
    // Waits for the chunk in flight and returns it (empty if none), valid until the next add().
    // Lines added since the last submit() must be submitted first.
    const Chunk &finish();
    // Drops every line not yet returned (an execution that failed half-way).
    void clear();

private:
    Chunk &fillChunk();
    void loop();
    void parse(Chunk &chunk);

    LogMsgParser m_parser; // parse thread only
    Chunk m_chunks[2];
    Chunk m_empty;
    int m_fill = 0; // the chunk add() fills
    bool m_clearFill = false; // it still holds lines the caller has processed

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_parsed;
    int m_inFlight = -1; // the chunk handed to the parse thread, until finish() or submit()
    bool m_busy = false; // the parse thread is working on m_inFlight
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace hivewatch
