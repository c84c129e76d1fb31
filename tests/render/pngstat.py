#!/usr/bin/env python3
# pngstat.py FILE.png [RRGGBB...]: prints "WIDTH HEIGHT DISTINCT NONWHITE" and,
# for each colour given, the number of pixels within a small distance of it.
# Decodes 8-bit RGB/RGBA PNGs (what chromium writes) with zlib alone: no PIL.
import struct
import sys
import zlib


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    width, height, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise SystemExit(f"{path}: unsupported PNG (depth {depth}, colour type {ctype}, interlace {interlace})")
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, [tuple(r[i:i + 3]) for r in rows for i in range(0, stride, bpp)]


width, height, pixels = decode(sys.argv[1])
counts = {}
for p in pixels:
    counts[p] = counts.get(p, 0) + 1
nonwhite = len(pixels) - counts.get((255, 255, 255), 0)
out = [width, height, len(counts), nonwhite]
for hexcol in sys.argv[2:]:
    want = tuple(int(hexcol[i:i + 2], 16) for i in (0, 2, 4))
    out.append(sum(n for p, n in counts.items() if sum(abs(p[i] - want[i]) for i in range(3)) <= 30))
print(*out)
