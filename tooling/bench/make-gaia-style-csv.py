"""Builds a Gaia-style CSV from the corpus's real Tycho-2 rows, for checking how AstroPack stores the kind of
CSV the Gaia archive and pandas write, against DuckDB's Parquet (pnpm bench --corpus OUT_DIR).

    python3 tooling/bench/make-gaia-style-csv.py /work/corpus/csv/tycho2-07-stars.csv OUT_DIR [ROWS]

Real columns: ra, dec (full-precision doubles) and phot_vt_mag as phot_g_mean_mag, in the file's order.
Made up, seeded, shaped like Gaia DR3's: a constant 19-digit solution_id; source_id ascending with random
steps; a quoted designation "Gaia DR3 <source_id>"; ref_epoch 2016.0 (Python's repr); ra_error and
dec_error as 8-significant-digit floats (float32-like); parallax with 30% empty fields; has_xp as
True/False; a name, quoted with a comma inside, on 10% of rows.
"""
import csv
import os
import random
import sys

source, out_dir = sys.argv[1], sys.argv[2]
rows = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
random.seed(1)
os.makedirs(out_dir, exist_ok=True)
with open(source) as f, open(os.path.join(out_dir, 'gaia-style.csv'), 'w', newline='') as out:
    next(f)
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(['solution_id', 'designation', 'source_id', 'ref_epoch', 'ra', 'ra_error', 'dec',
                     'dec_error', 'parallax', 'phot_g_mean_mag', 'has_xp', 'name'])
    source_id = 4295806720
    for _, line in zip(range(rows), f):
        ra, dec, mag, _sweep = line.rstrip('\n').split(',')
        source_id += random.randint(1, 10 ** 9)
        parallax = '' if random.random() < 0.3 else repr(random.gauss(1, 2))
        name = '' if random.random() < 0.9 else random.choice(['HD 1234, A', 'BD+12 345', 'TYC 1-2-3'])
        # The designation quoted, as the archive writes strings; csv quotes the names with a comma.
        out.write(f'375316653866487564,"Gaia DR3 {source_id}",')
        writer.writerow([source_id, 2016.0, ra, float(f'{random.random() * 0.3:.8g}'), dec,
                         float(f'{random.random() * 0.3:.8g}'), parallax, mag,
                         random.choice(['False', 'True']), name])
