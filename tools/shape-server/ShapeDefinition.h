#pragma once

#include "tools/shape-server/LogOffset.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

struct HttpRequest;

// What identifies a shape (docs/electric-protocol.md §1.3): same definition, same shape and handle.
struct ShapeDefinition
{
    QString tableParam; // as the client sent it, for messages
    QString schema;
    QString table;
    QString where; // empty = every row
    QStringList params; // $1, $2, … as text
    QStringList columns; // empty = every column, in table order
    bool replicaFull = false;
    bool changesOnly = false;

    QString identity() const; // a canonical string; equal strings mean the same shape
};

// Field → messages, in the order Electric reports them: {"message":"Invalid request","errors":{…}}.
using ValidationErrors = QList<QPair<QString, QString>>;
QByteArray validationBody(const ValidationErrors &errors);

// The protocol part of a GET /v1/shape request, validated like Electric's Api.Params.
struct ShapeRequest
{
    ShapeDefinition definition;
    LogOffset offset;
    bool offsetNow = false;
    QString handle; // empty when absent or ignored (offset -1 / now)
    bool live = false;
    QString cursor;

    // Fills *errors (and returns false) on invalid parameters. Table-dependent checks (does the
    // table exist, do the columns include the PK, is the where valid) happen later, in Postgres.
    static bool parse(const HttpRequest &request, ShapeRequest *out, ValidationErrors *errors);
};

// `id,"Odd, name",title` → names; quoted names keep case, unquoted ones are lower-cased.
bool parseColumnList(const QString &text, QStringList *out);
