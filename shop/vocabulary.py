"""The shop's search vocabulary: categories, their words in Chinese and English, brand aliases.

Used by the search aggregator (query understanding) and by the demo-catalog generator
(`data/catalog/generate.py`), which also turns it into the NLU lookup tables.
Canonical brand names are the NLU's normalised `brand` values (contracts/nlu.md).
"""

from __future__ import annotations

import unicodedata

# category key -> (Chinese name, English name, words that name the category or its product types)
CATEGORIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "phones": ("手机", "Phones", (
        "手机", "智能手机", "5g手机", "拍照手机", "游戏手机", "phone", "phones", "smartphone",
        "smartphones", "mobile phone", "cellphone")),
    "laptops": ("笔记本电脑", "Laptops", (
        "笔记本", "笔记本电脑", "轻薄本", "游戏本", "商务本", "超极本", "电脑", "laptop", "laptops",
        "notebook", "notebooks", "ultrabook", "gaming laptop")),
    "tablets": ("平板电脑", "Tablets", ("平板", "平板电脑", "tablet", "tablets", "pad")),
    "earphones": ("耳机", "Earphones", (
        "耳机", "蓝牙耳机", "无线耳机", "降噪耳机", "头戴式耳机", "耳麦", "earphones", "earphone",
        "headphones", "headphone", "earbuds", "headset")),
    "running_shoes": ("跑鞋", "Running shoes", (
        "跑鞋", "跑步鞋", "运动鞋", "慢跑鞋", "running shoes", "running shoe", "runners", "sneakers",
        "trainers")),
    "sportswear": ("运动服饰", "Sportswear", (
        "运动服", "运动服饰", "运动裤", "卫衣", "t恤", "运动套装", "速干衣", "运动外套", "sportswear",
        "hoodie", "hoodies", "t-shirt", "tee", "joggers", "track jacket", "tracksuit")),
    "home_appliances": ("家用电器", "Home appliances", (
        "家电", "家用电器", "空调", "冰箱", "洗衣机", "吸尘器", "扫地机器人", "电风扇", "吹风机", "空气净化器",
        "appliance", "appliances", "air conditioner", "fridge", "refrigerator", "washing machine",
        "vacuum", "vacuum cleaner", "robot vacuum", "hair dryer", "air purifier", "fan")),
    "kitchen": ("厨房电器", "Kitchen", (
        "厨房", "厨具", "电饭煲", "空气炸锅", "破壁机", "炒锅", "电水壶", "烧水壶", "豆浆机", "刀具",
        "kitchen", "rice cooker", "air fryer", "blender", "wok", "kettle", "soymilk maker",
        "knife set")),
    "beauty": ("美妆护肤", "Beauty", (
        "美妆", "护肤", "护肤品", "化妆品", "面霜", "精华", "精华液", "口红", "香水", "粉底液", "眼霜",
        "beauty", "skincare", "cosmetics", "serum", "lipstick", "perfume", "foundation", "face cream",
        "eye cream")),
    "baby": ("母婴", "Baby", (
        "母婴", "纸尿裤", "尿不湿", "拉拉裤", "奶粉", "婴儿", "宝宝", "baby", "diapers", "nappies",
        "infant formula", "formula", "baby wipes", "湿巾")),
    "groceries": ("食品生鲜", "Groceries", (
        "零食", "坚果", "食品", "牛奶", "酸奶", "矿泉水", "食用油", "大米", "snacks", "nuts",
        "groceries", "milk", "yogurt", "water", "cooking oil", "mixed nuts")),
    "books": ("图书", "Books", (
        "图书", "书", "书籍", "小说", "科幻小说", "books", "book", "novel", "novels", "sci-fi")),
    "furniture": ("家具", "Furniture", (
        "家具", "沙发", "椅子", "办公椅", "人体工学椅", "书桌", "电脑桌", "床", "衣柜", "书架",
        "furniture", "sofa", "chair", "office chair", "ergonomic chair", "desk", "bed",
        "wardrobe", "bookshelf")),
    "toys": ("玩具", "Toys", (
        "玩具", "积木", "拼装玩具", "手办", "盲盒", "模型", "毛绒玩具", "toys", "toy",
        "building blocks", "bricks", "figure", "blind box", "model kit", "plush")),
}

# canonical brand -> Chinese name (the first alias); more aliases below
BRANDS: dict[str, str] = {
    "Huawei": "华为", "Apple": "苹果", "Xiaomi": "小米", "Honor": "荣耀", "vivo": "vivo",
    "OPPO": "OPPO", "OnePlus": "一加", "Samsung": "三星", "Lenovo": "联想", "Dell": "戴尔",
    "HP": "惠普", "ASUS": "华硕", "Microsoft": "微软", "Sony": "索尼", "Bose": "Bose",
    "Edifier": "漫步者", "Nike": "耐克", "Adidas": "阿迪达斯", "Li-Ning": "李宁", "Anta": "安踏",
    "ASICS": "亚瑟士", "Xtep": "特步", "New Balance": "新百伦", "Puma": "彪马",
    "Under Armour": "安德玛", "Midea": "美的", "Gree": "格力", "Haier": "海尔", "Dyson": "戴森",
    "Philips": "飞利浦", "Ecovacs": "科沃斯", "Joyoung": "九阳", "Supor": "苏泊尔", "Bear": "小熊",
    "Zwilling": "双立人", "Lancome": "兰蔻", "Estee Lauder": "雅诗兰黛", "L'Oreal": "欧莱雅",
    "Shiseido": "资生堂", "SK-II": "SK-II", "Proya": "珀莱雅", "Pampers": "帮宝适", "Kao": "花王",
    "Huggies": "好奇", "Feihe": "飞鹤", "Aptamil": "爱他美", "Babycare": "babycare",
    "Three Squirrels": "三只松鼠", "Bestore": "良品铺子", "Yili": "伊利", "Mengniu": "蒙牛",
    "Nongfu Spring": "农夫山泉", "Arawana": "金龙鱼", "CITIC Press": "中信出版社",
    "People's Literature": "人民文学出版社", "Chongqing Press": "重庆出版社", "Yilin Press": "译林出版社",
    "Thinkingdom": "新经典", "China Machine Press": "机械工业出版社", "IKEA": "宜家",
    "Kuka": "顾家家居", "Sihoo": "西昊", "Linsy": "林氏家居", "Quanu": "全友", "LEGO": "乐高",
    "Bandai": "万代", "Hasbro": "孩之宝", "Mattel": "美泰", "Pop Mart": "泡泡玛特",
    "Keeppley": "奇妙积木",
}

EXTRA_BRAND_ALIASES: dict[str, tuple[str, ...]] = {
    "Huawei": ("huawei",),
    "Apple": ("apple", "苹果公司"),
    "Xiaomi": ("xiaomi", "redmi", "红米", "米家"),
    "Honor": ("honor", "honour"),
    "Adidas": ("adidas", "addidas", "adiddas", "阿迪"),
    "Nike": ("nike", "nikee"),
    "Li-Ning": ("li-ning", "lining", "li ning"),
    "L'Oreal": ("l'oreal", "loreal", "l’oréal"),
    "Estee Lauder": ("estee lauder", "estée lauder", "雅诗兰黛"),
    "Lancome": ("lancome", "lancôme"),
    "Kao": ("kao", "merries", "妙而舒"),
    "New Balance": ("new balance", "nb"),
    "Under Armour": ("under armour", "under armor", "ua"),
    "Three Squirrels": ("three squirrels", "三只松鼠"),
    "Pop Mart": ("pop mart", "popmart"),
    "OnePlus": ("oneplus", "one plus"),
    "ASUS": ("asus", "rog", "败家之眼"),
    "HP": ("hp", "hewlett-packard"),
    "SK-II": ("sk-ii", "sk2", "skii", "神仙水"),
    "IKEA": ("ikea",),
    "LEGO": ("lego", "legos"),
}

PLATFORM_NAMES: dict[str, tuple[str, str]] = {
    "taobao": ("淘宝", "Taobao"),
    "jd": ("京东", "JD"),
    "pdd": ("拼多多", "Pinduoduo"),
}


def fold(text: str) -> str:
    """Lower-case, full-width to half-width, trimmed: the form every match compares."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def brand_aliases() -> dict[str, str]:
    """Every folded brand alias (Chinese, English, lower-case, common typos) -> canonical brand."""
    aliases: dict[str, str] = {}
    for canonical, zh in BRANDS.items():
        aliases[fold(canonical)] = canonical
        aliases[fold(zh)] = canonical
        for extra in EXTRA_BRAND_ALIASES.get(canonical, ()):
            aliases[fold(extra)] = canonical
    return aliases


_ALIASES = brand_aliases()


def canonical_brand(text: str | None) -> str | None:
    """The canonical brand for `text` (any alias), or None when it is not a brand we know."""
    if not text:
        return None
    return _ALIASES.get(fold(text))


def category_words() -> dict[str, str]:
    """Every folded category word -> category key (longer phrases win when matching)."""
    words: dict[str, str] = {}
    for key, (zh, en, more) in CATEGORIES.items():
        for word in (key.replace("_", " "), zh, en, *more):
            words.setdefault(fold(word), key)
    return words
