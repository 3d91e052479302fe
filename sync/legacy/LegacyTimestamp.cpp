#include "sync/legacy/LegacyTimestamp.h"

namespace hivewatch {

namespace {

bool digits(std::string_view s, size_t pos, size_t count)
{
    if (pos + count > s.size())
        return false;
    for (size_t i = pos; i < pos + count; ++i) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return true;
}

int number(std::string_view s, size_t pos, size_t count)
{
    int value = 0;
    for (size_t i = pos; i < pos + count; ++i)
        value = value * 10 + (s[i] - '0');
    return value;
}

} // namespace

bool normalizeLegacyTimestamp(std::string_view in, std::string &out)
{
    // YYYY-MM-DD?HH:MM:SS
    if (in.size() < 19 || !digits(in, 0, 4) || in[4] != '-' || !digits(in, 5, 2) || in[7] != '-'
        || !digits(in, 8, 2) || (in[10] != ' ' && in[10] != 'T') || !digits(in, 11, 2)
        || in[13] != ':' || !digits(in, 14, 2) || in[16] != ':' || !digits(in, 17, 2))
        return false;
    const int month = number(in, 5, 2), day = number(in, 8, 2);
    if (month < 1 || month > 12 || day < 1 || day > 31 || number(in, 11, 2) > 23
        || number(in, 14, 2) > 59 || number(in, 17, 2) > 60)
        return false;

    size_t pos = 19;
    std::string fraction;
    if (pos < in.size() && in[pos] == '.') {
        ++pos;
        const size_t start = pos;
        while (pos < in.size() && in[pos] >= '0' && in[pos] <= '9')
            ++pos;
        if (pos == start || pos - start > 9)
            return false;
        fraction = std::string(in.substr(start, std::min<size_t>(3, pos - start)));
    }
    const std::string_view zone = in.substr(pos);
    if (!zone.empty() && zone != "Z" && zone != "+00:00")
        return false;
    fraction.resize(3, '0');

    out.assign(in.substr(0, 10));
    out.push_back(' ');
    out.append(in.substr(11, 8));
    out.push_back('.');
    out.append(fraction);
    return true;
}

} // namespace hivewatch
