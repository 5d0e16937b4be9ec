"""Bytes → text, the encoding told from the bytes themselves, decoded as a stream.

Sellers' files come as UTF-8 (with or without the BOM Excel writes), UTF-16 (Excel's "Unicode
text", with a BOM, and from some tools without), GBK/GB18030 (Chinese Excel's "CSV") and
Windows-1252 (Western Excel's "CSV"). A BOM settles it; then UTF-16 without a BOM shows itself
by its NUL bytes; then strict UTF-8; only then does charset-normalizer choose between the legacy
code pages, and when it is not sure the file is refused with a message saying how to save it:
a wrongly guessed code page would store mojibake silently, which is worse than an error.

Only a sample is examined; the rest is decoded incrementally as it is read, strictly, so a byte
the chosen encoding cannot read further down is a clear error too, never a replacement char.
"""

from __future__ import annotations

import codecs
import io
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from .errors import TabularFormatError

SAMPLE_BYTES = 256 * 1024
# Legacy code pages the pipeline accepts; charset-normalizer chooses among these only, so an
# exotic guess (KOI8-R, Shift-JIS…) for a Western or Chinese file cannot happen.
LEGACY = ("gb18030", "cp1252")
MAX_CHAOS = 0.2  # charset-normalizer's "mess" ratio above which a decoding is not trusted
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)


@dataclass(frozen=True)
class Encoding:
    """`label` is what the run reports (utf-8, utf-8-sig, utf-16-le, gbk …); `codec` is what
    decodes (GBK files are read with GB18030, its superset, so a rare character later in the
    file is not an error)."""

    label: str
    codec: str


def unsure_message() -> str:
    return _(
        "The file's text encoding cannot be told for sure: it is neither UTF-8 nor GBK, "
        'UTF-16 or Windows-1252 text that reads cleanly. Save it as "CSV UTF-8" and try again.'
    )


def detect(sample: bytes, *, complete: bool = False) -> Encoding:
    """The encoding of a file from its first bytes (`complete` when the sample is the whole
    file; otherwise its last, possibly cut, line is ignored)."""
    for bom, label, codec in BOMS:
        if sample.startswith(bom):
            return Encoding(label, codec)
    wide = _utf16_without_bom(sample)
    if wide:
        return Encoding(wide, wide)
    if not complete and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]
    try:
        sample.decode("utf-8")
        return Encoding("utf-8", "utf-8")
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data":
            return Encoding("utf-8", "utf-8")
    return _legacy(sample)


def _utf16_without_bom(sample: bytes) -> str:
    """UTF-16 text of mostly ASCII (headers, numbers) has a NUL in every other byte."""
    head = sample[:4096]
    if len(head) < 4:
        return ""
    even, odd = head[0::2], head[1::2]
    zero_even, zero_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if zero_odd > 0.4 and zero_even < 0.05:
        return "utf-16-le"
    if zero_even > 0.4 and zero_odd < 0.05:
        return "utf-16-be"
    return ""


def _legacy(sample: bytes) -> Encoding:
    from charset_normalizer import from_bytes

    results = from_bytes(sample, cp_isolation=list(LEGACY), explain=False)
    best = results.best()
    if best is None or best.chaos > MAX_CHAOS:
        raise TabularFormatError(unsure_message())
    rivals = [r for r in results if r.encoding != best.encoding and r.chaos <= best.chaos]
    if rivals:
        raise TabularFormatError(unsure_message())
    if best.encoding == "gb18030":
        try:
            sample.decode("gbk")
            return Encoding("gbk", "gb18030")
        except UnicodeDecodeError:
            return Encoding("gb18030", "gb18030")
    return Encoding(best.encoding, best.encoding)


class _StrictText(io.TextIOBase):
    """A text stream over a binary one, decoded incrementally; a byte the encoding cannot
    read becomes a TabularFormatError naming the byte offset instead of a UnicodeDecodeError
    deep inside the CSV parser."""

    def __init__(
        self, raw: IO[bytes] | io.RawIOBase, encoding: Encoding, block: int = 1 << 20
    ) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding.codec)(errors="strict")
        self._encoding = encoding
        self._block = block
        self._buffer = ""
        self._offset = 0
        self._eof = False
        self.saw_nul = False  # a NUL in the text read so far: only then are cells scanned for it
        self.saw_quote = False  # a '"' so far: without one no cell can hold a line break

    def readable(self) -> bool:
        return True

    def _fill(self, size: int) -> None:
        while not self._eof and (size < 0 or len(self._buffer) < size):
            data = self._raw.read(self._block)
            self._eof = not data
            try:
                text = self._decoder.decode(data, final=self._eof)
            except UnicodeDecodeError as exc:
                raise TabularFormatError(
                    _("The file is not %(encoding)s text throughout: byte %(offset)d cannot be "
                      "read. Save it as \"CSV UTF-8\" and try again.")
                    % {"encoding": self._encoding.label, "offset": self._offset + exc.start}
                ) from exc  # fmt: skip
            self._offset += len(data)
            self.saw_nul = self.saw_nul or "\x00" in text
            self.saw_quote = self.saw_quote or '"' in text
            self._buffer += text

    def read(self, size: int | None = -1) -> str:
        size = -1 if size is None else size
        self._fill(size)
        if size < 0:
            text, self._buffer = self._buffer, ""
        else:
            text, self._buffer = self._buffer[:size], self._buffer[size:]
        return text

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        while "\n" not in self._buffer and not self._eof:
            self._fill(len(self._buffer) + self._block)
        cut = self._buffer.find("\n")
        end = len(self._buffer) if cut < 0 else cut + 1
        text, self._buffer = self._buffer[:end], self._buffer[end:]
        return text

    def __iter__(self):
        return self

    def __next__(self) -> str:  # type: ignore[override]
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def text_stream(raw: IO[bytes] | io.RawIOBase, encoding: Encoding) -> io.TextIOBase:
    return _StrictText(raw, encoding)
