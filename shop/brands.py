"""Brands a Chinese shopper expects, per category (stdlib only).

`BRANDS`: canonical name (the NLU's normalised `brand` value) -> Chinese name;
`ALIASES`: more ways to write it (pinyin, typos, sub-brands, nicknames);
`GROUP_BRANDS`: taxonomy node -> its brands; a leaf takes the brands of its nearest node that
has a list (`brands_for`). A product line name no one translates stays as written and is
romanised for English titles by the generator ("小新" -> "Xiaoxin").
"""

from __future__ import annotations

from shop.taxonomy import ancestors

# canonical | 中文 | more aliases (comma separated)
_TABLE = """
Huawei | 华为 | huawei, hw
Apple | 苹果 | apple, 苹果公司
Xiaomi | 小米 | xiaomi, redmi, 红米, 米家, mijia
Honor | 荣耀 | honor, honour
vivo | vivo | iqoo
OPPO | OPPO | oppo
OnePlus | 一加 | oneplus, one plus
Samsung | 三星 | samsung
Lenovo | 联想 | lenovo, thinkpad, 拯救者, legion
Dell | 戴尔 | dell, alienware, 外星人
HP | 惠普 | hp, hewlett-packard
ASUS | 华硕 | asus, rog, 败家之眼
Microsoft | 微软 | microsoft, surface
Sony | 索尼 | sony
Bose | Bose | bose, 博士
Edifier | 漫步者 | edifier
Anker | 安克 | anker, ankor
Romoss | 罗马仕 | romoss
Baseus | 倍思 | baseus
Ugreen | 绿联 | ugreen
CukTech | 酷态科 | cuktech
Belkin | 贝尔金 | belkin
PISEN | 品胜 | pisen
Logitech | 罗技 | logitech, logi
Razer | 雷蛇 | razer
TP-Link | 普联 | tp-link, tplink
Kingston | 金士顿 | kingston
SanDisk | 闪迪 | sandisk
Canon | 佳能 | canon
Nikon | 尼康 | nikon
Fujifilm | 富士 | fujifilm, fuji
DJI | 大疆 | dji
Insta360 | 影石 | insta360
GoPro | GoPro | gopro
Epson | 爱普生 | epson
Brother | 兄弟打印机 | brother printer
XGIMI | 极米 | xgimi
JBL | JBL | jbl
Marshall | 马歇尔 | marshall
AOC | AOC | aoc
Nintendo | 任天堂 | nintendo
Amazfit | 华米 | amazfit, zepp
Nike | 耐克 | nike, nikee
Adidas | 阿迪达斯 | adidas, addidas, adiddas, 阿迪
Li-Ning | 李宁 | li-ning, lining, li ning
Anta | 安踏 | anta
ASICS | 亚瑟士 | asics
Xtep | 特步 | xtep
New Balance | 新百伦 | new balance, nb
Puma | 彪马 | puma
Under Armour | 安德玛 | under armour, under armor, ua
Skechers | 斯凯奇 | skechers, sketchers
Converse | 匡威 | converse
Vans | 范斯 | vans
Decathlon | 迪卡侬 | decathlon
The North Face | 北面 | the north face, north face, tnf
Kailas | 凯乐石 | kailas
Toread | 探路者 | toread
Naturehike | 挪客 | naturehike
Giant | 捷安特 | giant
Lululemon | 露露乐蒙 | lululemon
Uniqlo | 优衣库 | uniqlo, uniclo, youyiku
Zara | ZARA | zara
H&M | H&M | h&m
Semir | 森马 | semir
Bosideng | 波司登 | bosideng
Heilan Home | 海澜之家 | heilan home, hla
Peacebird | 太平鸟 | peacebird
Jack & Jones | 杰克琼斯 | jack & jones, jack and jones, jackjones
Levi's | 李维斯 | levi's, levis, levi
Ubras | ubras | ubras
Balabala | 巴拉巴拉 | balabala
Annil | 安奈儿 | annil
Belle | 百丽 | belle
Red Dragonfly | 红蜻蜓 | red dragonfly
Dr. Martens | 马丁博士 | dr. martens, dr martens, 马丁
Crocs | 卡骆驰 | crocs
Samsonite | 新秀丽 | samsonite
Coach | 蔻驰 | coach
Michael Kors | 迈克高仕 | michael kors, mk
Louis Vuitton | 路易威登 | louis vuitton, lv
Gucci | 古驰 | gucci
Chanel | 香奈儿 | chanel
Hermes | 爱马仕 | hermes, hermès
Rolex | 劳力士 | rolex
Omega | 欧米茄 | omega
Longines | 浪琴 | longines
Casio | 卡西欧 | casio
Tissot | 天梭 | tissot
Chow Tai Fook | 周大福 | chow tai fook, ctf
Lao Feng Xiang | 老凤祥 | lao feng xiang, laofengxiang
Chow Sang Sang | 周生生 | chow sang sang
Pandora | 潘多拉 | pandora
Swarovski | 施华洛世奇 | swarovski
Tiffany | 蒂芙尼 | tiffany, tiffany & co
Midea | 美的 | midea
Gree | 格力 | gree
Haier | 海尔 | haier
Hisense | 海信 | hisense
TCL | TCL | tcl
Siemens | 西门子 | siemens
Little Swan | 小天鹅 | little swan
Fotile | 方太 | fotile
Robam | 老板电器 | robam
Vatti | 华帝 | vatti
A.O. Smith | 史密斯 | a.o. smith, ao smith, 史密斯热水器
Angel | 安吉尔 | angel
Dyson | 戴森 | dyson
Philips | 飞利浦 | philips
Ecovacs | 科沃斯 | ecovacs
Roborock | 石头科技 | roborock, 石头扫地机
Dreame | 追觅 | dreame
Tineco | 添可 | tineco
Panasonic | 松下 | panasonic
Braun | 博朗 | braun
Oral-B | 欧乐B | oral-b, oralb
Flyco | 飞科 | flyco
Povos | 奔腾 | povos
SKG | SKG | skg
OSIM | 傲胜 | osim
Rongtai | 荣泰 | rongtai
OGAWA | 奥佳华 | ogawa, 奥佳华ogawa
iRest | 艾力斯特 | irest
Yamaha | 雅马哈 | yamaha
Joyoung | 九阳 | joyoung
Supor | 苏泊尔 | supor
Bear | 小熊 | bear
Zwilling | 双立人 | zwilling
Tiger | 虎牌 | tiger
Zojirushi | 象印 | zojirushi
Nespresso | 奈斯派索 | nespresso
Delonghi | 德龙 | delonghi, de'longhi
Lock&Lock | 乐扣乐扣 | lock&lock, locknlock
Thermos | 膳魔师 | thermos
Zhang Xiaoquan | 张小泉 | zhang xiaoquan
Cooker King | 炊大皇 | cooker king
Lancome | 兰蔻 | lancome, lancôme
Estee Lauder | 雅诗兰黛 | estee lauder, estée lauder, el
L'Oreal | 欧莱雅 | l'oreal, loreal, l'oréal
Shiseido | 资生堂 | shiseido
SK-II | SK-II | sk-ii, sk2, skii
Proya | 珀莱雅 | proya
Winona | 薇诺娜 | winona
La Roche-Posay | 理肤泉 | la roche-posay, la roche posay, lrp
Clinique | 倩碧 | clinique
Olay | 玉兰油 | olay
MAC | 魅可 | mac cosmetics
Dior | 迪奥 | dior
YSL | 圣罗兰 | ysl, yves saint laurent
Perfect Diary | 完美日记 | perfect diary
Florasis | 花西子 | florasis
Anessa | 安热沙 | anessa, 安耐晒
Head & Shoulders | 海飞丝 | head & shoulders, head and shoulders
Pantene | 潘婷 | pantene
Schwarzkopf | 施华蔻 | schwarzkopf
Dove | 多芬 | dove
Colgate | 高露洁 | colgate
Crest | 佳洁士 | crest
Yunnan Baiyao | 云南白药 | yunnan baiyao
Whisper | 护舒宝 | whisper
Sofy | 苏菲 | sofy
Gillette | 吉列 | gillette
Pampers | 帮宝适 | pampers, pamper
Moony | 尤妮佳 | moony, unicharm, 尤妮佳moony
Huggies | 好奇 | huggies, huggie
Kao | 花王 | kao, merries, 妙而舒
Mamypoko | 妈咪宝贝 | mamypoko
Feihe | 飞鹤 | feihe
Aptamil | 爱他美 | aptamil
Wyeth | 惠氏 | wyeth, illuma, 启赋
a2 | a2 | a2 milk
Junlebao | 君乐宝 | junlebao
Heinz | 亨氏 | heinz
Babycare | babycare | babycare
Goodbaby | 好孩子 | goodbaby
Pigeon | 贝亲 | pigeon
Hegen | 赫根 | hegen
Cybex | 赛百斯 | cybex
Three Squirrels | 三只松鼠 | three squirrels
Bestore | 良品铺子 | bestore
BE&CHEERY | 百草味 | be&cheery, bai cao wei
Oreo | 奥利奥 | oreo
Dove Chocolate | 德芙 | dove chocolate
Want Want | 旺旺 | want want, wantwant
Lay's | 乐事 | lay's, lays
Weilong | 卫龙 | weilong
Yili | 伊利 | yili
Mengniu | 蒙牛 | mengniu
Nongfu Spring | 农夫山泉 | nongfu spring, nongfu
C'estbon | 怡宝 | c'estbon, cestbon
Nestle | 雀巢 | nestle, nestlé
Starbucks | 星巴克 | starbucks
Saturnbird | 三顿半 | saturnbird
Coca-Cola | 可口可乐 | coca-cola, coca cola, coke
Yuanqi Forest | 元气森林 | yuanqi forest, genki forest
Tiezhiyuan | 八马茶业 | bama tea
Lipton | 立顿 | lipton
Moutai | 茅台 | moutai, kweichow moutai
Wuliangye | 五粮液 | wuliangye
Tsingtao | 青岛啤酒 | tsingtao
Changyu | 张裕 | changyu
Quaker | 桂格 | quaker
Arawana | 金龙鱼 | arawana
Fulinmen | 福临门 | fulinmen
Haday | 海天 | haday, haitian
Lee Kum Kee | 李锦记 | lee kum kee, lkk
Master Kong | 康师傅 | master kong, kangshifu
Uni-President | 统一企业 | uni-president, 统一方便面
Haidilao | 海底捞 | haidilao
Hema | 盒马 | hema, freshippo
Zespri | 佳沛 | zespri
Dole | 都乐 | dole
Bright Food | 光明 | bright dairy
Blue Moon | 蓝月亮 | blue moon
Liby | 立白 | liby
Tide | 汰渍 | tide
Ariel | 碧浪 | ariel
Vinda | 维达 | vinda
Breeze | 清风 | breeze tissue
Hearttex | 心相印 | hearttex
Raid | 雷达 | raid
Nanfu | 南孚 | nanfu
Paradise | 天堂伞 | paradise umbrella
Tenma | 天马 | tenma
Sihoo | 西昊 | sihoo
Kuka | 顾家家居 | kuka
Linsy | 林氏家居 | linsy
Quanu | 全友 | quanu
IKEA | 宜家 | ikea
Mlily | 梦百合 | mlily
Sleemon | 喜临门 | sleemon
Tempur | 泰普尔 | tempur
Luolai | 罗莱家纺 | luolai
Fuanna | 富安娜 | fuanna
Mercury | 水星家纺 | mercury home
Opple | 欧普照明 | opple
NVC | 雷士照明 | nvc
Bull | 公牛 | bull
Delixi | 德力西 | delixi
Deli | 得力 | deli
Kohler | 科勒 | kohler
TOTO | TOTO | toto
Desman | 德施曼 | desman
M&G | 晨光 | m&g, chenguang
Pilot | 百乐 | pilot
Zebra | 斑马 | zebra
Muji | 无印良品 | muji
Faber-Castell | 辉柏嘉 | faber-castell
Hero | 英雄钢笔 | hero pen
CITIC Press | 中信出版社 | citic press
People's Literature | 人民文学出版社 | people's literature
Chongqing Press | 重庆出版社 | chongqing press
Yilin Press | 译林出版社 | yilin press
Thinkingdom | 新经典 | thinkingdom
China Machine Press | 机械工业出版社 | china machine press
Posts & Telecom Press | 人民邮电出版社 | posts & telecom press, ptpress
Juvenile & Children's | 少年儿童出版社 | juvenile & children's
LEGO | 乐高 | lego, legos
Bandai | 万代 | bandai
Hasbro | 孩之宝 | hasbro
Mattel | 美泰 | mattel
Pop Mart | 泡泡玛特 | pop mart, popmart
Keeppley | 奇妙积木 | keeppley
Jellycat | Jellycat | jellycat
Barbie | 芭比 | barbie doll
Hape | Hape | hape
Royal Canin | 皇家宠物食品 | royal canin, 皇家猫粮, 皇家狗粮
Pedigree | 宝路 | pedigree
Whiskas | 伟嘉 | whiskas
Orijen | 渴望宠物粮 | orijen
Navarch | 耐威克 | navarch
Myfoodie | 麦富迪 | myfoodie
PetKit | 小佩 | petkit
Frontline | 福来恩 | frontline
By-health | 汤臣倍健 | by-health, byhealth
Swisse | Swisse | swisse
Blackmores | 澳佳宝 | blackmores
Centrum | 善存 | centrum
Tong Ren Tang | 同仁堂 | tong ren tang, tongrentang
Omron | 欧姆龙 | omron
Yuwell | 鱼跃 | yuwell
Band-Aid | 邦迪 | band-aid, bandaid
Bausch & Lomb | 博士伦 | bausch & lomb, bausch and lomb
Acuvue | 强生安视优 | acuvue
Michelin | 米其林 | michelin
Bridgestone | 普利司通 | bridgestone
Mobil | 美孚 | mobil, mobil 1
70mai | 70迈 | 70mai
Carori | 卡罗特 | carori
Jingdezhen Studio | 景德镇手作 | jingdezhen studio, jingdezhen
Suzhou Embroidery House | 苏绣坊 | suzhou embroidery house
Yixing Clay Studio | 宜兴紫砂坊 | yixing clay studio, yixing
Old Town Leather | 老城皮作 | old town leather
Bamboo Lane | 竹巷手作 | bamboo lane
Red Thread Workshop | 红绳手作 | red thread workshop
Mountain Tea Farm | 山间茶园 | mountain tea farm
Hutong Crafts | 胡同手艺 | hutong crafts
"""

BRANDS: dict[str, str] = {}
ALIASES: dict[str, tuple[str, ...]] = {}
for _line in _TABLE.strip().splitlines():
    _canonical, _zh, _more = (part.strip() for part in _line.split("|"))
    BRANDS[_canonical] = _zh
    ALIASES[_canonical] = tuple(a.strip() for a in _more.split(",") if a.strip())

# taxonomy node -> brands (a leaf takes those of its nearest node with a list)
GROUP_BRANDS: dict[str, tuple[str, ...]] = {
    "snacks": ("Three Squirrels", "Bestore", "BE&CHEERY", "Oreo", "Want Want", "Lay's", "Weilong"),
    "candy": ("Dove Chocolate", "Want Want", "Three Squirrels", "Bestore"),
    "drinks": ("Nongfu Spring", "C'estbon", "Coca-Cola", "Yuanqi Forest", "Nestle"),
    "milk": ("Yili", "Mengniu", "Bright Food", "Junlebao"),
    "coffee": ("Nestle", "Starbucks", "Saturnbird"),
    "tea": ("Tiezhiyuan", "Lipton", "Tong Ren Tang"),
    "alcohol": ("Moutai", "Wuliangye", "Tsingtao", "Changyu"),
    "cereal": ("Quaker", "Nestle", "BE&CHEERY"),
    "pantry": ("Arawana", "Fulinmen", "Haday", "Lee Kum Kee"),
    "instant_food": ("Master Kong", "Uni-President", "Haidilao", "Weilong"),
    "fresh": ("Hema", "Zespri", "Dole"),
    "baby_care": ("Pampers", "Moony", "Huggies", "Kao", "Mamypoko", "Babycare"),
    "baby_feeding": ("Feihe", "Aptamil", "Wyeth", "a2", "Junlebao", "Heinz"),
    "baby_gear": ("Goodbaby", "Babycare", "Pigeon", "Hegen", "Cybex"),
    "baby_clothes": ("Balabala", "Babycare", "Annil"),
    "skincare": ("Estee Lauder", "Lancome", "L'Oreal", "Shiseido", "SK-II", "Proya", "Winona",
                 "La Roche-Posay", "Clinique", "Olay"),
    "sunscreen": ("Anessa", "Shiseido", "La Roche-Posay", "L'Oreal"),
    "makeup": ("MAC", "Dior", "YSL", "Perfect Diary", "Florasis", "Estee Lauder", "L'Oreal"),
    "perfume": ("Chanel", "Dior", "YSL", "Lancome"),
    "fragrance_body": ("Head & Shoulders", "Pantene", "Schwarzkopf", "Dove", "L'Oreal"),
    "toothpaste": ("Colgate", "Crest", "Yunnan Baiyao", "Oral-B"),
    "feminine_care": ("Whisper", "Sofy", "Kao"),
    "razor": ("Gillette", "Philips", "Braun"),
    "household": ("Blue Moon", "Liby", "Tide", "Ariel", "Muji"),
    "paper": ("Vinda", "Breeze", "Hearttex"),
    "insect_repellent": ("Raid", "Liby"),
    "umbrella": ("Paradise", "Muji"),
    "batteries": ("Nanfu", "Panasonic"),
    "storage_box": ("Tenma", "Muji", "IKEA"),
    "clothing": ("Uniqlo", "Zara", "H&M", "Semir", "Heilan Home", "Peacebird", "Muji"),
    "mens_clothing": ("Uniqlo", "Heilan Home", "Jack & Jones", "Semir", "Levi's", "Zara"),
    "down_jacket": ("Bosideng", "Uniqlo", "The North Face", "Semir"),
    "jeans": ("Levi's", "Uniqlo", "Jack & Jones", "Semir"),
    "lingerie": ("Ubras", "Uniqlo", "Muji"),
    "kids_clothing": ("Balabala", "Annil", "Uniqlo", "Semir"),
    "accessories": ("Uniqlo", "Muji", "Zara", "Coach"),
    "sunglasses": ("Muji", "Zara", "Coach"),
    "shoes": ("Nike", "Adidas", "Li-Ning", "Anta", "Skechers", "Converse", "Vans", "Belle"),
    "running_shoes": ("Nike", "Adidas", "Li-Ning", "Anta", "ASICS", "Xtep", "New Balance", "Puma",
                      "Under Armour", "Skechers"),
    "basketball_shoes": ("Nike", "Adidas", "Li-Ning", "Anta", "Under Armour"),
    "leather_shoes": ("Belle", "Red Dragonfly", "Dr. Martens"),
    "boots": ("Dr. Martens", "Belle", "Red Dragonfly", "Skechers"),
    "heels": ("Belle", "Zara", "Red Dragonfly"),
    "sandals": ("Crocs", "Skechers", "Adidas", "Li-Ning"),
    "kids_shoes": ("Balabala", "Anta", "Skechers", "Nike"),
    "bags": ("Samsonite", "Coach", "Michael Kors", "Uniqlo", "Xiaomi"),
    "sportswear": ("Nike", "Adidas", "Li-Ning", "Anta", "Under Armour", "Puma", "Lululemon", "Xtep"),
    "fitness": ("Decathlon", "Lululemon", "Xiaomi"),
    "outdoor": ("The North Face", "Kailas", "Toread", "Naturehike", "Decathlon"),
    "ball_sports": ("Li-Ning", "Decathlon", "Nike", "Adidas", "Anta"),
    "swimming": ("Decathlon", "Li-Ning", "Anta"),
    "cycling": ("Giant", "Decathlon", "Xiaomi"),
    "furniture": ("IKEA", "Kuka", "Linsy", "Quanu", "Sihoo"),
    "office_chair": ("Sihoo", "IKEA", "Linsy"),
    "mattress": ("Mlily", "Sleemon", "Tempur", "IKEA"),
    "home_textiles": ("Luolai", "Fuanna", "Mercury", "IKEA", "Muji"),
    "decor": ("IKEA", "Muji", "Opple"),
    "lighting": ("Opple", "NVC", "Philips", "Xiaomi"),
    "home_improvement": ("Bull", "Delixi", "Kohler", "TOTO", "Xiaomi"),
    "tools": ("Deli", "Xiaomi", "Delixi"),
    "smart_lock": ("Desman", "Xiaomi", "Kohler"),
    "light_bulbs": ("Bull", "Opple", "Philips"),
    "kitchen_appliances": ("Midea", "Joyoung", "Supor", "Bear", "Philips", "Povos", "Tiger", "Zojirushi"),
    "coffee_machine": ("Delonghi", "Nespresso", "Philips", "Bear"),
    "cookware": ("Supor", "Zwilling", "Zhang Xiaoquan", "Cooker King", "Lock&Lock", "Thermos", "Tiger"),
    "large_appliances": ("Midea", "Gree", "Haier", "Hisense", "TCL", "Siemens", "Little Swan", "Xiaomi"),
    "tv": ("Xiaomi", "Hisense", "TCL", "Sony", "Samsung", "Huawei"),
    "range_hood": ("Fotile", "Robam", "Vatti", "Midea"),
    "water_heater": ("A.O. Smith", "Haier", "Midea", "Vatti"),
    "water_purifier": ("Angel", "A.O. Smith", "Xiaomi", "Midea"),
    "small_appliances": ("Dyson", "Philips", "Xiaomi", "Midea", "Gree", "Panasonic"),
    "vacuum": ("Dyson", "Xiaomi", "Tineco", "Dreame", "Philips", "Midea"),
    "robot_vacuum": ("Ecovacs", "Roborock", "Dreame", "Xiaomi"),
    "personal_care_appliances": ("Philips", "Panasonic", "Flyco", "Povos", "Dyson", "Braun", "SKG"),
    "electric_toothbrush": ("Philips", "Oral-B", "Xiaomi", "Panasonic"),
    "hair_dryer": ("Dyson", "Panasonic", "Philips", "Flyco", "Xiaomi"),
    "massage_chair": ("OSIM", "Rongtai", "OGAWA", "iRest", "Xiaomi"),
    "phones_accessories": ("Huawei", "Apple", "Xiaomi", "Honor", "vivo", "OPPO", "Samsung", "OnePlus"),
    "phone_accessories": ("Anker", "Ugreen", "Baseus", "Belkin", "PISEN", "Xiaomi"),
    "power_bank": ("Anker", "Xiaomi", "Romoss", "Ugreen", "CukTech", "Baseus"),
    "charger": ("Anker", "Ugreen", "Baseus", "Apple", "Huawei", "Xiaomi", "CukTech"),
    "computers": ("Lenovo", "Huawei", "Apple", "Dell", "HP", "ASUS", "Xiaomi", "Microsoft", "Honor"),
    "monitor": ("Dell", "AOC", "Samsung", "Xiaomi", "HP", "Lenovo"),
    "peripherals": ("Logitech", "Razer", "Ugreen", "Xiaomi", "Lenovo"),
    "storage_drive": ("SanDisk", "Kingston", "Samsung", "Ugreen"),
    "router": ("TP-Link", "Huawei", "Xiaomi", "ASUS"),
    "office": ("Epson", "Brother", "HP", "Canon", "Deli"),
    "projector": ("XGIMI", "Epson", "Xiaomi"),
    "audio": ("Sony", "Apple", "Huawei", "Xiaomi", "Bose", "Edifier", "JBL", "Marshall", "Samsung", "OPPO"),
    "cameras": ("Canon", "Nikon", "Sony", "Fujifilm"),
    "action_camera": ("DJI", "Insta360", "GoPro"),
    "drone": ("DJI",),
    "security_camera": ("Xiaomi", "Huawei", "TP-Link"),
    "wearables": ("Apple", "Huawei", "Xiaomi", "Amazfit", "Samsung"),
    "game_console": ("Nintendo", "Sony", "Microsoft"),
    "vr_headset": ("Sony", "Xiaomi", "Huawei"),
    "smart_home": ("Xiaomi", "Huawei", "Bull", "TP-Link"),
    "books": ("CITIC Press", "People's Literature", "Chongqing Press", "Yilin Press", "Thinkingdom"),
    "childrens_books": ("Juvenile & Children's", "CITIC Press", "Thinkingdom"),
    "tech_books": ("China Machine Press", "Posts & Telecom Press", "CITIC Press"),
    "stationery": ("M&G", "Deli", "Pilot", "Zebra", "Muji", "Faber-Castell", "Hero"),
    "musical_instrument": ("Yamaha", "Casio"),
    "toys": ("LEGO", "Bandai", "Hasbro", "Mattel", "Pop Mart", "Keeppley", "Hape"),
    "building_blocks": ("LEGO", "Keeppley"),
    "figures": ("Bandai", "Hasbro", "Pop Mart"),
    "blind_box": ("Pop Mart", "Keeppley"),
    "plush": ("Jellycat", "Pop Mart", "Mattel"),
    "dolls": ("Barbie", "Mattel", "Hape"),
    "pets": ("Royal Canin", "Pedigree", "Whiskas", "Orijen", "Navarch", "Myfoodie"),
    "cat_litter": ("PetKit", "Navarch", "Myfoodie"),
    "pet_toys": ("PetKit", "Navarch"),
    "pet_bed": ("PetKit", "Navarch", "IKEA"),
    "pet_care": ("Frontline", "PetKit", "Navarch"),
    "health": ("By-health", "Swisse", "Blackmores", "Centrum", "Tong Ren Tang"),
    "medical": ("Omron", "Yuwell", "Band-Aid"),
    "contact_lenses": ("Bausch & Lomb", "Acuvue"),
    "scale": ("Xiaomi", "Yuwell", "Omron"),
    "car": ("70mai", "Carori", "Xiaomi", "Michelin", "Bridgestone", "Mobil"),
    "tyres": ("Michelin", "Bridgestone", "Mobil"),
    "jewellery": ("Chow Tai Fook", "Lao Feng Xiang", "Chow Sang Sang", "Pandora", "Swarovski", "Tiffany"),
    "luxury": ("Louis Vuitton", "Gucci", "Chanel", "Hermes", "Coach", "Michael Kors"),
    "watch": ("Rolex", "Omega", "Longines", "Casio", "Tissot"),
    "handcraft": ("Jingdezhen Studio", "Suzhou Embroidery House", "Yixing Clay Studio", "Old Town Leather",
                  "Bamboo Lane", "Red Thread Workshop", "Mountain Tea Farm", "Hutong Crafts"),
}


def brands_for(category: str) -> tuple[str, ...]:
    """The brands of a category: its own list, else its nearest ancestor's."""
    for node in ancestors(category):
        if node in GROUP_BRANDS:
            return GROUP_BRANDS[node]
    return ()
