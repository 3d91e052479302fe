#pragma once

#include <QMetaType>
#include <QString>

namespace hivewatch {

// An error as a value, in words a user can act on. Errors cross layer and thread borders as
// values; exceptions never do.
struct Error
{
    QString message; // what went wrong, naming the input that was wrong
    QString detail; // optional: the underlying library's own message

    Error() = default;
    explicit Error(QString msg, QString det = {})
        : message(std::move(msg))
        , detail(std::move(det))
    {
    }

    // "message (detail)", or just the message.
    QString toString() const;
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::Error)
