"""Keyword search: 2- and 3-character Chinese, digit substrings, ranking, index consistency."""

from __future__ import annotations

from hudang.store import search
from hudang.store.db import write_tx
from hudang.store.models import Customer

PEOPLE = [
    # number, name, id_number, phone, address, class
    ("0600000001", "张三明", "440602198001051234", "13912345678",
     "广东省佛山市禅城区祖庙街道人民路12号", "LV"),
    ("0600000002", "李张三", "440602198502022345", "13800001111",
     "广东省佛山市南海区桂城街道南海大道8号", "LV"),
    ("0600000003", "王𠮷", "440602199003033456", "13698765432",
     "广东省佛山市顺德区大良街道凤山中路3号", "LV"),
    ("0600000004", "佛山市张三食品有限公司", "91440600MA4UABCD12", "075782345678",
     "广东省佛山市三水区西南街道张三路1号", "HV"),
    ("0600000005", "陈静", "440602197512125678", "13512340000",
     "广东省佛山市高明区荷城街道明城路5号", "LV"),
    ("0612345678", "赵六", "440602196606066789", "13700005678",
     "广东省佛山市禅城区石湾镇街道0600000001号", "LV"),
]


def _add(rows=PEOPLE) -> dict[str, Customer]:
    made = {}
    with write_tx():
        for number, name, idn, phone, address, vc in rows:
            c = Customer.create(number=number, name=name, id_number=idn, phone=phone,
                                address=address, voltage_class=vc, line="10kV 祖庙线",
                                area="" if vc == "HV" else "人民路1号台区")
            search.index_customer(c)
            made[number] = c
    return made


def _names(text: str, limit: int = 50) -> list[str]:
    return [h.name for h in search.search_customers(text, limit)]


def test_two_character_name_query_finds_every_name_containing_it(db):
    _add()
    names = _names("张三")
    assert set(names) == {"张三明", "李张三", "佛山市张三食品有限公司"}
    hits = search.search_customers("张三")
    assert all(h.matched == "name" for h in hits)


def test_three_character_query_is_a_substring_not_a_bag_of_characters(db):
    _add()
    assert _names("张三明") == ["张三明"]
    assert _names("三明张") == []
    assert _names("食品有限") == ["佛山市张三食品有限公司"]


def test_character_outside_the_bmp_round_trips_and_is_searchable(db):
    made = _add()
    assert Customer.get_by_id(made["0600000003"].id).name == "王𠮷"
    hits = search.search_customers("王𠮷")
    assert [(h.name, h.matched) for h in hits] == [("王𠮷", "name")]
    assert _names("𠮷") == []  # one character searches names that start with it
    assert _names("王") == ["王𠮷"]


def test_digit_substrings_of_phone_number_and_id(db):
    _add()
    hits = search.search_customers("5678")
    by_name = {h.name: h.matched for h in hits}
    assert by_name == {"张三明": "phone", "佛山市张三食品有限公司": "phone",
                       "赵六": "number", "陈静": "id_number"}
    assert _names("19900303") == ["王𠮷"]  # birth date inside the ID number
    assert _names("abcd") == ["佛山市张三食品有限公司"]  # letters inside a credit code


def test_ranking_exact_number_then_names_then_address(db):
    _add()
    hits = search.search_customers("0600000001")
    assert [(h.name, h.matched) for h in hits] == [("张三明", "number"), ("赵六", "address")]
    hits = search.search_customers("张三")
    assert hits[0].name == "张三明"  # name prefix before name substring
    assert [h.matched for h in search.search_customers("祖庙")] == ["address"]
    # a name match ranks above an address match for the same query
    with write_tx():
        c = Customer.create(number="0600000009", name="祖庙", voltage_class="LV", area="x")
        search.index_customer(c)
    hits = search.search_customers("祖庙")
    assert [(h.name, h.matched) for h in hits] == [("祖庙", "name"), ("张三明", "address")]


def test_exact_name_ranks_first_and_limit_is_respected(db):
    rows = [(f"07000000{i:02d}", f"王伟{'明' * (i % 3)}{i}", "", "", "佛山", "LV")
            for i in range(30)]
    rows.append(("0700000099", "王伟", "", "", "佛山", "LV"))
    _add(rows)
    hits = search.search_customers("王伟", limit=10)
    assert len(hits) == 10
    assert hits[0].name == "王伟" and hits[0].number == "0700000099"


def test_pinyin_initials(db):
    _add()
    assert _names("zsm") == ["张三明"]
    assert search.search_customers("zsm")[0].matched == "initials"


def test_index_follows_updates_and_removal(db):
    made = _add()
    c = made["0600000001"]
    with write_tx():
        c.name = "张四海"
        c.phone = "13011112222"
        c.save()
        search.index_customer(c)
    assert "张四海" not in _names("张三")
    assert _names("四海") == ["张四海"]
    assert _names("13912345678") == []
    assert _names("1111222") == ["张四海"]
    with write_tx():
        search.unindex_customer(c.id)
    assert _names("四海") == []
    with write_tx():  # re-indexing after removal works and does not duplicate
        search.index_customer(c)
        search.index_customer(c)
    assert _names("四海") == ["张四海"]


def test_several_words_must_all_match(db):
    _add()
    assert _names("张三 禅城") == ["张三明"]
    assert _names("张三 南海") == ["李张三"]
    assert _names("张三 北京") == []


def test_normalisation_ignores_spaces_case_and_full_width(db):
    _add()
    assert _names("１３９１２") == ["张三明"]
    assert _names("ABCD") == ["佛山市张三食品有限公司"]
    assert search.search_customers("  ") == []


def test_bulk_index_then_search(db):
    rows = []
    with write_tx():
        for i in range(200):
            c = Customer.create(number=f"08{i:08d}", name=f"林{'一二三四五'[i % 5]}{i}",
                                phone=f"1390000{i:04d}", voltage_class="LV", area="a")
            rows.append((c.id, c.number, c.name, "", c.phone, ""))
        assert search.index_customers_bulk(rows) == 200
    assert len(search.search_customers("林三", limit=100)) == 40
    assert _names("13900000199") == ["林五199"]


def test_non_ascii_letters_are_indexed_verbatim(db):
    _add([("0600000011", "Zoë·Müller", "", "", "広東 Ⅻ 路", "HV"),
          ("0600000012", "Zoe Muller", "", "", "", "HV")])
    assert _names("oë") == ["Zoë·Müller"]  # no diacritic folding: oe is another name
    assert _names("oe") == ["Zoe Muller"]
    assert _names("ZOËMÜ") == ["Zoë·Müller"]  # case folded, the middle dot dropped
    assert _names("広東") == ["Zoë·Müller"]
    assert _names("xii") == ["Zoë·Müller"]  # NFKC: the numeral Ⅻ is indexed as xii


def test_rebuild_index_replaces_an_index_of_an_older_format(db):
    _add()
    assert search.index_is_current()
    if db.param == "?":  # SQLite: an FTS table with the tokenizer of the older format
        with write_tx():
            db.execute_sql("DROP TABLE customer_fts")
            db.execute_sql("CREATE VIRTUAL TABLE customer_fts USING fts5(name, body, "
                           "tokenize='unicode61', content='', columnsize=0)")
        assert not search.index_is_current()
    assert search.rebuild_index() == len(PEOPLE)
    assert search.index_is_current()
    assert _names("张三") == ["张三明", "李张三", "佛山市张三食品有限公司"]
    assert _names("王𠮷") == ["王𠮷"]
    assert _names("zsm") == ["张三明"]
    assert _names("19900303") == ["王𠮷"]


def test_initials_table_agrees_with_pypinyin():
    from pypinyin import Style, lazy_pinyin

    chars = [chr(c) for c in range(0x4E00, 0xA000, 7)] + ["𠮷", "〇", "A", "z", "7", "é"]
    ours = [search._CHAR_INITIALS[ord(c)] for c in chars]
    theirs = [(lazy_pinyin(c, style=Style.FIRST_LETTER) or [c])[0][:1] for c in chars]
    assert ours == theirs
    assert search.initials("曾志伟") == "zzw" and search.initials("单田芳") == "stf"


def test_migration_4_reindexes_an_old_format_archive(db):
    """An archive at schema 3 with the old token format is re-indexed by `db upgrade`."""
    from hudang.store import db as dbmod
    from hudang.store import schema
    from hudang.store.models import SchemaVersion

    from .helpers import customer

    customer("3300000441", name="欧阳𠮷祥")
    if dbmod.is_sqlite():
        dbmod.database.obj.execute_sql("DROP TABLE customer_fts")
        dbmod.database.obj.execute_sql(
            "CREATE VIRTUAL TABLE customer_fts USING fts5(name, body, content='')")
        assert not search.index_is_current()
        assert search.search_customers("𠮷祥") == []
    SchemaVersion.delete().where(SchemaVersion.version >= 4).execute()  # back to schema 3
    assert schema.upgrade() == [m.version for m in schema.MIGRATIONS if m.version >= 4]
    assert search.index_is_current()
    assert [h.number for h in search.search_customers("𠮷祥")] == ["3300000441"]
