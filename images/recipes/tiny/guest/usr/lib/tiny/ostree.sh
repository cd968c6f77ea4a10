# The deployment logic behind the rpm-ostree stand-in. Sourced by /usr/bin/rpm-ostree.
OSNAME=tiny
DEPLOY=/ostree/deploy/$OSNAME/deploy
COMMITS=/ostree/repo/commits
BOOTCONF=/boot/extlinux/extlinux.conf
REMOTE_CONF=/etc/ostree/remotes.d/$OSNAME.conf

need_root() { [ "$(id -u)" = 0 ] && return 0; echo "error: This command requires root privileges" >&2; exit 1; }
deployments() { sed -n 's/.* ostree=\([^ ]*\).*/\1/p' "$BOOTCONF"; }
booted() { cat /run/ostree-booted; }
csum_of() { c=${1##*/}; echo "${c%.*}"; }
serial_of() { echo "${1##*.}"; }
meta() { sed -n "s/^$2=//p" "$COMMITS/$1" 2>/dev/null; }
origin_of() { sed -n 's/^refspec=//p' "$1.origin" 2>/dev/null; }
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

deployment_json() {
  dep=$1; c=$(csum_of "$dep"); ts=$(meta "$c" timestamp)
  [ "$dep" = "$(booted)" ] && b=true || b=false
  printf '    {\n      "id": %s,\n      "osname": "%s",\n      "serial": %s,\n      "checksum": "%s",\n' \
    "$(json_str "$OSNAME-$c.$(serial_of "$dep")")" "$OSNAME" "$(serial_of "$dep")" "$c"
  printf '      "version": %s,\n      "timestamp": %s,\n      "origin": %s,\n' \
    "$(json_str "$(meta "$c" version)")" "${ts:-0}" "$(json_str "$(origin_of "$dep")")"
  printf '      "booted": %s,\n      "staged": false,\n      "pinned": false,\n      "unlocked": "none",\n' "$b"
  printf '      "requested-packages": [],\n      "packages": [],\n      "base-checksum": null\n    }'
}

ostree_status() {
  if [ "${1:-}" = --json ]; then
    printf '{\n  "deployments": [\n'; first=1
    for dep in $(deployments); do [ "$first" = 1 ] || printf ',\n'; first=0; deployment_json "$dep"; done
    printf '\n  ],\n  "transaction": null,\n  "cached-update": null,\n  "update-driver": null\n}\n'
    return
  fi
  echo "State: idle"; echo "Deployments:"
  for dep in $(deployments); do
    c=$(csum_of "$dep"); [ "$dep" = "$(booted)" ] && mark="●" || mark=" "
    echo "$mark $(origin_of "$dep")"
    echo "                  Version: $(meta "$c" version) ($(date -u -d "@$(meta "$c" timestamp)" '+%Y-%m-%dT%H:%M:%SZ'))"
    echo "                   Commit: $c"; echo
  done
}

remote_url() { sed -n 's/^url *= *//p' "$REMOTE_CONF" 2>/dev/null | head -n 1; }
fetch() { wget -q -O "$2" "$1"; }

# Downloads commit C and verifies it: sha256(commit file) = C, sha256(tarball) = its tree=.
pull_commit() {
  url=$1; c=$2; tmp=/ostree/repo/tmp; mkdir -p "$tmp" "$COMMITS" /ostree/repo/objects
  fetch "$url/objects/$c.commit" "$tmp/$c.commit" || { echo "error: cannot fetch commit $c" >&2; return 1; }
  [ "$(sha256sum < "$tmp/$c.commit" | cut -d' ' -f1)" = "$c" ] || { echo "error: commit $c: checksum mismatch" >&2; return 1; }
  tree=$(sed -n 's/^tree=//p' "$tmp/$c.commit")
  fetch "$url/objects/$c.tar.gz" "$tmp/$c.tar.gz" || { echo "error: cannot fetch tree of $c" >&2; return 1; }
  [ "$(sha256sum < "$tmp/$c.tar.gz" | cut -d' ' -f1)" = "$tree" ] || { echo "error: tree of $c: checksum mismatch" >&2; return 1; }
  mv "$tmp/$c.tar.gz" "/ostree/repo/objects/$c.tar.gz"; mv "$tmp/$c.commit" "$COMMITS/$c"
}

# A new deployment: hard-link copy of the image's base tree, the commit's files on top.
deploy_commit() {
  c=$1; refspec=$2; serial=0
  while [ -e "$DEPLOY/$c.$serial" ]; do serial=$((serial + 1)); done
  new=$DEPLOY/$c.$serial; base=$DEPLOY/$(cat /ostree/repo/base-deployment)
  mkdir -p "$new.partial"
  cp -al "$base/usr" "$new.partial/usr"
  tar -tzf "/ostree/repo/objects/$c.tar.gz" | while IFS= read -r f; do
    case "$f" in */) ;; *) rm -f "$new.partial/$f" ;; esac
  done
  tar -xzf "/ostree/repo/objects/$c.tar.gz" -C "$new.partial"
  mv "$new.partial" "$new"
  printf '[origin]\nrefspec=%s\n' "$refspec" > "$new.origin"
  echo "$new"
}

prune() {
  keep=" $* $(cat /ostree/repo/base-deployment 2>/dev/null | sed "s|^|$DEPLOY/|") "
  for d in "$DEPLOY"/*; do
    case "$d" in *.origin|*.partial) continue ;; esac
    case "$keep" in *" $d "*) ;; *) rm -rf "$d" "$d.origin" ;; esac
  done
}

ostree_upgrade() {
  reboot=0; check=0
  for a in "$@"; do case "$a" in -r|--reboot) reboot=1 ;; --check|--preview) check=1 ;; esac; done
  url=$(remote_url); [ -n "$url" ] || { echo "error: no url= in $REMOTE_CONF" >&2; return 1; }
  b=$(booted); refspec=$(origin_of "$b"); ref=${refspec#*:}
  c=$(wget -q -O - "$url/refs/heads/$ref" | tr -dc '0-9a-f')
  [ ${#c} = 64 ] || { echo "error: cannot read ref $ref from $url" >&2; return 1; }
  first=$(deployments | head -n 1)
  if [ "$c" = "$(csum_of "$b")" ] || [ "$c" = "$(csum_of "$first")" ]; then echo "No upgrade available."; return 0; fi
  if [ "$check" = 1 ]; then echo "AvailableUpdate:"; echo "  Commit: $c"; return 0; fi
  echo "Receiving objects from $url"
  pull_commit "$url" "$c" || return 1
  echo "Staging deployment...done"
  new=$(deploy_commit "$c" "$refspec")
  /usr/lib/tiny/write-bootconf / "$new" "$b"
  prune "$new" "$b"
  echo "Upgraded to version $(meta "$c" version) ($c)"
  finish_change "$reboot"
}

ostree_rollback() {
  reboot=0; for a in "$@"; do case "$a" in -r|--reboot) reboot=1 ;; esac; done
  set -- $(deployments); b=$(booted)
  [ $# -ge 2 ] || { echo "error: No rollback deployment found" >&2; return 1; }
  if [ "$1" = "$b" ]; then first=$2; second=$1; else first=$b; second=$1; fi
  echo "Moving '$(csum_of "$first").$(serial_of "$first")' to be first deployment"
  /usr/lib/tiny/write-bootconf / "$first" "$second"
  finish_change "$reboot"
}

finish_change() {
  if [ "$1" = 1 ]; then sync; reboot; return 0; fi
  echo "Changes queued for next boot. Run \"systemctl reboot\" to start a reboot"
}
