#include "tools/shape-server/ShapeDefinition.h"

#include "tools/shape-server/HttpMessage.h"
#include "tools/shape-server/JsonText.h"
#include "tools/shape-server/TableInfo.h"

#include <QMap>
#include <QRegularExpression>

QString ShapeDefinition::identity() const
{
    QString id = schema + QChar(0) + table + QChar(0) + where + QChar(0) + columns.join(QChar(1))
        + QChar(0) + (replicaFull ? QLatin1String("full") : QLatin1String("default")) + QChar(0)
        + (changesOnly ? QLatin1String("changes_only") : QLatin1String("full"));
    for (const QString &p : params)
        id += QChar(0) + p;
    return id;
}

QByteArray validationBody(const ValidationErrors &errors)
{
    QByteArray out("{\"message\":\"Invalid request\",\"errors\":{");
    QStringList fields;
    for (const auto &e : errors)
        if (!fields.contains(e.first))
            fields.append(e.first);
    for (qsizetype f = 0; f < fields.size(); ++f) {
        if (f)
            out += ',';
        JsonText::appendString(out, fields[f]);
        out += ":[";
        bool first = true;
        for (const auto &e : errors) {
            if (e.first != fields[f])
                continue;
            if (!first)
                out += ',';
            first = false;
            JsonText::appendString(out, e.second);
        }
        out += ']';
    }
    out += "}}";
    return out;
}

bool parseColumnList(const QString &text, QStringList *out)
{
    QString current;
    bool quoted = false;
    bool wasQuoted = false;
    auto finish = [&]() {
        const QString name = wasQuoted ? current : current.trimmed().toLower();
        if (name.isEmpty())
            return false;
        out->append(name);
        current.clear();
        wasQuoted = false;
        return true;
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                    current += c;
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                current += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
            wasQuoted = true;
        } else if (c == QLatin1Char(',')) {
            if (!finish())
                return false;
        } else {
            current += c;
        }
    }
    return !quoted && finish();
}

namespace {

// Electric's boolean cast for `live`: present and not "false" counts as true.
bool truthy(const HttpRequest &request, const QString &name)
{
    return request.hasQuery(name) && request.queryValue(name) != QLatin1String("false");
}

} // namespace

bool ShapeRequest::parse(const HttpRequest &request, ShapeRequest *out, ValidationErrors *errors)
{
    ShapeRequest r;
    const QString offset = request.queryValue(QStringLiteral("offset"));
    if (offset.isNull() || offset.isEmpty()) {
        errors->append({QStringLiteral("offset"), QStringLiteral("can't be blank")});
    } else if (offset == QLatin1String("now")) {
        r.offsetNow = true;
    } else if (auto parsed = LogOffset::parse(offset)) {
        r.offset = *parsed;
    } else {
        errors->append({QStringLiteral("offset"), QStringLiteral("has invalid format")});
    }

    const QString table = request.queryValue(QStringLiteral("table"));
    r.definition.tableParam = table;
    if (table.isEmpty()) {
        errors->append({QStringLiteral("table"), QStringLiteral("can't be blank")});
    } else if (auto name = parseTableName(table)) {
        r.definition.schema = name->first;
        r.definition.table = name->second;
    } else {
        errors->append({QStringLiteral("table"), name.error().message});
    }

    const bool fromStart = r.offsetNow || (offset == QLatin1String("-1")) || r.offset.beforeAll;
    r.live = truthy(request, QStringLiteral("live"));
    if (!fromStart) {
        r.handle = request.queryValue(QStringLiteral("handle"));
        if (r.handle.isEmpty() && errors->isEmpty())
            errors->append(
                {QStringLiteral("handle"), QStringLiteral("can't be blank when offset != -1")});
    }
    if (r.live && r.offset.beforeAll && !r.offsetNow)
        errors->append({QStringLiteral("live"), QStringLiteral("can't be true when offset == -1")});
    if (r.live && r.offsetNow)
        errors->append(
            {QStringLiteral("live"), QStringLiteral("can't be true when offset == now")});
    if (truthy(request, QStringLiteral("live_sse"))
        || truthy(request, QStringLiteral("experimental_live_sse"))) {
        if (!r.live)
            errors->append({QStringLiteral("live_sse"),
                            QStringLiteral("can't be true unless live is also true")});
        else
            errors->append({QStringLiteral("live_sse"),
                            QStringLiteral("is not supported by this test server")});
    }
    r.cursor = request.queryValue(QStringLiteral("cursor"));

    const QString replica = request.queryValue(QStringLiteral("replica"));
    if (!replica.isNull() && replica != QLatin1String("default")
        && replica != QLatin1String("full"))
        errors->append({QStringLiteral("replica"), QStringLiteral("is invalid")});
    r.definition.replicaFull = replica == QLatin1String("full");
    const QString log = request.queryValue(QStringLiteral("log"));
    if (!log.isNull() && log != QLatin1String("full") && log != QLatin1String("changes_only"))
        errors->append({QStringLiteral("log"), QStringLiteral("is invalid")});
    r.definition.changesOnly = log == QLatin1String("changes_only");

    r.definition.where = request.queryValue(QStringLiteral("where")).trimmed();
    static const QRegularExpression paramKey(QStringLiteral("^params\\[(\\d+)\\]$"));
    QMap<int, QString> params;
    for (const auto &q : request.query) {
        const auto m = paramKey.match(q.first);
        if (m.hasMatch())
            params.insert(m.captured(1).toInt(), q.second);
    }
    int expected = 1;
    for (auto it = params.cbegin(); it != params.cend(); ++it, ++expected) {
        if (it.key() != expected) {
            errors->append(
                {QStringLiteral("params"),
                 QStringLiteral("Parameters must be numbered sequentially, starting from 1")});
            break;
        }
        r.definition.params.append(it.value());
    }

    const QString columns = request.queryValue(QStringLiteral("columns"));
    if (!columns.isNull() && !parseColumnList(columns, &r.definition.columns))
        errors->append({QStringLiteral("columns"), QStringLiteral("Invalid column list")});

    if (truthy(request, QStringLiteral("experimental_compaction"))
        || request.hasQuery(QStringLiteral("subset__where"))
        || request.hasQuery(QStringLiteral("subset__limit"))
        || request.hasQuery(QStringLiteral("subset__offset"))
        || request.hasQuery(QStringLiteral("subset__order_by"))
        || request.hasQuery(QStringLiteral("subset__params")))
        errors->append({QStringLiteral("subset"),
                        QStringLiteral("subset snapshots are not supported by this test server")});

    *out = r;
    return errors->isEmpty();
}
