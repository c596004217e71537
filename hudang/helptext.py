"""Help text in the user's language: one catalogue applied to the whole command tree at start.

Commands keep their English docstrings (or bilingual "中文 / English" ones); `localise_help`
walks every registered command just before click parses the command line and swaps in the
Chinese from `COMMANDS` (by command path) and `OPTIONS` (by the English option help), or back
to English. A command module added later only needs its lines here; `tests/shell/
test_help_catalogue.py` lists every command or option that lacks them.
"""

from __future__ import annotations

import re

import click

_CJK = re.compile(r"[\u3400-\u9fff]")

# command path -> Chinese help (the English stays in the docstring).
COMMANDS: dict[str, str] = {
    "": "户档 hudang — 电力客户档案阅览室系统。",
    "init": "创建数据目录并建立最新的数据库结构（可重复运行）。",
    "db": "数据库命令：升级结构、复制到另一个数据库。",
    "db upgrade": "补齐本数据库缺少的结构迁移（可重复运行）。",
    "db copy": "把整个档案库复制到一个空数据库（档案库扩大时迁往 PostgreSQL）。",
    "demo": "若无演示档案库则生成一个，然后打开阅览台。",
    "desk": "在本站档案库上打开阅览台（档案管理员在界面上登录）。",
    "import": "从文件导入数据。",
    "import customers":
        "从 CSV（UTF-8、带 BOM 的 UTF-8 或 GBK）导入客户；要么全部导入，要么一行不导。",
    "import documents":
        "从 CSV（UTF-8、带 BOM 的 UTF-8 或 GBK）导入存量纸质文件目录；要么全部导入，要么一行不导；"
        "同一文件只能导入一次。",
    "lookup": "查询条码或户号：它是什么、放在哪里、里面有什么。",
    "search": "按关键字查客户：户名、户号、地址、电话、证件号（模糊、支持中文）。",
    "shelve": "把档案盒放上架位（检查高低压分区与容量）。",
    "user": "工作人员账号。",
    "user add": "添加工作人员并指定角色；打印其工作证条码。",
    "user list": "列出工作人员、角色与工作证条码。",
    "audit": "哈希链审计日志。",
    "audit verify": "逐条核对审计链；有记录被改动或删除则以状态 1 退出。",
    "config": "设置。",
    "config show": "显示生效的设置及每项的来源。",
    "watch": "运行热文件夹守护进程（监视配置文件 [watch] 中的文件夹）。",
    "fsck": "核对扫描库与档案库（无引用、丢失或被改动的扫描文件）。",
    "coversheet": "生成守护进程能识别的工位封面 / 分隔页 PDF。",
    "attention": "待处理队列：守护进程无法关联的扫描件。",
    "attention list": "列出等待档案管理员处理的项目。",
    "attention assign": "把待处理项目的页面归入某客户与类别（或某份已登记文件）。",
    "rules": "管理员规则（YAML）：检查、解释、测试。",
    "rules check": "校验每个规则文件；列出全部错误，有错误时以状态 1 退出。",
    "rules test": "运行规则文件中写的 `examples:`；有失败时以状态 1 退出。",
    "rules explain": "试运行：哪些规则匹配 FILE、为什么，以及随之得出的保管期限。",
    "retention": "保管期限：按规则重算、列出到期文件。",
    "retention recompute": "按当前规则重新计算每份已归档文件的保管期限。",
    "retention due": "列出可处置的文件（不含诉讼保全），在数据库中计算。",
    "loan": "出借：申请、审批、出库、归还、逾期、台帐。",
    "loan request": "为 REQUESTER 登记出借单；CODES 为户号或案卷 / 文件 / 档案盒条码。",
    "loan list": "列出出借单，最新的在前。",
    "loan show": "显示一张出借单及其项目。",
    "loan approve": "审批通过待审出借单（审批人不能是申请人）。",
    "loan reject": "驳回待审出借单并说明理由。",
    "loan checkout": "不带 CODES 时打印拣取单（按行走顺序）；带 CODES 时逐个扫描出库。",
    "loan return": "归还项目；每个档案盒随后等待放回其存放位置。",
    "loan reshelve": "把归还的档案盒扫描放回架位。",
    "loan renew": "在规定范围内延长出借单的应还日期。",
    "loan cancel": "取消待审或已批准的出借单（或去掉未取走的项目）。",
    "loan overdue": "逾期清单：借阅人、项目、逾期天数。",
    "loan reading-room": "仍在阅览室内的项目（闭馆时核对）。",
    "loan export": "把借阅台帐导出到 PATH：.csv 或 .xlsx。",
    "loan slip": "把出借单 SLIP 的打印件（PDF）写到 PATH。",
    "loan grant": "重要客户电子档案阅览授权。",
    "loan grant request": "申请让 USERNAME 在若干天内阅览 CUSTOMER 的电子档案。",
    "loan grant approve": "批准阅览授权；自现在起生效若干天。",
    "loan grant reject": "拒绝阅览授权。",
    "loan grant revoke": "立即终止阅览授权。",
    "loan grant list": "列出阅览授权。",
    "loan grant check": "判断 USERNAME 现在能否阅览 CUSTOMER 的电子档案（不能则以状态 1 退出）。",
    "backup": "把数据库、扫描库、规则和设置备份到一个新目录（运行中即可备份）。",
    "restore": "把备份恢复到本站点，然后核对审计链并抽检扫描文件。",
    "audit anchor": "把审计链的链头（序号、哈希、时间）写到数据库之外，日后记录丢失即可发现。",
    "login": "登录：从终端或标准输入的一行读取密码（或工作证的 PIN）。",
    "logout": "结束本 shell 在此数据目录上的登录会话。",
    "whoami": "显示当前登录的用户（无人登录时以状态 1 退出）。",
    "user passwd": "设置新密码（本人的，或管理员为任何人设置）；其登录会话随之结束。",
    "user pin": "设置与工作证配套的 PIN（4-12 位数字）。",
    "user role": "更改账号的角色（其登录会话随之结束）。",
    "user deactivate": "停用账号，使其不能登录；其历史记录保留。",
    "user activate": "允许账号重新登录（同时解除锁定）。",
    "customer": "客户（一户一档）：新建、修改、销户。",
    "customer add": "登记一份新的客户档案。",
    "customer update": "修改客户信息（只改所给的选项）。",
    "customer corrections": "列出导入或录入时校验不通过、待更正的客户（如证件号码）。",
    "customer cancel": "销户：保管期限自即日起算，腾出档案盒的存放位置，生成移往销户区的移位任务。",
    "handover": "移交 / 接收：批次、扫描接收、待补交、清单。",
    "handover new": "新建移交批次；打印其批次号（条码）。",
    "handover add": "向批次的移交清单添加一项。",
    "handover import": "从 CSV（户号,类别,文件类型,题名,页数,条码）添加整份清单；要么全部添加，要么一行不加。",
    "handover receive": "按文件条码（或清单行号，如 #3）接收项目。",
    "handover supply": "把未到的项目列入待补交清单。",
    "handover owed": "所有批次的待补交清单。",
    "handover sign": "记录移交方或接收方的签字确认。",
    "handover close": "关闭批次（每项均已接收或列为待补交，双方均已签字）。",
    "handover show": "显示一个批次及其移交清单。",
    "handover list": "列出移交批次，最新的在前。",
    "handover catalogue": "把每个已接收的项目著录进其客户的案卷。",
    "handover pdf": "把可打印的移交清单写到 OUT。",
    "document": "文件（件）。",
    "document add": "在客户档案中著录一份文件；打印其条码。",
    "volume": "案卷（卷）。",
    "volume new": "为客户档案新建一个案卷；打印其条码。",
    "box": "档案盒：新建、装盒、取出、盒内目录、移位任务。",
    "box new": "登记一个尚未上架的新档案盒；打印其条码。",
    "box add": "把案卷或文件装盒（高压：同一客户；低压：同一台区）。",
    "box remove": "从档案盒中取出案卷或文件。",
    "box tasks": "待移位的档案盒（例如销户后移往销户区）及建议位置。",
    "label": "把档案盒、案卷、文件或架位的标签打印到 OUT（PDF）。",
    "hold place": "对客户的整份档案（户号）或单份文件（条码）实施法律冻结。",
    "hold release": "解除法律冻结（须说明理由）。",
    "hold list": "列出生效中的法律冻结（或全部），最新的在前。",
    "disposal propose":
        "把到期的档案生成一个批次（销毁清单 + 复审清单；法律冻结中和未销户客户的从不列入）。",
    "disposal list": "列出每个批次及其状态。",
    "disposal show": "显示批次的状态（及其项目）。",
    "disposal decide": "鉴定项目（文件编号或条码；不指定时：全部待鉴定项目）。",
    "disposal approve": "审批通过批次（须两名不同的审批人，且不能是提出人）。",
    "disposal witness": "以监销人身份在已审批的批次上签字。",
    "disposal register": "打印销毁清册 PDF；副本永久保存。",
    "disposal execute": "销毁已审批并经监销的批次（先做固定性校验；重新运行可完成未完的部分）。",
    "fixity check": "重新计算哈希；报告丢失或被改动的文件（有则以状态 1 退出）。",
    "check four-properties": "四性检测：客户档案（或整个档案库）的真实性、完整性、可用性、安全性。",
    "export bag": "把客户档案写成 BagIt 包：页面、目录（CSV、JSON）、审计事件。",
}

# English option help -> Chinese.
OPTIONS: dict[str, str] = {
    "Keep an ID number that fails its check (it goes on the correction list).":
        "保留校验不通过的证件号码（该客户列入待更正清单）。",
    "Include corrected ones.": "包括已更正的。",
    "Show the version and exit.": "显示版本并退出。",
    "Show this message and exit.": "显示本帮助并退出。",
    "Target database URL, e.g. postgresql://user@host/hudang (must be empty).":
        "目标数据库地址，例如 postgresql://user@host/hudang（必须为空库）。",
    "Print the report as JSON.": "以 JSON 输出报告。",
    "Print JSON.": "以 JSON 输出。",
    "With --once: print each file's outcome as JSON.": "与 --once 同用：以 JSON 输出每个文件的结果。",
    "Print JSON for scripts.": "以 JSON 输出（供脚本使用）。",
    "Only build the demo archive.": "只生成演示档案库。",
    "Demo size.": "演示档案库的客户数。",
    "Move the box if it already lives elsewhere.": "档案盒已有存放位置时移动它。",
    "Display name (e.g. 张三).": "姓名（例如 张三）。",
    "Pre-printed staff card barcode.": "预先印好的工作证条码。",
    "Prompted for when omitted.": "省略时会提示输入。",
    "Process what is present now, then exit.": "处理现有文件后退出。",
    "Page worker processes (default: cores).": "页面处理进程数（默认：CPU 核数）。",
    "Quarantine strays and re-queue damaged scans.": "隔离无引用文件，损坏的扫描件重新排队。",
    "Customer number (repeatable).": "户号（可重复）。",
    "Category code or name (YK/业扩 …).": "类别代码或名称（YK/业扩 …）。",
    "Station id printed on the sheet.": "印在页面上的工位编号。",
    "Also add a plain separator (same customer).": "另加一张普通分隔页（同一客户）。",
    "Include assigned items.": "包括已处理的项目。",
    "Customer number (户号).": "户号。",
    "Category code or name.": "类别代码或名称。",
    "A registered document.": "一份已登记的文件。",
    "Document type, e.g. 用电申请书.": "文件类型，例如 用电申请书。",
    "Document title (default: the file name).": "文件题名（默认：文件名）。",
    "List passing examples too.": "也列出通过的示例。",
    "Rules directory.": "规则目录。",
    "Hot folder the file arrived in.": "文件到达的热文件夹。",
    "Scanning station id.": "扫描工位编号。",
    "Path relative to the hot folder.": "相对于热文件夹的路径。",
    "VALUE[@SYMBOLOGY[@PAGE]] (repeatable); adds to decoded barcodes.":
        "VALUE[@码制[@页]]（可重复）；加在识别出的条码之后。",
    "Decode barcodes in the file (pyzbar).": "识别文件中的条码（pyzbar）。",
    "Apply rule changes that make documents eligible earlier.": "执行使文件更早到期的规则变更。",
    "Eligible on or before this date (default: today).": "在此日期或之前到期（默认：今天）。",
    "Counts per retention class only.": "只显示各保管类别的份数。",
    "Period wanted (default: the most allowed).": "借阅天数（默认：允许的最长天数）。",
    "Approver lifting an overdue/limit block.": "解除逾期 / 数量限制的审批人。",
    "Acting staff username (default: $HUDANG_USER or the OS user).":
        "经办人用户名（默认：$HUDANG_USER 或系统用户）。",
    "The item came back damaged.": "归还时已损坏。",
    "What did not come back.": "未归还的部分。",
    "Also write reminder slips (PDF) here.": "同时把催还单（PDF）写到这里。",
    "Overwrite an archive that is already there.": "覆盖已有的档案库。",
    "Scan files to re-hash after restoring (0: all).":
        "恢复后重新计算哈希的扫描文件数（0：全部）。",
    "CSV encoding: utf-8-sig (UTF-8 with BOM) or gbk for Excel on older Chinese Windows "
    "(default: setting csv_encoding, utf-8-sig).":
        "CSV 文件编码：utf-8-sig（带 BOM 的 UTF-8）或 gbk（旧版中文 Windows 的 Excel）"
        "（默认：设置项 csv_encoding，即 utf-8-sig）。",
    "Username of the first administrator (only when the archive has no users).":
        "首位管理员的用户名（仅当档案库尚无用户时）。",
    "Read the first administrator's password from this file.": "从此文件读取首位管理员的密码。",
    "Anchor file to check against (default: HOME/audit.anchors).":
        "用于核对的锚点文件（默认：HOME/audit.anchors）。",
    "Append-only anchor file (default: HOME/audit.anchors).":
        "只追加的锚点文件（默认：HOME/audit.anchors）。",
    "Print the head instead (for signing).": "改为打印链头（供签名）。",
    "Page worker processes (default: cores; 0: in this process).":
        "页面处理进程数（默认：CPU 核数；0：在本进程内处理）。",
    "Sign in with a staff card code; the PIN is asked for.": "用工作证条码登录；随后提示输入 PIN。",
    "A service account for scripts and the daemon.": "供脚本和守护进程使用的服务账号。",
    "Remove the PIN.": "删除 PIN。",
    "Only your own username or role (sign in with `hudang login`).":
        "只能是本人的用户名或角色（用 `hudang login` 登录）。",
    "销户日期 YYYY-MM-DD (default: today).": "销户日期 YYYY-MM-DD（默认：今天）。",
    "A pre-printed handover barcode.": "预先印好的移交条码。",
    "YK/YJ/JL/DF/QT or 业扩/用检/计量/电费/其它": "YK/YJ/JL/DF/QT 或 业扩/用检/计量/电费/其它",
    "文件类型, e.g. 用电申请书": "文件类型，例如 用电申请书",
    "The document's barcode, if it carries one.": "文件的条码（如有）。",
    "Pages counted (one code only); default: as listed.": "清点的页数（仅限一个条码）；默认：按清单所列。",
    "List line(s); default: every item not received.": "清单行号（可多个）；默认：所有未接收的项目。",
    "Who owes them (default: the sender).": "由谁补交（默认：移交方）。",
    "YYYY-MM-DD (default: today)": "YYYY-MM-DD（默认：今天）",
    "业务流程, e.g. 新装": "业务流程，例如 新装",
    "The volume (卷) to file it in.": "归入的案卷。",
    "Its pre-printed barcode.": "预先印好的条码。",
    "Put it straight into this box.": "直接装入此档案盒。",
    "Also write the contents list (盒内目录) PDF here.": "同时把盒内目录（PDF）写到这里。",
    "Include finished tasks.": "包括已完成的任务。",
    "a4 sheets or single roll labels (default: setting label_layout).":
        "a4 整张标签纸或单张卷筒标签（默认：设置项 label_layout）。",
    "Roll label size in mm (default: setting label_roll_size).":
        "卷筒标签尺寸，单位毫米（默认：设置项 label_roll_size）。",
    "First free label on the A4 sheet (1-14).": "A4 标签纸上第一个空白标签的位置（1-14）。",
    "Why (case number, dispute, audit …).": "冻结原因（案号、纠纷、审计 …）。",
    "Act as this user (until sign-in sessions land).": "以此用户身份操作（登录会话启用前的临时办法）。",
    "Released holds too.": "也列出已解除的冻结。",
    "Due on or before (today).": "在此日期或之前到期（默认：今天）。",
    "List every item.": "列出每个项目。",
    "The appraisal's reason.": "鉴定理由。",
    "keep: the new date.": "keep（继续保管）时：新的到期日期。",
    "Without DOCUMENTS: only pending items of this list.": "未指定 DOCUMENTS 时：只处理此清单中的待鉴定项目。",
    "Items per transaction.": "每个事务处理的项目数。",
    "Check a random PERCENT of the stored scans.": "随机抽检 PERCENT% 的已存扫描文件。",
    "Check every stored scan (default).": "校验全部已存扫描文件（默认）。",
    "Approver (required for important customers).": "审批人（重要客户必填）。",
    "待添加 待发送 待移交 待移交卷宗 业扩时限预警, or digitise/paper/contract_filing/step_limit/shelve.":
        "待添加 待发送 待移交 待移交卷宗 业扩时限预警，或 digitise/paper/contract_filing/step_limit/shelve。",
}

# Options that have no help of their own get one by name.
BY_NAME: dict[str, tuple[str, str]] = {
    "as_json": ("以 JSON 输出（供脚本使用）。", "Print JSON for scripts."),
}


def has_cjk(text: str | None) -> bool:
    return bool(text and _CJK.search(text))


def _split(text: str, zh: bool) -> str:
    """One side of a bilingual "中文 / English" text (the whole text when it is not one)."""
    if has_cjk(text) and " / " in text:
        head, _, tail = text.partition(" / ")
        if has_cjk(head) and not has_cjk(tail):
            return head if zh else tail[:1].upper() + tail[1:]
    return text


def walk(command: click.Command, path: str = ""):
    """Every (path, command) in the tree under `command`."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from walk(sub, f"{path} {name}".strip())


def _original(obj, attr: str) -> str | None:
    key = "_hudang_en_" + attr
    if key not in obj.__dict__:
        obj.__dict__[key] = getattr(obj, attr)
    return obj.__dict__[key]


def command_help(path: str, english: str | None, zh: bool) -> str | None:
    """The help text of the command at `path` in the chosen language."""
    if zh and path in COMMANDS:
        return COMMANDS[path]
    return _split(english, zh) if english else english


def option_help(option: click.Option, english: str | None, zh: bool) -> str | None:
    """The help text of `option` in the chosen language."""
    if english is None and option.name in BY_NAME:
        return BY_NAME[option.name][0 if zh else 1]
    if english is None:
        return None
    if zh:
        return OPTIONS.get(english) or _split(english, zh)
    return _split(english, zh)


_HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}


class _ZhFormatter(click.HelpFormatter):
    """Click's help layout with Chinese headings."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(_HEADINGS.get(heading, heading))


class _ZhContext(click.Context):
    formatter_class = _ZhFormatter


def localise_help(root: click.Command, language: str) -> None:
    """Set every command's and option's help in the tree to `language` (zh or en)."""
    zh = language != "en"
    for path, command in walk(root):
        command.help = command_help(path, _original(command, "help"), zh)
        if _original(command, "short_help") is None:
            command.short_help = None
        command.context_class = _ZhContext if zh else click.Context
        help_option = command.get_help_option(click.Context(command))  # cached by click
        options = [p for p in command.params if isinstance(p, click.Option)]
        for param in options + ([help_option] if help_option else []):
            param.help = option_help(param, _original(param, "help"), zh)


def help_language() -> str:
    """The language help is shown in: the settings' (HUDANG_LANGUAGE), Chinese if unreadable."""
    from hudang.settings import SettingsError, load_settings

    try:
        return load_settings().language
    except (SettingsError, OSError):  # a broken config file must not hide --help
        return "zh"
