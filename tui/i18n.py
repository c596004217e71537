"""UI labels in Simplified Chinese (default) and English, keyed by a short name."""

from __future__ import annotations

from hudang.store.i18n import language

LABELS: dict[str, tuple[str, str]] = {
    "title": ("户档 · 阅览室", "hudang · reading room"),
    "scan_placeholder": ("扫描条码，或输入户号 / 关键词后回车",
                         "Scan a barcode, or type a customer number / keyword and press Enter"),
    "ready": ("就绪：请扫描", "Ready: scan something"),
    "scans": ("本班扫描", "This session's scans"),
    "time": ("时间", "Time"), "kind": ("类别", "Kind"), "code": ("条码", "Code"),
    "result": ("结果", "Result"),
    "home": ("归属架位", "Home position"), "current": ("当前位置", "Current position"),
    "status": ("状态", "Status"), "customers": ("客户", "Customers"),
    "contents": ("盒内档案", "Contents"), "movements": ("最近移动", "Recent movements"),
    "no_position": ("（无）", "(none)"),
    "login_title": ("登录", "Sign in"),
    "login_hint": ("扫描工作证，或输入用户名和密码",
                   "Scan your staff card, or enter username and password"),
    "username": ("用户名 / 工作证", "Username / staff card"), "password": ("密码", "Password"),
    "locked": ("终端已锁定", "Terminal locked"),
    "sign_out": ("退出登录", "Sign out"),
    "sign_out_hint": ("退出登录，换下一位同事登录", "Sign out so the next person can sign in"),
    "users": ("用户管理", "Users"),
    "users_hint": ("管理员：添加、停用、改角色、重置密码", "Administrator: add, deactivate, "
                   "change role, reset password"),
    "pin_prompt": ("请输入 PIN 或密码", "Enter your PIN or password"),
    "pin": ("PIN / 密码", "PIN / password"),
    "unlock_hint": ("{u} 请扫描工作证或输入密码解锁",
                    "{u}: scan your staff card or enter your password"),
    "wrong_user": ("只有 {u} 可以解锁（或按 Ctrl+Q 退出）",
                   "Only {u} can unlock (or press Ctrl+Q to quit)"),
    "search": ("检索", "Search"), "search_placeholder": ("户名、户号、电话、地址或拼音首字母",
                                                          "name, number, phone, address or pinyin initials"),
    "search_none": ("没有找到：{q}", "Nothing found for {q}"),
    "search_count": ("{n} 条结果（回车打开）", "{n} results (Enter opens)"),
    "number": ("户号", "Number"), "name": ("户名", "Name"), "class": ("电压", "Class"),
    "address": ("地址", "Address"), "matched": ("匹配", "Matched"),
    "customer_file": ("一户一档", "Customer file"),
    "contracts": ("合同", "Contracts"),
    "contract_no": ("合同号", "Contract"),
    "boxes": ("档案盒", "Boxes"),
    "doc_type": ("类型", "Type"), "doc_title": ("题名", "Title"), "pages": ("页数", "Pages"),
    "filed_on": ("归档日期", "Filed"),
    "position": ("位置", "Position"),
    "scanned": ("电子件", "Scanned"),
    "scan_station": ("扫描工位", "Scanned at"),
    "yes": ("有", "yes"), "no": ("无", "no"),
    "expires": ("到期", "Expires"), "days_left": ("剩余天数", "Days left"),
    "signed": ("签订", "Signed"), "auto_renew": ("自动续签", "Auto-renew"),
    "important": ("重要客户", "Important customer"), "cancelled": ("已销户", "Cancelled"),
    "active": ("正常", "Active"), "id_number": ("证件号", "ID number"), "phone": ("电话", "Phone"),
    "line": ("线路", "Line"), "area": ("台区", "Area"), "tariff": ("电价类别", "Tariff"),
    "supply_voltage": ("供电电压", "Supply voltage"),
    "shelving": ("上架", "Shelving"),
    "shelving_hint": ("先扫描架位，再逐个扫描档案盒",
                      "Scan a shelf position, then scan boxes one by one"),
    "target": ("目标架位", "Target position"),
    "placed": ("已上架：{b} → {p}", "Placed: {b} → {p}"),
    "reshelved": ("已归架：{b} → {p}", "Reshelved: {b} → {p}"),
    "moved": ("已移架：{b} → {p}", "Moved: {b} → {p}"),
    "already_here": ("{b} 已在 {p}", "{b} is already at {p}"),
    "need_position": ("请先扫描架位", "Scan a shelf position first"),
    "suggest": ("建议架位：{p}", "Suggested position: {p}"),
    "suggest_key": ("建议架位", "Suggest"),
    "target_full": ("但 {p} 已满，不能移入", "but {p} is full, so it cannot move there"),
    "no_suggestion": ("没有可用的空位", "No free position available"),
    "move_cancelled": ("未移动 {b}", "{b} was not moved"),
    "new_box": ("新档案盒", "New box"), "new_box_ask": ("新档案盒：高压(H) 还是 低压(L)？",
                                                  "New box: high voltage (H) or low voltage (L)?"),
    "box_registered": ("已登记档案盒 {b}，标签：{f}", "Registered box {b}; label: {f}"),
    "confirm": ("确认", "Confirm"), "cancel": ("取消", "Cancel"),
    "stocktake": ("盘点", "Stocktake"),
    "stocktake_hint": ("扫描或输入盘点范围（架位、节、列、库房编码）",
                       "Scan or type the scope (position, section, row or room code)"),
    "stocktake_scope": ("盘点范围：{s}（{n} 个格位，应有 {b} 盒）",
                        "Scope: {s} ({n} positions, {b} boxes expected)"),
    "stocktake_cell": ("当前格位：{c}", "Current position: {c}"),
    "stocktake_seen": ("已扫描 {n} 盒", "{n} boxes scanned"),
    "stocktake_need_cell": ("请先扫描格位条码", "Scan a position barcode first"),
    "report": ("盘点报告", "Stocktake report"),
    "exported": ("已导出：{f}", "Exported: {f}"),
    "finding": ("结果", "Finding"), "box": ("档案盒", "Box"), "seen_at": ("发现位置", "Seen at"),
    "belongs": ("应在", "Belongs at"),
    "labels_written": ("标签已生成：{f}", "Labels written: {f}"),
    "position_labels": ("架位标签", "Position labels"),
    "help": ("帮助", "Help"), "lock": ("锁定", "Lock"), "back": ("返回", "Back"),
    "quit": ("退出", "Quit"), "print_label": ("打印标签", "Print label"),
    "finish": ("完成盘点", "Finish"), "export": ("导出 CSV", "Export CSV"),
    "next_tab": ("下一类", "Next tab"), "prev_tab": ("上一类", "Previous tab"),
    "free": ("空余 {f} / 容量 {c}", "free {f} of {c}"),
    "should_be_here": ("应在此处", "Should be here"), "present": ("现在此处", "Present now"),
    "staff": ("工作证", "Staff card"), "user": ("用户", "User"),
    "due": ("至 {d}", "until {d}"), "slip": ("出借单", "Loan slip"),
    "purpose": ("事由", "Purpose"), "loans": ("出借", "Loans"),
    "zone": ("分区", "Zone"), "same_as_above": ("同上（全部在位）", "same as above (all present)"),
    "mode_desk": ("查询", "Desk"), "keyword_search": ("关键词检索", "Keyword search"),
    "open_receiving": ("打开接收", "Receiving opened"),
}


def L(key: str, **params: object) -> str:
    """The label `key` in the current language, with `params` filled in."""
    zh, en = LABELS[key]
    text = en if language() == "en" else zh
    return text.format(**params) if params else text


def bind_labelled(node: object, rows: list[tuple[str, str, str | None]], *,
                  priority: bool = False) -> None:
    """Bind (keys, action, label key) on a screen or app with labels in the current language.

    Class-level BINDINGS are built at import time, before the language setting is known, so
    the desk binds its labelled keys when each screen is created.
    """
    for keys, action, label in rows:
        node._bindings.bind(keys, action, L(label) if label else "",  # type: ignore[attr-defined]
                            show=bool(label), priority=priority)
