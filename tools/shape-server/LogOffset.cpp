#include "tools/shape-server/LogOffset.h"

namespace {

// Digits only (leading zeros allowed, as Electric does), no sign, no spaces, fits in 64 bits.
std::optional<std::uint64_t> parseUnsigned(QStringView text)
{
    if (text.isEmpty() || text.size() > 40)
        return std::nullopt;
    std::uint64_t value = 0;
    for (QChar c : text) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return std::nullopt;
        const std::uint64_t digit = c.unicode() - '0';
        if (value > (UINT64_MAX - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

} // namespace

std::optional<LogOffset> LogOffset::parse(const QString &text)
{
    if (text == QLatin1String("-1"))
        return before();
    const qsizetype sep = text.indexOf(QLatin1Char('_'));
    if (sep < 0)
        return std::nullopt;
    const QStringView txPart = QStringView(text).left(sep);
    const QStringView opPart = QStringView(text).mid(sep + 1);
    if (txPart == QLatin1String("-1") && opPart == QLatin1String("0"))
        return before();
    const auto tx = parseUnsigned(txPart);
    if (!tx)
        return std::nullopt;
    if (opPart == QLatin1String("inf"))
        return LogOffset {*tx, Infinity, false};
    const auto op = parseUnsigned(opPart);
    if (!op || *op == Infinity)
        return std::nullopt;
    return LogOffset {*tx, *op, false};
}

QString LogOffset::toString() const
{
    if (beforeAll)
        return QStringLiteral("-1");
    return QString::number(tx) + QLatin1Char('_')
        + (op == Infinity ? QStringLiteral("inf") : QString::number(op));
}

std::strong_ordering LogOffset::operator<=>(const LogOffset &other) const
{
    if (beforeAll || other.beforeAll)
        return int(other.beforeAll) <=> int(beforeAll);
    if (tx != other.tx)
        return tx <=> other.tx;
    return op <=> other.op;
}
