#!/usr/bin/env python3
"""Path-qualified includes and the one project namespace (issue 18 item 6), as a re-runnable rewrite.

Several branches change sources at once, so the conversion is this script rather than a hand
edit: the lead runs it again after every merge. It is idempotent (a second run changes nothing)
and finishes a half-converted tree.

1. Every `#include "X.h"` of a project header becomes its path from the repository root
   (`#include "sync/store/LogStore.h"`). A name is resolved as the compiler does: next to the
   including file first, then by its unique place in the tree. A bare name that two project
   headers share is an error naming both (qualify that include by hand). Headers that are not in
   the source tree (moc output, ui_*.h, generated config headers) are left alone.
2. Code in domain/ sync/ models/ ui/ app/ is wrapped in `namespace hivewatch`. What must stay
   global stays outside, qualified: Q_DECLARE_METATYPE/Q_DECLARE_TYPEINFO, forward declarations
   of Qt and C-library types (QNetworkReply, sqlite3, pg_conn), functions that call
   Q_INIT_RESOURCE, a trailing `#include "x.moc"`. Files with a main() and everything in tools/
   tests/ bench/ get `using namespace hivewatch;` after their includes instead (when they include
   a project header).
3. The files it touched are run through clang-format (pass --no-format to skip).

Usage: tools/dev/qualify-sources.py [--check] [--no-format] [REPO_ROOT]
  --check  change nothing; exit 1 and list the files that would change.
"""

import os
import re
import subprocess
import sys

ROOTS = ["domain", "sync", "models", "ui", "app", "tools", "tests", "bench"]
LAYERS = ("domain/", "sync/", "models/", "ui/", "app/")
# Test data of the layer checker: must stay exactly as planted.
SKIP_DIRS = ("tests/architecture/violation", "tests/architecture/link-violation")
SOURCE_EXT = (".h", ".hpp", ".cpp", ".cc")
NAMESPACE = "hivewatch"

INCLUDE_RE = re.compile(r'^(\s*#\s*include\s*)"([^"]+)"(.*)$')
# Types that belong to Qt or to a C library: declared by their own headers in the global namespace.
EXTERNAL_FWD_RE = re.compile(
    r"^(class|struct)\s+(Q[A-Z]\w*|sqlite3\w*|pg_\w+|PG\w+)\s*;\s*(//.*)?$"
    r"|^typedef\s+struct\s+(pg_\w+|sqlite3\w*)\s+\w+\s*;\s*(//.*)?$")
GLOBAL_MACRO_RE = re.compile(r"^\s*(Q_DECLARE_METATYPE|Q_DECLARE_TYPEINFO)\s*\((.*)\)\s*;?\s*$")
# A line that is nothing but a macro invocation ends a top-level unit even without a semicolon.
MACRO_LINE_RE = re.compile(r"^\s*[A-Z_][A-Z0-9_]*\s*\(.*\)\s*$")
MAIN_RE = re.compile(r"^\s*int\s+main\s*\(", re.M)
QTEST_MAIN_RE = re.compile(r"\bQTEST_(APPLESS_|GUILESS_)?MAIN\s*\(")
TOP_DECL_RE = re.compile(
    r"^(?:template\s*<[^>]*>\s*)?(?:class|struct|enum\s+class|enum\s+struct|enum|union|namespace)"
    r"\s+(?:Q_DECL_\w+\s+)?([A-Za-z_]\w*)\b|^using\s+([A-Za-z_]\w*)\s*=", re.M)
STRING_TYPED_RE = re.compile(r"\b(SIGNAL|SLOT|Q_ARG|Q_RETURN_ARG)\s*\(")


def rel(path, root):
    return os.path.relpath(path, root).replace(os.sep, "/")


def source_files(root):
    for top in ROOTS:
        base = os.path.join(root, top)
        for dirpath, dirnames, filenames in os.walk(base):
            r = rel(dirpath, root)
            dirnames[:] = sorted(
                d for d in dirnames
                if not d.startswith(".") and d not in ("node_modules", "corpus")
                and not d.startswith("build")
                and not any((r + "/" + d).startswith(s) for s in SKIP_DIRS))
            if any(r.startswith(s) for s in SKIP_DIRS):
                continue
            for name in sorted(filenames):
                if name.endswith(SOURCE_EXT):
                    yield rel(os.path.join(dirpath, name), root)


# ---------------------------------------------------------------- includes


def resolve_include(root, including, name, headers_by_name):
    """The repository path of a quoted include, None when it is not a project header, or a list
    of candidates when the bare name is ambiguous."""
    if "/" in name and os.path.isfile(os.path.join(root, name)) and not name.startswith("."):
        top = name.split("/", 1)[0]
        if top in ROOTS:
            return name
    beside = os.path.normpath(os.path.join(os.path.dirname(including), name))
    if os.path.isfile(os.path.join(root, beside)) and beside.split(os.sep, 1)[0] in ROOTS:
        return beside.replace(os.sep, "/")
    base = os.path.basename(name)
    candidates = [p for p in headers_by_name.get(base, []) if p == name or p.endswith("/" + name)]
    if including.startswith(LAYERS):
        # The product's layers never see a header of tools/ or tests/.
        candidates = [p for p in candidates if p.startswith(LAYERS)]
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    return candidates


def qualify_includes(root, path, lines, headers_by_name, errors):
    out = []
    for number, line in enumerate(lines, 1):
        m = INCLUDE_RE.match(line)
        if not m:
            out.append(line)
            continue
        found = resolve_include(root, path, m.group(2), headers_by_name)
        if isinstance(found, list):
            errors.append('%s:%d: #include "%s" is ambiguous: %s (write the path from the '
                          "repository root)" % (path, number, m.group(2), " and ".join(found)))
            out.append(line)
        elif found is None or found == m.group(2):
            out.append(line)
        else:
            out.append('%s"%s"%s' % (m.group(1), found, m.group(3)))
    return out


# ---------------------------------------------------------------- C++ structure


def scan_depths(lines):
    """For each line: (bracket depth at its start, depth at its end, code text without comments
    and literals, whether the line starts inside a block comment)."""
    info = []
    depth = 0
    in_block = False
    raw_end = None
    for line in lines:
        start_depth, start_in_comment = depth, in_block or raw_end is not None
        code = []
        i, n = 0, len(line)
        while i < n:
            if raw_end is not None:
                j = line.find(raw_end, i)
                if j < 0:
                    i = n
                    break
                i = j + len(raw_end)
                raw_end = None
                code.append('""')
                continue
            if in_block:
                j = line.find("*/", i)
                if j < 0:
                    i = n
                    break
                i = j + 2
                in_block = False
                continue
            c = line[i]
            if line.startswith("//", i):
                break
            if line.startswith("/*", i):
                in_block = True
                i += 2
                continue
            m = re.match(r'(?:u8|[uUL])?R"([^(\s]*)\(', line[i:])
            if m and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
                raw_end = ")" + m.group(1) + '"'
                i += m.end()
                continue
            if c == '"' or (c == "'" and not (i > 0 and line[i - 1].isalnum())):
                j = i + 1
                while j < n and line[j] != c:
                    j += 2 if line[j] == "\\" else 1
                code.append(c + c)
                i = j + 1
                continue
            if c in "({[":
                depth += 1
            elif c in ")}]":
                depth -= 1
            code.append(c)
            i += 1
        info.append((start_depth, depth, "".join(code).strip(), start_in_comment))
    return info


def split_units(lines):
    """Top-level units: runs of lines that belong to one declaration, definition or directive,
    with the comment and blank lines before them attached."""
    info = scan_depths(lines)
    units, current, pending = [], [], []
    for idx, line in enumerate(lines):
        start, end, code, in_comment = info[idx]
        if not current:
            if not code or in_comment:
                pending.append(line)
                continue
            current = pending + [line]
            pending = []
        else:
            current.append(line)
        ends = end == 0 and (code.startswith("#") and not code.endswith("\\")
                             or code.endswith((";", "}")) or MACRO_LINE_RE.match(code))
        if ends:
            units.append(current)
            current = []
    if current:
        units.append(current)
    if pending:
        units.append(pending)
    return units


def unit_code(unit):
    return "\n".join(i[2] for i in scan_depths(unit))


# ---------------------------------------------------------------- namespace


def project_type_names(root, files, layers=True):
    names = set()
    for path in files:
        if path.startswith(LAYERS) == layers and path.endswith((".h", ".hpp")):
            with open(os.path.join(root, path), encoding="utf-8") as f:
                # Definitions only: `class PgConnection;` declares no type of this file's own.
                text = "\n".join(l for l in f.read().split("\n")
                                 if not re.match(r"^(class|struct)\s+\w+\s*;", l))
                for m in TOP_DECL_RE.finditer(text):
                    names.add(m.group(1) or m.group(2))
    return names


def qualify_names(text, names):
    def repl(m):
        before = text[:m.start()].rstrip()
        if before.endswith("::"):
            return m.group(0)
        return "%s::%s" % (NAMESPACE, m.group(0)) if m.group(0) in names else m.group(0)
    return re.sub(r"\b[A-Za-z_]\w*\b", repl, text)


def qualify_global_macro(line, names):
    m = GLOBAL_MACRO_RE.match(line)
    return "%s(%s)" % (m.group(1), qualify_names(m.group(2), names))


def include_block_end(lines):
    """Index after the last #include/#pragma/#define of the file's preamble (the lines before the
    first code)."""
    end = 0
    for idx, (start, _, code, in_comment) in enumerate(scan_depths(lines)):
        if in_comment or not code:
            continue
        if code.startswith("#"):
            if re.match(r"#\s*(include|pragma|define|if|ifdef|ifndef|endif|else|elif|undef)", code):
                end = idx + 1
                continue
        break
    return end


def mentions_namespace(text):
    return re.search(r"^\s*namespace\s+%s\s*\{" % NAMESPACE, text, re.M) is not None


def add_using(lines):
    text = "\n".join(lines)
    if re.search(r"^\s*using\s+namespace\s+%s\s*;" % NAMESPACE, text, re.M):
        return lines
    if not any(INCLUDE_RE.match(l) and INCLUDE_RE.match(l).group(2).startswith(LAYERS)
               for l in lines):
        return lines
    end = include_block_end(lines)
    return lines[:end] + ["", "using namespace %s;" % NAMESPACE] + lines[end:]


def must_stay_global(unit):
    code = unit_code(unit)
    stripped = [l for l in code.split("\n") if l]
    if not stripped:
        return None  # blank or comment only: follows its neighbours
    if all(EXTERNAL_FWD_RE.match(l) for l in stripped):
        return "fwd"
    if all(GLOBAL_MACRO_RE.match(l) for l in stripped):
        return "macro"
    if stripped[0].startswith("#"):
        return "include" if stripped[0].startswith("#include") or re.match(r"#\s*include", stripped[0]) else None
    if "Q_INIT_RESOURCE" in code or 'extern "C"' in code or "QT_BEGIN_NAMESPACE" in code:
        return "global"
    return False


def wrap_in_namespace(lines, names):
    end = include_block_end(lines)
    head, body = lines[:end], lines[end:]
    units = split_units(body)
    kinds = [must_stay_global(u) for u in units]
    if not any(k is False for k in kinds):
        return lines  # nothing to wrap (e.g. a header of includes only)
    hoisted = []  # forward declarations of external types: before the namespace opens
    out = list(head)
    opened = False
    # Trailing includes (a .moc) come after the namespace closes.
    last_code = max(i for i, k in enumerate(kinds) if k is False)
    for idx, (unit, kind) in enumerate(zip(units, kinds)):
        if kind == "fwd":
            hoisted.extend(l for l in unit if l.strip())
            continue
        if kind in ("macro", "global") or (kind == "include" and idx > last_code):
            stays_out = True
        elif kind is False:
            stays_out = False
        else:
            stays_out = not opened  # comments, conditionals: where they are
        if stays_out and opened:
            out.extend(["", "} // namespace %s" % NAMESPACE, ""])
            opened = False
        elif not stays_out and not opened:
            out.extend(["", "namespace %s {" % NAMESPACE, ""])
            opened = True
        if kind == "macro":
            unit = [qualify_global_macro(l, names) if GLOBAL_MACRO_RE.match(l) else l for l in unit]
        out.extend(unit)
    if opened:
        out.extend(["", "} // namespace %s" % NAMESPACE])
    if hoisted:
        out[end:end] = [""] + hoisted
    return tidy_blank_lines(out)


def tidy_blank_lines(lines):
    out = []
    for line in lines:
        if not line.strip() and out and not out[-1].strip():
            continue
        if not line.strip() and out and out[-1] == "namespace %s {" % NAMESPACE:
            out.append(line)
            continue
        out.append(line)
    # No blank line right before a closing brace of the namespace after another blank.
    while out and not out[-1].strip():
        out.pop()
    return out


FWD_RE = re.compile(r"^(class|struct)\s+([A-Za-z_]\w*)\s*;\s*(//.*)?$")


def namespace_forward_declarations(lines, names):
    """Outside the layers, a forward declaration of a project class must name the one in the
    namespace (`class PgConnection;` at global scope would declare another, unrelated class)."""
    out, group = [], []

    def flush():
        if group:
            out.extend(["namespace %s {" % NAMESPACE] + group + ["} // namespace %s" % NAMESPACE])
            if not re.search(r"^\s*using\s+namespace\s+%s\s*;" % NAMESPACE, "\n".join(lines), re.M):
                out.append("using namespace %s;" % NAMESPACE)
            group.clear()

    inside = False  # already in a namespace hivewatch block (a second run)
    for line in lines:
        if re.match(r"^\s*namespace\s+%s\s*\{" % NAMESPACE, line):
            inside = True
        elif inside and re.match(r"^\s*\}", line):
            inside = False
        m = FWD_RE.match(line)
        if m and m.group(2) in names and not inside:
            group.append(line)
            continue
        flush()
        out.append(line)
    flush()
    return out


def convert_namespace(path, lines, names):
    text = "\n".join(lines)
    in_layer = path.startswith(LAYERS)
    if not in_layer or MAIN_RE.search(text) or QTEST_MAIN_RE.search(text):
        if not in_layer:
            lines = namespace_forward_declarations(lines, names["outside_fwd"])
        return add_using(lines)
    if mentions_namespace(text):
        return lines
    return wrap_in_namespace(lines, names["layers"])


# ---------------------------------------------------------------- driver


def main(argv):
    check = "--check" in argv
    fmt = "--no-format" not in argv and not check
    args = [a for a in argv if not a.startswith("--")]
    root = os.path.abspath(args[0] if args else os.path.join(os.path.dirname(__file__), "..", ".."))
    files = list(source_files(root))
    headers_by_name = {}
    for path in files:
        if path.endswith((".h", ".hpp")):
            headers_by_name.setdefault(os.path.basename(path), []).append(path)
    layer_names = project_type_names(root, files)
    # A name that tools/ or tests/ declare themselves (the shape server's ShapeDefinition) is theirs.
    names = {"layers": layer_names,
             "outside_fwd": layer_names - project_type_names(root, files, layers=False)}

    errors, changed, string_typed = [], [], []
    results = {}
    for path in files:
        with open(os.path.join(root, path), encoding="utf-8") as f:
            original = f.read()
        lines = original.split("\n")
        trailing_newline = lines and lines[-1] == ""
        if trailing_newline:
            lines = lines[:-1]
        lines = qualify_includes(root, path, lines, headers_by_name, errors)
        lines = convert_namespace(path, lines, names)
        for number, line in enumerate(lines, 1):
            if STRING_TYPED_RE.search(line.split("//", 1)[0]):
                string_typed.append("%s: %s" % (path, line.strip()))
        text = "\n".join(lines) + ("\n" if trailing_newline else "")
        if text != original:
            results[path] = text
            changed.append(path)

    if errors:
        print("qualify-sources: nothing written, fix these first:", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 2
    for s in string_typed:
        # Type names in strings are not rewritten: moc and the caller must agree on them.
        print("qualify-sources: check by hand (type names in strings): " + s, file=sys.stderr)
    if check:
        for path in changed:
            print(path)
        return 1 if changed else 0
    for path in changed:
        with open(os.path.join(root, path), "w", encoding="utf-8") as f:
            f.write(results[path])
    if fmt and changed:
        subprocess.run(["clang-format", "-i"] + changed, cwd=root, check=True)
    print("qualify-sources: %d file(s) rewritten" % len(changed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
