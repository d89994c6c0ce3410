#!/usr/bin/env bash
# Download and extract Physics 101 (Wu et al., 2016) for the Noether Networks reproduction.
# The zip is fetched into data/phys101/ (or $VIDREPRO_DATA/phys101/), checked, unpacked there and
# removed; the ramp scenario ends up in phys101/scenarios/ramp/ below that folder.
# Idempotent: a complete earlier extraction is left alone; an interrupted download resumes on rerun.
# PHYS101_URL overrides where the zip comes from (a mirror, or a local server in tests).
set -euo pipefail

URL="${PHYS101_URL:-http://phys101.csail.mit.edu/data/phys101_v1.0.zip}"
ROOT="${VIDREPRO_DATA:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/data}"
DEST="$ROOT/phys101"
ZIP="$DEST/phys101_v1.0.zip"
RAMP="$DEST/phys101/scenarios/ramp"

fail() { echo "download_extract_phys101.sh: $*" >&2; exit 1; }
count_videos() { find "$1" -name 'Kinect_RGB_1.mp4' 2>/dev/null | wc -l | tr -d ' '; }
zip_ok() { if command -v unzip >/dev/null 2>&1; then unzip -tq "$1" >/dev/null 2>&1;
           else python3 -c "import sys, zipfile; sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() is not None)" "$1" 2>/dev/null; fi; }

mkdir -p "$DEST" || fail "cannot create $DEST; set VIDREPRO_DATA to a writable folder"

if [ -d "$RAMP" ] && [ "$(count_videos "$RAMP")" -gt 0 ]; then
  echo "Physics 101 is already in $DEST ($(count_videos "$RAMP") ramp videos); nothing to do"
  exit 0
fi

if [ -s "$ZIP" ] && zip_ok "$ZIP"; then
  echo "using the complete zip already at $ZIP"
else
  if [ -s "$ZIP.part" ] && zip_ok "$ZIP.part"; then
    echo "the earlier download in $ZIP.part is complete"
  else
    echo "downloading $URL -> $ZIP"
    if command -v curl >/dev/null 2>&1; then
      curl -fL --retry 2 --connect-timeout 20 -C - -o "$ZIP.part" "$URL" || fail "could not download $URL (curl exit $?);" \
        "this machine may have no internet (offline?): download it by hand to $ZIP and rerun, or set PHYS101_URL to a mirror"
    elif command -v wget >/dev/null 2>&1; then
      wget -c --timeout=20 -O "$ZIP.part" "$URL" || fail "could not download $URL (wget exit $?);" \
        "this machine may have no internet (offline?): download it by hand to $ZIP and rerun, or set PHYS101_URL to a mirror"
    else
      fail "neither curl nor wget is installed; install one, or download $URL by hand to $ZIP and rerun"
    fi
    zip_ok "$ZIP.part" || fail "$URL did not give a complete zip ($(wc -c < "$ZIP.part" | tr -d ' ') bytes in" \
      "$ZIP.part); delete that file and rerun (or download it by hand to $ZIP)"
  fi
  mv "$ZIP.part" "$ZIP"
fi

echo "extracting $ZIP"
TMP="$DEST/.extracting"
rm -rf "$TMP"
mkdir -p "$TMP"
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$ZIP" -d "$TMP" || fail "$ZIP is damaged; delete it and rerun"
else
  python3 -m zipfile -e "$ZIP" "$TMP" || fail "$ZIP is damaged; delete it and rerun"
fi
FOUND=$(find "$TMP" -type d -path '*scenarios/ramp' | head -n 1)
[ -n "$FOUND" ] || fail "the zip holds no scenarios/ramp folder; is $URL the Physics 101 zip (phys101_v1.0.zip)?"
N=$(count_videos "$FOUND")
[ "$N" -gt 0 ] || fail "the zip's ramp folder holds no Kinect_RGB_1.mp4 videos; is the zip complete?"
TOP="$TMP/phys101"
[ -d "$TOP" ] || fail "the zip does not unpack to phys101/; is $URL the Physics 101 zip (phys101_v1.0.zip)?"
rm -rf "$DEST/phys101"
mv "$TOP" "$DEST/phys101"
rm -rf "$TMP" "$ZIP"
echo "ramp scenario: $RAMP ($N videos)"
