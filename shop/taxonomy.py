"""The shop's category tree and product-type lexicon (stdlib only).

Three levels: top groups (`=`), groups (`==`) and leaf categories (`-`); every node has a key,
a Chinese and an English name and the words that name it in either language: synonyms,
abbreviations, common typos ("充电宝 = 移动电源 = power bank = powerbank"). Pinyin of the
Chinese names is precomputed by `data/catalog/generate.py --lexicon` into
`shop/taxonomy_pinyin.py` (pypinyin is a build-time tool, never imported at run time).

The keys of the first demo catalog (phones, laptops, earphones, kitchen, ...) are nodes of this
tree, so its products keep their categories; the generated catalog files products under leaves.
A query word resolves to a node; a product matches when its category lies under that node, or
when the product is filed under a coarser node that holds it (`related`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# level | key | 中文名 | English name | more words (comma separated, zh and en, abbreviations, typos)
_TREE = """
= groceries | 食品生鲜 | Groceries | 食品, 食品饮料, 吃的, groceries, food
== snacks | 休闲零食 | Snacks | 零食, 小吃, snacks, snack
- nuts | 坚果炒货 | Nuts | 坚果, 核桃, 腰果, 巴旦木, 开心果, 每日坚果, nuts, mixed nuts, walnuts, cashews
- biscuits | 饼干糕点 | Biscuits & cakes | 饼干, 糕点, 蛋糕, 曲奇, 面包, biscuits, cookies, cakes, pastries
- candy | 糖果巧克力 | Sweets & chocolate | 糖果, 巧克力, 软糖, 棒棒糖, chocolate, candy, sweets, gummies
- chips | 膨化食品 | Crisps & puffed snacks | 薯片, 膨化, 虾条, 锅巴, crisps, chips, potato chips
- jerky | 肉干肉脯 | Jerky | 牛肉干, 猪肉脯, 肉干, 鸭脖, 辣条, jerky, beef jerky
- dried_fruit | 蜜饯果干 | Dried fruit | 果干, 蜜饯, 葡萄干, 芒果干, dried fruit, raisins
== drinks | 饮料冲调 | Drinks | 饮料, 饮品, drinks, beverages
- water | 饮用水 | Bottled water | 矿泉水, 纯净水, 苏打水, 天然水, bottled water, mineral water, spring water
- milk | 牛奶乳品 | Milk & dairy | 牛奶, 纯牛奶, 酸奶, 奶酪, 乳制品, milk, yogurt, yoghurt, dairy, cheese
- coffee | 咖啡 | Coffee | 咖啡, 咖啡豆, 速溶咖啡, 挂耳咖啡, 冻干咖啡, coffee, coffee beans, instant coffee
- tea | 茶叶 | Tea | 茶, 茶叶, 绿茶, 红茶, 普洱, 乌龙茶, 龙井, 白茶, tea, green tea, black tea, oolong
- juice_soda | 果汁汽水 | Juice & soft drinks | 果汁, 汽水, 可乐, 碳酸饮料, 气泡水, juice, soda, cola, soft drinks, sparkling water
- alcohol | 酒类 | Wine & spirits | 酒, 白酒, 红酒, 葡萄酒, 啤酒, 威士忌, 黄酒, 茅台, wine, beer, whisky, whiskey, spirits, baijiu
- cereal | 冲调谷物 | Cereal & oats | 麦片, 燕麦片, 燕麦, 谷物, 藕粉, 芝麻糊, cereal, oats, oatmeal, granola
== pantry | 粮油调味 | Pantry | 粮油, 调味品, pantry, staples
- rice_flour | 米面 | Rice & flour | 大米, 面粉, 挂面, 面条, 五常大米, 东北大米, rice, flour, noodles
- cooking_oil | 食用油 | Cooking oil | 食用油, 花生油, 菜籽油, 橄榄油, 调和油, 玉米油, cooking oil, olive oil, peanut oil
- seasoning | 调味品 | Seasonings & sauces | 调料, 酱油, 醋, 蚝油, 火锅底料, 味精, 鸡精, soy sauce, vinegar, seasoning, sauce, hotpot base
- instant_food | 方便速食 | Instant food | 方便面, 泡面, 螺蛳粉, 自热火锅, 速食, 酸辣粉, instant noodles, ramen, instant food
== fresh | 生鲜 | Fresh food | 生鲜, 新鲜, fresh, fresh food
- fruit | 水果 | Fruit | 水果, 苹果水果, 车厘子, 樱桃, 橙子, 猕猴桃, 榴莲, 芒果, fruit, cherries, oranges, kiwi, durian
- vegetables | 蔬菜 | Vegetables | 蔬菜, 青菜, 西红柿, 土豆, vegetables, veggies, veg
- meat | 肉类 | Meat | 猪肉, 牛肉, 牛排, 羊肉, 鸡肉, 鸡胸肉, meat, beef, steak, pork, chicken, lamb
- seafood | 海鲜水产 | Seafood | 海鲜, 虾, 大闸蟹, 三文鱼, 鱼, 帝王蟹, seafood, shrimp, prawns, crab, salmon, fish
- eggs | 蛋类 | Eggs | 鸡蛋, 鸭蛋, 土鸡蛋, 蛋, eggs, egg
= baby | 母婴 | Baby | 母婴, 婴童, 宝宝用品, 婴儿用品, baby, mother and baby, baby products
== baby_care | 尿裤湿巾 | Nappies & wipes | 尿裤湿巾, nappies and wipes
- diapers | 纸尿裤 | Nappies | 纸尿裤, 尿不湿, 尿布, 纸尿片, 拉拉裤, 尿片, nappies, nappy, diapers, diaper, pull-ups, pull ups, niaobushi
- baby_wipes | 婴儿湿巾 | Baby wipes | 湿巾, 婴儿湿巾, 湿纸巾, 手口湿巾, baby wipes, wipes, wet wipes
== baby_feeding | 奶粉辅食 | Formula & baby food | 奶粉辅食, formula and baby food
- formula | 婴幼儿奶粉 | Infant formula | 奶粉, 婴儿奶粉, 婴幼儿奶粉, 一段奶粉, 二段奶粉, 三段奶粉, infant formula, formula, baby formula, baby milk
- baby_food | 宝宝辅食 | Baby food | 辅食, 米粉, 婴儿米粉, 宝宝辅食, 果泥, baby food, baby cereal, puree
== baby_gear | 婴童用品 | Baby gear | 婴童用品, baby gear
- stroller | 婴儿推车 | Pushchairs | 婴儿车, 推车, 婴儿推车, 遛娃神器, stroller, pushchair, pram, buggy
- car_seat | 安全座椅 | Child car seats | 安全座椅, 儿童安全座椅, 汽车安全座椅, car seat, child car seat, baby car seat
- feeding_bottle | 奶瓶奶嘴 | Bottles & teats | 奶瓶, 奶嘴, 吸管杯, 学饮杯, baby bottle, feeding bottle, teats, sippy cup
- baby_clothes | 婴儿服装 | Baby clothes | 婴儿衣服, 宝宝衣服, 连体衣, 爬服, 哈衣, baby clothes, onesie, romper, babygrow
- crib | 婴儿床 | Cots | 婴儿床, 儿童床, 摇篮, crib, cot, cradle, baby bed
- maternity | 孕产用品 | Maternity | 孕妇装, 吸奶器, 待产包, 防溢乳垫, 月子服, maternity, breast pump, nursing pads
= beauty | 美妆护肤 | Beauty | 美妆, 美容, 个护, 化妆品, beauty, cosmetics, personal care
== skincare | 护肤 | Skincare | 护肤, 护肤品, skincare, skin care
- face_cream | 面霜乳液 | Moisturisers | 面霜, 乳液, 保湿霜, 面部乳液, 水乳, 素颜霜, face cream, moisturiser, moisturizer, lotion
- serum | 精华 | Serums | 精华, 精华液, 精华露, 原液, 小棕瓶, 小黑瓶, serum, essence, ampoule
- toner | 爽肤水 | Toners | 爽肤水, 化妆水, 柔肤水, 神仙水, 精华水, toner, facial toner
- eye_cream | 眼霜 | Eye creams | 眼霜, 眼部精华, eye cream, eye serum
- face_mask | 面膜 | Face masks | 面膜, 贴片面膜, 睡眠面膜, 泥膜, face mask, sheet mask, facial mask
- cleanser | 洁面 | Cleansers | 洗面奶, 洁面, 洁面乳, 卸妆水, 卸妆油, 氨基酸洗面奶, cleanser, face wash, makeup remover
- sunscreen | 防晒 | Sunscreen | 防晒, 防晒霜, 防晒乳, 防晒喷雾, sunscreen, sunblock, spf
== makeup | 彩妆 | Make-up | 彩妆, 化妆, makeup, make-up
- lipstick | 口红 | Lipstick | 口红, 唇膏, 唇釉, 唇彩, 润唇膏, lipstick, lip gloss, lip balm
- foundation | 粉底 | Foundation | 粉底, 粉底液, 气垫, 气垫bb, bb霜, 遮瑕, foundation, cushion, bb cream, concealer
- eye_makeup | 眼妆 | Eye make-up | 眼影, 眼线笔, 睫毛膏, 眉笔, eyeshadow, eyeliner, mascara, eyebrow pencil
- face_powder | 散粉腮红 | Powder & blush | 散粉, 蜜粉, 粉饼, 腮红, 高光, setting powder, blush, highlighter
== fragrance_body | 香水个护 | Fragrance & body | 香水个护, fragrance and body
- perfume | 香水 | Perfume | 香水, 淡香水, 香氛, perfume, fragrance, eau de parfum, cologne
- shampoo | 洗发护发 | Shampoo & conditioner | 洗发水, 洗发露, 护发素, 发膜, 护发精油, shampoo, conditioner, hair mask
- body_wash | 沐浴露 | Body wash | 沐浴露, 沐浴乳, 香皂, 身体乳, body wash, shower gel, soap, body lotion
- toothpaste | 口腔护理 | Oral care | 牙膏, 牙刷, 漱口水, 牙线, toothpaste, toothbrush, mouthwash, floss, dental floss
- feminine_care | 卫生巾 | Feminine care | 卫生巾, 护垫, 安睡裤, 棉条, sanitary pads, pads, tampons, panty liners
- razor | 剃须刀片 | Razors | 剃须刀片, 手动剃须刀, 刀片, 剃须泡沫, razor, razor blades, shaving foam
= household | 家庭清洁 | Household & cleaning | 家清, 日用品, 清洁用品, household, cleaning supplies, household supplies
== cleaning | 清洁用品 | Cleaning supplies | 清洁, cleaning
- laundry | 洗衣用品 | Laundry | 洗衣液, 洗衣粉, 洗衣凝珠, 柔顺剂, 消毒液, laundry detergent, detergent, washing powder, fabric softener
- dish_soap | 洗洁精 | Washing-up liquid | 洗洁精, 洗碗液, 洗碗块, 洗碗机洗涤剂, washing-up liquid, dish soap, dishwasher tablets
- surface_cleaner | 清洁剂 | Cleaners | 清洁剂, 厨房清洁剂, 油污净, 洁厕灵, 除垢剂, 84消毒液, cleaner, toilet cleaner, degreaser, bleach
- mop | 拖把扫把 | Mops & brooms | 拖把, 扫把, 平板拖把, 簸箕, mop, broom, dustpan
- trash_bags | 垃圾袋 | Bin bags | 垃圾袋, 垃圾桶, 保鲜袋, 保鲜膜, bin bags, trash bags, garbage bags, rubbish bags, cling film
== paper | 纸品 | Paper products | 纸品, paper products
- tissues | 纸巾 | Tissues | 纸巾, 抽纸, 面巾纸, 餐巾纸, 手帕纸, 卷纸, 卫生纸, tissues, tissue, toilet paper, toilet roll, kitchen roll
== household_misc | 家庭日用 | Home essentials | 家庭日用, home essentials
- insect_repellent | 驱蚊杀虫 | Insect repellent | 驱蚊, 蚊香, 电蚊香液, 杀虫剂, 驱蚊液, mosquito repellent, insect repellent, bug spray
- air_freshener | 香薰除味 | Air fresheners | 香薰, 除味剂, 空气清新剂, 除湿袋, 干燥剂, 扩香, air freshener, diffuser, dehumidifier bags
- umbrella | 雨伞雨具 | Umbrellas | 雨伞, 遮阳伞, 晴雨伞, 雨衣, umbrella, raincoat
- batteries | 电池 | Batteries | 电池, 5号电池, 7号电池, 充电电池, 纽扣电池, batteries, battery, aa batteries, aaa batteries
- storage_box | 收纳整理 | Storage | 收纳, 收纳箱, 收纳盒, 衣架, 真空压缩袋, storage box, storage, hangers, organiser, organizer
= clothing | 服饰 | Clothing | 服装, 服饰, 衣服, clothing, clothes, apparel
== womens_clothing | 女装 | Women's clothing | 女装, 女士衣服, womens clothing, women's clothing, ladies clothing
- dress | 连衣裙 | Dresses | 连衣裙, 裙子, 长裙, 半身裙, 短裙, dress, dresses, skirt, skirts
- womens_tops | 女士上衣 | Women's tops | 女士t恤, 女士衬衫, 雪纺衫, 女士上衣, 吊带, blouse, women's tops, womens tops, camisole
- womens_coat | 女士外套 | Women's coats | 女士外套, 女士大衣, 风衣, 女士羽绒服, 女士夹克, women's coat, womens coat, trench coat
- womens_knitwear | 女士针织衫 | Women's knitwear | 针织衫, 开衫, 女士毛衣, 羊绒衫, cardigan, women's sweater, knitwear
- womens_trousers | 女裤 | Women's trousers | 女裤, 阔腿裤, 打底裤, 女士牛仔裤, 瑜伽裤, leggings, wide-leg trousers, women's jeans
- lingerie | 内衣 | Lingerie & underwear | 内衣, 文胸, 内裤, 睡衣, 家居服, 保暖内衣, underwear, lingerie, bra, pyjamas, pajamas, thermal underwear
- socks | 袜子 | Socks & tights | 袜子, 丝袜, 船袜, 棉袜, 连裤袜, socks, tights, stockings
== mens_clothing | 男装 | Men's clothing | 男装, 男士衣服, mens clothing, men's clothing
- mens_shirt | 男士衬衫 | Men's shirts | 衬衫, 男士衬衫, 白衬衫, 正装衬衫, shirt, shirts, dress shirt, men's shirt
- mens_tshirt | 男士T恤 | Men's T-shirts | 男士t恤, 短袖, polo衫, 纯棉t恤, men's t-shirt, polo shirt, polo
- mens_jacket | 男士外套 | Men's jackets | 男士外套, 夹克, 男士夹克, 棒球服, 工装外套, jacket, men's jacket, bomber jacket
- down_jacket | 羽绒服 | Down jackets | 羽绒服, 羽绒马甲, 轻薄羽绒服, 棉服, 派克服, down jacket, puffer jacket, puffer, parka
- jeans | 牛仔裤 | Jeans | 牛仔裤, 男士牛仔裤, 直筒牛仔裤, jeans, denim
- mens_trousers | 男裤 | Men's trousers | 男裤, 休闲裤, 西裤, 工装裤, chinos, trousers, men's trousers, cargo pants
- suit | 西装 | Suits | 西装, 西服, 正装, 西装套装, suit, suits, blazer
- sweater | 毛衣卫衣 | Sweaters | 毛衣, 男士毛衣, 羊毛衫, 高领毛衣, sweater, jumper, pullover
== kids_clothing | 童装 | Children's clothing | 童装, 儿童衣服, 小孩衣服, kids clothing, children's clothing, kids clothes
- kids_tops | 儿童上衣 | Kids' tops | 儿童t恤, 儿童卫衣, 儿童上衣, 儿童外套, kids t-shirt, kids hoodie, kids jacket
- kids_trousers | 儿童裤子 | Kids' trousers | 儿童裤子, 儿童牛仔裤, 儿童打底裤, kids trousers, kids jeans, kids leggings
- kids_dress | 女童裙子 | Girls' dresses | 女童裙子, 公主裙, 儿童连衣裙, girls dress, girls' dresses
- kids_outerwear | 儿童羽绒服 | Kids' coats | 儿童羽绒服, 儿童棉服, 儿童冲锋衣, kids coat, kids down jacket
- school_uniform | 校服 | School uniforms | 校服, 学生校服, school uniform
== accessories | 服饰配件 | Accessories | 配饰, 服饰配件, accessories
- hats | 帽子 | Hats | 帽子, 棒球帽, 渔夫帽, 毛线帽, 鸭舌帽, hat, hats, cap, baseball cap, beanie, bucket hat
- scarves | 围巾手套 | Scarves & gloves | 围巾, 手套, 丝巾, 披肩, scarf, scarves, gloves, shawl
- belts | 腰带 | Belts | 皮带, 腰带, 男士皮带, belt, belts, leather belt
- sunglasses | 眼镜 | Glasses | 墨镜, 太阳镜, 眼镜框, 近视眼镜, 防蓝光眼镜, sunglasses, glasses, spectacles, eyeglasses
= shoes_bags | 鞋靴箱包 | Shoes & bags | 鞋靴箱包, shoes and bags
== shoes | 鞋靴 | Shoes | 鞋, 鞋子, 鞋靴, shoes, footwear
- running_shoes | 跑鞋 | Running shoes | 跑鞋, 跑步鞋, 运动鞋, 慢跑鞋, 竞速跑鞋, running shoes, running shoe, runners, sneakers, trainers
- basketball_shoes | 篮球鞋 | Basketball shoes | 篮球鞋, 球鞋, 实战篮球鞋, basketball shoes, basketball sneakers
- casual_shoes | 休闲鞋 | Casual shoes | 休闲鞋, 板鞋, 帆布鞋, 小白鞋, 老爹鞋, casual shoes, canvas shoes, skate shoes, white sneakers
- leather_shoes | 皮鞋 | Leather shoes | 皮鞋, 男士皮鞋, 商务皮鞋, 乐福鞋, leather shoes, oxfords, loafers, dress shoes
- boots | 靴子 | Boots | 靴子, 马丁靴, 雪地靴, 短靴, 长靴, boots, ankle boots, snow boots, chelsea boots
- heels | 女鞋 | Women's shoes | 高跟鞋, 单鞋, 女鞋, 平底鞋, 玛丽珍鞋, heels, high heels, pumps, flats, women's shoes
- sandals | 凉鞋拖鞋 | Sandals & slippers | 凉鞋, 拖鞋, 洞洞鞋, 人字拖, 棉拖鞋, sandals, slippers, flip-flops, flip flops, crocs, slides
- kids_shoes | 童鞋 | Kids' shoes | 童鞋, 儿童鞋, 儿童运动鞋, 学步鞋, kids shoes, children's shoes, toddler shoes
== bags | 箱包 | Bags & luggage | 箱包, 包, 包包, bags, bag
- handbag | 女包 | Handbags | 女包, 手提包, 斜挎包, 单肩包, 托特包, handbag, handbags, shoulder bag, crossbody bag, tote bag, purse
- backpack | 双肩包 | Backpacks | 双肩包, 背包, 书包, 电脑包, 学生书包, backpack, rucksack, school bag, laptop bag
- suitcase | 拉杆箱 | Suitcases | 行李箱, 拉杆箱, 旅行箱, 登机箱, suitcase, luggage, carry-on, trolley case
- wallet | 钱包 | Wallets | 钱包, 卡包, 零钱包, 男士钱包, wallet, card holder, coin purse
- mens_bag | 男包 | Men's bags | 男包, 公文包, 胸包, 男士斜挎包, briefcase, men's bag, messenger bag, sling bag
= sports | 运动户外 | Sports & outdoor | 运动户外, 运动, 户外, sports, outdoor, sports and outdoor
== sportswear | 运动服饰 | Sportswear | 运动服, 运动服饰, 运动装, sportswear, activewear, sports clothing
- hoodie | 卫衣 | Hoodies | 卫衣, 连帽卫衣, 运动卫衣, hoodie, hoodies, sweatshirt
- sports_tshirt | 运动T恤 | Sports T-shirts | t恤, 运动t恤, 速干衣, 速干t恤, t-shirt, tee, sports t-shirt, training top
- sports_pants | 运动裤 | Tracksuit bottoms | 运动裤, 卫裤, 束脚裤, 运动短裤, joggers, track pants, sweatpants, shorts
- track_jacket | 运动外套 | Track jackets | 运动外套, 运动夹克, 皮肤衣, 防风外套, track jacket, windbreaker
- tracksuit | 运动套装 | Tracksuits | 运动套装, 健身服, tracksuit, gym wear, training set
== fitness | 健身训练 | Fitness | 健身, 健身器材, fitness, gym equipment
- yoga | 瑜伽用品 | Yoga | 瑜伽垫, 瑜伽服, 瑜伽球, 瑜伽砖, yoga mat, yoga, yoga clothes
- dumbbells | 哑铃 | Dumbbells & weights | 哑铃, 杠铃, 壶铃, 杠铃片, dumbbells, dumbbell, kettlebell, weights, barbell
- treadmill | 跑步机 | Treadmills | 跑步机, 走步机, 家用跑步机, treadmill, walking pad
- exercise_bike | 动感单车 | Exercise bikes | 动感单车, 健身车, 椭圆机, 划船机, exercise bike, spin bike, elliptical, rowing machine
- jump_rope | 跳绳 | Skipping ropes | 跳绳, 计数跳绳, 无绳跳绳, skipping rope, jump rope
== outdoor | 户外装备 | Outdoor gear | 户外装备, outdoor gear, camping gear
- tent | 帐篷 | Tents | 帐篷, 天幕, 露营帐篷, tent, tents, camping tent, canopy
- sleeping_bag | 睡袋 | Sleeping bags | 睡袋, 防潮垫, 充气床垫, sleeping bag, sleeping mat, air mattress
- hiking_jacket | 冲锋衣 | Hiking jackets | 冲锋衣, 软壳衣, 户外外套, 三合一冲锋衣, hiking jacket, shell jacket, waterproof jacket, softshell
- hiking_boots | 登山鞋 | Hiking boots | 登山鞋, 徒步鞋, 越野跑鞋, hiking boots, hiking shoes, trail shoes
- camping_gear | 露营用品 | Camping gear | 露营, 露营车, 折叠椅, 户外椅, 营地灯, 卡式炉, camping, camping chair, folding chair, lantern, camping stove
- fishing | 钓鱼用品 | Fishing | 钓鱼, 鱼竿, 渔具, 鱼线, 钓竿, fishing, fishing rod, fishing tackle
== ball_sports | 球类运动 | Ball sports | 球类, ball sports
- basketball | 篮球 | Basketballs | 篮球, 7号篮球, basketball, basketballs
- football | 足球 | Footballs | 足球, 足球鞋, 5号足球, football, soccer ball, football boots
- badminton | 羽毛球 | Badminton | 羽毛球, 羽毛球拍, 羽毛球鞋, badminton, badminton racket, shuttlecock
- table_tennis | 乒乓球 | Table tennis | 乒乓球, 乒乓球拍, 乒乓球台, table tennis, ping pong, table tennis bat
- tennis | 网球 | Tennis | 网球, 网球拍, tennis, tennis racket
- swimming | 游泳用品 | Swimming | 泳衣, 泳裤, 泳镜, 泳帽, 游泳, swimsuit, swimming goggles, swimwear, swim trunks
== cycling | 骑行 | Cycling | 骑行, cycling
- bicycle | 自行车 | Bicycles | 自行车, 山地车, 公路车, 折叠自行车, 单车, bicycle, bike, mountain bike, road bike, folding bike
- cycling_gear | 骑行装备 | Cycling gear | 骑行头盔, 头盔, 骑行服, 码表, 车灯, helmet, bike helmet, cycling jersey, bike light
- scooter | 电动滑板车 | Scooters | 滑板车, 电动滑板车, 平衡车, 滑板, scooter, e-scooter, electric scooter, skateboard, hoverboard
= home | 家居家装 | Home & furniture | 家居, 家装, home, home and furniture
== furniture | 家具 | Furniture | 家具, furniture
- sofa | 沙发 | Sofas | 沙发, 布艺沙发, 真皮沙发, 懒人沙发, 沙发床, sofa, couch, sofa bed, settee
- office_chair | 办公椅 | Office chairs | 办公椅, 人体工学椅, 电脑椅, 电竞椅, 椅子, office chair, ergonomic chair, gaming chair, desk chair, chair
- desk | 书桌 | Desks | 书桌, 电脑桌, 办公桌, 写字桌, 升降桌, 学习桌, desk, computer desk, standing desk, study desk
- bed | 床 | Beds | 床, 双人床, 实木床, 床架, 上下床, bed, bed frame, double bed, bunk bed
- mattress | 床垫 | Mattresses | 床垫, 乳胶床垫, 弹簧床垫, 椰棕床垫, mattress, latex mattress, memory foam mattress
- wardrobe | 衣柜 | Wardrobes | 衣柜, 衣橱, 简易衣柜, wardrobe, closet, armoire
- bookshelf | 书架 | Bookshelves | 书架, 书柜, 置物架, 落地书架, bookshelf, bookcase, shelving
- dining_table | 餐桌 | Dining tables | 餐桌, 餐桌椅, 饭桌, 茶几, dining table, coffee table, table
- tv_stand | 电视柜 | TV stands | 电视柜, 鞋柜, 边柜, 斗柜, tv stand, tv cabinet, shoe cabinet, sideboard
== home_textiles | 家纺 | Bedding & textiles | 家纺, 床上用品, bedding, home textiles
- bedding | 床品套件 | Bed linen | 四件套, 床单, 被套, 床笠, 三件套, bed linen, duvet cover, bedsheet, bed sheets
- duvet | 被子 | Duvets | 被子, 羽绒被, 蚕丝被, 棉被, 夏凉被, duvet, quilt, comforter
- pillow | 枕头 | Pillows | 枕头, 乳胶枕, 记忆枕, 颈椎枕, 抱枕, pillow, pillows, cushion pillow, memory foam pillow
- towel | 毛巾浴巾 | Towels | 毛巾, 浴巾, 方巾, 浴袍, towel, towels, bath towel, bathrobe
- curtains | 窗帘 | Curtains | 窗帘, 遮光窗帘, 纱帘, 卷帘, curtains, blackout curtains, blinds
- rug | 地毯 | Rugs | 地毯, 地垫, 门垫, 客厅地毯, rug, carpet, doormat, mat
== decor | 家居饰品 | Home decor | 家居饰品, 装饰, 摆件, home decor, decor, decorations
- lighting | 灯具 | Lighting | 灯, 台灯, 吸顶灯, 落地灯, 护眼灯, 吊灯, lamp, desk lamp, ceiling light, floor lamp, lighting
- vase | 花瓶摆件 | Vases & ornaments | 花瓶, 摆件, 装饰画, 挂画, 相框, vase, ornament, wall art, photo frame, picture frame
- candles | 香薰蜡烛 | Candles | 香薰蜡烛, 蜡烛, 香薰机, candle, candles, scented candle
- plants | 绿植园艺 | Plants & gardening | 绿植, 盆栽, 多肉, 花盆, 鲜花, 种子, 园艺, plants, potted plant, succulents, flower pot, flowers, gardening
- clock | 钟表挂钟 | Clocks | 挂钟, 闹钟, 座钟, clock, wall clock, alarm clock
== home_improvement | 家装建材 | Home improvement | 家装建材, 五金, home improvement, diy, hardware
- tools | 五金工具 | Tools | 工具, 工具箱, 电钻, 螺丝刀, 扳手, 手电钻, tools, toolbox, drill, screwdriver, wrench, power drill
- bathroom | 卫浴 | Bathroom fittings | 花洒, 马桶, 水龙头, 浴室柜, 卫浴, 智能马桶, shower head, toilet, tap, faucet, bathroom
- smart_lock | 智能门锁 | Smart locks | 智能门锁, 指纹锁, 电子锁, 门锁, smart lock, fingerprint lock, door lock
- light_bulbs | 灯泡开关 | Bulbs & switches | 灯泡, led灯泡, 插座, 插线板, 开关, 排插, light bulb, bulb, socket, power strip, extension lead
= kitchen | 厨房用品 | Kitchen | 厨房, 厨具, 厨房用品, kitchen, kitchenware
== kitchen_appliances | 厨房电器 | Kitchen appliances | 厨房电器, 厨房小电, kitchen appliances
- rice_cooker | 电饭煲 | Rice cookers | 电饭煲, 电饭锅, 煮饭锅, 电压力锅, 高压锅, rice cooker, pressure cooker, instant pot
- air_fryer | 空气炸锅 | Air fryers | 空气炸锅, 空气炸, 无油炸锅, 炸锅, air fryer, airfryer, air-fryer
- blender | 破壁机 | Blenders | 破壁机, 料理机, 榨汁机, 搅拌机, 榨汁杯, 绞肉机, blender, juicer, food processor, smoothie maker
- kettle | 电水壶 | Kettles | 电水壶, 烧水壶, 电热水壶, 养生壶, 热水壶, kettle, electric kettle, health pot
- soymilk_maker | 豆浆机 | Soya milk makers | 豆浆机, 家用豆浆机, soymilk maker, soya milk maker, soy milk maker
- microwave | 微波炉 | Microwaves | 微波炉, 电烤箱, 烤箱, 蒸烤箱, 蒸箱, 微蒸烤一体机, microwave, oven, toaster oven, steam oven
- coffee_machine | 咖啡机 | Coffee machines | 咖啡机, 胶囊咖啡机, 意式咖啡机, 磨豆机, coffee machine, espresso machine, coffee maker, coffee grinder
- induction_cooker | 电磁炉 | Induction hobs | 电磁炉, 电陶炉, 电火锅, 电饼铛, 煎烤机, 多功能锅, induction cooker, induction hob, hot pot, electric grill
- toaster | 面包机 | Toasters & bread makers | 面包机, 吐司机, 多士炉, 早餐机, 三明治机, toaster, bread maker, sandwich maker, waffle maker
== cookware | 锅具刀具 | Cookware | 锅具, 炊具, cookware, pots and pans
- wok | 炒锅 | Woks & pans | 炒锅, 平底锅, 不粘锅, 铁锅, 煎锅, 炒菜锅, wok, frying pan, pan, non-stick pan, skillet
- pot | 汤锅蒸锅 | Pots | 汤锅, 蒸锅, 奶锅, 砂锅, 炖锅, 珐琅锅, pot, stockpot, saucepan, casserole, steamer
- knife_set | 刀具 | Knives | 刀具, 菜刀, 刀具套装, 水果刀, 砧板, 菜板, knife set, kitchen knife, knives, chopping board, cutting board
- tableware | 餐具 | Tableware | 餐具, 碗, 盘子, 碗碟套装, 筷子, 勺子, 碗筷, tableware, bowls, plates, dinnerware, chopsticks, cutlery
- cups | 水杯 | Cups & flasks | 水杯, 杯子, 保温杯, 马克杯, 玻璃杯, 吸管杯子, 保温壶, cup, mug, thermos, flask, water bottle, tumbler
- food_storage | 保鲜盒 | Food containers | 保鲜盒, 饭盒, 便当盒, 密封罐, 午餐盒, food container, lunch box, bento box, storage jar
= home_appliances | 家用电器 | Home appliances | 家电, 家用电器, 电器, appliance, appliances, home appliances
== large_appliances | 大家电 | Large appliances | 大家电, large appliances, major appliances
- air_conditioner | 空调 | Air conditioners | 空调, 挂机空调, 柜机空调, 变频空调, 中央空调, 立式空调, air conditioner, air conditioning, aircon, ac unit, air-con
- fridge | 冰箱 | Fridges | 冰箱, 电冰箱, 对开门冰箱, 冰柜, 冷柜, fridge, refrigerator, freezer
- washing_machine | 洗衣机 | Washing machines | 洗衣机, 滚筒洗衣机, 波轮洗衣机, 洗烘一体机, 干衣机, 烘干机, washing machine, washer, tumble dryer, washer dryer
- tv | 电视 | TVs | 电视, 电视机, 液晶电视, 智能电视, 平板电视, oled电视, tv, television, smart tv, tvs
- water_heater | 热水器 | Water heaters | 热水器, 电热水器, 燃气热水器, water heater, boiler, geyser
- dishwasher | 洗碗机 | Dishwashers | 洗碗机, 嵌入式洗碗机, 台式洗碗机, dishwasher
- range_hood | 油烟机灶具 | Cooker hoods & hobs | 油烟机, 抽油烟机, 烟灶套装, 燃气灶, 集成灶, range hood, cooker hood, extractor hood, gas hob, gas stove
- water_purifier | 净水器 | Water purifiers | 净水器, 净水机, 直饮机, 前置过滤器, water purifier, water filter
== small_appliances | 生活电器 | Small appliances | 生活电器, 小家电, small appliances
- vacuum | 吸尘器 | Vacuum cleaners | 吸尘器, 无线吸尘器, 手持吸尘器, 除螨仪, 洗地机, vacuum, vacuum cleaner, hoover, cordless vacuum, wet dry vacuum, floor washer
- robot_vacuum | 扫地机器人 | Robot vacuums | 扫地机器人, 扫地机, 扫拖一体机, 拖地机器人, robot vacuum, robot vacuum cleaner, robovac, robot mop
- fan | 电风扇 | Fans | 电风扇, 风扇, 落地扇, 循环扇, 塔扇, 空调扇, fan, electric fan, tower fan, desk fan
- air_purifier | 空气净化器 | Air purifiers | 空气净化器, 净化器, 新风机, air purifier, air cleaner
- humidifier | 加湿器 | Humidifiers | 加湿器, 除湿机, 抽湿机, 香薰加湿器, humidifier, dehumidifier
- heater | 取暖器 | Heaters | 取暖器, 暖风机, 电暖器, 油汀, 电热毯, 小太阳, heater, space heater, electric blanket, radiator
- iron | 挂烫机 | Irons & steamers | 挂烫机, 电熨斗, 熨斗, 手持挂烫机, iron, steam iron, garment steamer, steamer iron
== personal_care_appliances | 个护电器 | Personal care appliances | 个护电器, personal care appliances
- hair_dryer | 吹风机 | Hair dryers | 吹风机, 电吹风, 高速吹风机, 吹风筒, 卷发棒, 直发器, hair dryer, hairdryer, blow dryer, curling iron, hair straightener
- shaver | 电动剃须刀 | Electric shavers | 剃须刀, 电动剃须刀, 刮胡刀, 理发器, 电推剪, shaver, electric shaver, electric razor, hair clipper, trimmer
- electric_toothbrush | 电动牙刷 | Electric toothbrushes | 电动牙刷, 冲牙器, 水牙线, electric toothbrush, water flosser, oral irrigator
- massager | 按摩器 | Massagers | 按摩器, 按摩仪, 筋膜枪, 颈椎按摩仪, 眼部按摩仪, massager, massage gun, neck massager
- massage_chair | 按摩椅 | Massage chairs | 按摩椅, 按摩沙发, 太空舱按摩椅, 全身按摩椅, massage chair, massage chairs, massage recliner
- beauty_device | 美容仪 | Beauty devices | 美容仪, 脱毛仪, 洁面仪, 射频美容仪, beauty device, ipl hair removal, facial cleansing brush
= phones_accessories | 手机通讯 | Phones & accessories | 手机通讯, 手机数码, phones and accessories
== phones_group | 手机 | Mobile phones | 手机通讯设备, mobile phones
- phones | 手机 | Phones | 手机, 智能手机, 5g手机, 拍照手机, 游戏手机, 折叠屏手机, 老人机, phone, phones, smartphone, smartphones, mobile phone, cellphone, cell phone, foldable phone
== phone_accessories | 手机配件 | Phone accessories | 手机配件, 数码配件, phone accessories
- power_bank | 充电宝 | Power banks | 充电宝, 移动电源, 充电宝子, 磁吸充电宝, 快充充电宝, 充电包, 充电保, power bank, powerbank, power banks, portable charger, battery pack
- charger | 充电器 | Chargers | 充电器, 充电头, 快充头, 氮化镓充电器, 无线充电器, 无线充, charger, chargers, wall charger, gan charger, wireless charger, fast charger, charging plug
- cable | 数据线 | Cables | 数据线, 充电线, 快充线, 编织数据线, cable, charging cable, usb cable, usb-c cable, lightning cable, data cable
- phone_case | 手机壳 | Phone cases | 手机壳, 保护壳, 手机套, 防摔壳, phone case, phone cover, case
- screen_protector | 手机膜 | Screen protectors | 手机膜, 钢化膜, 贴膜, 保护膜, 水凝膜, screen protector, tempered glass, screen film
- phone_holder | 手机支架 | Phone holders | 手机支架, 车载支架, 自拍杆, 稳定器, 手机云台, phone holder, phone stand, selfie stick, gimbal, car mount
= computers_office | 电脑办公 | Computers & office | 电脑办公, 电脑, computers, computers and office, computer
== computers | 电脑整机 | Computers | 电脑整机, 计算机, pc
- laptops | 笔记本电脑 | Laptops | 笔记本, 笔记本电脑, 轻薄本, 游戏本, 商务本, 超极本, 全能本, laptop, laptops, notebook computer, ultrabook, gaming laptop, macbook
- desktop | 台式机 | Desktop computers | 台式机, 台式电脑, 主机, 一体机, 电竞主机, 迷你主机, desktop, desktop computer, desktop pc, gaming pc, all-in-one pc, mini pc
- tablets | 平板电脑 | Tablets | 平板, 平板电脑, 学习平板, 学习机, 电子书阅读器, 墨水屏, tablet, tablets, e-reader, ereader, kindle
- monitor | 显示器 | Monitors | 显示器, 电脑显示器, 电竞显示器, 4k显示器, 便携显示器, 屏幕, monitor, monitors, display, gaming monitor, screen
== peripherals | 电脑外设 | Peripherals | 外设, 电脑外设, 电脑配件, peripherals, pc accessories
- keyboard | 键盘 | Keyboards | 键盘, 机械键盘, 无线键盘, 键鼠套装, keyboard, keyboards, mechanical keyboard, wireless keyboard
- mouse | 鼠标 | Mice | 鼠标, 无线鼠标, 游戏鼠标, 电竞鼠标, 鼠标垫, mouse, mice, gaming mouse, wireless mouse, mouse pad, mousepad
- storage_drive | 硬盘U盘 | Drives & memory cards | 移动硬盘, 固态硬盘, u盘, 内存卡, tf卡, sd卡, ssd, 硬盘, external hard drive, hard drive, usb stick, flash drive, memory card, sd card, hdd
- router | 路由器 | Routers | 路由器, 无线路由器, wifi6路由器, mesh路由器, 网线, 交换机, router, wifi router, wi-fi router, mesh wifi, ethernet cable, network switch
- webcam | 摄像头 | Webcams | 电脑摄像头, 网络摄像头, 视频会议摄像头, webcam, web camera
- pc_components | 电脑配件 | PC components | 显卡, 内存条, cpu, 处理器, 主板, 电源, 机箱, graphics card, gpu, ram, motherboard, processor, pc case, psu
== office | 办公设备 | Office equipment | 办公设备, 办公用品, office equipment, office supplies
- printer | 打印机 | Printers | 打印机, 喷墨打印机, 激光打印机, 打印复印一体机, 墨盒, 硒鼓, printer, printers, inkjet printer, laser printer, ink cartridge, toner cartridge
- projector | 投影仪 | Projectors | 投影仪, 投影机, 家用投影仪, 幕布, 投影幕布, projector, projectors, projector screen
- shredder | 碎纸机 | Shredders & laminators | 碎纸机, 塑封机, 装订机, 点钞机, 验钞机, shredder, paper shredder, laminator
= digital | 数码影音 | Digital & audio | 数码, 数码产品, 影音, digital, gadgets, electronics
== audio | 影音娱乐 | Audio | 音频, 影音娱乐, audio
- earphones | 耳机 | Earphones | 耳机, 蓝牙耳机, 无线耳机, 降噪耳机, 头戴式耳机, 耳麦, 真无线耳机, 入耳式耳机, 有线耳机, 骨传导耳机, earphones, earphone, headphones, headphone, earbuds, headset, airpods, tws earbuds, wireless earbuds
- speaker | 音箱 | Speakers | 音箱, 蓝牙音箱, 音响, 智能音箱, 回音壁, 低音炮, speaker, speakers, bluetooth speaker, smart speaker, soundbar, subwoofer
- microphone | 麦克风 | Microphones | 麦克风, 话筒, 领夹麦, 无线麦克风, 声卡, microphone, mic, lavalier mic, sound card
== cameras | 摄影摄像 | Cameras | 摄影, 摄像, 相机, cameras, photography
- camera | 相机 | Cameras | 相机, 数码相机, 单反, 微单, 单反相机, 微单相机, 拍立得, 胶片相机, camera, digital camera, dslr, mirrorless camera, instant camera, polaroid
- action_camera | 运动相机 | Action cameras | 运动相机, 全景相机, 口袋相机, action camera, gopro, 360 camera
- drone | 无人机 | Drones | 无人机, 航拍无人机, 航拍器, 四轴飞行器, drone, drones, quadcopter
- lens | 镜头 | Lenses | 镜头, 相机镜头, 定焦镜头, 变焦镜头, 三脚架, lens, camera lens, lenses, tripod
- security_camera | 监控摄像头 | Security cameras | 监控摄像头, 摄像头监控, 家用摄像头, 智能摄像头, 可视门铃, 监控, security camera, cctv, home camera, video doorbell
== wearables | 智能设备 | Wearables & smart home | 智能设备, 智能穿戴, wearables, smart devices
- smartwatch | 智能手表 | Smartwatches | 智能手表, 手表智能, 儿童手表, 电话手表, 运动手表, smartwatch, smart watch, apple watch, kids smartwatch, sports watch
- fitness_band | 智能手环 | Fitness bands | 手环, 智能手环, 运动手环, fitness band, fitness tracker, smart band
- game_console | 游戏机 | Games consoles | 游戏机, 游戏主机, 掌机, 游戏手柄, 手柄, switch, ps5, xbox, game console, games console, gamepad, controller, handheld console
- vr_headset | VR眼镜 | VR headsets | vr眼镜, vr, ar眼镜, 头显, 智能眼镜, vr headset, virtual reality headset, ar glasses, smart glasses
- smart_home | 智能家居 | Smart home | 智能家居, 智能插座, 智能开关, 网关, 智能灯泡, 智能窗帘, smart home, smart plug, smart switch, smart bulb
= books_stationery | 图书文具 | Books & stationery | 图书文具, books and stationery
== books | 图书 | Books | 图书, 书, 书籍, 读物, books, book
- novels | 小说 | Fiction | 小说, 科幻小说, 文学, 推理小说, 武侠小说, 言情小说, novel, novels, fiction, sci-fi, science fiction, literature
- childrens_books | 童书 | Children's books | 童书, 绘本, 儿童绘本, 儿童读物, 儿童书, picture book, children's books, kids books, picture books
- textbooks | 教辅考试 | Study & exam books | 教辅, 练习册, 考研, 真题, 试卷, 教材, 课本, 英语学习, textbook, study guide, exam prep, workbook
- nonfiction | 社科人文 | Non-fiction | 历史, 传记, 哲学, 心理学, 经管, 励志, 社科, 人文, history, biography, philosophy, psychology, business books, self-help, non-fiction, nonfiction
- tech_books | 科技图书 | Science & tech books | 编程, 计算机书, 科普, python书, 人工智能书, programming, computer science, popular science, coding book
- comics | 漫画 | Comics | 漫画, 漫画书, 连环画, 动漫画册, comics, manga, graphic novel
== stationery | 文具 | Stationery | 文具, 学习用品, 办公文具, stationery, school supplies
- pens | 笔 | Pens | 笔, 中性笔, 钢笔, 签字笔, 圆珠笔, 铅笔, 马克笔, 荧光笔, pen, pens, gel pen, fountain pen, ballpoint pen, pencil, marker, highlighter pen
- notebooks | 本册 | Notebooks & paper | 笔记本子, 本子, 记事本, 手账本, 活页本, 便利贴, 打印纸, a4纸, notebook, notepad, journal, planner, sticky notes, a4 paper, printer paper
- art_supplies | 美术用品 | Art supplies | 画笔, 水彩, 颜料, 油画棒, 彩铅, 素描, 画板, 水彩笔, art supplies, paint, watercolour, watercolor, crayons, colouring pencils, sketchbook
- school_supplies | 学生文具 | School supplies | 文具盒, 笔袋, 橡皮, 尺子, 卷笔刀, 修正带, pencil case, eraser, rubber, ruler, pencil sharpener, correction tape
- calligraphy | 文房四宝 | Calligraphy | 毛笔, 宣纸, 墨汁, 砚台, 文房四宝, 书法, calligraphy, chinese brush, ink stone, rice paper
- musical_instrument | 乐器 | Musical instruments | 乐器, 吉他, 尤克里里, 电子琴, 钢琴, 古筝, 架子鼓, 小提琴, 口琴, musical instrument, guitar, ukulele, keyboard piano, piano, violin, drum kit, harmonica
= toys | 玩具 | Toys | 玩具, 儿童玩具, toys, toy
== toys_group | 玩具游戏 | Toys & games | 益智玩具, toys and games
- building_blocks | 积木 | Building blocks | 积木, 拼装积木, 拼插积木, 颗粒积木, 拼装玩具, building blocks, bricks, lego set, construction toys
- figures | 手办模型 | Figures & models | 手办, 模型, 高达, 拼装模型, 动漫手办, 车模, figure, figures, action figure, model kit, gunpla, scale model
- blind_box | 盲盒潮玩 | Blind boxes | 盲盒, 潮玩, 泡泡玛特盲盒, 手办盲盒, blind box, blind boxes, designer toy, art toy
- plush | 毛绒玩具 | Soft toys | 毛绒玩具, 公仔, 玩偶, 布娃娃, 抱枕玩偶, plush, plush toy, soft toy, stuffed animal, teddy bear
- puzzle | 拼图益智 | Puzzles | 拼图, 魔方, 益智玩具, 早教玩具, 磁力片, jigsaw, puzzle, jigsaw puzzle, rubik's cube, educational toys, magnetic tiles
- rc_toys | 遥控玩具 | Remote-control toys | 遥控车, 遥控飞机, 遥控玩具, 玩具车, 轨道车, rc car, remote control car, toy car, remote control toy
- dolls | 娃娃 | Dolls | 娃娃, 芭比娃娃, 过家家玩具, 厨房玩具, doll, dolls, barbie, dollhouse, play kitchen
- board_games | 桌游 | Board games | 桌游, 棋牌, 象棋, 围棋, 扑克牌, 狼人杀, 麻将, board game, board games, chess, playing cards, card game, mahjong
- outdoor_toys | 户外玩具 | Outdoor toys | 儿童滑板车, 泡泡机, 水枪, 沙滩玩具, 儿童自行车, 平衡车儿童, bubble machine, water gun, sand toys, kids bike, balance bike
= pets | 宠物 | Pets | 宠物, 宠物用品, pets, pet supplies
== pet_supplies | 宠物用品 | Pet supplies | 宠物用品, 宠物生活, pet supplies
- dog_food | 狗粮 | Dog food | 狗粮, 狗零食, 犬粮, 幼犬粮, 狗罐头, dog food, dog treats, puppy food
- cat_food | 猫粮 | Cat food | 猫粮, 猫罐头, 猫条, 冻干猫粮, 猫零食, 幼猫粮, cat food, cat treats, kitten food, wet cat food
- cat_litter | 猫砂 | Cat litter | 猫砂, 豆腐猫砂, 膨润土猫砂, 猫砂盆, cat litter, litter box, tofu litter
- pet_toys | 宠物玩具 | Pet toys | 宠物玩具, 逗猫棒, 猫抓板, 狗玩具, 猫爬架, pet toys, cat toys, dog toys, cat tree, scratching post
- pet_bed | 宠物窝 | Pet beds | 宠物窝, 猫窝, 狗窝, 宠物垫, 猫笼, 狗笼, pet bed, cat bed, dog bed, pet crate
- pet_care | 宠物清洁 | Pet care | 宠物沐浴露, 驱虫药, 宠物梳子, 尿垫, 牵引绳, 狗绳, 宠物航空箱, pet shampoo, flea treatment, pet brush, dog lead, leash, pet carrier
- aquarium | 水族用品 | Aquarium | 鱼缸, 水族箱, 鱼粮, 过滤器鱼缸, aquarium, fish tank, fish food
= health | 医药保健 | Health | 医药保健, 保健, 健康, health, healthcare, wellness
== health_group | 保健品 | Supplements | 保健品, 营养品, supplements
- vitamins | 维生素 | Vitamins | 维生素, 维生素c, 维c, 复合维生素, 钙片, 鱼油, 叶酸, vitamins, vitamin c, multivitamin, calcium, fish oil, folic acid
- protein | 蛋白粉 | Protein powder | 蛋白粉, 乳清蛋白, 增肌粉, 代餐, protein powder, whey protein, meal replacement
- herbal | 滋补 | Tonics | 燕窝, 阿胶, 人参, 枸杞, 西洋参, 冬虫夏草, 滋补品, bird's nest, ginseng, goji berries, tonic
== medical | 医疗器械 | Medical devices | 医疗器械, medical devices
- blood_pressure | 血压计 | Blood pressure monitors | 血压计, 电子血压计, 血糖仪, 体温计, 额温枪, blood pressure monitor, glucose meter, thermometer
- masks | 口罩 | Face masks (medical) | 口罩, 医用口罩, n95口罩, 一次性口罩, medical mask, n95 mask, surgical mask, kn95
- first_aid | 家庭药箱 | First aid | 创可贴, 医用酒精, 碘伏, 棉签, 急救包, 绷带, band-aid, plasters, first aid kit, bandage, cotton swabs
- contact_lenses | 隐形眼镜 | Contact lenses | 隐形眼镜, 美瞳, 护理液, contact lenses, contacts, coloured contacts
- scale | 体重秤 | Scales | 体重秤, 体脂秤, 电子秤, 厨房秤, bathroom scale, body fat scale, kitchen scale, scale
- adult_care | 护理用品 | Care aids | 成人纸尿裤, 轮椅, 拐杖, 助行器, 护腰, 护膝, adult diapers, wheelchair, walking stick, knee brace
= car | 汽车用品 | Car accessories | 汽车用品, 车品, car accessories, car supplies
== car_supplies | 车载用品 | Car supplies | 车载用品, car supplies
- car_electronics | 车载电器 | Car electronics | 车载充电器, 车载吸尘器, 车载冰箱, 车载逆变器, 点烟器, car charger, car vacuum, car fridge, inverter
- dash_cam | 行车记录仪 | Dash cams | 行车记录仪, 倒车影像, 电子狗, dash camera, dashcam, dash cam, reversing camera
- car_cleaning | 洗车用品 | Car care | 洗车液, 车蜡, 洗车毛巾, 洗车机, 镀晶, 玻璃水, car wash, car wax, car shampoo, pressure washer, screenwash
- car_seat_cover | 汽车坐垫 | Seat covers | 汽车坐垫, 座套, 脚垫, 方向盘套, 头枕, 腰靠, seat cover, car mats, steering wheel cover, headrest
- car_fragrance | 车载香氛 | Car fragrance | 车载香水, 车载香薰, 汽车香水, 出风口香薰, car air freshener, car fragrance, car perfume
- tyres | 轮胎 | Tyres | 轮胎, 汽车轮胎, 机油, 雨刮器, 雨刷, 车灯泡, tyre, tyres, tire, tires, motor oil, engine oil, wiper blades
- car_emergency | 应急工具 | Emergency kit | 车载充气泵, 打气泵, 应急启动电源, 搭电宝, 拖车绳, 灭火器, tyre inflator, air compressor, jump starter, tow rope, fire extinguisher
= jewellery_luxury | 珠宝奢品 | Jewellery & luxury | 珠宝, 奢侈品, 轻奢, jewellery, jewelry, luxury
== jewellery | 珠宝首饰 | Jewellery | 首饰, 饰品, jewellery items
- gold | 黄金 | Gold | 黄金, 金饰, 金条, 金手镯, 金项链, 足金, 古法金, gold, gold bracelet, gold necklace, gold bar
- diamond | 钻石 | Diamonds | 钻戒, 钻石, 钻石项链, 婚戒, 对戒, diamond, diamond ring, engagement ring, wedding ring
- silver | 银饰 | Silver | 银饰, 银手镯, 纯银项链, 银戒指, silver, silver bracelet, silver necklace, sterling silver
- jade | 玉石 | Jade | 翡翠, 和田玉, 玉镯, 玉佩, 玉石, jade, jade bracelet, jade pendant
- pearl | 珍珠 | Pearls | 珍珠, 珍珠项链, 珍珠耳环, pearl, pearls, pearl necklace, pearl earrings
- fashion_jewellery | 时尚饰品 | Fashion jewellery | 耳环, 耳钉, 项链, 手链, 戒指, 发饰, 发夹, 胸针, earrings, necklace, bracelet, ring, hair clip, brooch
== luxury | 奢侈品 | Luxury | 奢侈品牌, 大牌, designer, luxury goods
- watch | 手表 | Watches | 手表, 机械表, 腕表, 石英表, 男表, 女表, watch, watches, wristwatch, mechanical watch
- luxury_bag | 奢侈品包 | Designer bags | 奢侈品包, 大牌包, 名牌包, 奢侈品包包, designer bag, designer handbag, luxury bag
- luxury_accessories | 奢侈品配饰 | Designer accessories | 奢侈品丝巾, 大牌围巾, 奢侈品皮带, 奢侈品钱包, designer scarf, designer belt, designer wallet
= handcraft | 手工艺 | Handcrafts | 手工艺, 手工, 手作, 手工艺品, 非遗, handcraft, handcrafts, handmade, crafts, artisan
== handcraft_group | 小店手作 | Small-shop crafts | 手作好物, 小店手作, small shop crafts, handmade goods
- pottery | 陶瓷手作 | Handmade pottery | 陶瓷, 手工陶瓷, 手作陶瓷, 粗陶, 茶具, 紫砂壶, 茶杯, pottery, ceramics, handmade pottery, tea set, teapot, stoneware
- embroidery | 刺绣布艺 | Embroidery & fabric | 刺绣, 苏绣, 手工刺绣, 扎染, 蜡染, 布艺, embroidery, hand embroidery, tie-dye, batik
- woodwork | 木作竹编 | Woodwork & bamboo | 木雕, 竹编, 手工木作, 木勺, 竹篮, 藤编, woodwork, wood carving, bamboo weaving, wooden spoon, rattan
- leather_craft | 手工皮具 | Leather craft | 手工皮具, 皮具, 手缝钱包, 植鞣皮, leather craft, handmade leather, handstitched wallet
- handmade_jewellery | 手作饰品 | Handmade jewellery | 手工饰品, 手作饰品, 串珠, 手链编织, 红绳, handmade jewellery, handmade jewelry, beaded bracelet, red string bracelet
- paper_craft | 剪纸灯笼 | Paper crafts | 剪纸, 灯笼, 折扇, 团扇, 风筝, 宫灯, paper cutting, paper lantern, chinese lantern, folding fan, kite, paper crafts
- tea_craft | 手工茶 | Artisan tea | 手工茶, 农家茶, 手工红茶, 手作茶叶, artisan tea, handmade tea, farm tea
- handmade_soap | 手工皂 | Handmade soap | 手工皂, 冷制皂, 精油皂, handmade soap, cold process soap, natural soap
- knitting | 毛线编织 | Knitting | 毛线, 手工编织, 钩针, 编织包, knitting, yarn, wool yarn, crochet
"""

# Misspellings and variant characters folded before any matching: 蓝芽 is how Taiwan writes 蓝牙.
TYPOS: dict[str, str] = {
    "蓝芽": "蓝牙", "藍牙": "蓝牙", "充電寶": "充电宝", "冲电宝": "充电宝", "充点宝": "充电宝",
    "尿布湿": "尿不湿", "尿不湿子": "尿不湿", "吸成器": "吸尘器", "洗尘器": "吸尘器", "笔计本": "笔记本",
    "耳几": "耳机", "面膜贴": "面膜", "空气炸窝": "空气炸锅", "破壁机器": "破壁机",
    "earbud": "earbuds", "headfone": "headphone", "headfones": "headphones", "labtop": "laptop",
    "vaccum": "vacuum", "vacum": "vacuum", "hoovers": "hoover", "nappys": "nappies", "diapres": "diapers",
    "powerbanks": "power banks", "powebank": "powerbank", "sneeker": "sneaker", "tshirt": "t-shirt",
    "t shirt": "t-shirt", "air frier": "air fryer", "airfrier": "air fryer", "refridgerator": "refrigerator",
    "moniter": "monitor", "keybord": "keyboard", "head phones": "headphones", "ear phones": "earphones",
    "ear buds": "earbuds", "i phone": "iphone", "mac book": "macbook", "play station": "playstation",
}


@dataclass(frozen=True)
class Node:
    key: str
    zh: str
    en: str
    parent: str | None
    level: int  # 1 top group, 2 group, 3 leaf
    words: tuple[str, ...]  # folded words that name it (its names included)

    @property
    def is_leaf(self) -> bool:
        return self.level == 3


def fold(text: str) -> str:
    """Lower-case, full-width to half-width, trimmed, curly quotes straightened."""
    return unicodedata.normalize("NFKC", text).replace("’", "'").strip().lower()


def _parse(tree: str) -> dict[str, Node]:
    nodes: dict[str, Node] = {}
    parents: dict[int, str] = {}
    for raw in tree.strip().splitlines():
        marker, _, rest = raw.partition(" ")
        level = {"=": 1, "==": 2, "-": 3}[marker]
        key, zh, en, more = (part.strip() for part in rest.split("|"))
        if key in nodes:
            raise ValueError(f"taxonomy: {key} twice")
        parent = parents.get(level - 1) if level > 1 else None
        words = tuple(dict.fromkeys(fold(w) for w in (zh, en, *more.split(",")) if w.strip()))
        nodes[key] = Node(key, zh, en, parent, level, words)
        parents[level] = key
    return nodes


NODES: dict[str, Node] = _parse(_TREE)
LEAVES: tuple[str, ...] = tuple(k for k, n in NODES.items() if n.is_leaf)
TOP_GROUPS: tuple[str, ...] = tuple(k for k, n in NODES.items() if n.level == 1)


@functools.cache
def ancestors(key: str) -> tuple[str, ...]:
    """The node itself and every node above it, nearest first."""
    out: list[str] = []
    node: str | None = key
    while node is not None and node in NODES:
        out.append(node)
        node = NODES[node].parent
    return tuple(out)


@functools.cache
def leaves_under(key: str) -> frozenset[str]:
    """The leaf categories under a node (itself when it is a leaf)."""
    return frozenset(leaf for leaf in LEAVES if key in ancestors(leaf))


def related(product_category: str, asked: str) -> bool:
    """Whether a product filed under `product_category` can be of the kind `asked`: the product's
    category lies under the asked node, or the product is filed under a coarser node holding it."""
    return asked in ancestors(product_category) or product_category in ancestors(asked)


def _lexicon() -> dict[str, str]:
    """Every folded word -> the node it names; a word a leaf claims beats a group's claim."""
    words: dict[str, str] = {}
    for level in (3, 2, 1):
        for key, node in NODES.items():
            if node.level == level:
                for word in (*node.words, key.replace("_", " ")):
                    words.setdefault(word, key)
    try:
        from shop.taxonomy_pinyin import PINYIN
    except ImportError:  # pragma: no cover - the generated module is in the repository
        PINYIN = {}
    for word, key in PINYIN.items():
        words.setdefault(word, key)
    return words


LEXICON: dict[str, str] = _lexicon()
_TYPO_PATTERN = re.compile("|".join(
    rf"(?<![a-z]){re.escape(t)}(?![a-z])" if t.isascii() else re.escape(t)
    for t in sorted(TYPOS, key=len, reverse=True)))


def fix_typos(text: str) -> str:
    """`text` (folded) with known misspellings replaced: "蓝芽耳机" -> "蓝牙耳机"."""
    return _TYPO_PATTERN.sub(lambda m: TYPOS[m.group(0)], text)


def resolve(phrase: str) -> str | None:
    """The category a whole product phrase names ("充电宝", "Power Bank", "chongdianbao"), or None."""
    text = fix_typos(fold(phrase))
    return LEXICON.get(text) or LEXICON.get(re.sub(r"\s+", "", text)) or LEXICON.get(text.rstrip("s"))


def name(key: str, language: str) -> str:
    """A node's name in the shopper's language."""
    node = NODES[key]
    return node.zh if language == "zh" else node.en


def nearest(key: str, limit: int = 3) -> list[str]:
    """Leaf categories near `key` (its siblings, then its group's), to offer when it has nothing."""
    out: list[str] = []
    for above in ancestors(key)[1:] or (key,):
        for leaf in LEAVES:
            if leaf != key and leaf not in out and above in ancestors(leaf):
                out.append(leaf)
        if len(out) >= limit:
            break
    return out[:limit]
