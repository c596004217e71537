"""A deterministic generator of a realistic archive for one city (佛山), from demo to benchmark size.

Same seed and `as_of` date -> the same customers, boxes, shelving, documents and contracts.
Rows are written with SQL built once (executemany / execute_values) in batches; at benchmark
scale the secondary indexes of the big tables are dropped during the load and rebuilt after.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import peewee as pw

from hudang.common.domain import BoxStatus
from hudang.store import audit, search
from hudang.store import db as dbmod
from hudang.store.barcodes import default_scheme
from hudang.store.errors import AlreadyExists
from hudang.store.i18n import t
from hudang.store.models import Box, Contract, Customer, Document, Location, Movement, Volume
from hudang.store.services import serials
from hudang.store.bulk import bulk_insert, reserve_ids

Progress = Callable[[str, int, int], None]
ACTOR = audit.Actor("generator", "cli", "admin")
NUMBER_PREFIX = "03"  # generated customer numbers: 03 + 8 digits (sample_data uses 0601...)
LV_PER_BOX, CANCELLED_LV_PER_BOX = 8, 12
CELL_CAPACITY = {"HV": 4, "LV": 6, "cancelled": 8}
DEMO_USERS = [  # username, display name, role, password (demo only: change in production)
    ("keeper", "张敏", "keeper", "keeper-demo-1"),
    ("approver", "李建国", "approver", "approver-demo-1"),
    ("admin", "王磊", "admin", "admin-demo-1"),
    ("auditor", "陈静", "auditor", "auditor-demo-1"),
]
BULK_THRESHOLD = 100_000  # from this many customers, indexes are rebuilt after the load
BATCH = 20_000

# ---------------------------------------------------------------- tables of one city (佛山)

# district, towns / streets, 台区 name parts, short name used in company names
DISTRICTS = [
    ("禅城区", ["祖庙", "石湾", "张槎", "南庄", "亲仁", "普君", "季华", "汾江", "绿景", "东平"],
     ["一村", "新村", "花园", "小区", "社区"], "禅城区"),
    ("南海区", ["桂城", "大沥", "里水", "狮山", "丹灶", "西樵", "九江", "平洲", "黄岐", "罗村"],
     ["一村", "二村", "花园", "工业区", "社区"], "南海区"),
    ("顺德区", ["大良", "容桂", "伦教", "勒流", "陈村", "均安", "杏坛", "龙江", "乐从", "北滘"],
     ["居委", "新村", "花园", "工业区", "公寓"], "顺德区"),
    ("高明区", ["荷城", "杨和", "明城", "更合", "沧江", "西安"],
     ["一村", "新村", "社区", "小区"], "高明区"),
    ("三水区", ["西南", "云东海", "大塘", "乐平", "芦苞", "南山", "白坭"],
     ["一村", "二村", "新村", "社区"], "三水区"),
]
_SURNAME_WEIGHTS = (
    "陈 30 黄 18 李 16 梁 14 林 10 张 10 何 9 罗 8 刘 8 吴 7 郭 5 冯 5 麦 4 区 3 谭 5 卢 5 "
    "邓 5 周 5 杨 6 叶 4 潘 4 钟 4 曾 4 关 3 伍 3 邝 2 霍 2 严 2 王 8 赵 3 孙 2 朱 4 胡 3 徐 3 "
    "彭 3 蔡 3 苏 3 余 4 欧阳 1 司徒 1 梁丘 0.1 上官 0.2").split()
SURNAMES = (_SURNAME_WEIGHTS[0::2], [float(w) for w in _SURNAME_WEIGHTS[1::2]])
GIVEN_CHARS = ("伟 芳 娜 秀 英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 兰 霞 平 刚 桂 "
               "志 华 建 国 文 辉 嘉 欣 俊 豪 浩 宇 子 轩 梓 晴 家 乐 颖 琳 婷 雪 梅 振 "
               "永 康 伟 健 荣 锦 润 坤 炳 添 焯 棠 汉 湛 彬 咏 诗 慧 淑 仪 玉 凤 燕 "
               "晓 东 海 燕 红 金 波 德 智 耀 新 民 冬 春 泳 铭 俊 楷 朗 晖 祥 达").split()
COMPANY_BRANDS = ("美 华 达 兴 盛 源 宏 泰 鸿 丰 德 信 恒 利 隆 昌 新 宝 荣 嘉 佳 永 金 "
                  "康 安 顺 通 创 博 骏 毅 力 联 汇 科 邦 威 雅 星 海").split()
COMPANY_KINDS = ["陶瓷有限公司", "五金制品有限公司", "家具有限公司", "电器有限公司",
                 "纺织有限公司", "塑料制品有限公司", "食品有限公司", "机械设备有限公司",
                 "铝材有限公司", "物流有限公司", "印染有限公司", "建材有限公司",
                 "餐饮管理有限公司", "商贸有限公司", "酒店有限公司", "实业有限公司"]
# (category, document type, business process) -- DOMAIN.md: typical documents of a file
NEW_CONNECTION_DOCS = [("YK", "用电申请书", "新装"), ("YK", "供用电合同", "新装"),
                       ("YK", "产权人身份证复印件", "新装"), ("JL", "装拆表工作单", "新装"),
                       ("DF", "银行代扣委托书", "新装"), ("YK", "土地使用证复印件", "新装")]
HV_DOCS = [("YK", "用电申请书", "新装"), ("YK", "供用电合同", "新装"),
           ("YK", "营业执照复印件", "新装"), ("YK", "项目立项批复", "新装"),
           ("YK", "受电工程施工委托书", "新装"), ("YK", "竣工验收单", "新装"),
           ("JL", "计量装置现场确认表", "新装"), ("YK", "用电设备明细表", "新装"),
           ("YK", "建筑总平面图", "新装"), ("YK", "调度协议", "新装"),
           ("YK", "双电源协议", "新装"), ("DF", "担保协议", "新装"),
           ("YK", "验收送电资料", "新装"), ("YK", "法人身份证复印件", "新装")]
DOC_POOL = [("YJ", "安全用电检查记录", "用电检查"), ("YJ", "安全用电检查记录", "用电检查"),
            ("JL", "装拆表工作单", "移表"), ("JL", "计量装置现场确认表", "增容"),
            ("YK", "用电申请书", "增容"), ("YK", "客户信息变更单", "更名过户"),
            ("YK", "用电申请书", "迁址"), ("YJ", "违章用电及处罚记录", "用电检查"),
            ("DF", "银行代扣委托书", "更名过户"), ("DF", "电费缴费协议", "新装"),
            ("QT", "现场照片", "用电检查"), ("QT", "客户来函", "其它")]


@dataclass(slots=True)
class _Planned:
    """One customer as planned: what it is and where its file goes."""

    number: str
    hv: bool
    cancelled: bool
    line: str
    area: str
    district: int
    box: int = -1  # index into the planned boxes


@dataclass(slots=True)
class _PlannedBox:
    voltage_class: str
    zone: str  # HV / LV / cancelled
    label: str
    cell: int = -1  # index into the zone's cells


@dataclass
class _Plan:
    customers: list[_Planned] = field(default_factory=list)
    boxes: list[_PlannedBox] = field(default_factory=list)


# ---------------------------------------------------------------- planning

def _plan(n: int, rng: random.Random) -> _Plan:
    """Who is HV / LV / cancelled, their lines and 台区, and which box each file goes in."""
    plan = _Plan()
    n_hv = round(n * 0.02) if n >= 50 else max(1, n // 25)
    serial = 0

    def number() -> str:
        nonlocal serial
        serial += 1
        return f"{NUMBER_PREFIX}{serial:08d}"

    hv_left, lv_left = n_hv, n - n_hv
    while hv_left > 0:  # HV customers, grouped by supply line (线路)
        d = rng.randrange(len(DISTRICTS))
        place = rng.choice(DISTRICTS[d][1])
        line = f"10kV {place}线"
        for _ in range(min(hv_left, rng.randint(5, 40))):
            c = _Planned(number(), True, rng.random() < 0.03, line, "", d)
            plan.boxes.append(_PlannedBox("HV", "cancelled" if c.cancelled else "HV",
                                          f"{line} {c.number}"))
            c.box = len(plan.boxes) - 1
            plan.customers.append(c)
            hv_left -= 1
    line_no = 0
    while lv_left > 0:  # LV customers, grouped by line and transformer area (台区)
        d = rng.randrange(len(DISTRICTS))
        line_no += 1
        street = rng.choice(DISTRICTS[d][1])
        line = f"10kV {street}{line_no % 9 + 1}线"
        for a in range(rng.randint(3, 12)):
            if lv_left <= 0:
                break
            area = f"{street}{rng.choice(DISTRICTS[d][2])}{a + 1}号台区"
            members = [_Planned(number(), False, rng.random() < 0.03, line, area, d)
                       for _ in range(min(lv_left, rng.randint(40, 250)))]
            lv_left -= len(members)
            _pack_lv(plan, members, line, area)
            plan.customers += members
    return plan


def _pack_lv(plan: _Plan, members: list[_Planned], line: str, area: str) -> None:
    """LV boxes hold several customers of one 台区, in number order; cancelled ones apart."""
    for cancelled, per_box in ((False, LV_PER_BOX), (True, CANCELLED_LV_PER_BOX)):
        group = [c for c in members if c.cancelled == cancelled]
        for i in range(0, len(group), per_box):
            chunk = group[i:i + per_box]
            label = f"{line} {area} {chunk[0].number}-{chunk[-1].number}"
            plan.boxes.append(_PlannedBox("LV", "cancelled" if cancelled else "LV", label))
            for c in chunk:
                c.box = len(plan.boxes) - 1


# ---------------------------------------------------------------- people and places

def _person_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES[0], weights=SURNAMES[1])[0]
    if rng.random() < 0.002:
        return surname + "𠮷"  # a real name character outside the BMP
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.75:
        given += rng.choice(GIVEN_CHARS)
    return surname + given


def _id_number(rng: random.Random, district: int, born: dt.date) -> str:
    """A well-formed 18-digit resident ID (GB 11643 check digit)."""
    body = f"4406{district + 4:02d}{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch) * w for ch, w in zip(body, weights))
    return body + "10X98765432"[total % 11]


def _credit_code(rng: random.Random, district: int) -> str:
    tail = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return f"914406{district + 4:02d}{tail}{rng.randrange(10)}"


def _customer_row(c: _Planned, cid: int, rng: random.Random, as_of: dt.date) -> tuple:
    """The customer table row (see _CUSTOMER_COLS) and its opening date."""
    dname, streets, _, short = DISTRICTS[c.district]
    street = rng.choice(streets)
    company = c.hv or rng.random() < 0.16
    if company:
        tariff = (rng.choices(["大工业", "一般工商业"], [6, 4])[0] if c.hv
                  else rng.choices(["一般工商业", "农业"], [9, 1])[0])
        brand = rng.choice(COMPANY_BRANDS) + rng.choice(COMPANY_BRANDS)
        name = f"佛山市{short}{brand}{rng.choice(COMPANY_KINDS)}"
        id_number = _credit_code(rng, c.district)
        phone = f"0757{rng.randrange(22000000, 88999999)}"
        address = f"广东省佛山市{dname}{street}工业大道{rng.randint(1, 300)}号"
    else:
        tariff = rng.choices(["居民", "农业"], [19, 1])[0]
        name = _person_name(rng)
        born = as_of - dt.timedelta(days=rng.randint(20 * 365, 85 * 365))
        id_number = _id_number(rng, c.district, born)
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        address = (f"广东省佛山市{dname}{street}{rng.choice(['路', '大道', '街', '村'])}"
                   f"{rng.randint(1, 180)}号{rng.choice(['', '', '之一', '首层', '3座502'])}")
    opened = as_of - dt.timedelta(days=rng.randint(90, 20 * 365))
    cancelled_on = (opened + dt.timedelta(days=rng.randint(30, max(31, (as_of - opened).days))))
    voltage = rng.choice(["10kV", "10kV", "20kV", "110kV"]) if c.hv else \
        ("380V" if company else "220V")
    important = rng.random() < (0.1 if c.hv else 0.002)
    stamp = f"{opened.isoformat()} 09:00:00"
    return (cid, c.number, name, id_number, phone, address, "HV" if c.hv else "LV", voltage,
            c.line, c.area, tariff, "cancelled" if c.cancelled else "active",
            cancelled_on.isoformat() if c.cancelled else None, important, False, stamp,
            stamp, 1), opened


def _documents(c: _Planned, cid: int, opened: dt.date, count: int, rng: random.Random,
               as_of: dt.date) -> list[tuple[str, str, str, dt.date]]:
    """(category, type, process, filed_on) of one customer's documents, in filing order."""
    first = HV_DOCS if c.hv else NEW_CONNECTION_DOCS
    kinds = first[:count] + [rng.choice(DOC_POOL) for _ in range(count - len(first))]
    if c.cancelled and kinds:
        kinds.append(("YK", "销户申请书", "销户"))
    span = max(1, (as_of - opened).days - 7)
    later = sorted(rng.randrange(span) for _ in kinds)
    out = []
    for i, (cat, doc_type, process) in enumerate(kinds):
        days = rng.randint(1, 6) if process == "新装" else later[i]
        out.append((cat, doc_type, process, opened + dt.timedelta(days=days)))
    return out


# ---------------------------------------------------------------- writing

_CUSTOMER_COLS = ("id", "number", "name", "id_number", "phone", "address", "voltage_class",
                  "supply_voltage", "line", "area", "tariff", "status", "cancelled_on",
                  "important", "legal_hold", "created_at", "updated_at", "version")


class _Table:
    """A bulk insert into `model`: the given columns plus constant defaults for the rest."""

    def __init__(self, model: type[pw.Model], given: tuple[str, ...]):
        self.table = model._meta.table_name
        extra = [f for f in model._meta.sorted_fields
                 if f.column_name not in given and not isinstance(f, pw.AutoField)]
        self.columns = tuple(given) + tuple(f.column_name for f in extra)
        self.defaults = tuple(_default(f) for f in extra)

    def insert(self, rows: list[tuple]) -> int:
        return bulk_insert(self.table, self.columns, [r + self.defaults for r in rows])


def _default(f: pw.Field):
    value = f.default() if callable(f.default) else f.default
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    return value


def _defer_indexes(tables: list[str]) -> list[str]:
    """Drop the secondary indexes of these (empty) tables; return the SQL that rebuilds them."""
    db = dbmod.require_database()
    rebuild: list[str] = []
    for table in tables:
        if dbmod.is_postgres():
            rows = db.execute_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND "
                "schemaname = current_schema() AND indexname NOT LIKE %s",
                (table, "%_pkey")).fetchall()
        else:
            rows = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                  "AND tbl_name = ? AND sql IS NOT NULL", (table,)).fetchall()
        for name, sql in rows:
            db.execute_sql(f'DROP INDEX "{name}"')
            rebuild.append(sql)
    return rebuild


def _zone_specs(plan: _Plan) -> list:
    """Shelving big enough for the planned boxes with about 20 % room to grow."""
    from hudang.store.services.locations import ZoneSpec

    specs = []
    for code, zone in (("A", "HV"), ("B", "LV"), ("C", "cancelled")):
        boxes = sum(1 for b in plan.boxes if b.zone == zone)
        cells = math.ceil(boxes * 1.2 / CELL_CAPACITY[zone]) + 4
        sections = min(10, max(1, math.ceil(cells / 40)))
        rows = math.ceil(cells / (2 * sections * 20))
        name = {"HV": "高压区", "LV": "低压区", "cancelled": "销户区"}[zone]
        specs.append(ZoneSpec(code, zone, rows, sections, 5, 4, CELL_CAPACITY[zone], name=name))
    return specs


def _box_key(plan: _Plan) -> list[tuple]:
    """Per box: (line, 台区, first customer number) -- the shelving order."""
    keys: list[tuple] = [()] * len(plan.boxes)
    for c in plan.customers:
        if not keys[c.box]:
            keys[c.box] = (c.line, c.area, c.number)
    return keys


def _place_boxes(plan: _Plan, cells: dict[str, list[int]]) -> list[int]:
    """Box indexes in insertion order; each box's cell filled in walking order."""
    keys = _box_key(plan)
    order: list[int] = []
    for zone, zone_cells in cells.items():
        mine = sorted((i for i, b in enumerate(plan.boxes) if b.zone == zone),
                      key=keys.__getitem__)
        cap = CELL_CAPACITY[zone]
        for k, i in enumerate(mine):
            plan.boxes[i].cell = zone_cells[k // cap]
        order += mine
    return order


def _write_locations(plan: _Plan) -> tuple[dict[str, list[int]], int]:
    """Room, zones down to cells, and a safe (权证); return cell ids per zone class."""
    from hudang.store.services import locations

    n = locations.build_shelving("K1", "佛山供电局客户档案室", _zone_specs(plan), ACTOR)
    locations.add_safe("K1", "SAFE1", "权证保险柜", 200, ACTOR)
    cells: dict[str, list[int]] = {}
    for zone in ("HV", "LV", "cancelled"):
        cells[zone] = [r[0] for r in Location.select(Location.id).where(
            (Location.kind == "cell") & (Location.zone_class == zone))
            .order_by(Location.walk_order).tuples()]
    return cells, n


def _write_boxes(plan: _Plan, cells: dict[str, list[int]], as_of: dt.date) -> list[int]:
    """Insert every box on its home cell with its shelving movement; return ids by plan index."""
    order = _place_boxes(plan, cells)
    scheme = default_scheme()
    first_serial = serials.allocate("box", len(order))
    first_id = reserve_ids("box", len(order))
    stamp = f"{as_of.isoformat()} 08:00:00"
    ids = [0] * len(plan.boxes)
    rows, moves = [], []
    for k, i in enumerate(order):
        b = plan.boxes[i]
        ids[i] = first_id + k
        rows.append((ids[i], scheme.make("box", first_serial + k), b.voltage_class, b.cell,
                     b.cell, BoxStatus.ON_SHELF.value, b.label[:128], stamp, 1))
        moves.append((ids[i], "shelve", None, b.cell, stamp, ACTOR.username, ""))
    _Table(Box, ("id", "barcode", "voltage_class", "home_id", "current_id", "status", "label",
                 "created_at", "version")).insert(rows)
    _Table(Movement, ("box_id", "kind", "from_location_id", "to_location_id", "at", "actor",
                      "note")).insert(moves)
    return ids


def _add_users() -> int:
    """The demo staff (keeper / approver / admin / auditor) through the users service."""
    from hudang.store.models import User
    from hudang.store.services.users import add_user

    made = 0
    for username, display, role, password in DEMO_USERS:
        if not User.select().where(User.username == username).exists():
            add_user(username, display, role, password, department="客户档案室", actor=ACTOR)
            made += 1
    return made


def _contract(c: _Planned, cid: int, opened: dt.date, cancelled_on: str | None,
              doc_id: int | None, rng: random.Random, as_of: dt.date) -> tuple:
    """One 供用电合同: HV for five years (renegotiated), LV for ten (usually auto-renewed)."""
    if c.hv:
        signed = max(opened, as_of - dt.timedelta(days=rng.randrange(5 * 365)))
        expires, auto = signed + dt.timedelta(days=5 * 365), rng.random() < 0.3
    else:
        signed = opened
        expires, auto = signed + dt.timedelta(days=10 * 365), rng.random() < 0.95
    if cancelled_on:
        expires, auto = dt.date.fromisoformat(cancelled_on), False
    return (cid, f"GD{signed.year}{cid:08d}", "供用电合同", signed.isoformat(),
            expires.isoformat(), auto, doc_id)


def _write_batch(batch: list[_Planned], box_ids: list[int], rng: random.Random,
                 as_of: dt.date, docs_mean: float) -> tuple[int, int]:
    """Customers with their volume, documents and contract; return (documents, contracts)."""
    scheme = default_scheme()
    n = len(batch)
    cid0, vid0 = reserve_ids("customer", n), reserve_ids("volume", n)
    vser = serials.allocate("volume", n)
    lo, hi = max(1, round(docs_mean * 0.4)), max(1, round(docs_mean * 1.6))
    customers, volumes, planned_docs = [], [], []
    for i, c in enumerate(batch):
        row, opened = _customer_row(c, cid0 + i, rng, as_of)
        customers.append(row)
        volumes.append((vid0 + i, scheme.make("volume", vser + i), cid0 + i, box_ids[c.box],
                        f"{c.number} {row[2]} 第1卷"[:256], 1, row[15]))
        count = rng.randint(lo, hi) if docs_mean > 0 else 0
        planned_docs.append((opened, _documents(c, cid0 + i, opened, count, rng, as_of)))
    total = sum(len(d) for _, d in planned_docs)
    did0 = reserve_ids("document", total) if total else 0
    dser = serials.allocate("document", total) if total else 0
    documents, contracts, k = [], [], 0
    for i, (opened, docs) in enumerate(planned_docs):
        contract_doc = None
        for cat, doc_type, process, filed in docs:
            step = dt.datetime.combine(filed - dt.timedelta(days=3), dt.time(10, 0))
            scanned = step + dt.timedelta(hours=rng.randint(2, 60))
            if doc_type == "供用电合同" and contract_doc is None:
                contract_doc = did0 + k
            documents.append((did0 + k, scheme.make("document", dser + k), cid0 + i, vid0 + i,
                              cat, doc_type, doc_type, rng.randint(1, 12), filed.isoformat(),
                              process, step.isoformat(" "), scanned.isoformat(" "),
                              scanned.isoformat(" ")))
            k += 1
        contracts.append(_contract(batch[i], cid0 + i, opened, customers[i][12], contract_doc,
                                   rng, as_of))
    _Table(Customer, _CUSTOMER_COLS).insert(customers)
    _Table(Volume, ("id", "barcode", "customer_id", "box_id", "title", "seq",
                    "created_at")).insert(volumes)
    _Table(Document, ("id", "barcode", "customer_id", "volume_id", "category", "doc_type",
                      "title", "page_count", "filed_on", "business_process", "business_step_at",
                      "scanned_at", "created_at")).insert(documents)
    _Table(Contract, ("customer_id", "number", "kind", "signed_on", "expires_on", "auto_renew",
                      "document_id")).insert(contracts)
    search.index_customers_bulk((r[0], r[1], r[2], r[3], r[4], r[5]) for r in customers)
    return len(documents), len(contracts)


def build_archive(customers: int, seed: int = 1, docs_per_customer: float = 5,
                  progress: Progress | None = None, *, as_of: dt.date | None = None) -> dict:
    """Fill an empty archive with `customers` realistic customers and everything around them."""
    as_of = as_of or dt.date.today()
    report = progress or (lambda stage, done, total: None)
    if Customer.select().exists():
        raise AlreadyExists(t("档案库中已有客户：生成器只填充空的档案库。",
                              "The archive already has customers; the generator only fills "
                              "an empty archive."))
    rng = random.Random(seed)
    plan = _plan(customers, rng)
    report("plan", len(plan.customers), customers)
    cells, n_cells = _write_locations(plan)
    bulk = customers >= BULK_THRESHOLD
    big = [m._meta.table_name for m in (Customer, Volume, Document, Contract, Box, Movement)]
    big.append("customer_search")  # the search side table (its GIN index on PostgreSQL)
    with dbmod.write_tx():
        rebuild = _defer_indexes(big) if bulk else []
        box_ids = _write_boxes(plan, cells, as_of)
    report("boxes", len(box_ids), len(box_ids))
    documents = contracts = 0
    for start in range(0, len(plan.customers), BATCH):
        with dbmod.write_tx():
            d, k = _write_batch(plan.customers[start:start + BATCH], box_ids, rng, as_of,
                                docs_per_customer)
        documents, contracts = documents + d, contracts + k
        report("customers", min(start + BATCH, customers), customers)
    db = dbmod.require_database()
    for i, sql in enumerate(rebuild):
        report("indexes", i, len(rebuild))
        db.execute_sql(sql)
    with dbmod.write_tx():
        db.execute_sql("UPDATE location SET used = (SELECT COUNT(*) FROM box "
                       "WHERE box.home_id = location.id) WHERE kind IN ('cell', 'safe')")
    if bulk:  # fresh statistics; on PostgreSQL also the visibility map for index-only scans
        db.execute_sql("VACUUM ANALYZE" if dbmod.is_postgres() else "ANALYZE")
    users = _add_users()
    counts = {
        "customers": len(plan.customers),
        "hv": sum(c.hv for c in plan.customers),
        "cancelled": sum(c.cancelled for c in plan.customers),
        "boxes": len(plan.boxes), "volumes": len(plan.customers), "documents": documents,
        "contracts": contracts, "cells": n_cells, "users": users,
    }
    with dbmod.write_tx():
        audit.record(ACTOR, "archive.generate", "archive", "", None,
                     {**counts, "seed": seed, "as_of": as_of.isoformat()})
    report("done", customers, customers)
    return counts
