# Block-style YAML (the subset cloud-config seeds use) to flat "path<TAB>value" lines, for a
# shell that has only busybox. Paths join map keys and sequence indexes with dots
# (users.1.ssh_authorized_keys.0); values escape backslash as \\ and newline as \n.
# Understood: nested block maps and sequences (indented or not under their key, "- - x",
# "- key: v"), plain scalars (also folded over several lines), 'single' and "double" quoted
# scalars (escapes \n \t \" \\ \/ \xNN \uNNNN (ASCII), folded lines), literal | and folded >
# block scalars with chomping (- +) and indentation indicators (|2-), one-line flow
# sequences of scalars ([a, b]), empty [] and {}, comments, --- and a #cloud-config header.
# Not understood: anchors, aliases, tags, nested flow collections, multi-document streams.
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/\n/, "\\n", s); gsub(/\t/, "\\t", s); return s }
function emit(path, val) { print path "\t" esc(val) }
function join(base, key) { return base == "" ? key : base "." key }
function ltrim(s) { sub(/^[ \t]+/, "", s); return s }
function rtrim(s) { sub(/[ \t]+$/, "", s); return s }
function push(kind, ind, path) { d++; skind[d] = kind; sind[d] = ind; spath[d] = path; scount[d] = 0 }
function fail(msg) { print "yaml-flat: line " NR ": " msg > "/dev/stderr"; bad = 1 }

function hexval(h,   i, v, c) {
  v = 0; h = tolower(h)
  for (i = 1; i <= length(h); i++) { c = index("0123456789abcdef", substr(h, i, 1)) - 1; v = v * 16 + c }
  return v
}
function dq_decode(s,   out, i, c, n) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c != "\\") { out = out c; continue }
    i++; c = substr(s, i, 1)
    if (c == "n") out = out "\n"; else if (c == "t") out = out "\t"
    else if (c == "r") out = out "\r"; else if (c == "0") out = out ""
    else if (c == "x") { n = hexval(substr(s, i + 1, 2)); i += 2; out = out sprintf("%c", n) }
    else if (c == "u") { n = hexval(substr(s, i + 1, 4)); i += 4; out = out (n < 128 ? sprintf("%c", n) : "?") }
    else out = out c
  }
  return out
}
# Position of the closing quote in s (s starts after the opening quote), or 0.
function close_pos(s, q,   i, c) {
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q == "\"" && c == "\\") { i++; continue }
    if (c == q) {
      if (q == "'" && substr(s, i + 1, 1) == "'") { i++; continue }
      return i
    }
  }
  return 0
}
function quoted_value(raw, q) {
  if (q == "'") { gsub(/''/, "'", raw); return raw }
  return dq_decode(raw)
}
# Joins a continuation line of a quoted scalar the way YAML folds it.
function fold_quoted(prev, line, blank) {
  if (blank) return prev "\n"
  if (acc_q == "\"" && prev ~ /\\$/ && prev !~ /\\\\$/) return substr(prev, 1, length(prev) - 1) line
  if (prev ~ /\n$/ || prev == "") return prev line
  return prev " " line
}

function flush_acc() {
  if (!acc) return
  if (acc_q != "") fail("unterminated quoted scalar")
  emit(acc_path, acc_val); acc = 0
}
function start_plain(path, v, owner) {
  sub(/[ \t]+#.*$/, "", v); v = rtrim(v)
  acc = 1; acc_q = ""; acc_path = path; acc_val = v; acc_owner = owner
}
function start_quoted(path, v, owner,   q, rest, p) {
  q = substr(v, 1, 1); rest = substr(v, 2); p = close_pos(rest, q)
  if (p) { emit(path, quoted_value(substr(rest, 1, p - 1), q)); return }
  acc = 1; acc_q = q; acc_path = path; acc_val = rtrim(rest); acc_owner = owner
}
function continue_quoted(line,   p) {
  p = close_pos(line, acc_q)
  if (!p) { acc_val = fold_quoted(acc_val, rtrim(line), line ~ /^[ \t]*$/); return }
  acc_val = fold_quoted(acc_val, substr(line, 1, p - 1), 0)
  emit(acc_path, quoted_value(acc_val, acc_q)); acc = 0; acc_q = ""
}
function flow_seq(path, v,   inner, n, parts, i, item) {
  inner = v; sub(/^\[/, "", inner); sub(/\][ \t]*(#.*)?$/, "", inner)
  if (ltrim(inner) == "") return
  n = split(inner, parts, ",")
  for (i = 1; i <= n; i++) {
    item = rtrim(ltrim(parts[i]))
    if (item ~ /^".*"$/) item = dq_decode(substr(item, 2, length(item) - 2))
    else if (item ~ /^'.*'$/) { item = substr(item, 2, length(item) - 2); gsub(/''/, "'", item) }
    emit(join(path, i - 1), item)
  }
}
function start_block(path, header, owner,   digit) {
  blk = 1; blk_path = path; blk_val = ""; blk_style = substr(header, 1, 1)
  blk_chomp = header ~ /-/ ? "-" : (header ~ /\+/ ? "+" : "")
  digit = header; gsub(/[^0-9]/, "", digit)
  blk_ind = digit == "" ? 0 : owner + digit; blk_owner = owner; blk_n = 0
}
function newlines(n,   s) { s = ""; while (n-- > 0) s = s "\n"; return s }
# Folding (>): the break between two lines that do not start with white space becomes a space
# (or, with empty lines between, one newline per empty line); around a more-indented line every
# break is kept.
function folded(   v, i, line, more, prev_more, empties, started) {
  v = ""; empties = 0; started = 0
  for (i = 1; i <= blk_n; i++) {
    line = blk_lines[i]
    if (line == "") { empties++; continue }
    more = (line ~ /^[ \t]/)
    if (!started) v = newlines(empties)
    else if (!more && !prev_more) v = v (empties ? newlines(empties) : " ")
    else v = v newlines(empties + 1)
    v = v line; started = 1; prev_more = more; empties = 0
  }
  return v (started ? "\n" : "") newlines(empties)
}
function finish_block(   v, i) {
  blk = 0
  if (blk_style == "|") { v = ""; for (i = 1; i <= blk_n; i++) v = v blk_lines[i] "\n" }
  else v = folded()
  if (blk_chomp != "+") sub(/\n+$/, "", v)
  if (blk_chomp == "" && v != "") v = v "\n"
  emit(blk_path, v)
}

function scalar_value(path, v, owner) {
  if (v ~ /^[|>][-+0-9]*[ \t]*(#.*)?$/) { sub(/[ \t]*#.*$/, "", v); start_block(path, rtrim(v), owner); return }
  if (v ~ /^["']/) { start_quoted(path, v, owner); return }
  if (v ~ /^\[/) { flow_seq(path, v); return }
  if (v ~ /^\{[ \t]*\}/) return
  if (v ~ /^[&*!]/) fail("anchors, aliases and tags are not supported")
  start_plain(path, v, owner)
}
# One node whose content c starts at column n, inside the container on top of the stack.
function node(n, c,   path, key, rest, p, k) {
  if (skind[d] == "seq") {
    if (c !~ /^-([ \t]|$)/) { fail("expected a sequence item"); return }
    path = join(spath[d], scount[d]++)
    rest = substr(c, 2); k = match(rest, /[^ \t]/)
    if (!k) { pend = 1; pend_path = path; pend_ind = n + 1; return }
    rest = substr(rest, k)
    inline_node(n + 1 + (k - 1), path, rest, n)
    return
  }
  if (c ~ /^["']/) {
    p = close_pos(substr(c, 2), substr(c, 1, 1))
    key = quoted_value(substr(c, 2, p - 1), substr(c, 1, 1)); rest = substr(c, p + 2)
    if (rest !~ /^:([ \t]|$)/) { fail("expected key: value"); return }
    rest = substr(rest, 2)
  } else {
    p = match(c, /:([ \t]|$)/)
    if (!p) { fail("expected key: value"); return }
    key = rtrim(substr(c, 1, p - 1)); rest = substr(c, p + 1)
  }
  path = join(spath[d], key); rest = ltrim(rest)
  if (rest == "" || rest ~ /^#/) { pend = 1; pend_path = path; pend_ind = n; return }
  scalar_value(path, rest, n)
}
# The content after "- ": a nested sequence, a map, or a scalar.
function inline_node(col, path, c, owner) {
  if (c ~ /^-([ \t]|$)/) { push("seq", col, path); node(col, c); return }
  if (c !~ /^["']/ && c ~ /^[^ \t#][^#]*:([ \t]|$)/ || c ~ /^"[^"]*"[ \t]*:([ \t]|$)/) {
    push("map", col, path); node(col, c); return
  }
  scalar_value(path, c, owner)
}

BEGIN { d = 0; pend = 0; acc = 0; blk = 0; bad = 0 }
{
  line = $0; sub(/\r$/, "", line)
  if (blk) {
    if (line ~ /^[ \t]*$/) { blk_lines[++blk_n] = (blk_ind > 0 && length(line) > blk_ind) ? substr(line, blk_ind + 1) : ""; next }
    n = match(line, /[^ ]/) - 1
    if (blk_ind == 0) blk_ind = n > blk_owner ? n : -1
    if (blk_ind > 0 && n >= blk_ind) { blk_lines[++blk_n] = substr(line, blk_ind + 1); next }
    finish_block()
  }
  if (acc && acc_q != "") { continue_quoted(ltrim(line)); next }
  if (line ~ /^[ \t]*(#.*)?$/ || line ~ /^(---|\.\.\.)([ \t]|$)/) next
  n = match(line, /[^ ]/) - 1; c = substr(line, n + 1)
  if (acc) { if (n > acc_owner) { acc_val = acc_val " " rtrim(c); next } flush_acc() }
  if (pend) {
    pend = 0
    if (c ~ /^-([ \t]|$)/ && n >= pend_ind) push("seq", n, pend_path)
    else if (n > pend_ind) push("map", n, pend_path)
    else emit(pend_path, "")
  }
  while (d > 0 && sind[d] > n) d--
  # a sequence not indented under its key ends at the next key of the enclosing map
  if (d > 1 && skind[d] == "seq" && sind[d - 1] == n && c !~ /^-([ \t]|$)/) d--
  if (d == 0) push("map", n, "")
  if (sind[d] != n) { fail("bad indentation"); next }
  node(n, c)
}
END {
  if (blk) finish_block()
  flush_acc()
  if (pend) emit(pend_path, "")
  exit bad
}
