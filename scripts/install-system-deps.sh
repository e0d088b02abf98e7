#!/usr/bin/env bash
# Installs the Debian packages salespm-docs needs at run time, only when missing.
# Idempotent and quick once done: a dpkg query, nothing else.
set -euo pipefail

packages=(
  fonts-noto-cjk          # the open-licensed CJK fonts embedded in every PDF
  fonts-dejavu-core       # DejaVu Sans: Latin, Greek, Cyrillic, Hebrew, Arabic (Bitstream Vera licence)
  fonts-symbola           # Symbola: emoji (monochrome, Unicode 9) and symbols (free for any use)
  fonts-hanazono          # HanaMinB: rare CJK, Extension B to F such as 𠀀 (OFL or Hanazono licence)
  libharfbuzz-subset0     # fast font subsetting for WeasyPrint
  libpango-1.0-0          # WeasyPrint text layout
  libpangoft2-1.0-0
  fontconfig
  libcairo2               # cairo: SVG logo → PNG for Word (cairosvg)
  poppler-utils           # pdftotext / pdffonts / pdftoppm, used by the tests
  qpdf                    # qpdf --check, used by the tests and by salespm archive's PDF/A checks
  rclone                  # rclone serve webdav: the second WebDAV server the archive tests upload to
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

[ ${#missing[@]} -eq 0 ] && exit 0

echo "安装缺少的系统软件包: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "错误：需要 root 权限安装 ${missing[*]}，请运行：apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
