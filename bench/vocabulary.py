"""Words for the synthetic technologies: general technical English, topic words per field
group (English and Japanese), and a long tail of rare words, so that term frequencies look like a
real catalogue (a few words everywhere, topic words in their field, many rare words: real
words from the JMdict-derived gloss table, see :func:`specific_words`)."""

import functools
import gzip
import os
import re
from collections import Counter

from matching.text.dictionary import DATA_DIR
from matching.text.english import analyse_english


def _words(text: str) -> list[str]:
    return text.split()


GENERAL_EN = _words(
    """
method system process device material apparatus structure layer surface module unit control
temperature pressure energy efficiency cost performance production manufacturing design
application sensor signal data model analysis measurement quality stability durability
environment reduction improvement conventional novel high low compact lightweight scalable
composition compound reaction catalyst solution particle film coating fibre polymer metal
ceramic glass carbon oxygen nitrogen water heat light power current voltage frequency
flow rate concentration density capacity storage conversion recovery separation treatment
detection monitoring prediction optimisation simulation algorithm network wireless circuit
substrate electrode membrane filter pump valve motor engine turbine blade frame panel
container vessel chamber tube pipe channel nozzle plate sheet powder liquid gas vapour
phase interface boundary range ratio yield loss gain response time speed accuracy precision
resolution sensitivity selectivity safety reliability maintenance lifetime operation
installation assembly component element feature function mechanism principle prototype
laboratory field trial pilot scale industrial commercial residential urban rural regional
global local market user operator manufacturer supplier partner licence patent invention
research development university institute company demonstration validation evaluation
test result advantage benefit problem challenge requirement standard regulation policy
"""
)

TOPICS_EN = {
    "alternative-energy": "solar photovoltaic perovskite wind turbine geothermal hydrogen "
    "electrolysis tidal wave biogas renewable inverter",
    "energy-efficiency": "insulation heatpump lighting led efficiency waste-heat cogeneration "
    "smartgrid battery supercapacitor thermal retrofit",
    "water": "desalination wastewater purification filtration groundwater irrigation "
    "rainwater sewage drinking aquifer osmosis sludge",
    "pollution-waste": "recycling plastic emissions landfill incineration pollutant "
    "microplastic upcycling composting leachate scrubber contamination",
    "agriculture-forestry": "crop soil fertiliser seed greenhouse livestock forestry "
    "pesticide harvest aquaculture vertical-farming biochar",
    "transportation": "vehicle electric charging railway logistics aviation shipping "
    "mobility drivetrain hybrid fleet traffic",
    "building-construction": "concrete timber facade roofing cement ventilation "
    "prefabricated masonry retrofit daylight passive housing",
    "climate-adaptation": "flood drought earthquake early-warning resilience levee "
    "landslide typhoon heatwave evacuation seawall forecasting",
    "chemicals-materials": "nanomaterial graphene composite alloy biodegradable "
    "bioplastic adhesive solvent pigment zeolite lignin cellulose",
    "life-sciences": "diagnostic vaccine antibody enzyme microbial fermentation biomarker "
    "therapeutic genome protein cell medical",
    "ict": "software iot blockchain machine-learning cloud edge cybersecurity satellite "
    "lidar drone platform digital-twin",
    "manufacturing": "robot automation additive machining welding casting inspection "
    "assembly-line cnc laser injection moulding",
}

GENERAL_JA = _words(
    """
方法 装置 システム 材料 構造 製造 効率 性能 制御 温度 圧力 エネルギー 低減 向上 技術 開発 評価
試験 実証 特許 用途 費用 安定 耐久 環境 測定 解析 設計 表面 部材 素子 回路 信号 反応 触媒 粒子
薄膜 樹脂 金属 炭素 水素 酸素 窒素 熱 光 電力 電圧 流量 濃度 容量 貯蔵 変換 回収 分離 処理 検出
監視 予測 最適化 高精度 小型 軽量 低コスト 量産 実用化 産業 企業 大学 研究所 共同研究 ライセンス
"""
)

TOPICS_JA = {
    "alternative-energy": "太陽電池 風力発電 地熱 水素製造 ペロブスカイト 再生可能エネルギー 潮力",
    "energy-efficiency": "蓄電池 断熱材 ヒートポンプ 省エネ 排熱回収 照明 スマートグリッド",
    "water": "海水淡水化 排水処理 浄水 ろ過膜 地下水 灌漑 雨水利用",
    "pollution-waste": "リサイクル 廃プラスチック 排ガス 焼却 汚染物質 堆肥化 土壌浄化",
    "agriculture-forestry": "農作物 土壌 肥料 温室 畜産 森林 養殖",
    "transportation": "電気自動車 充電 鉄道 物流 航空機 船舶 燃料電池車",
    "building-construction": "コンクリート 木造 外壁 屋根 換気 耐震 住宅",
    "climate-adaptation": "洪水 干ばつ 地震 早期警報 防災 台風 津波",
    "chemicals-materials": "ナノ材料 グラフェン 複合材料 合金 生分解性 セルロース 接着剤",
    "life-sciences": "診断薬 ワクチン 抗体 酵素 微生物 発酵 医療機器",
    "ict": "ソフトウェア 人工知能 ブロックチェーン クラウド 衛星 ドローン センサネットワーク",
    "manufacturing": "ロボット 自動化 積層造形 溶接 鋳造 検査装置 レーザー加工",
}

PARTICLES_JA = ["の", "を", "に", "は", "と", "で", "が", "により", "による", "において"]

#: the listings' own rare words ("what the invention is called") are real words: JMdict
#: headwords (kanji compounds of 2-4 characters, or katakana words of 4-8) with a first gloss of
#: one or two English words, each of whose stems is *specific*: in at most SPECIFIC_DF of the
#: table's first-sense glosses and not one of the general words above. A Japanese listing uses
#: the headword, an English listing the gloss, so both languages name the same kinds of things
#: and a generated Japanese listing's own words gloss as a real listing's would (``渦動`` →
#: vortex). The pseudo-words they replace (random kanji strings split into single kanji, each
#: glossed into a common stem such as pond or examine) gave Japanese listings English terms a
#: real one would not have.
SPECIFIC_DF = 30
_KANJI_WORD = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_KATAKANA_WORD = re.compile(r"^[\u30a1-\u30fa\u30fc]{4,8}$")
_GLOSS = re.compile(r"^[a-z]{4,}( [a-z]{4,})?$")


def _gloss_rows() -> list[tuple[str, str]]:
    """(headword, first-sense glosses) of the JMdict-derived table (matching/data/)."""
    path = os.path.join(DATA_DIR, "jmdict_gloss.tsv.gz")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [tuple(line.split("\t", 2)[:2]) for line in f if not line.startswith("#")]


@functools.cache
def _candidates() -> tuple[tuple[str, str, tuple[int, ...]], ...]:
    """(headword, first gloss, how many first-sense glosses hold each of its stems) for every
    headword of the table that may stand in a generated text: 2-4 kanji or 4-8 katakana, a
    first gloss of one or two plain English words, none of them a general word (~82,000)."""
    rows = _gloss_rows()
    frequency = Counter(term for _, glosses in rows for term in set(analyse_english(glosses)))
    general = set(analyse_english(" ".join(GENERAL_EN)))
    out, seen = [], set()
    for head, glosses in rows:
        gloss = glosses.split("|")[0]
        if head in seen:
            continue
        if not (_KANJI_WORD.match(head) or _KATAKANA_WORD.match(head)) or not _GLOSS.match(gloss):
            continue
        terms = analyse_english(gloss)
        if len(terms) == len(gloss.split()) and not set(terms) & general:
            seen.add(head)
            out.append((head, gloss, tuple(frequency[t] for t in terms)))
    return tuple(sorted(out))


@functools.cache
def specific_words() -> tuple[tuple[str, str], ...]:
    """Every (Japanese headword, English gloss) pair eligible as a listing's own word, sorted
    (so a seeded sample is reproducible); ~30,000 pairs, 2 s of CPU once per process."""
    return tuple(
        (head, gloss)
        for head, gloss, counts in _candidates()
        if all(n <= SPECIFIC_DF for n in counts)
    )


@functools.cache
def everyday_words() -> tuple[tuple[str, str, float], ...]:
    """(Japanese headword, English word, weight) for the ~23,000 one-word first glosses of the
    table (one headword each): the broad vocabulary a real listing also uses beside its field's
    words — "river", "winter", "camera", "vacuum" — which the generated texts lacked, so in a
    bench database a real listing's ordinary words were rare (issue 17). A word's weight is how
    many first-sense glosses hold its stem (a proxy for how common it is in English), shared
    among the words of that stem, so a stem is drawn as often as the table uses it."""
    words = {}
    for head, gloss, counts in _candidates():
        if " " not in gloss:
            words.setdefault(gloss, (head, counts[0]))
    stems = Counter(next(iter(analyse_english(gloss))) for gloss in words)
    return tuple(
        (head, gloss, n / stems[next(iter(analyse_english(gloss)))])
        for gloss, (head, n) in sorted(words.items())
    )


def topic_words_en(group: str) -> list[str]:
    return TOPICS_EN.get(group, "").split()


def topic_words_ja(group: str) -> list[str]:
    return TOPICS_JA.get(group, "").split()


# --- Sentence templates: generated listings read like real ones -----------------------------
# A listing is about a subject (bench.generate.Subject): two of its field's topic words (its
# focus, repeated as real listings repeat theirs) and two rare words of its own (what the
# invention is called) and more of its own (its details). Slots: {T} a focus word, {D} the
# listing's next detail word, {C} one of its designations (an acronym or code), {O} another topic word of the field, {L} a
# list of several of them (an applications sentence), {X} a
# topic word of another field, {S} one of the listing's own rare words, {G} a general word
# (Zipf-distributed), {A} an adjective, {V} a verb, {N} a number, {P} a percentage, {U} a unit.

ADJECTIVES_EN = _words(
    """
conventional novel compact lightweight low-cost scalable robust simple efficient durable
modular portable continuous automated flexible stable accurate selective inexpensive safe
"""
)
VERBS_EN = _words(
    """
reduces improves increases enables controls detects removes converts measures stabilises
recovers separates monitors predicts protects extends lowers shortens simplifies replaces
"""
)
UNITS_EN = _words("% °C kWh mm MPa hours cycles mg/L kW μm days years")

TITLES_EN = [
    "{A} {S} {G} with {D} for {T} {G}",
    "{T} {G} with {A} {G} based on {S} and {D}",
    "Method for {G} of {T} {G} using {S} {G} and {D}",
    "{S} {G}: {A} {T} {G} for {G} {G}",
    "{A} {D} {G} that {V} {G} in {T} {G}",
    "{T} and {T} {G} by {S} {G} on {D}",
]
PROBLEM_EN = [
    "{A} {T} {G} suffers from low {G} and high {G} {G}.",
    "In {T} {G}, the {G} of the {G} is limited by {G} and {G}.",
    "Existing {G} for {T} require {A} {G} and frequent {G}, which raises {G} and {G}.",
    "Operators of {T} {G} need {G} that is {A} and {A}, but current {G} are {A} and costly.",
    "The main obstacle to wider use of {T} is the {G} of the {G} under {G} {G}.",
]
METHOD_EN = [
    "We have developed a {A} {S} system that {V} the {G} of {T} {G}.",
    "The method combines a {S} {G} with {A} {G} and a {G} {G}.",
    "A {S} layer on the {G} {V} {G} while keeping {G} {A}.",
    "The process is controlled by a {A} {G} that {V} {G} from {G} {G}.",
    "Unlike {A} {G}, the {S} {G} works at ambient {G} and needs no {G}.",
    "{S} {G} and {T} {G} are integrated in one {A} {G}.",
]
RESULT_EN = [
    "In {G} tests the {G} {V} {G} by {P} % compared with {A} {T} {G}.",
    "The performance of the {G} stayed within {P} % of {A} {G} over {N} {U}.",
    "A {G} prototype reached {N} {U} of {G} over {N} {U}.",
    "Field trials at {N} sites showed {P} % lower {G} and {N} {U} longer {G}.",
    "The {T} {G} was operated for {N} {U} without loss of {G}.",
    "Measured {G} was {N} {U}, against {N} {U} for {A} {G}.",
]
AVAILABILITY_EN = [
    "A {G} {G} is available for evaluation with partners in {T} and {O}.",
    "We seek partners to scale up the {G} for {T} {G}.",
    "The {G} has been validated at {G} scale and is ready for a {G} {G}.",
]
APPLICATIONS_EN = [
    "Applications include {T} {G}, {L}.",
    "The {G} suits {L}, as well as {T}.",
    "Typical uses: {T} {G}, {L}.",
]
CROSS_EN = [
    "It can also be combined with {X} {G} and {X}.",
    "The same {G} is relevant to {X} and {X} {G}.",
]
DETAILS_EN = [
    "The {S} {G} ({C}) is made of {D} and {D}, with a {D} {G}.",
    "Its main parts are a {D}, a {C} {D} and a {A} {D}.",
    "The {G} uses {D} and {D} in a {D} {G} at {N} {U}.",
    "{D}, {D} and {D} are combined with the {S} in one {C} {G}.",
    "A {D} {G} holds the {D}, and a {C} {D} {V} the {G}.",
]
BENEFITS_EN = [
    "Lower {G} and {G} than {A} {T} {G}.",
    "It {V} {G} by up to {P} % and {V} {G}.",
    "{A} to install, with less {G} and longer {G}.",
    "Better {G} efficiency and less {G} for {T} {G}.",
    "Reduces {G} {G} and makes {T} {G} {A}.",
]
NEED_EN = [
    "We operate {T} {G} and are looking for {A} {G} to improve {G}.",
    "Our current {G} {V} {G} only partly, and {G} {G} keeps rising.",
    "The solution should work with existing {T} {G} and need little {G}.",
    "We need {G} of at least {N} {U} at a {G} below {N} {U}.",
    "We would license a proven {G} or develop one jointly with a {G} partner.",
    "{T} {G} at our {G} causes {G} and {G} problems every {G}.",
]

ADJECTIVES_JA = _words(
    "従来 新規 小型 軽量 安価 高効率 高精度 簡便 連続 自動 柔軟 安定 高感度 長寿命"
)
UNITS_JA = _words("％ ℃ kWh mm MPa 時間 サイクル mg/L kW μm 日 年")
TITLES_JA = [
    "{S}と{D}を用いた{T}{G}",
    "{A}{S}{G}による{T}の{G}",
    "{D}を用いた{T}における{G}の{G}方法",
    "{S}{G}と{D}を備えた{A}{T}{G}",
]
PROBLEM_JA = [
    "従来の{T}では、{G}の{G}が低く、{G}が高いという課題があった。",
    "{T}における{G}は、{G}と{G}によって制限されている。",
    "既存の{G}は{A}な{G}を必要とし、{G}と{G}の負担が大きい。",
]
METHOD_JA = [
    "本技術は、{S}を用いた{G}{G}により、{T}の{G}を{G}するものである。",
    "{S}{G}と{A}{G}を組み合わせることで、{G}を{G}できる。",
    "{G}の表面に{S}層を形成し、{G}を抑えつつ{G}を向上させる。",
    "{A}な{G}で{G}を制御し、{T}{G}の{G}を安定化する。",
]
RESULT_JA = [
    "実証試験では、{A}{T}{G}と比べて{G}が{P}％向上した。",
    "試作機で{N}{U}の{G}を{N}{U}にわたり維持した。",
    "{N}か所の現地試験で、{G}が{P}％低減し、{G}が{N}{U}延びた。",
]
AVAILABILITY_JA = [
    "{T}や{O}の分野で評価いただける{G}を提供可能である。",
    "{T}{G}への実用化に向けて、共同研究先を募集している。",
]
APPLICATIONS_JA = [
    "{T}、{L}などへの適用が期待される。",
    "用途として、{L}および{T}{G}が挙げられる。",
]
CROSS_JA = ["{X}{G}や{X}への応用も可能である。", "{X}や{X}の{G}にも関連する。"]
DETAILS_JA = [
    "{S}（{C}）は{D}と{D}からなり、{D}の{G}を備える。",
    "主な構成要素は{D}、{C}{D}および{A}{D}である。",
    "{D}と{D}を用いて、{N}{U}で{D}の{G}を行う。",
    "{D}、{D}、{D}を{S}と一体化した{C}{G}である。",
]
BENEFITS_JA = [
    "{G}と{G}を{A}な{T}{G}より低減できる。",
    "{G}を最大{P}％削減し、{G}を向上できる。",
    "設置が簡便で、{G}が少なく{G}が長い。",
]
NEED_JA = [
    "当社は{T}{G}を運用しており、{G}を改善する{A}な{G}を求めている。",
    "現在の{G}では{G}が十分でなく、{G}の費用が年々増えている。",
    "既存の{T}{G}に組み込めて、{G}の少ない技術が望ましい。",
    "{N}{U}以上の{G}を、{N}{U}以下の{G}で実現したい。",
    "実績のある{G}の実施許諾、または{G}の共同開発を希望する。",
]
