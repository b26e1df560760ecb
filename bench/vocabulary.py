"""Words for the synthetic technologies: general technical English, topic words per field
group (English and Japanese), and a generated long tail, so that term frequencies look like a
real catalogue (a few words everywhere, topic words in their field, many rare words)."""


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

SYLLABLES = _words("ka ri to mo na se lu vi der sto pra gen tal mor bic fen quo zan ther lix")
KANJI = "電池光熱材料膜水素酸化物反応炉管板層粒子液体気体素子回路制御検出分離結晶合成加工"


def long_tail_en(count: int, rng) -> list[str]:
    """Rare pseudo-words (as many distinct rare terms as a real corpus has)."""
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def long_tail_ja(count: int, rng) -> list[str]:
    words = set()
    while len(words) < count:
        words.add("".join(rng.choice(KANJI) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def topic_words_en(group: str) -> list[str]:
    return TOPICS_EN.get(group, "").split()


def topic_words_ja(group: str) -> list[str]:
    return TOPICS_JA.get(group, "").split()
