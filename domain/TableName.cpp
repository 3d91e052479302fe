#include "domain/TableName.h"

namespace hivewatch {

// The bare table name as Postgres sees it: `public."node_task_output_logs"` and
// `Node_Task_Output_Logs` both name node_task_output_logs (unquoted identifiers fold to lower
// case).
QString bareTableName(const QString &table)
{
    const QString t = table.trimmed();
    if (t.endsWith(QLatin1Char('"'))) {
        qsizetype open = t.size() - 2;
        while (open >= 0) {
            if (t[open] == QLatin1Char('"')) {
                if (open > 0 && t[open - 1] == QLatin1Char('"')) {
                    open -= 2; // a doubled quote inside the identifier
                    continue;
                }
                break;
            }
            --open;
        }
        return t.mid(open + 1, t.size() - open - 2)
            .replace(QLatin1String("\"\""), QLatin1String("\""));
    }
    return t.mid(t.lastIndexOf(QLatin1Char('.')) + 1).toLower();
}

} // namespace hivewatch
