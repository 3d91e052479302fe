#!/usr/bin/env bash
# The layering rules of docs/architecture.md, checked on the sources: arrows point down only.
#   domain/ the floor: Qt Core only, nothing from any other layer (all of them may use it)
#   sync/   no Qt Widgets, no Qt Gui, nothing from models/ or ui/
#   models/ no Qt Widgets, no HTTP (Qt Network), no libpq, nothing from ui/
#   ui/     no HTTP (Qt Network), no SQL (Qt Sql, libpq)
# The hive's table names and the node's output types are spelled in domain/ only (comments and
# SQL files aside). Prints every offending include or spelling with its file and line; exits 1
# when there is one.
set -uo pipefail
src=${1:?usage: check_layers.sh SOURCE_DIR}
cd "$src" || exit 2

widgets='QtWidgets/|QWidget|QMainWindow|QDialog|QApplication|QLabel|QPushButton|QTableView|QTreeView|QListView|QAbstractItemView|QLineEdit|QComboBox|QMessageBox|Q[VHG]BoxLayout|QGridLayout|QFormLayout|QToolBar|QMenu|QStyledItemDelegate|QHeaderView|QProgressBar|QSplitter|QDockWidget|QTabWidget'
gui='QtGui/|QGuiApplication|QColor|QBrush|QFont|QIcon|QPixmap|QImage|QPalette|QPainter|QKeySequence|QAction'
network='QtNetwork/|QNetwork|QTcp|QSsl|QHostAddress|QUdpSocket'
pgheaders='(sync/pg/)?(PgConnection|PgResult)\.h'
sql="QtSql/|QSql|libpq-fe\\.h|$pgheaders"

fail=0
check() { # check DIR REGEX WHAT
    local hits
    hits=$(grep -rnE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($2)" "$1" --include='*.h' --include='*.cpp' 2>/dev/null)
    if [[ -n $hits ]]; then
        echo "layer violation: $1/ must not use $3:"
        echo "$hits" | sed 's/^/    /'
        fail=1
    fi
}

check domain "$widgets" "Qt Widgets"
check domain "$gui" "Qt Gui"
check domain "$network" "Qt Network"
check domain "$sql" "SQL (Qt Sql or libpq)"
check domain 'QtConcurrent|QtTest/|QTest|QSignalSpy' "Qt modules beyond Qt Core"

check sync "$widgets" "Qt Widgets"
check sync "$gui" "Qt Gui"
check models "$widgets" "Qt Widgets"
check models "$network" "Qt Network (HTTP)"
check models "libpq-fe\\.h|$pgheaders" "libpq"
check ui "$network" "Qt Network (HTTP)"
check ui "$sql" "SQL (Qt Sql or libpq)"

# Includes name their layer (`#include "sync/store/LogStore.h"`, tools/dev/qualify-sources.py), so
# the direction of every project include shows in its first path component.
check domain '(sync|models|ui|app|tools|tests|bench)/' "the layers above it"
check sync '(models|ui|app|tools|tests|bench)/' "models/, ui/, app/ or test code"
check models '(ui|app|tools|tests|bench)/' "ui/, app/ or test code"
check ui '(app|tools|tests|bench)/' "app/ or test code"
check app '(tools|tests|bench)/' "tools or test code"
# Inside sync/: sqlite/ is the floor of the libraries that touch SQLite (common only); store/
# knows nothing of shapes, pg or the legacy import.
check sync/sqlite 'sync/(store|shape|pg|legacy|demo|hive)/' "the sync libraries above it"
check sync/store 'sync/(shape|pg|legacy|demo|hive)/' "the sync libraries above it"

# The hive's adapter (sync/hive: which shape keeps its rows where) sits above the generic shape
# consumer: it takes a ShapeRowSink and never names the hive's.
check sync/shape 'sync/hive/' "the hive's adapter above it (sync/hive)"
check sync/common 'sync/(sqlite|store|shape|pg|legacy|demo|hive)/' "the sync libraries above it"

# The floor's link line: Qt Core and nothing else, so nothing reaches it transitively either.
if [[ -f domain/CMakeLists.txt ]]; then
    extra=$(tr '\n' ' ' <domain/CMakeLists.txt |
        grep -oE 'target_link_libraries\(hivewatch_domain[^)]*\)' |
        sed -E 's/target_link_libraries\(hivewatch_domain//; s/[()]//g; s/PUBLIC|PRIVATE|INTERFACE|Qt6::Core//g' |
        xargs)
    if [[ -n $extra ]]; then
        echo "layer violation: domain/ must link only Qt6::Core, it also links: $extra"
        fail=1
    fi
fi

# A quoted hive word in code outside domain/ (a comment mentioning one is fine).
tables='shared_tasks|nodes|node_projects|node_task_assignments|node_task_progress_events'
words="$tables|node_task_output_logs|json_patch|session_id|refresh_required"
spelled=$(grep -rnE "\"($words)\"" sync models ui app --include='*.h' --include='*.cpp' 2>/dev/null |
    grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' | grep -vE '//.*"('"$words"')"')
if [[ -n $spelled ]]; then
    echo "hive words spelled outside domain/ (use HiveTables, LogTable or the vocabularies):"
    echo "$spelled" | sed 's/^/    /'
    fail=1
fi
if ((fail)); then exit 1; fi
echo "layers ok: domain <- sync <- models <- ui <- app"
