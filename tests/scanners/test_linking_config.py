"""The default linker, the [watch] config section, file naming and filesystem detection."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hudang.scanners.config import (WatchConfigError, filesystem_type, load_watch_config,
                             parse_watch)
from hudang.scanners.decode import Barcode
from hudang.scanners.files import display_name, is_ignored
from hudang.scanners.linking import DefaultLinker, ScanInfo, parse_separator, separator_value
from hudang.store.barcodes import default_scheme

DOC = default_scheme().make("document", 7)


def codes(*values: str, page: int = 1) -> list[Barcode]:
    return [Barcode(v, "code128", page, (0.1, 0.1, 0.2, 0.05)) for v in values]


def test_separators_split_a_batch_and_name_customer_and_category():
    pages = [codes("HDS-3300012345-YK"), [], [], codes("HDS-3300054321-DF"), [], codes("HDS"),
             []]
    plan = DefaultLinker().link(ScanInfo("batch.pdf", "S1", pages))
    assert plan.separator_pages == [1, 4, 6]
    assert [(s.pages, s.customer_number, s.category) for s in plan.segments] == [
        ([2, 3], "3300012345", "YK"), ([5], "3300054321", "DF"), ([7], "3300054321", "DF")]


def test_document_label_links_and_starts_a_new_document():
    other = default_scheme().make("document", 8)
    pages = [codes(DOC), [], codes(other), codes(other)]
    plan = DefaultLinker().link(ScanInfo("x.pdf", "S1", pages))
    assert [(s.pages, s.document_barcode) for s in plan.segments] == [([1, 2], DOC),
                                                                      ([3, 4], other)]


def test_customer_from_barcode_then_file_name_then_station_else_attention():
    linker = DefaultLinker()
    by_code = linker.link(ScanInfo("scan.pdf", "S1", [codes("3300099999")]))
    assert by_code.segments[0].customer_number == "3300099999"
    by_name = linker.link(ScanInfo("张三_3300012345_电费.tif", "S1", [[]]))
    assert (by_name.segments[0].customer_number, by_name.segments[0].category) == \
        ("3300012345", "DF")
    glued = linker.link(ScanInfo("3300054321用电申请书.jpg", "S1", [[]], category_hint="YK"))
    assert (glued.segments[0].customer_number, glued.segments[0].category) == \
        ("3300054321", "YK")
    station = linker.link(ScanInfo("scan.png", "S1", [[]], customer_hint="3300099999"))
    assert station.segments[0].source == "station"
    nothing = linker.link(ScanInfo("scan001.png", "S1", [[]]))
    assert nothing.segments[0].customer_number is None
    assert nothing.segments[0].reason == "no_link"


def test_separator_values_round_trip():
    assert parse_separator(separator_value("3300012345", "JL")) == ("3300012345", "JL")
    assert parse_separator(separator_value()) == (None, None)
    assert parse_separator("HDS-3300012345-XX") is None
    assert parse_separator("3300012345") is None


@pytest.mark.parametrize("name", ["~$scan.pdf", "scan.tmp", "scan.pdf.part", ".DS_Store",
                                  "Thumbs.db", ".hidden.pdf", "a.pdf.reason.json"])
def test_temporary_and_system_files_are_ignored(name):
    assert is_ignored(name)


def test_real_names_are_not_ignored_and_non_utf8_names_display():
    assert not is_ignored("张三_3300012345.pdf")
    gbk = os.fsdecode("张三.tif".encode("gb18030"))
    assert display_name(gbk) == "张三.tif"
    weird = os.fsdecode(b"scan\xff\xfe.pdf")
    assert display_name(weird).startswith("scan")
    display_name(weird).encode("utf-8")  # always valid UTF-8


def write_config(tmp_path: Path, text: str) -> object:
    cfg = tmp_path / "config.toml"
    cfg.write_text(text, encoding="utf-8")

    class S:
        config_file = cfg

    return S


def test_watch_section_is_read_with_defaults_and_per_folder_options(tmp_path):
    settings = write_config(tmp_path, f"""
language = "zh"
[watch]
workers = 2
rescan_seconds = 30
[watch.defaults]
quiet_seconds = 3
[[watch.folders]]
path = "{tmp_path / 'a'}"
station = "S1"
category = "业扩"
done_dir = "done"
symbologies = ["code128"]
[[watch.folders]]
path = "{tmp_path / 'b'}"
station = "S2"
polling = true
dpi = 300
name = "合同"
""")
    cfg = load_watch_config(settings)
    a, b = cfg.folders
    assert (cfg.workers, cfg.rescan_seconds) == (2, 30.0)
    assert (a.station, a.category, a.quiet_seconds, a.symbologies) == ("S1", "YK", 3.0,
                                                                        ("code128",))
    assert a.done_dir == tmp_path / "a" / "done"
    assert (b.polling, b.dpi, b.symbologies) == (True, 300, ("code128", "qrcode"))
    assert (a.hot_folder, b.hot_folder) == ("a", "合同")  # what rules match as hot_folder


@pytest.mark.parametrize("body, needle", [
    ('[[watch.folders]]\nstation = "S1"', "path is required"),
    ('[[watch.folders]]\npath = "/x"\nstation = "S1"\nquiet_seconds = -1', "quiet_seconds"),
    ('[[watch.folders]]\npath = "/x"\nstation = "S1"\ncategory = "XX"', "category"),
    ('[[watch.folders]]\npath = "/x"\nstation = "S1"\nsymbologies = ["morse"]', "morse"),
    ('[[watch.folders]]\npath = "/x"\nstation = "S1"\nspeed = 3', "unknown key"),
    ('decoder = "tesseract"', "decoder"),
    ('[[watch.folders]]\npath = "/x"\nstation = "S1"\nname = ""', "name"),
])
def test_bad_watch_settings_name_file_and_key(tmp_path, body, needle):
    settings = write_config(tmp_path, "[watch]\n" + body + "\n")
    with pytest.raises(WatchConfigError) as err:
        load_watch_config(settings)
    assert needle in str(err.value) and "config.toml" in str(err.value)


def test_network_filesystems_are_detected_from_the_mount_table(tmp_path):
    mounts = tmp_path / "mounts"
    share = tmp_path / "share"
    share.mkdir()
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\n//nas/scan {share} cifs rw 0 0\n")
    assert filesystem_type(share / "in", str(mounts)) == "cifs"
    assert filesystem_type(tmp_path, str(mounts)) == "ext4"
    assert parse_watch({}).folders == ()
