#!/usr/bin/python3
"""How small a lossless package of a FITS table's float columns can be, from what their bits hold.

For each float column: the entropy (order 0) of the sign, of the exponent and of each byte of the
mantissa, the mean run of trailing zero bits (about 1 for random bits), and how well each value's
neighbour predicts it (std of differences against std). A column whose mantissa bytes carry ~8 bits
each is noise to any lossless coder: its sign, exponent and mantissa entropies add up to a floor no
transform gets under. Prints that floor for the table's data, and the ratio it allows for the whole file.

Usage: /usr/bin/python3 tooling/bench/float-bound.py FILE.fits [HDU]   (Debian's python3-astropy)
"""
import os
import sys

import numpy as np
from astropy.io import fits


def entropy(values):
    _, counts = np.unique(values, return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log2(p)).sum())


def main(path, hdu_index=1):
    data = fits.getdata(path, hdu_index)
    floor_bits = 0.0
    for name in data.dtype.names:
        values = np.asarray(data[name]).ravel()
        if values.dtype.kind != 'f':
            continue
        width = values.dtype.itemsize
        bits = values.astype(f'>f{width}').view(f'>u{width}').astype(np.uint64)
        mantissa_bits, exponent_bits = (23, 8) if width == 4 else (52, 11)
        sign = bits >> np.uint64(8 * width - 1)
        exponent = (bits >> np.uint64(mantissa_bits)) & np.uint64((1 << exponent_bits) - 1)
        mantissa = bits & np.uint64((1 << mantissa_bits) - 1)
        mantissa_bytes = [(mantissa >> np.uint64(8 * k)) & np.uint64(255) for k in range((mantissa_bits + 7) // 8)]
        h_mantissa = sum(entropy(b) for b in mantissa_bytes)  # the top byte holds the bits left over
        nonzero = mantissa[mantissa > 0].astype(np.int64)
        trailing = np.log2((nonzero & -nonzero).astype(np.float64)).mean() if nonzero.size else float('nan')
        finite = values[np.isfinite(values)].astype(np.float64)
        spread = finite.std()
        steps = np.diff(finite).std() if finite.size > 1 else float('nan')
        per_value = entropy(sign) + entropy(exponent) + h_mantissa
        floor_bits += per_value * values.size
        print(
            f'{name}: {values.size} x f{width}; bits a value: sign {entropy(sign):.2f}, exponent '
            f'{entropy(exponent):.2f}, mantissa {h_mantissa:.2f} of {mantissa_bits} '
            f'(per byte {", ".join(f"{entropy(b):.3f}" for b in mantissa_bytes)}; trailing zeros {trailing:.2f}); '
            f'std of differences / std {steps / spread:.3f}'
        )
    size = os.path.getsize(path)
    floor = floor_bits / 8
    print(f'floor for the float data: {floor:,.0f} bytes; whole file {size:,} bytes: ratio at most {size / floor:.3f} '
          f'(headers and other columns counted as free)')


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1)
