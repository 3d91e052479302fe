#pragma once

#include <QLoggingCategory>

namespace hivewatch {

Q_DECLARE_LOGGING_CATEGORY(lcSync)

} // namespace hivewatch
