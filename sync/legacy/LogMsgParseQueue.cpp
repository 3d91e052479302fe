#include "sync/legacy/LogMsgParseQueue.h"

namespace hivewatch {

namespace {

constexpr size_t kChunkBytes = 1024 * 1024;
constexpr size_t kKeepCapacity = 4 * kChunkBytes;

bool isBlank(std::string_view text)
{
    for (char c : text) {
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    }
    return true;
}

void clearChunk(LogMsgParseQueue::Chunk &chunk)
{
    chunk.text.clear();
    chunk.content.clear();
    chunk.lines.clear();
    // After a huge line, let its memory go rather than keep it for the rest of the run.
    if (chunk.text.capacity() > kKeepCapacity)
        chunk.text.shrink_to_fit();
    if (chunk.content.capacity() > kKeepCapacity)
        chunk.content.shrink_to_fit();
}

} // namespace

LogMsgParseQueue::LogMsgParseQueue()
{
    m_thread = std::thread([this] { loop(); });
}

LogMsgParseQueue::~LogMsgParseQueue()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    m_thread.join();
}

bool LogMsgParseQueue::add(const LegacyLine &line)
{
    Chunk &chunk = fillChunk();
    Line queued;
    queued.rowId = line.rowId;
    queued.lineNumber = line.lineNumber;
    queued.fullBytes = line.fullBytes;
    if (!line.problem.empty()) {
        queued.reason.assign(line.problem);
    } else {
        queued.textOffset = chunk.text.size();
        queued.textSize = line.text.size();
        chunk.text.append(line.text);
        queued.timestampOffset = chunk.text.size();
        queued.timestampSize = line.timestamp.size();
        chunk.text.append(line.timestamp);
    }
    chunk.lines.push_back(std::move(queued));
    return chunk.lines.size() >= kChunkLines || chunk.text.size() >= kChunkBytes;
}

LogMsgParseQueue::Chunk &LogMsgParseQueue::fillChunk()
{
    Chunk &chunk = m_chunks[m_fill];
    if (m_clearFill) {
        clearChunk(chunk);
        m_clearFill = false;
    }
    return chunk;
}

const LogMsgParseQueue::Chunk &LogMsgParseQueue::submit()
{
    fillChunk(); // an empty chunk, not the lines it held before, when nothing was added
    std::unique_lock lock(m_mutex);
    m_parsed.wait(lock, [&] { return !m_busy; });
    const int previous = m_inFlight;
    m_inFlight = m_fill;
    m_busy = true;
    lock.unlock();
    m_wake.notify_one();
    m_fill = 1 - m_inFlight;
    m_clearFill = true;
    return previous < 0 ? m_empty : m_chunks[previous];
}

const LogMsgParseQueue::Chunk &LogMsgParseQueue::finish()
{
    std::unique_lock lock(m_mutex);
    m_parsed.wait(lock, [&] { return !m_busy; });
    const int previous = m_inFlight;
    m_inFlight = -1;
    return previous < 0 ? m_empty : m_chunks[previous];
}

void LogMsgParseQueue::clear()
{
    finish();
    m_clearFill = true;
}

void LogMsgParseQueue::loop()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return m_stop || m_busy; });
        if (m_stop)
            return;
        Chunk &chunk = m_chunks[m_inFlight];
        lock.unlock();
        parse(chunk);
        lock.lock();
        m_busy = false;
        m_parsed.notify_one();
    }
}

void LogMsgParseQueue::parse(Chunk &chunk)
{
    MappedLogMsg msg;
    for (Line &line : chunk.lines) {
        if (!line.reason.empty())
            continue; // the reader already found the line unusable
        const std::string_view text
            = std::string_view(chunk.text).substr(line.textOffset, line.textSize);
        if (line.fullBytes > 0) {
            if (!m_parser.parseTruncated(text, line.fullBytes, msg, line.reason))
                continue;
            line.kind = Kind::Truncated;
            line.outputType = msg.outputType;
            line.contentOffset = chunk.content.size();
            line.contentSize = msg.content.size();
            chunk.content.append(msg.content);
        } else if (isBlank(text)) {
            line.kind = Kind::Blank;
        } else if (m_parser.parse(text, msg, line.reason)) {
            line.kind = Kind::Entry;
            line.outputType = msg.outputType;
            line.contentOffset = chunk.content.size();
            line.contentSize = msg.content.size();
            chunk.content.append(msg.content);
        }
    }
}

} // namespace hivewatch
