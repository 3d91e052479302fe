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

project_headers() { # the header names a layer defines, as an include regex
    find "$1" -name '*.h' -printf '%f\n' 2>/dev/null | sed 's/\./\\./g' | paste -sd'|'
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
check sync/sqlite 'sync/(store|shape|pg|legacy|demo|hive)/' "the sync libraries above it"
check sync/store 'sync/(shape|pg|legacy|demo|hive)/' "the sync libraries above it"

# Bare names (until every include is path-qualified): a header name of a higher layer.
ui_headers=$(project_headers ui)
models_headers=$(project_headers models)
sync_headers=$(project_headers sync)
app_headers=$(project_headers app)
for layer_headers in "$ui_headers" "$models_headers" "$sync_headers" "$app_headers"; do
    [[ -n $layer_headers ]] && check domain "$layer_headers" "headers of the layers above it"
done
[[ -n $ui_headers ]] && check models "$ui_headers" "headers of ui/"
[[ -n $ui_headers ]] && check sync "$ui_headers" "headers of ui/"
[[ -n $models_headers ]] && check sync "$models_headers" "headers of models/"
# The hive's adapter (sync/hive: which shape keeps its rows where) sits above the generic shape
# consumer and the store: they take a ShapeRowSink and never name the hive's.
hive_headers=$(project_headers sync/hive)
for generic in sync/shape sync/store sync/sqlite sync/common; do
    [[ -n $hive_headers ]] && check "$generic" "$hive_headers" "headers of sync/hive"
done

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
# Inside sync/: sqlite/ is the floor of the libraries that touch SQLite (common only); store/
# knows nothing of shapes, pg or the legacy import.
sync_headers() { project_headers "sync/$1"; }
for lib in store shape pg legacy demo; do
    [[ -d sync/$lib ]] && check sync/sqlite "$(sync_headers $lib)" "headers of sync/$lib/"
done
for lib in shape pg legacy demo; do
    [[ -d sync/$lib ]] && check sync/store "$(sync_headers $lib)" "headers of sync/$lib/"
done

if ((fail)); then exit 1; fi
echo "layers ok: domain <- sync <- models <- ui <- app"
