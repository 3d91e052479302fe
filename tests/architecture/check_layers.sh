#!/usr/bin/env bash
# The layering rules of docs/architecture.md, checked on the sources: arrows point down only.
#   sync/   no Qt Widgets, no Qt Gui, nothing from models/ or ui/
#   models/ no Qt Widgets, no HTTP (Qt Network), no libpq, nothing from ui/
#   ui/     no HTTP (Qt Network), no SQL (Qt Sql, libpq)
# Prints every offending include with its file and line; exits 1 when there is one.
set -uo pipefail
src=${1:?usage: check_layers.sh SOURCE_DIR}
cd "$src" || exit 2

widgets='QtWidgets/|QWidget|QMainWindow|QDialog|QApplication|QLabel|QPushButton|QTableView|QTreeView|QListView|QAbstractItemView|QLineEdit|QComboBox|QMessageBox|Q[VHG]BoxLayout|QGridLayout|QFormLayout|QToolBar|QMenu|QStyledItemDelegate|QHeaderView|QProgressBar|QSplitter|QDockWidget|QTabWidget'
gui='QtGui/|QGuiApplication|QColor|QBrush|QFont|QIcon|QPixmap|QImage|QPalette|QPainter|QKeySequence|QAction'
network='QtNetwork/|QNetwork|QTcp|QSsl|QHostAddress|QUdpSocket'
sql='QtSql/|QSql|libpq-fe\.h|PgConnection\.h|PgResult\.h'

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

check sync "$widgets" "Qt Widgets"
check sync "$gui" "Qt Gui"
check models "$widgets" "Qt Widgets"
check models "$network" "Qt Network (HTTP)"
check models 'libpq-fe\.h|PgConnection\.h|PgResult\.h' "libpq"
check ui "$network" "Qt Network (HTTP)"
check ui "$sql" "SQL (Qt Sql or libpq)"

ui_headers=$(project_headers ui)
models_headers=$(project_headers models)
[[ -n $ui_headers ]] && check models "$ui_headers" "headers of ui/"
[[ -n $ui_headers ]] && check sync "$ui_headers" "headers of ui/"
[[ -n $models_headers ]] && check sync "$models_headers" "headers of models/"

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
echo "layers ok: sync <- models <- ui <- app"
