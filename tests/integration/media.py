"""Images and hostile uploads for the file tests, built in-process: real JPEG/PNG/GIF/WebP
encoded by the system's libgd through ctypes (the same library the server decodes with, but
the server never sees how they were made), and hand-made headers for the abuse cases of
RELIABILITY.md §2 E."""

import ctypes
import struct
import zlib

_gd = ctypes.CDLL("libgd.so.3")
_gd.gdImageCreateTrueColor.restype = ctypes.c_void_p
_gd.gdImageCreateTrueColor.argtypes = [ctypes.c_int, ctypes.c_int]
_gd.gdImageDestroy.argtypes = [ctypes.c_void_p]
_gd.gdImageFilledRectangle.argtypes = [ctypes.c_void_p] + [ctypes.c_int] * 5
_gd.gdFree.argtypes = [ctypes.c_void_p]
for _name in ("gdImagePngPtr", "gdImageGifPtr", "gdImageWebpPtr"):
    getattr(_gd, _name).restype = ctypes.c_void_p
    getattr(_gd, _name).argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
_gd.gdImageJpegPtr.restype = ctypes.c_void_p
_gd.gdImageJpegPtr.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]


def _encode(im, fmt, quality=85):
    size = ctypes.c_int(0)
    if fmt == "jpeg":
        ptr = _gd.gdImageJpegPtr(im, ctypes.byref(size), quality)
    else:
        ptr = getattr(_gd, {"png": "gdImagePngPtr", "gif": "gdImageGifPtr",
                            "webp": "gdImageWebpPtr"}[fmt])(im, ctypes.byref(size))
    assert ptr and size.value > 0
    try:
        return ctypes.string_at(ptr, size.value)
    finally:
        _gd.gdFree(ptr)


def _drawn(width, height, fmt, quality, draw):
    im = _gd.gdImageCreateTrueColor(width, height)
    assert im
    try:
        draw(im)
        return _encode(im, fmt, quality)
    finally:
        _gd.gdImageDestroy(im)


def image(fmt, width, height):
    """A real image of `fmt` (jpeg, png, gif, webp): four coloured quadrants."""
    def draw(im):
        colours = (0xE04040, 0x40A040, 0x4040E0, 0xF0D020)
        hw, hh = max(width // 2, 1), max(height // 2, 1)
        for i, c in enumerate(colours):
            x, y = (i % 2) * hw, (i // 2) * hh
            _gd.gdImageFilledRectangle(im, x, y, min(x + hw, width) - 1, min(y + hh, height) - 1, c)
    return _drawn(width, height, fmt, 85, draw)


def noisy_jpeg(width, height, seed=7):
    """A photo-sized JPEG that compresses like a photo: small blocks of random colours."""
    import random
    rnd = random.Random(seed)

    def draw(im):
        for y in range(0, height, 5):
            for x in range(0, width, 5):
                _gd.gdImageFilledRectangle(im, x, y, x + 4, y + 4, rnd.getrandbits(24))
    return _drawn(width, height, "jpeg", 90, draw)


def jpeg_size(data):
    """(width, height) from a JPEG's first SOFn segment."""
    i = 2
    while i + 9 < len(data):
        assert data[i] == 0xFF, "not at a marker"
        marker = data[i + 1]
        seg_len = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            h, w = struct.unpack(">HH", data[i + 5:i + 9])
            return w, h
        i += 2 + seg_len
    raise AssertionError("no SOF segment")


def jpeg_has_exif(data):
    """True when any APP1 segment before the scan carries Exif data."""
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:
            return False
        seg_len = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker == 0xE1 and data[i + 4:i + 10] == b"Exif\0\0":
            return True
        i += 2 + seg_len
    return False


def with_gps_exif(jpeg):
    """The JPEG with an APP1 Exif segment (a TIFF header and a GPS IFD pointer) after SOI."""
    tiff = b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", 1) + \
        struct.pack("<HHII", 0x8825, 4, 1, 26) + struct.pack("<I", 0) + b"GPS-52.5200N-13.4050E"
    payload = b"Exif\0\0" + tiff
    return jpeg[:2] + b"\xFF\xE1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def with_orientation(jpeg, orientation):
    """The JPEG with an APP1 Exif segment holding only IFD0's Orientation tag."""
    tiff = b"MM\0*" + struct.pack(">IH", 8, 1) + struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0) + \
        struct.pack(">I", 0)
    payload = b"Exif\0\0" + tiff
    return jpeg[:2] + b"\xFF\xE1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def _png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width, height):
    """A PNG that is only a signature and an IHDR declaring width x height (E3)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b"")


def png_bomb(side):
    """A 1-bit greyscale PNG of side x side zero pixels: tiny compressed, huge decoded (E4)."""
    row = b"\0" + b"\0" * ((side + 7) // 8)
    comp = zlib.compressobj(9)
    idat = b"".join(comp.compress(row) for _ in range(side)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", idat) + \
        _png_chunk(b"IEND", b"")


def jpeg_header_only(width, height):
    """SOI, a baseline SOF0 declaring width x height, then EOI (E3)."""
    sof = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xFF\xD8" + b"\xFF\xC0" + struct.pack(">H", len(sof) + 2) + sof + b"\xFF\xD9"


def gif_header_only(width, height):
    return b"GIF89a" + struct.pack("<HHBBB", width, height, 0, 0, 0) + b";"


def webp_vp8x_header(width, height):
    """RIFF/WEBP with a VP8X chunk declaring the canvas (E3)."""
    vp8x = bytes([0, 0, 0, 0]) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    chunk = b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk


def gif_many_frames(frames, side=64):
    """A GIF89a of `frames` 1x1 frames (E8): a reader that decodes every frame does
    `frames` times the work; one that stops at the first does not."""
    head = b"GIF89a" + struct.pack("<HHBBB", side, side, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    # Image descriptor at (0,0) 1x1, no local table; LZW minimum code size 2 and the codes
    # clear (4), pixel 0, end (5) at 3 bits each, packed LSB first: 0x144.
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    return head + frame * frames + b";"


# Formats that are images but must never reach the decoder (E7), each as its magic bytes
# followed by filler.
REFUSED_IMAGES = {
    "bmp": b"BM" + struct.pack("<IHHI", 1078, 0, 0, 54) + b"\0" * 64,
    "tiff": b"II*\0\x08\0\0\0" + b"\0" * 64,
    "tiff_be": b"MM\0*\0\0\0\x08" + b"\0" * 64,
    "ico": b"\0\0\1\0\1\0\x10\x10" + b"\0" * 64,
    "heif": b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64,
    "avif": b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf" + b"\0" * 64,
    "tga": b"\0\0\x02\0\0\0\0\0\0\0\0\0\x10\0\x10\0\x18\0" + b"\x7f" * 64,
    "xbm": b"#define x_width 16\n#define x_height 16\nstatic char x_bits[] = {0x00};\n",
    "wbmp": b"\0\0\x10\x10" + b"\0" * 32,
    "gd2": b"gd2\0\0\2\0\x10\0\x10" + b"\0" * 64,
}

# Active content with image names and types (E1).
ACTIVE_CONTENT = {
    "php": b"<?php system($_GET['c']); ?>\n",
    "html": b"<html><body><script>alert(document.cookie)</script></body></html>",
    "svg": b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    "shell": b"#!/bin/sh\nrm -rf /\n",
}


def multipart(fields, boundary="ntBoundary7d93"):
    """(body, content_type) for a list of (name, filename or None, bytes, content_type)."""
    out = b""
    for name, filename, data, ctype in fields:
        disp = 'form-data; name="%s"' % name
        if filename is not None:
            disp += '; filename="%s"' % filename
        out += b"--" + boundary.encode() + b"\r\nContent-Disposition: " + disp.encode("utf-8") + b"\r\n"
        if ctype:
            out += b"Content-Type: " + ctype.encode() + b"\r\n"
        out += b"\r\n" + data + b"\r\n"
    out += b"--" + boundary.encode() + b"--\r\n"
    return out, "multipart/form-data; boundary=" + boundary
