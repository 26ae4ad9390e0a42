#!/bin/sh
# Builds a folder of many small files: the installed trees of two Debian packages the public corpus already
# downloads (python3-astropy and python3-sunpy: Python modules, test data in FITS, HDF5, CSV, ASDF, JSON),
# 1,738 files, 29 MB, most under 16 KiB. It measures what a file costs apart from its bytes (opening,
# planning, a chunk, an index record, writing it back atomically): see "Many small files" in BENCHMARKS.md.
#
# Usage: tooling/bench/make-many-files.sh OUTDIR [CACHE]
# CACHE is the Debian packages make-corpus.sh extracted (default: $CORPUS_CACHE, else /work/.corpus-cache).
set -eu
OUT=${1:?usage: make-many-files.sh OUTDIR [CACHE]}
CACHE=${2:-${CORPUS_CACHE:-/work/.corpus-cache}}
X="$CACHE/x"
for package in python3-astropy python3-sunpy; do
  [ -d "$X/$package" ] || { echo "no $X/$package: run ../shared/corpus/make-corpus.sh first" >&2; exit 1; }
  mkdir -p "$OUT/$package"
  cp -R "$X/$package/." "$OUT/$package/"
done
echo "many-files set in $OUT: $(find "$OUT" -type f | wc -l) files, $(du -sh "$OUT" | cut -f1)"
