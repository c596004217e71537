"""Every mistake a user can make with the intake commands is one clear line and exit 1."""

from __future__ import annotations

import pytest

from hudang.store.barcodes import default_scheme
from tests.clihelp import cli_home, run_cli  # noqa: F401  (cli_home is a pytest fixture)


def _one_line_error(*args: str, expect: str) -> None:
    result = run_cli(*args)
    assert result.exit_code == 1, result.output
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误：") and expect in lines[0], result.output


@pytest.fixture
def batch(cli_home):  # noqa: F811
    assert run_cli("customer", "add", "3300000001", "--name", "张三", "--voltage", "LV",
                   "--phone", "13812345678").exit_code == 0
    return run_cli("handover", "new", "--from", "营业厅", "--to", "档案室").output.strip()


def test_customer_errors(cli_home):  # noqa: F811
    _one_line_error("customer", "add", "12", "--name", "张三", "--voltage", "LV", expect="户号")
    _one_line_error("customer", "update", "3300000009", "--name", "李四", expect="没有户号")
    _one_line_error("customer", "update", "3300000009", expect="没有要修改")
    _one_line_error("customer", "cancel", "3300000009", "--reason", "x", "--on", "2024-13-01",
                    expect="日期")
    _one_line_error("customer", "cancel", "3300000009", "--reason", "x", expect="没有户号")


def test_customer_output_masks_personal_data(batch):
    out = run_cli("customer", "update", "3300000001", "--address", "佛山", "--json").output
    assert "13812345678" not in out and "138****5678" in out


def test_handover_errors(batch):
    _one_line_error("handover", "add", batch, "3300000001", "--category", "XX", "--type", "a",
                    expect="未知类别")
    _one_line_error("handover", "add", batch, "3300000002", "--category", "YK", "--type", "a",
                    expect="没有户号")
    _one_line_error("handover", "add", batch, "3300000001", "--category", "YK", "--type", "a",
                    "--barcode", default_scheme().make("box", 3), expect="不是文件条码")
    _one_line_error("handover", "show", "H000000019", expect="校验位")
    _one_line_error("handover", "show", default_scheme().make("handover", 77), expect="没有移交批次")
    _one_line_error("handover", "receive", batch, "a", "b", "--pages", "2", expect="--pages")
    _one_line_error("handover", "receive", batch, "#9", expect="没有第 9 项")
    _one_line_error("handover", "receive", batch, "3300000001", expect="文件条码")
    _one_line_error("handover", "sign", batch, "--side", "sender", "--name", " ",
                    expect="签字人")
    _one_line_error("handover", "close", batch, expect="尚未签字")


def test_box_and_label_errors(batch, tmp_path):
    hv = run_cli("box", "new", "--class", "HV").output.strip()
    _one_line_error("box", "add", hv, "3300000001", expect="案卷或文件")
    _one_line_error("box", "add", hv, default_scheme().make("volume", 99), expect="没有案卷")
    vol = run_cli("volume", "new", "3300000001", "--category", "DF").output.strip()
    _one_line_error("box", "add", hv, vol, expect="低压客户")
    _one_line_error("box", "remove", hv, vol, expect="不在档案盒")
    _one_line_error("label", hv, str(tmp_path / "x.txt"), expect="PDF")
    _one_line_error("label", hv, "--start", "15", str(tmp_path / "x.pdf"), expect="起始标签")
    _one_line_error("label", "nothing-here", str(tmp_path / "x.pdf"), expect="不是档案盒")
    _one_line_error("document", "add", "3300000001", "--category", "DF", "--type", "发票",
                    "--filed-on", "yesterday", expect="日期")
    doc = run_cli("document", "add", "3300000001", "--category", "DF", "--type", "发票").output
    _one_line_error("document", "add", "3300000001", "--category", "DF", "--type", "发票",
                    "--barcode", doc.strip(), expect="已登记")
    _one_line_error("volume", "new", "3300000001", "--barcode", vol, expect="已登记")
    assert run_cli("label", hv, "--layout", "roll", str(tmp_path / "ok.pdf")).exit_code == 0


def test_lookup_of_a_handover_batch_points_to_its_command(batch):
    _one_line_error("lookup", batch, expect="handover show")
