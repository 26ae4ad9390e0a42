"""Rewrites a CSV as VizieR's ASU-TSV lays it out: tab-separated, every field right-aligned with spaces to
its column's widest, for checking how AstroPack stores such columns (pnpm bench --corpus OUT_DIR).

    python3 tooling/bench/make-vizier-style-tsv.py /work/corpus/edge/hipparcos-kstars.csv OUT_DIR

The output is OUT_DIR/<name>-aligned.tsv; the values are the input's, byte for byte, only padded.
"""
import csv
import os
import sys

source, out_dir = sys.argv[1], sys.argv[2]
with open(source, newline='', encoding='latin-1') as f:
    rows = list(csv.reader(f))
widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
os.makedirs(out_dir, exist_ok=True)
name = os.path.splitext(os.path.basename(source))[0]
with open(os.path.join(out_dir, f'{name}-aligned.tsv'), 'w', newline='', encoding='latin-1') as out:
    for row in rows:
        out.write('\t'.join(field.rjust(widths[c]) for c, field in enumerate(row)) + '\n')
