#pragma once

#include <QFile>
#include <QString>

#include <cerrno>
#include <cstring>
#include <sched.h>
#include <sys/mount.h>

// A private mount namespace for this test process and the hivectl it starts, so that a read-only
// bind or a tiny tmpfs works for root, whom file modes do not stop, and no mount outlives the
// test. Empty when it worked, otherwise why not (the caller QSKIPs with it).
inline QString privateMounts()
{
    static const QString why = [] {
        if (::unshare(CLONE_NEWNS) != 0)
            return QStringLiteral("no private mount namespace (unshare: %1)")
                .arg(QString::fromLocal8Bit(std::strerror(errno)));
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            return QStringLiteral("cannot make / private (mount: %1)")
                .arg(QString::fromLocal8Bit(std::strerror(errno)));
        return QString();
    }();
    return why;
}

// Mounts a tmpfs of `size` (e.g. "1m") on `directory`; empty when it worked.
inline QString mountSmallDisk(const QString &directory, const char *size)
{
    if (const QString why = privateMounts(); !why.isEmpty())
        return why;
    const QByteArray options = QByteArray("size=") + size;
    if (::mount("tmpfs", QFile::encodeName(directory).constData(), "tmpfs", 0, options.constData())
        != 0)
        return QStringLiteral("cannot mount a tmpfs: %1")
            .arg(QString::fromLocal8Bit(std::strerror(errno)));
    return QString();
}
