"""Simplified Chinese for the demo catalogue: category names and the words product names are built from.

A product's Chinese name is composed from the same adjective, material, noun and colour as its English one;
products whose words all have a translation get one (a good part of the catalogue), the rest fall back to
English, as a merchant's half-translated catalogue would.
"""

from __future__ import annotations

CATEGORY_NAMES_ZH = {
    "Clothing": "服装",
    "T-shirts & Tops": "T恤与上衣",
    "Jackets & Coats": "夹克与外套",
    "Knitwear": "针织衫",
    "Trousers & Jeans": "裤装与牛仔裤",
    "Shoes": "鞋履",
    "Sneakers": "运动鞋",
    "Boots": "靴子",
    "Sandals": "凉鞋",
    "Home & Kitchen": "家居与厨房",
    "Cookware": "锅具",
    "Tableware": "餐具",
    "Lighting": "灯具",
    "Bedding & Textiles": "床品与家纺",
    "Electronics": "数码电子",
    "Headphones & Audio": "耳机与音响",
    "Phone Accessories": "手机配件",
    "Smart Home": "智能家居",
    "Sports & Outdoors": "运动户外",
    "Camping": "露营",
    "Fitness": "健身",
    "Cycling": "骑行",
    "Beauty & Care": "美妆个护",
    "Skincare": "护肤",
    "Fragrance": "香氛",
    "Books & Stationery": "图书文具",
    "Notebooks & Paper": "笔记本与纸品",
    "Pens & Art Supplies": "笔与美术用品",
    "Cookbooks": "烹饪书",
}

NOUNS_ZH = {
    "T-shirt": "T恤",
    "Tee": "短袖T恤",
    "Polo shirt": "Polo衫",
    "Tank top": "背心",
    "Long-sleeve top": "长袖上衣",
    "Rain jacket": "雨衣",
    "Parka": "派克大衣",
    "Denim jacket": "牛仔夹克",
    "Wool coat": "羊毛大衣",
    "Bomber jacket": "飞行员夹克",
    "Jumper": "套头毛衣",
    "Cardigan": "开衫",
    "Hoodie": "连帽衫",
    "Roll-neck sweater": "高领毛衣",
    "Jeans": "牛仔裤",
    "Chinos": "卡其裤",
    "Joggers": "束脚运动裤",
    "Cargo trousers": "工装裤",
    "Shorts": "短裤",
    "Sneakers": "运动鞋",
    "Running shoes": "跑鞋",
    "Court shoes": "网球鞋",
    "Slip-ons": "一脚蹬",
    "Chelsea boots": "切尔西靴",
    "Hiking boots": "登山靴",
    "Ankle boots": "短靴",
    "Work boots": "工装靴",
    "Sandals": "凉鞋",
    "Flip-flops": "人字拖",
    "Slides": "拖鞋",
    "Frying pan": "煎锅",
    "Saucepan": "汤锅",
    "Casserole dish": "砂锅",
    "Wok": "炒锅",
    "Chef's knife": "主厨刀",
    "Mug": "马克杯",
    "Dinner plate set": "餐盘套装",
    "Serving bowl": "汤碗",
    "Tumbler set": "水杯套装",
    "Teapot": "茶壶",
    "Table lamp": "台灯",
    "Floor lamp": "落地灯",
    "Pendant light": "吊灯",
    "Fairy lights": "星星灯串",
    "Duvet cover": "被套",
    "Throw blanket": "盖毯",
    "Cushion": "靠垫",
    "Bath towel set": "浴巾套装",
    "Wireless earbuds": "无线耳机",
    "Over-ear headphones": "头戴式耳机",
    "Bluetooth speaker": "蓝牙音箱",
    "Turntable": "黑胶唱机",
    "Phone case": "手机壳",
    "Power bank": "充电宝",
    "Charging stand": "充电支架",
    "USB-C cable": "USB-C数据线",
    "Smart plug": "智能插座",
    "Smart bulb": "智能灯泡",
    "Video doorbell": "可视门铃",
    "Thermostat": "温控器",
    "Tent": "帐篷",
    "Sleeping bag": "睡袋",
    "Camping stove": "露营炉",
    "Head torch": "头灯",
    "Water bottle": "水壶",
    "Yoga mat": "瑜伽垫",
    "Kettlebell": "壶铃",
    "Resistance bands": "弹力带",
    "Skipping rope": "跳绳",
    "Foam roller": "泡沫轴",
    "Bike helmet": "骑行头盔",
    "Bike light set": "自行车灯套装",
    "Cycling gloves": "骑行手套",
    "Bike lock": "自行车锁",
    "Face cream": "面霜",
    "Cleanser": "洁面乳",
    "Serum": "精华液",
    "Sun cream": "防晒霜",
    "Lip balm": "润唇膏",
    "Eau de parfum": "香水",
    "Body mist": "身体喷雾",
    "Scented candle": "香薰蜡烛",
    "Diffuser": "香薰扩香器",
    "Dotted notebook": "点阵笔记本",
    "Sketchbook": "素描本",
    "Planner": "计划本",
    "Notepad set": "便笺套装",
    "Fountain pen": "钢笔",
    "Gel pen set": "中性笔套装",
    "Watercolour set": "水彩套装",
    "Brush pens": "软头笔",
    "Cookbook": "菜谱",
    "Baking book": "烘焙书",
    "Vegetarian cookbook": "素食菜谱",
}

ADJECTIVES_ZH = {
    "Classic": "经典",
    "Everyday": "日常",
    "Nordic": "北欧风",
    "Urban": "都市",
    "Coastal": "海岸",
    "Alpine": "高山",
    "Vintage": "复古",
    "Essential": "基础款",
    "Soft": "柔软",
    "Bold": "醒目",
    "Compact": "小巧",
    "Premium": "高级",
    "Lightweight": "轻量",
    "Heritage": "传承",
    "Studio": "工作室",
    "Trail": "越野",
    "Cosy": "舒适",
    "Minimal": "极简",
    "Bright": "明亮",
    "Tokyo": "东京",
}

COLOURS_ZH = {
    "black": "黑色",
    "white": "白色",
    "navy": "藏青色",
    "olive": "橄榄绿",
    "sand": "沙色",
    "red": "红色",
    "forest green": "森林绿",
    "grey": "灰色",
    "mustard": "芥末黄",
    "sky blue": "天蓝色",
    "rose": "玫瑰色",
}

MATERIALS_ZH = {
    "organic cotton": "有机棉",
    "linen": "亚麻",
    "merino wool": "美利奴羊毛",
    "recycled polyester": "再生涤纶",
    "denim": "牛仔布",
    "cotton": "棉",
    "leather": "皮革",
    "suede": "麂皮",
    "canvas": "帆布",
    "recycled mesh": "再生网布",
    "rubber": "橡胶",
    "ceramic": "陶瓷",
    "stainless steel": "不锈钢",
    "cast iron": "铸铁",
    "oak": "橡木",
    "glass": "玻璃",
    "stoneware": "粗陶",
    "nylon": "尼龙",
    "aluminium": "铝合金",
    "natural rubber": "天然橡胶",
    "steel": "钢",
}


def product_name_zh(
    *, adjective: str, noun: str, material: str | None, colour: str | None
) -> str | None:
    """The Chinese name for a product built from these words, or None when a word has no translation."""
    words = [
        ADJECTIVES_ZH.get(adjective),
        MATERIALS_ZH.get(material) if material else "",
        NOUNS_ZH.get(noun),
    ]
    if any(word is None for word in words) or (colour and colour not in COLOURS_ZH):
        return None
    name = "".join(word for word in words if word)
    return f"{name}（{COLOURS_ZH[colour]}）" if colour else name


def product_description_zh(
    *, name_zh: str, leaf: str, material: str | None, colour: str | None
) -> str:
    """A short Chinese description in the spirit of the English one."""
    details = []
    if material and material in MATERIALS_ZH:
        details.append(f"{MATERIALS_ZH[material]}材质")
    if colour and colour in COLOURS_ZH:
        details.append(COLOURS_ZH[colour])
    detail = "，".join(details)
    category = CATEGORY_NAMES_ZH.get(leaf, "")
    sentence = f"{name_zh}。{detail + '。' if detail else ''}"
    return f"{sentence}精心设计的{category}好物，经久耐用，日常使用得心应手。"
