#include "sync/legacy/LogMsgParser.h"

#include "domain/LogTable.h"

#include <simdjson.h>

namespace hivewatch {

namespace {

// The parser keeps buffers sized for the largest line it has seen; after a huge line we let it
// go so one 60 MB line does not pin 200 MB for the rest of a multi-GB run.
constexpr size_t kKeepParserCapacity = 16 * 1024 * 1024;

std::string quoted(std::string_view text)
{
    constexpr size_t kMax = 40;
    std::string out = "'";
    out.append(text.substr(0, kMax));
    if (text.size() > kMax)
        out.append("…");
    out.append("'");
    return out;
}

const char *typeName(simdjson::dom::element_type type)
{
    using T = simdjson::dom::element_type;
    switch (type) {
    case T::ARRAY:
        return "an array";
    case T::OBJECT:
        return "an object";
    case T::STRING:
        return "a string";
    case T::BOOL:
        return "a boolean";
    case T::NULL_VALUE:
        return "null";
    default:
        return "a number";
    }
}

// Where a JSON string body that starts at `body` may be cut so that closing it leaves valid JSON:
// never inside an escape (a surrogate pair counts as one), never inside a UTF-8 sequence. npos
// when the string ends (an unescaped quote) inside the text.
size_t safeStringCut(std::string_view text, size_t body)
{
    size_t i = body;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        size_t unit = 1;
        if (c == '"') {
            return std::string_view::npos;
        } else if (c == '\\') {
            unit = i + 1 < text.size() && text[i + 1] == 'u' ? 6 : 2;
            // A high surrogate escape needs its low half in the same cut.
            if (unit == 6 && i + 3 < text.size() && (text[i + 2] == 'd' || text[i + 2] == 'D')
                && std::string_view("89abAB").find(text[i + 3]) != std::string_view::npos)
                unit = 12;
        } else if (c >= 0xf0) {
            unit = 4;
        } else if (c >= 0xe0) {
            unit = 3;
        } else if (c >= 0xc0) {
            unit = 2;
        }
        if (i + unit > text.size())
            break;
        i += unit;
    }
    return i;
}

} // namespace

struct LogMsgParser::Private
{
    std::string truncated;

    std::unique_ptr<simdjson::dom::parser> parser = std::make_unique<simdjson::dom::parser>();
    std::string padded;
    std::string minified;

    bool stringPayload(simdjson::dom::element value, std::string_view variant, MappedLogMsg &out,
                       std::string &reason)
    {
        std::string_view text;
        if (value.get_string().get(text) != simdjson::SUCCESS) {
            reason = std::string(variant) + " payload is " + typeName(value.type())
                + ", expected a string";
            return false;
        }
        out.content = text;
        return true;
    }
};

LogMsgParser::LogMsgParser()
    : d(std::make_unique<Private>())
{
}

LogMsgParser::~LogMsgParser() = default;

bool LogMsgParser::parse(std::string_view line, MappedLogMsg &out, std::string &reason)
{
    // simdjson reads up to SIMDJSON_PADDING bytes past the end; our lines are views into larger
    // buffers, so copy into a padded buffer we own.
    d->padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(d->padded.data(), line.data(), line.size());
    if (d->parser->capacity() > kKeepParserCapacity && line.size() < kKeepParserCapacity)
        d->parser = std::make_unique<simdjson::dom::parser>();

    simdjson::dom::element root;
    const auto error = d->parser->parse(d->padded.data(), line.size(), false).get(root);
    if (error == simdjson::UTF8_ERROR) {
        reason = "invalid UTF-8";
        return false;
    }
    if (error != simdjson::SUCCESS) {
        reason = std::string("malformed JSON: ") + simdjson::error_message(error);
        return false;
    }

    std::string_view unitVariant;
    if (root.get_string().get(unitVariant) == simdjson::SUCCESS) {
        if (unitVariant == "Finished") {
            out = {LogTable::outputTypeName(LogOutputType::Finished), {}};
            return true;
        }
        reason = "unknown LogMsg variant " + quoted(unitVariant);
        return false;
    }
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS) {
        reason = std::string("not a LogMsg: the line is ") + typeName(root.type())
            + ", expected an object like {\"Stdout\": …} or \"Finished\"";
        return false;
    }
    if (object.size() != 1) {
        reason = "not a LogMsg: expected an object with exactly one key (the variant), found "
            + std::to_string(object.size());
        return false;
    }
    const auto field = *object.begin();
    const std::string_view variant = field.key;
    const simdjson::dom::element value = field.value;

    if (variant == "Stdout") {
        out.outputType = LogTable::outputTypeName(LogOutputType::Stdout);
        return d->stringPayload(value, variant, out, reason);
    }
    if (variant == "Stderr") {
        out.outputType = LogTable::outputTypeName(LogOutputType::Stderr);
        return d->stringPayload(value, variant, out, reason);
    }
    if (variant == "SessionId") {
        out.outputType = LogTable::outputTypeName(LogOutputType::SessionId);
        return d->stringPayload(value, variant, out, reason);
    }
    if (variant == "JsonPatch") {
        if (!value.is_array()) {
            reason = std::string("JsonPatch payload is ") + typeName(value.type())
                + ", expected an array of patch operations";
            return false;
        }
        d->minified = simdjson::minify(value);
        out = {LogTable::outputTypeName(LogOutputType::JsonPatch), d->minified};
        return true;
    }
    if (variant == "RefreshRequired") {
        std::string_view why;
        if (!value.is_object() || value["reason"].get_string().get(why) != simdjson::SUCCESS) {
            reason = "RefreshRequired payload has no string field 'reason'";
            return false;
        }
        out = {LogTable::outputTypeName(LogOutputType::RefreshRequired), why};
        return true;
    }
    if (variant == "Finished") { // serde also accepts a unit variant in map form
        if (!value.is_null()) {
            reason
                = std::string("Finished payload is ") + typeName(value.type()) + ", expected null";
            return false;
        }
        out = {LogTable::outputTypeName(LogOutputType::Finished), {}};
        return true;
    }
    reason = "unknown LogMsg variant " + quoted(variant);
    return false;
}

bool LogMsgParser::parseTruncated(std::string_view prefix, qint64 fullBytes, MappedLogMsg &out,
                                  std::string &reason)
{
    const std::string size = "over-long line: " + std::to_string(fullBytes)
        + " bytes, more than the " + std::to_string(prefix.size()) + "-byte limit";
    // `{ "Variant" : "` with any JSON whitespace: serde writes it compact, other tools may not.
    size_t pos = 0;
    auto skipSpace = [&] {
        while (pos < prefix.size()
               && std::string_view(" \t\r").find(prefix[pos]) != std::string_view::npos)
            ++pos;
    };
    auto expect = [&](std::string_view token) {
        skipSpace();
        if (prefix.substr(pos, token.size()) != token)
            return false;
        pos += token.size();
        return true;
    };
    std::string_view variant;
    if (expect("{")) {
        for (const std::string_view candidate : {"\"Stdout\"", "\"Stderr\"", "\"SessionId\""}) {
            const size_t start = pos;
            if (expect(candidate) && expect(":") && expect("\"")) {
                variant = candidate.substr(1, candidate.size() - 2);
                break;
            }
            pos = start;
        }
    }
    if (variant.empty()) {
        reason = size + ", and only a Stdout, Stderr or SessionId line can be stored truncated";
        return false;
    }
    const size_t body = pos;
    const size_t cut = safeStringCut(prefix, body);
    if (cut == std::string_view::npos) {
        reason = size + ", and its " + std::string(variant) + " string ends before the line does";
        return false;
    }
    d->truncated.assign(prefix.substr(0, cut));
    d->truncated.append("\"}");
    std::string parseReason;
    if (!parse(d->truncated, out, parseReason)) {
        reason = size + ", and its first bytes are not valid: " + parseReason;
        return false;
    }
    // The marker makes the loss visible wherever the row is read, not only in this report.
    d->truncated.assign(out.content);
    d->truncated.append("\n[hivewatch: truncated by the legacy migration: the line was "
                        + std::to_string(fullBytes) + " bytes, only its first "
                        + std::to_string(cut) + " were kept]");
    out.content = d->truncated;
    reason = size + "; stored truncated to its first " + std::to_string(cut)
        + " bytes, ending in a marker";
    return true;
}

} // namespace hivewatch
