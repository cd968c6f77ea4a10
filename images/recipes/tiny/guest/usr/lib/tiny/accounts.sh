# Users, groups and passwords in /etc/passwd, /etc/shadow and /etc/group, written with awk and
# renamed into place (busybox has no useradd/chpasswd). Sourced by nocloud-modules.sh.
today() { echo $(($(date +%s) / 86400)); }
replace_file() { chmod --reference="$1" "$1.new" 2>/dev/null; mv "$1.new" "$1"; }
user_exists() { grep -q "^$1:" /etc/passwd; }
group_exists() { grep -q "^$1:" /etc/group; }
next_id() { awk -F: -v min=1000 '$3 >= min && $3 < 60000 && $3 >= n { n = $3 + 1 } END { print (n ? n : min) }' "$@"; }

ensure_group() {
  group_exists "$1" && return 0
  echo "$1:x:$(next_id /etc/group):" >> /etc/group
}
add_member() {
  ensure_group "$1"
  awk -F: -v OFS=: -v g="$1" -v u="$2" '$1 == g { n = split($4, m, ","); for (i = 1; i <= n; i++) if (m[i] == u) u = ""
    if (u != "") $4 = ($4 == "" ? u : $4 "," u) } { print }' /etc/group > /etc/group.new && replace_file /etc/group
}
# ensure_user NAME GECOS SHELL HOMEDIR: creates the user with its own group and a locked password.
ensure_user() {
  user_exists "$1" && return 0
  id=$(next_id /etc/passwd /etc/group)
  echo "$1:x:$id:" >> /etc/group
  echo "$1:x:$id:$id:$2:$4:$3" >> /etc/passwd
  echo "$1:!:$(today):0:99999:7:::" >> /etc/shadow
  mkdir -p "$4"; chown "$id:$id" "$4"; chmod 0700 "$4"
  log "created user $1 (uid $id)"
}
# set_shadow USER HASH EXPIRE: sets the password hash; EXPIRE=true forces a change at first login.
set_shadow() {
  day=$(today); [ "$3" = true ] && day=0
  awk -F: -v OFS=: -v u="$1" -v h="$2" -v d="$day" '$1 == u { $2 = h; $3 = d } { print }' /etc/shadow \
    > /etc/shadow.new && replace_file /etc/shadow
}
lock_password() {
  awk -F: -v OFS=: -v u="$1" '$1 == u && $2 !~ /^!/ { $2 = "!" $2 } { print }' /etc/shadow \
    > /etc/shadow.new && replace_file /etc/shadow
}
is_hash() { echo "$1" | grep -Eq '^\$(1|2a|2y|5|6)(\$[^$]+){2}$'; }
hash_password() { if is_hash "$1"; then echo "$1"; else printf '%s' "$1" | mkpasswd -m sha512; fi; }
random_password() { head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 16; }
user_home() { awk -F: -v u="$1" '$1 == u { print $6 }' /etc/passwd; }
add_authorized_key() {
  home=$(user_home "$1"); [ -n "$home" ] || return 1
  mkdir -p "$home/.ssh"; touch "$home/.ssh/authorized_keys"
  grep -qxF "$2" "$home/.ssh/authorized_keys" || echo "$2" >> "$home/.ssh/authorized_keys"
  chmod 0700 "$home/.ssh"; chmod 0600 "$home/.ssh/authorized_keys"
  chown -R "$1:" "$home/.ssh" 2>/dev/null || chown -R "$(awk -F: -v u="$1" '$1 == u { print $3 ":" $4 }' /etc/passwd)" "$home/.ssh"
}
add_sudo_rule() {
  mkdir -p /etc/sudoers.d
  echo "$1 $2" >> /etc/sudoers.d/90-cloud-init-users
  chmod 0440 /etc/sudoers.d/90-cloud-init-users
}
