// A planted violation: the checker must reject it.
#include <QWidget>
