# cloud-init's modules, as far as atomlab relies on them. Sourced by nocloud; they read the
# flattened user-data ($UD) and meta-data ($MD).
. /usr/lib/tiny/accounts.sh
DEFAULT_USER=fedora
DEFAULT_GROUPS="wheel adm systemd-journal"
DEFAULT_SUDO="ALL=(ALL) NOPASSWD:ALL"
KEYDIR=/etc/dropbear

set_hostname() {
  name=$(cfg fqdn "$UD") || name=$(cfg hostname "$UD") || name=$(cfg local-hostname "$MD") || return 0
  [ -n "$name" ] || return 0
  short=${name%%.*}
  echo "$short" > /etc/hostname
  hostname "$short"
  { echo "127.0.0.1 localhost"; echo "::1 localhost ip6-localhost ip6-loopback"
    if [ "$short" = "$name" ]; then echo "127.0.1.1 $short"; else echo "127.0.1.1 $name $short"; fi
  } > /etc/hosts
  log "hostname: $short"
}

# One user from users.I (a map, or a plain name); "default" means the distro's default user.
create_user() {
  p=$1; name=$(cfg "$p.name" "$UD") || name=$(cfg "$p" "$UD")
  case "$name" in ''|*[!a-z0-9_.-]*|-*) log "users: skipping an entry with a bad or missing name: '$name'"; return ;; esac
  if [ "$name" = default ]; then create_default_user; return; fi
  ensure_user "$name" "$(cfg "$p.gecos" "$UD")" "$(cfg "$p.shell" "$UD" || echo /bin/sh)" \
    "$(cfg "$p.homedir" "$UD" || echo "/home/$name")"
  groups=$(cfg "$p.groups" "$UD" | tr ',' ' ')
  n=$(cfg_count "$p.groups" "$UD"); i=0
  while [ "$i" -lt "$n" ]; do groups="$groups $(cfg "$p.groups.$i" "$UD")"; i=$((i + 1)); done
  for g in $groups; do add_member "$g" "$name"; done
  if rule=$(cfg "$p.sudo" "$UD") && [ -n "$rule" ] && ! is_false "$rule"; then add_sudo_rule "$name" "$rule"; fi
  n=$(cfg_count "$p.sudo" "$UD"); i=0
  while [ "$i" -lt "$n" ]; do add_sudo_rule "$name" "$(cfg "$p.sudo.$i" "$UD")"; i=$((i + 1)); done
  if hash=$(cfg "$p.passwd" "$UD"); then set_shadow "$name" "$hash" false
  elif pw=$(cfg "$p.plain_text_passwd" "$UD"); then set_shadow "$name" "$(hash_password "$pw")" false; fi
  is_false "$(cfg "$p.lock_passwd" "$UD")" || lock_password "$name"
  n=$(cfg_count "$p.ssh_authorized_keys" "$UD"); i=0
  while [ "$i" -lt "$n" ]; do add_authorized_key "$name" "$(cfg "$p.ssh_authorized_keys.$i" "$UD")"; i=$((i + 1)); done
}

create_default_user() {
  ensure_user "$DEFAULT_USER" "$DEFAULT_USER Cloud User" /bin/sh "/home/$DEFAULT_USER"
  for g in $DEFAULT_GROUPS; do add_member "$g" "$DEFAULT_USER"; done
  add_sudo_rule "$DEFAULT_USER" "$DEFAULT_SUDO"
  lock_password "$DEFAULT_USER"
  HAVE_DEFAULT=1
}

users_groups() {
  HAVE_DEFAULT=0
  rm -f /etc/sudoers.d/90-cloud-init-users
  if ! cfg_has users "$UD"; then create_default_user; return; fi
  n=$(cfg_count users "$UD"); i=0
  while [ "$i" -lt "$n" ]; do create_user "users.$i"; i=$((i + 1)); done
  # users: "default, alice" (one string of names)
  [ "$n" = 0 ] && for name in $(cfg users "$UD" | tr ',' ' '); do
    case "$name" in *[!a-z0-9_.-]*|-*) log "users: skipping bad name '$name'"; continue ;; esac
    if [ "$name" = default ]; then create_default_user
    else ensure_user "$name" "" /bin/sh "/home/$name"; lock_password "$name"; fi
  done
  return 0
}

ssh_authkeys() {
  [ "$HAVE_DEFAULT" = 1 ] || return 0
  n=$(cfg_count ssh_authorized_keys "$UD"); i=0
  while [ "$i" -lt "$n" ]; do add_authorized_key "$DEFAULT_USER" "$(cfg "ssh_authorized_keys.$i" "$UD")"; i=$((i + 1)); done
}

# chpasswd: one "user:password" (password text, a crypt hash, or R/RANDOM).
set_one_password() {
  user=$1; pw=$2; [ "$user" = default ] && user=$DEFAULT_USER
  user_exists "$user" || { log "chpasswd: no user $user"; return; }
  if [ "$pw" = R ] || [ "$pw" = RANDOM ]; then pw=$(random_password); console "$user:$pw"; fi
  set_shadow "$user" "$(hash_password "$pw")" "$EXPIRE"
  log "password set for $user"
}

set_passwords() {
  EXPIRE=true; e=$(cfg chpasswd.expire "$UD") && is_false "$e" && EXPIRE=false
  if pw=$(cfg password "$UD") && [ "$HAVE_DEFAULT" = 1 ]; then set_one_password "$DEFAULT_USER" "$pw"; fi
  if list=$(cfg chpasswd.list "$UD"); then
    echo "$list" | while IFS= read -r line; do [ -n "$line" ] && set_one_password "${line%%:*}" "${line#*:}"; done
  fi
  n=$(cfg_count chpasswd.list "$UD"); i=0
  while [ "$i" -lt "$n" ]; do line=$(cfg "chpasswd.list.$i" "$UD"); set_one_password "${line%%:*}" "${line#*:}"; i=$((i + 1)); done
  n=$(cfg_count chpasswd.users "$UD"); i=0
  while [ "$i" -lt "$n" ]; do
    p=chpasswd.users.$i; pw=$(cfg "$p.password" "$UD"); [ "$(cfg "$p.type" "$UD")" = RANDOM ] && pw=RANDOM
    set_one_password "$(cfg "$p.name" "$UD")" "$pw"; i=$((i + 1))
  done
  if v=$(cfg ssh_pwauth "$UD"); then
    if is_true "$v"; then echo yes > "$KEYDIR/pwauth"; elif is_false "$v"; then echo no > "$KEYDIR/pwauth"; fi
  fi
}

# Host keys: those given in ssh_keys (OpenSSH format, converted for dropbear), else new ones.
ssh_host_keys() {
  mkdir -p "$KEYDIR"; rm -f "$KEYDIR"/dropbear_*_host_key
  given=0
  for t in rsa ecdsa ed25519; do
    key=$(cfg_raw "ssh_keys.${t}_private" "$UD") || continue
    (umask 077; printf '%b' "$key" > "$KEYDIR/.given")
    dropbearconvert openssh dropbear "$KEYDIR/.given" "$KEYDIR/dropbear_${t}_host_key" >/dev/null 2>&1 \
      && given=1 || log "ssh_keys: cannot read ${t}_private"
    rm -f "$KEYDIR/.given"
  done
  [ "$given" = 1 ] && return 0
  for t in ed25519 ecdsa; do
    console "Generating public/private $t key pair."
    dropbearkey -t "$t" -f "$KEYDIR/dropbear_${t}_host_key" >/dev/null 2>&1
    console "The key fingerprint is:"
    console "$(host_key_fingerprint "$KEYDIR/dropbear_${t}_host_key") root@$(hostname)"
  done
}

host_key_public() { dropbearkey -y -f "$1" 2>/dev/null | awk -v h="root@$(hostname)" '/^(ssh|ecdsa)-/ { print $1, $2, h }'; }
host_key_fingerprint() { dropbearkey -y -f "$1" 2>/dev/null | sed -n 's/^Fingerprint: //p'; }
host_key_bits() {
  case "$1" in
    *ed25519*) echo 256 ;;
    *ecdsa*) host_key_public "$1" | awk '{ print ($1 ~ /521/ ? 521 : ($1 ~ /384/ ? 384 : 256)) }' ;;
    *) host_key_public "$1" | awk '{ print $2 }' | base64 -d | wc -c | awk '{ print int(($1 - 19) / 128 + 0.5) * 1024 }' ;;
  esac
}

keys_to_console() {
  fp=""; pub=""
  for k in "$KEYDIR"/dropbear_*_host_key; do
    [ -f "$k" ] || continue
    t=${k#"$KEYDIR"/dropbear_}; t=${t%_host_key}
    fp="${fp}ec2: $(host_key_bits "$k") $(host_key_fingerprint "$k") root@$(hostname) ($(echo "$t" | tr a-z A-Z))
"
    pub="${pub}$(host_key_public "$k")
"
  done
  { echo "ec2: "; echo "ec2: #############################################################"
    echo "ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----"; printf '%s' "$fp"
    echo "ec2: -----END SSH HOST KEY FINGERPRINTS-----"
    echo "ec2: #############################################################"
    echo "-----BEGIN SSH HOST KEY KEYS-----"; printf '%s' "$pub"; echo "-----END SSH HOST KEY KEYS-----"
  } > /dev/console
}

start_sshd() {
  set -- -w -p 22
  [ "$(cat "$KEYDIR/pwauth" 2>/dev/null)" = yes ] || set -- "$@" -s
  for k in "$KEYDIR"/dropbear_*_host_key; do [ -f "$k" ] && set -- "$@" -r "$k"; done
  dropbear "$@" && log "ssh server started (dropbear $*)"
}

write_files() {
  n=$(cfg_count write_files "$UD"); i=0
  while [ "$i" -lt "$n" ]; do write_one_file "write_files.$i"; i=$((i + 1)); done
}
write_one_file() {
  p=$1; path=$(cfg "$p.path" "$UD") || { log "write_files: an entry without a path"; return; }
  mkdir -p "$(dirname "$path")"
  raw=$(cfg_raw "$p.content" "$UD") || raw=""
  is_true "$(cfg "$p.append" "$UD")" && op='>>' || op='>'
  case "$(cfg "$p.encoding" "$UD")" in
    b64|base64) decode='base64 -d' ;;
    gz|gzip) decode='gunzip -c' ;;
    gz+b64|gzip+base64|gz+base64|gzip+b64) decode='base64 -d | gunzip -c' ;;
    *) decode='cat' ;;
  esac
  eval "printf '%b' \"\$raw\" | $decode $op \"\$path\""
  chmod "$(cfg "$p.permissions" "$UD" || echo 0644)" "$path"
  chown "$(cfg "$p.owner" "$UD" || echo root:root)" "$path" 2>/dev/null
  log "wrote $path"
}

shell_quote() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
runcmd() {
  n=$(cfg_count runcmd "$UD"); [ "$n" -gt 0 ] || return 0
  script=$LIB/instance/scripts/runcmd; mkdir -p "$(dirname "$script")"
  echo '#!/bin/sh' > "$script"; i=0
  while [ "$i" -lt "$n" ]; do
    m=$(cfg_count "runcmd.$i" "$UD")
    if [ "$m" -gt 0 ]; then
      j=0; line=""
      while [ "$j" -lt "$m" ]; do line="$line $(shell_quote "$(cfg "runcmd.$i.$j" "$UD")")"; j=$((j + 1)); done
      echo "$line" >> "$script"
    else cfg "runcmd.$i" "$UD" >> "$script"; echo >> "$script"; fi
    i=$((i + 1))
  done
  chmod 0700 "$script"; echo "$script" > "$LIB/instance/runcmd.pending"
}
run_user_scripts() {
  script=$(cat "$LIB/instance/runcmd.pending"); rm -f "$LIB/instance/runcmd.pending"
  log "running $script"
  HOME=/root "$script" >> /var/log/cloud-init-output.log 2>&1 || log "runcmd failed with exit status $?"
}
