#!/usr/bin/env bash
# Download and extract Physics 101 (Wu et al., 2016) for the Noether Networks reproduction.
# The zip is fetched into data/phys101/ (or $VIDREPRO_DATA/phys101/), unpacked there and
# removed; the ramp scenario ends up in phys101/scenarios/ramp/ below that folder.
# Same job as `vidrepro data download phys101`. An interrupted download resumes on rerun.
set -euo pipefail

URL=http://phys101.csail.mit.edu/data/phys101_v1.0.zip
ROOT="${VIDREPRO_DATA:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/data}"
DEST="$ROOT/phys101"
ZIP="$DEST/phys101_v1.0.zip"

fail() { echo "download_extract_phys101.sh: $*" >&2; exit 1; }

mkdir -p "$DEST" || fail "cannot create $DEST; set VIDREPRO_DATA to a writable folder"

if [ -d "$DEST/phys101/scenarios/ramp" ]; then
  echo "Physics 101 is already in $DEST"
elif [ -s "$ZIP" ]; then
  echo "using the zip already at $ZIP"
else
  echo "downloading $URL -> $ZIP"
  if command -v curl >/dev/null 2>&1; then
    curl -fL --retry 3 -C - -o "$ZIP.part" "$URL" \
      || fail "could not download $URL (curl exit $?); this machine may have no internet: download it by hand to $ZIP and rerun"
  elif command -v wget >/dev/null 2>&1; then
    wget -c -O "$ZIP.part" "$URL" \
      || fail "could not download $URL (wget exit $?); this machine may have no internet: download it by hand to $ZIP and rerun"
  else
    fail "neither curl nor wget is installed; install one, or download $URL by hand to $ZIP and rerun"
  fi
  mv "$ZIP.part" "$ZIP"
fi

if [ -f "$ZIP" ]; then
  echo "extracting $ZIP"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$ZIP" -d "$DEST" || fail "$ZIP is truncated or damaged; delete it and rerun"
  else
    python3 -m zipfile -e "$ZIP" "$DEST" || fail "$ZIP is truncated or damaged; delete it and rerun"
  fi
  rm "$ZIP"
fi

RAMP=$(find "$DEST" -type d -name ramp -path '*scenarios*' | head -n 1)
[ -n "$RAMP" ] || fail "no scenarios/ramp folder found under $DEST after extraction; is the zip complete?"
echo "ramp scenario: $RAMP"
