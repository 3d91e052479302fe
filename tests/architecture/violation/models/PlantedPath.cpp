// A planted violation: a model reaching up into ui/ by its path.
#include "ui/MainWindow.h"
