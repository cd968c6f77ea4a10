# Reading the flat form of a YAML document (see yaml-flat.awk). Sourced by the guest's scripts.
# cfg_raw PATH FILE: the escaped value; cfg PATH FILE: the value; cfg_count PATH FILE: how many
# items a sequence has; cfg_has PATH FILE: whether the key (or anything below it) exists.
TINY=/usr/lib/tiny
yaml_flat() { awk -f "$TINY/yaml-flat.awk" "$1"; }
cfg_raw() {
  awk -v k="$1" 'index($0, k "\t") == 1 { print substr($0, length(k) + 2); found = 1; exit }
    END { exit !found }' "$2"
}
cfg() { _v=$(cfg_raw "$1" "$2") || return 1; printf '%b' "$_v"; }
cfg_count() {
  awk -v p="$1." 'index($0, p) == 1 { r = substr($0, length(p) + 1); sub(/[.\t].*/, "", r)
    if (r ~ /^[0-9]+$/ && r + 1 > n) n = r + 1 } END { print n + 0 }' "$2"
}
cfg_has() { awk -v k="$1" 'index($0, k "\t") == 1 || index($0, k ".") == 1 { f = 1; exit } END { exit !f }' "$2"; }
is_true() { case "$1" in true|True|TRUE|yes|Yes|on|On|1) return 0 ;; *) return 1 ;; esac; }
is_false() { case "$1" in false|False|FALSE|no|No|off|Off|0) return 0 ;; *) return 1 ;; esac; }
