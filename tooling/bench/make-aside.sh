#!/bin/sh
# Builds the "kept aside" set: real files of the same kinds as the corpus (FITS tables, HDF5/netCDF-4,
# fixed-width text tables) that no test, fixture or tuning used, to see how AstroPack does on data it was
# not tuned on: pnpm bench --corpus OUTDIR --section aside.
#
# Usage: tooling/bench/make-aside.sh OUTDIR [CACHE]
# CACHE is the Debian packages make-corpus.sh extracted (default: $CORPUS_CACHE, else /work/.corpus-cache);
# every file comes from a package the public corpus already downloads.
set -eu
OUT=${1:?usage: make-aside.sh OUTDIR [CACHE]}
CACHE=${2:-${CORPUS_CACHE:-/work/.corpus-cache}}
X="$CACHE/x"
[ -d "$X" ] || { echo "no extracted packages in $X: run ../shared/corpus/make-corpus.sh first" >&2; exit 1; }

mkdir -p "$OUT/fits_table" "$OUT/hdf5" "$OUT/fixed_width"
copy() { # class package path-in-package [name]
  src="$X/$2/$3"
  [ -f "$src" ] || { echo "missing $src (package $2)" >&2; exit 1; }
  cp "$src" "$OUT/$1/${4:-$(basename "$3")}"
}
HP=usr/share/healpy
SP=usr/lib/python3/dist-packages/synphot/tests/data
SU=usr/lib/python3/dist-packages/sunpy/data/test
# FITS binary tables: HEALPix maps and weights, HST throughputs and spectra, solar instrument tables.
copy fits_table healpy-data $HP/data/pixel_window_n8192.fits
copy fits_table healpy-data $HP/data/pixel_window_n4096.fits
copy fits_table healpy-data $HP/data/weight_ring_n08192.fits
copy fits_table healpy-data $HP/test/data/wmap_band_iqumap_r9_7yr_V_v4_udgraded32.fits
copy fits_table healpy-data $HP/test/data/map_synfast_seed12345.fits
copy fits_table healpy-data $HP/test/data/wmap_temperature_analysis_mask_r9_7yr_v4_udgraded32.fits
copy fits_table python3-synphot $SP/grw_70d5824_stisnic_005.fits
copy fits_table python3-synphot $SP/hst_acs_hrc_f850lp.fits
copy fits_table python3-synphot $SP/hst_acs_hrc_f555w.fits
copy fits_table python3-synphot $SP/wfc3_ir_g141_src_003_th.fits
copy fits_table python3-synphot $SP/stis_fuv_f25ndq2_mjd58300_0822774.fits
copy fits_table python3-synphot $SP/k93_4500_0_5_rn_box.fits
copy fits_table python3-sunpy $SU/hsi_image_20101016_191218.fits
copy fits_table python3-sunpy $SU/eve_l1_esp_2011046_00_truncated.fits
copy fits_table python3-sunpy $SU/gbm.fits
# HDF5: GOES X-ray netCDF-4 files (HDF5 inside).
for f in goes_13_leap_second.nc sci_gxrs-l2-irrad_g13_d20170901_truncated.nc \
  sci_gxrs-l2-irrad_g15_d20131028_truncated.nc sci_xrsf-l2-avg1m_g15_d20190102_truncated.nc \
  sci_xrsf-l2-avg1m_g16_d20210101_truncated.nc sci_xrsf-l2-flx1s_g17_d20201016_truncated.nc; do
  copy hdf5 python3-sunpy "$SU/$f"
done
# Fixed-width text tables: the IERS EOP C04 series, KStars' Hipparcos/Tycho star list.
copy fixed_width python3-astropy usr/lib/python3/dist-packages/astropy/utils/iers/data/eopc04_IAU2000.62-now
copy fixed_width kstars-data usr/share/kstars/stars.dat
echo "aside set in $OUT: $(find "$OUT" -type f | wc -l) files, $(du -sh "$OUT" | cut -f1)"
