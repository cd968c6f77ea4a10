# Helpers shared by the recipe build scripts (sourced, bash). Every path they write is under
# the work directory the caller checked with require_work_dir; nothing touches the host's /etc.

die() { echo "build: $*" >&2; exit 1; }
# a signal ends the build through exit, so EXIT traps (unmount, detach loops) still run
trap 'exit 143' TERM
trap 'exit 130' INT

# The work directory: an absolute, existing directory that is not / (and not a top-level one).
require_work_dir() {
  local dir=${1:-}
  [[ -n "$dir" ]] || die "usage: give the work directory as the first argument"
  [[ "$dir" == /* ]] || die "work directory must be an absolute path: $dir"
  dir=$(realpath -e -- "$dir") || die "work directory does not exist: $1"
  [[ -d "$dir" ]] || die "not a directory: $dir"
  [[ "$dir" != / && "$dir" =~ ^/[^/]+/.+ ]] || die "refusing to build in $dir: choose a deeper directory"
  WORK=$dir
}

# Fails unless $1 is a path strictly inside $WORK (so an rm -rf can never reach outside it).
inside_work() {
  local path=${1:-}
  [[ -n "$path" && -n "${WORK:-}" && "$path" == "$WORK"/* && "$path" != *..* ]] \
    || die "internal: $path is not inside the work directory $WORK"
}

# rm -rf for a directory inside $WORK, refused while anything is mounted below it (a failed
# bootstrap can leave /proc, /sys or /dev mounted in its tree).
safe_rm() {
  local path=$1
  inside_work "$path"
  [[ -e "$path" ]] || return 0
  if awk -v p="$path" '$2 == p || index($2, p "/") == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    die "refusing to remove $path: something is still mounted below it"
  fi
  rm -rf --one-file-system -- "$path"
}

require_host_tools() {
  local tool missing=()
  for tool in "$@"; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  ((${#missing[@]} == 0)) || die "missing host tools: ${missing[*]}"
}

# Downloads pinned .deb files (name=version) from the package archive with apt-get download
# into DEBS (kept between builds), then unpacks each into ROOT with dpkg -x (no install, no
# maintainer scripts). Arguments: DEBS ROOT name=version...
fetch_and_unpack() {
  local debs=$1 root=$2 spec deb missing=(); shift 2
  inside_work "$root"
  mkdir -p "$debs" "$root"
  for spec in "$@"; do
    [[ "$spec" == *=* ]] || die "package not pinned to a version: $spec"
    [[ -n "$(deb_file "$debs" "$spec")" ]] || missing+=("$spec")
  done
  if ((${#missing[@]})); then
    (cd "$debs" && apt-get -q -o APT::Sandbox::User=root download "${missing[@]}" >&2) \
      || die "apt-get download failed (is the archive reachable? try apt-get update)"
  fi
  for spec in "$@"; do
    deb=$(deb_file "$debs" "$spec")
    [[ -n "$deb" ]] || die "downloaded package not found for $spec"
    dpkg -x "$deb" "$root"
  done
}

# The .deb apt-get download saved for name=version (":" in versions becomes %3a), or nothing.
deb_file() {
  local name=${2%%=*} version=${2#*=}
  find "$1" -maxdepth 1 -name "${name}_${version//:/%3a}_*.deb" | head -n 1
}

UNMOUNT=()
LOOPS=()
cleanup_mounts() {
  local m l
  for m in "${UNMOUNT[@]}"; do mountpoint -q "$m" && umount "$m"; done
  for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null || true; done
  UNMOUNT=(); LOOPS=()
}

# A disk like a cloud image: MBR boot code, one bootable partition (ext3, label LABEL) holding
# ROOT's files, and extlinux installed in ROOT/boot/extlinux (whose extlinux.conf must exist).
# extlinux 6.04 cannot load kernels from ext4 here, but can from ext3.
# Arguments: ROOT RAW SIZE_MIB LABEL MBR_BIN
make_boot_disk() {
  local root=$1 raw=$2 size_mib=$3 label=$4 mbr=$5
  local offset=$((1024 * 1024)) part_mib=$((size_mib - 1)) mnt="$WORK/mnt" loop
  inside_work "$raw"; inside_work "$mnt"
  [[ -f "$root/boot/extlinux/extlinux.conf" ]] || die "no extlinux.conf in $root/boot/extlinux"
  rm -f "$raw"; truncate -s "${size_mib}M" "$raw"
  printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$raw"
  mke2fs -q -F -t ext3 -L "$label" -d "$root" -E offset=$offset "$raw" "${part_mib}M"
  dd if="$mbr" of="$raw" bs=440 count=1 conv=notrunc status=none
  mkdir -p "$mnt"
  loop=$(losetup -f --show -o "$offset" --sizelimit $((part_mib * 1024 * 1024)) "$raw")
  LOOPS+=("$loop")
  mount -t ext3 "$loop" "$mnt"; UNMOUNT+=("$mnt")
  extlinux --install "$mnt/boot/extlinux" >/dev/null 2>&1 || die "extlinux --install failed"
  cleanup_mounts
}
