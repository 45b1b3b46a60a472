"""Description signatures: one-permutation MinHash over word-anchored shingles, LSH bands.

Everything is computed for a whole batch at once with numpy (no Python loop over the
characters or the shingles of a posting), so a batch of 1,000 postings of ~2 KB costs a
few milliseconds:

1. the description is lower-cased and encoded (UTF-8); with a byte lookup table ASCII
   punctuation becomes a space and common Unicode punctuation/bullets (``•``, ``–``,
   ``’``, NBSP) too; runs of spaces collapse.  HTML-vs-text renderings, bullets,
   capitalisation and spacing therefore do not change the shingles.
2. a shingle is the 16 bytes starting at each word (about two to three words), hashed to
   64 bits; texts are separated by zero bytes so a shingle never spans two postings.
3. one-permutation MinHash: the top :data:`K_BITS` bits of a shingle's hash pick one of
   :data:`K` bins, each bin keeps its smallest hash; empty bins (short texts) are filled
   from the next non-empty bin ("densification").
4. LSH: :data:`BANDS` bands of :data:`ROWS` bins each, every band hashed to a signed
   64-bit integer (a ``bigint``); two postings share a band with probability
   ``1 - (1 - J**ROWS)**BANDS`` (J = Jaccard similarity of their shingle sets):
   ~0.67 at J = 0.6, 0.89 at 0.7, 0.985 at 0.8, 0.006 at 0.2.

What is stored per posting (:meth:`Signature.to_bytes`, 78 bytes): the number of
shingles, a fingerprint of the description (to tell whether its bands changed) and the
low 16 bits of each bin's minimum (b-bit MinHash), enough to estimate the Jaccard
similarity (:func:`jaccard`) and the containment of a truncated copy (:func:`containment`).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

K_BITS: Final = 6
K: Final = 1 << K_BITS  # bins of the one-permutation MinHash
BANDS: Final = 8
ROWS: Final = 4  # BANDS * ROWS <= K: the bands use the first BANDS*ROWS bins
SHINGLE_BYTES: Final = 16
VERSION: Final = 1
_HEADER = struct.Struct("<BIq")  # version, shingles, description fingerprint
_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0x165667B19E3779F9)
_M4 = np.uint64(0xFF51AFD7ED558CCD)
_BAND_MULT = np.array(
    [0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xD6E8FEB86659FD93][:ROWS], dtype=np.uint64
)
_PAD = b"\x00" * SHINGLE_BYTES


def _lut() -> npt.NDArray[np.uint8]:
    table = np.arange(256, dtype=np.uint8)
    for b in range(128):
        c = chr(b)
        if not (c.isalnum() or b == 0):
            table[b] = 32
    return table


_LUT: Final = _lut()


_BYTE_TABLE: Final = bytes(32 if b == 0 else int(v) for b, v in enumerate(_LUT))  # NUL -> space too
_WIDE_PUNCT = re.compile(rb"\xe2[\x80-\x97][\x80-\xbf]")
_NBSP_DOT = re.compile(rb"\xc2[\xa0\xb7]")
_SPACES = re.compile(rb"  +")


def _clean(text: str | None) -> bytes:
    """Lower-cased UTF-8 of ``text`` with punctuation (ASCII, dashes/quotes/bullets U+2000..U+25FF,
    NBSP, middle dot) as single spaces, no leading space; NUL bytes become spaces."""
    if not text:
        return b""
    data = text.lower().encode("utf-8", "replace").translate(_BYTE_TABLE)
    if b"\xe2" in data:
        data = _WIDE_PUNCT.sub(b" ", data)
    if b"\xc2" in data:
        data = _NBSP_DOT.sub(b" ", data)
    return _SPACES.sub(b" ", data).lstrip(b" ")


def _mix(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """A 64-bit finalizer (murmur3 fmix64): every input bit affects every output bit."""
    h = h ^ (h >> np.uint64(33))
    h = h * _M4
    h = h ^ (h >> np.uint64(33))
    h = h * _M2
    return h ^ (h >> np.uint64(33))


@dataclass(frozen=True, slots=True)
class Signature:
    size: int  # shingles (word positions) of the description
    fingerprint: int  # signed 64-bit hash of the full bins: changes when the description does
    mins: npt.NDArray[np.uint16]  # low 16 bits of each bin's minimum (K values)
    bands: tuple[int, ...]  # BANDS signed 64-bit band hashes (empty when not stored)

    def to_bytes(self) -> bytes:
        return _HEADER.pack(VERSION, self.size, self.fingerprint) + self.mins.astype("<u2").tobytes()

    @staticmethod
    def encode(sig: Signature | None) -> bytes:
        """What ``postings.dedupe_signature`` holds: the signature, or a bare header for a posting
        without a usable description (so "indexed, no text" differs from "never indexed": NULL)."""
        return sig.to_bytes() if sig is not None else _HEADER.pack(VERSION, 0, 0)

    @classmethod
    def from_bytes(cls, data: bytes | memoryview | None) -> Signature | None:
        if not data:
            return None
        data = bytes(data)
        if len(data) != _HEADER.size + 2 * K or data[0] != VERSION:
            return None  # another version: never compared (re-indexed on the next sighting)
        _, size, fingerprint = _HEADER.unpack_from(data)
        mins = np.frombuffer(data, dtype="<u2", offset=_HEADER.size).astype(np.uint16)
        return cls(size, fingerprint, mins, ())


def signatures(texts: Sequence[str | None], min_shingles: int = 8) -> list[Signature | None]:
    """Signatures of a batch of descriptions (None for a text with fewer than ``min_shingles`` words)."""
    n = len(texts)
    if n == 0:
        return []
    cleaned = [_clean(t) for t in texts]
    lengths = np.fromiter((len(c) + SHINGLE_BYTES for c in cleaned), dtype=np.int64, count=n)
    seg = np.zeros(n, dtype=np.int64)
    seg[1:] = np.cumsum(lengths[:-1])
    a = np.frombuffer(_PAD.join(cleaned) + _PAD * 2, dtype=np.uint8)
    word = (a != 32) & (a != 0)
    first = np.empty(a.size, dtype=bool)
    first[0] = word[0]
    np.greater(word[1:], word[:-1], out=first[1:])
    ws = np.flatnonzero(first)
    doc = np.searchsorted(seg, ws, side="right") - 1
    sizes = np.bincount(doc, minlength=n)
    # 16-byte shingle at each word start, read as two little-endian uint64 (unaligned view)
    view: npt.NDArray[np.uint64] = np.ndarray(
        shape=(a.size - 7,), dtype="<u8", buffer=a, offset=0, strides=(1,)
    )
    h = _mix(view[ws] * _M1 + _mix(view[ws + 8]) * _M3)
    bins = (h >> np.uint64(64 - K_BITS)).astype(np.int64)
    table = np.full(n * K, _EMPTY, dtype=np.uint64)
    np.minimum.at(table, doc * K + bins, h)
    sig = table.reshape(n, K)
    # densification: an empty bin borrows the next non-empty bin's value, re-mixed with its distance
    empty = sig == _EMPTY
    if empty.any():
        ok = sizes > 0
        for step in range(1, K):
            todo = empty & ok[:, None]
            if not todo.any():
                break
            borrowed = np.roll(sig, -step, axis=1)
            fill = todo & (borrowed != _EMPTY)
            sig = np.where(fill & empty, _mix(borrowed ^ np.uint64(step)), sig)
            empty = empty & ~fill
    bands = _mix(
        (sig[:, : BANDS * ROWS].reshape(n, BANDS, ROWS) * _BAND_MULT).sum(axis=2, dtype=np.uint64)
        + np.arange(BANDS, dtype=np.uint64) * _M2
    ).view(np.int64)
    fingerprints = _mix((sig * _BAND_MULT[0]).sum(axis=1, dtype=np.uint64)).view(np.int64)
    mins = (sig & np.uint64(0xFFFF)).astype(np.uint16)
    size_list = sizes.tolist()
    band_list = bands.tolist()
    fp_list = fingerprints.tolist()
    return [
        Signature(size_list[i], fp_list[i], mins[i], tuple(band_list[i]))
        if size_list[i] >= min_shingles
        else None
        for i in range(n)
    ]


def jaccard(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two shingle sets (b-bit MinHash, 16 bits per bin)."""
    return float(np.count_nonzero(a.mins == b.mins)) / K


def containment(a: Signature, b: Signature, j: float | None = None) -> float:
    """Estimated share of the smaller text's shingles found in the other (a truncated copy → ~1)."""
    j = jaccard(a, b) if j is None else j
    common = j / (1.0 + j) * (a.size + b.size)
    return min(1.0, common / max(1, min(a.size, b.size)))
