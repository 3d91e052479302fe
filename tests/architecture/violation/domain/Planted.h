// A planted violation: the floor must not reach for HTTP.
#include <QNetworkReply>
