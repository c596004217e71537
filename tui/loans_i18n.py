"""Labels of the loan desk (出借) in Simplified Chinese (default) and English."""

from __future__ import annotations

from hudang.store.i18n import language

LOAN_LABELS: dict[str, tuple[str, str]] = {
    "loans": ("出借", "Loans"),
    "loans_hint": ("扫描出借单打开出库，扫描借出的档案办理归还；↑↓ 选择出借单",
                   "Scan a slip to check it out, an item on loan to return it; ↑↓ choose a slip"),
    "board": ("待审批 {p} · 待出库 {a} · 借出中 {o} · 逾期 {d} · 阅览室内 {r} · 待归架 {s}",
              "pending {p} · to fetch {a} · on loan {o} · overdue {d} · in reading room {r}"
              " · to reshelve {s}"),
    "filter": ("筛选：{f}", "Filter: {f}"),
    "filter_key": ("筛选", "Filter"),
    "f_open": ("未结", "open"), "f_all": ("全部", "all"),
    "slip": ("出借单", "Slip"), "borrower": ("借阅人", "Borrower"),
    "department": ("部门", "Department"), "use": ("利用方式", "Use"),
    "items": ("项数", "Items"), "due": ("应还", "Due"), "requested_at": ("申请", "Requested"),
    "loan_status": ("状态", "Status"), "purpose": ("目的", "Purpose"),
    "reasons": ("需审批", "Needs approval"), "decision": ("审批", "Decision"),
    "override": ("解除限制", "Override"), "renewals": ("续借", "Renewals"),
    "none_selected": ("没有出借单", "No slip"),
    "new_request": ("新申请", "New request"), "checkout": ("出库", "Check out"),
    "refresh": ("刷新", "Refresh"), "approve": ("批准", "Approve"), "reject": ("驳回", "Reject"),
    "cancel_slip": ("撤销", "Cancel slip"), "overdue": ("逾期", "Overdue"),
    "reading_room": ("阅览室", "Reading room"), "export": ("导出台帐", "Export register"),
    "renew": ("续借", "Renew"), "back": ("返回", "Back"), "submit": ("提交", "Submit"),
    "print_slip": ("打印出借单", "Print slip"), "reminders": ("催还单", "Reminders"),
    "damaged_key": ("损坏", "Damaged"), "lift_block": ("解除限制", "Lift block"),
    "approve_ask": ("批准出借单 {s}（{b}）？审批意见（可空），回车确认",
                    "Approve slip {s} ({b})? Note (optional), Enter confirms"),
    "reject_ask": ("驳回出借单 {s}（{b}）：请填写理由", "Reject slip {s} ({b}): give a reason"),
    "cancel_ask": ("撤销出借单 {s}（{b}）？理由（可空），回车确认",
                   "Cancel slip {s} ({b})? Reason (optional), Enter confirms"),
    "override_ask": ("解除 {b} 的借阅限制（由 {u} 审批）：请填写理由",
                     "Lift the block on {b} (as approver {u}): give a reason"),
    "reason_needed": ("必须填写理由", "A reason is required"),
    "approved": ("已批准 {s}", "Approved {s}"), "rejected": ("已驳回 {s}", "Rejected {s}"),
    "cancelled": ("{s} 现为 {st}", "{s} is now {st}"),
    "renewed": ("已续借 {s}，应还 {d}", "Renewed {s}, due {d}"),
    "registered": ("已登记出借单 {s}（{st}）", "Registered slip {s} ({st})"),
    "not_a_slip_item": ("请扫描出借单，或借出的档案盒 / 案卷 / 文件",
                        "Scan a slip, or a box / volume / document on loan"),
    "not_on_loan_here": ("{c}：{st}，没有借出", "{c}: {st}, not on loan"),
    "awaiting_here": ("{c} 待归架：请送回 {h}", "{c} awaits reshelving: take it to {h}"),
    # the request form
    "form_title": ("登记出借申请（档案资料出借单）", "New borrowing request"),
    "requester": ("借阅人（用户名或工作证）", "Borrower (username or staff card)"),
    "department_opt": ("部门（空则取借阅人部门）", "Department (blank: the borrower's)"),
    "reader_type": ("读者类型", "Reader type"),
    "items_scan": ("扫描档案：户号、案卷、文件或档案盒条码，逐个回车",
                   "Scan items: customer number, volume, document or box codes, Enter each"),
    "purpose_in": ("借阅目的", "Purpose"),
    "days_in": ("借期天数（空则按规定最长）", "Days wanted (blank: as long as policy allows)"),
    "items_list": ("已扫描 {n} 项：{c}", "{n} item(s): {c}"),
    "items_none": ("尚未扫描档案", "No items scanned yet"),
    "item_added": ("已加入 {c}", "Added {c}"), "item_dup": ("{c} 已在单上", "{c} is already listed"),
    "item_kind_bad": ("{c} 不是户号、案卷、文件或档案盒", "{c} is not a customer, volume, document or box"),
    "form_hint": ("Tab 切换栏目 · Ctrl+S 提交 · Esc 取消", "Tab moves · Ctrl+S submits · Esc cancels"),
    "need_requester": ("请填写借阅人", "Enter the borrower"),
    "blocked_hint": ("按 F6 由审批人解除限制", "Press F6 for an approver to lift the block"),
    "days_bad": ("借期须为整数天", "Days must be a whole number"),
    # checkout
    "checkout_title": ("出库 {s}", "Checkout {s}"),
    "checkout_hint": ("按拣取清单逐个扫描档案出库；F8 打印出借单",
                      "Scan each item of the pick list out; F8 prints the slip"),
    "pick_order": ("序", "#"), "home": ("存放位置", "Home"), "box": ("档案盒", "Box"),
    "customer": ("客户", "Customer"), "title": ("内容", "Item"), "item_status": ("状态", "Status"),
    "checked_out": ("已出库 {b}，应还 {d}，还剩 {n} 项", "Out: {b}, due {d}, {n} left"),
    "all_out": ("全部出库，应还 {d}", "Everything is out; due {d}"),
    "slip_written": ("出借单已生成：{f}", "Slip written: {f}"),
    "slip_head": ("{s} · {st} · {b}（{u}）{d} · {use} · 应还 {due}",
                  "{s} · {st} · {b} ({u}) {d} · {use} · due {due}"),
    # return
    "return_title": ("归还", "Return"),
    "return_ask": ("{c} 借出中：出借单 {s} · {b}（{u}）· 档案盒 {box} · 应还 {d}。回车 = 完整无损归还",
                   "{c} is on loan: slip {s} · {b} ({u}) · box {box} · due {d}. "
                   "Enter = returned complete"),
    "missing_in": ("缺失内容（无则留空）", "What is missing (blank if nothing)"),
    "note_in": ("备注", "Note"),
    "damaged": ("损坏（F6 切换）", "Damaged (F6 toggles)"),
    "return_hint": ("回车确认归还 · F6 标记损坏 · Esc 不归还",
                    "Enter confirms the return · F6 marks damage · Esc leaves it on loan"),
    "returned": ("已归还 {b}{x}；出借单 {s} 还有 {n} 项未还",
                 "Returned {b}{x}; slip {s} has {n} item(s) still out"),
    "returned_all": ("已归还 {b}{x}；出借单 {s} 已全部归还",
                     "Returned {b}{x}; slip {s} is fully returned"),
    "with_damage": ("（损坏）", " (damaged)"), "with_missing": ("（缺失：{m}）", " (missing: {m})"),
    "awaiting": ("待归架：请送回存放位置并扫描架位条码",
                 "Waiting to be reshelved: take it home and scan the position barcode"),
    "home_big": ("存放位置（待归架）", "Home position (waiting to be reshelved)"),
    "reshelved": ("已归架：{b} → {p}", "Reshelved: {b} → {p}"),
    "reshelve_scan": ("扫描架位条码归架，或扫描下一件归还的档案",
                      "Scan the position to reshelve, or the next item to return"),
    "not_on_loan_any": ("{c} 没有借出", "{c} is not on loan"),
    "on_loan_offer": ("{c} 已借出（出借单 {s}）· 按 F11 归还",
                      "{c} is out on loan (slip {s}) · F11 to check it in"),
    "awaiting_offer": ("{c} 已归还，待归架 · 按 F11 进入归还模式归架",
                       "{c} is back, waiting to be reshelved · F11 opens check-in to reshelve"),
    "checkin_title": ("归还（逐件扫描）", "Check-in (scan each item)"),
    "checkin_hint": ("扫描归还的档案盒 / 案卷 / 文件即办理归还；扫描架位条码归架",
                     "Scan a box / volume / document to check it in; a position to reshelve"),
    "next_flags": ("下一件归还时记录：{f}（再按一次取消）", "Recorded with the next return: {f} "
                   "(press again to clear)"),
    "next_plain": ("下一件：完整无损归还 · F6 标记损坏 · F7 记录缺失内容",
                   "Next item: returned complete · F6 marks damage · F7 records what is missing"),
    "missing_ask": ("下一件归还时缺失的内容：", "What is missing from the next item returned:"),
    "missing_key": ("记录缺失", "Missing…"),
    "move_home_ask": ("{q}\n是：改存此处（Y） · 否：送回原位置（N）",
                      "{q}\nYes: keep it here from now on (Y) · No: take it home (N)"),
    "take_home": ("请把 {b} 送回 {h}", "Take {b} home to {h}"),
    # lists
    "overdue_title": ("逾期未还", "Overdue loans"),
    "days_overdue": ("逾期天数", "Days overdue"),
    "overdue_count": ("{n} 张出借单逾期（{d}）；F8 打印催还单", "{n} overdue slip(s) ({d}); F8 prints reminders"),
    "reminders_written": ("催还单已生成：{f}", "Reminder slips written: {f}"),
    "reading_title": ("闭馆时仍在阅览室的档案", "Still in the reading room at closing"),
    "reading_count": ("阅览室内 {n} 项未还", "{n} item(s) still in the reading room"),
    "awaiting_title": ("待归架", "To reshelve"),
    "export_ask": ("导出借阅台帐：C = CSV（{e}），X = Excel (.xlsx)，Esc 取消",
                   "Export the loan register: C = CSV ({e}), X = Excel (.xlsx), Esc cancels"),
    "exported": ("已导出 {n} 行：{f}", "Exported {n} rows: {f}"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "pending": ("待审批", "pending"), "approved": ("已批准", "approved"),
    "rejected": ("已驳回", "rejected"), "cancelled": ("已撤销", "cancelled"),
    "active": ("借出中", "on loan"), "returned": ("已归还", "returned"),
    "requested": ("待出库", "to fetch"), "out": ("已出库", "out"),
}


def LL(key: str, **params: object) -> str:  # noqa: N802 - mirrors tui.i18n.L
    """The loan-desk label `key` in the current language, with `params` filled in."""
    zh, en = LOAN_LABELS[key]
    text = en if language() == "en" else zh
    return text.format(**params) if params else text


def status_name(status: str) -> str:
    """A slip or item status in the current language."""
    zh, en = STATUS_LABELS.get(status, (status, status))
    return en if language() == "en" else zh


def bind_loan_keys(node: object, rows: list[tuple[str, str, str | None]]) -> None:
    """Bind (keys, action, loan label key) on a screen, labelled in the current language."""
    for keys, action, label in rows:
        node._bindings.bind(keys, action, LL(label) if label else "",  # type: ignore[attr-defined]
                            show=bool(label))
