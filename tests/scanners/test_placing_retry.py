"""Names at the filesystem's limit, JPEG completeness and the one retry policy."""

from __future__ import annotations

import io
import os

from PIL import Image

from hudang.scanners.files import jpeg_complete
from hudang.scanners.placing import fit_name, name_max, sidecar_path, unique_dest
from hudang.scanners.retry import transient_policy, validate_policy


def test_unique_names_and_sidecars_fit_the_limit(tmp_path):
    limit = name_max(tmp_path)
    name = "档" * (limit // 3) + ".tif"[: limit - 3 * (limit // 3)]
    raw = name.encode()
    first = unique_dest(tmp_path, name)
    assert os.fsencode(os.path.basename(first)) == raw
    open(first, "wb").close()
    second = unique_dest(tmp_path, name)
    base = os.path.basename(second).encode()
    assert len(base) <= limit and base != raw and base.decode("utf-8")  # whole characters
    side = sidecar_path(first, ".reason.json")
    assert len(os.path.basename(side).encode()) <= limit and side.endswith(".reason.json")
    open(side, "w").close()  # creatable on this filesystem
    assert fit_name(b"a.pdf", limit, b".reason.json") == b"a.pdf.reason.json"
    assert fit_name(b"\xff" * 300, 255).startswith(b"\xff")  # bytes that are not UTF-8


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("L", (64, 64), 128).save(buf, "JPEG")
    return buf.getvalue()


def test_jpeg_complete_follows_the_markers():
    data = _jpeg()
    assert jpeg_complete(data)
    assert jpeg_complete(data + b"\x00trailer" + os.urandom(500))  # phones append data
    assert not jpeg_complete(data[:-2])  # still being written
    assert not jpeg_complete(data[: len(data) // 2])


def test_the_retry_policy_keeps_the_old_backoff():
    for quiet in (0.1, 0.3, 2.0, 10.0):
        for attempts in (1, 3, 8):
            v, t = validate_policy(quiet, attempts), transient_policy(quiet, attempts)
            for n in range(1, 12):
                assert v.delay(n) == min(300.0, max(0.2, quiet) * 2 ** n)
                assert t.delay(n) == min(300.0, max(0.5, quiet) * 2 ** n)
                assert v.exhausted(n) == (n >= attempts)
                assert t.exhausted(n) == (n >= attempts * 4)
