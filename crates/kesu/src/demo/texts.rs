//! What the demo's shops sell and what their customers write: products, complaint texts by
//! category, findings, names. Plain data, chosen to read like a real Taobao/JD shop's desk.

use kesu_domain::codes::{Category, Liability, RootCause};

pub struct Shop {
    pub name: &'static str,
    /// (sku, name, spec, price in cents)
    pub products: &'static [(&'static str, &'static str, &'static str, i64)],
}

pub const SHOPS: &[Shop] = &[
    Shop {
        name: "暖居家纺旗舰店",
        products: &[
            ("JF-SJT-150", "纯棉四件套", "1.5米床 灰色", 29900),
            ("JF-YRB-200", "羽绒被", "200×230cm 冬厚款", 59900),
            ("JF-ZT-48", "乳胶枕", "48×74cm", 12900),
            ("JF-MT-70", "珊瑚绒毛毯", "150×200cm 米白", 8900),
        ],
    },
    Shop {
        name: "优品数码专营店",
        products: &[
            ("SM-EJ-TWS3", "蓝牙耳机", "TWS3 白色", 19900),
            ("SM-CDB-20K", "充电宝", "20000mAh", 12900),
            ("SM-SB-M2", "无线鼠标", "M2 静音版", 6900),
            ("SM-JP-K87", "机械键盘", "K87 茶轴", 34900),
        ],
    },
    Shop {
        name: "鲜果时光生鲜店",
        products: &[
            ("SX-CZ-5J", "赣南脐橙", "5斤装 大果", 3990),
            ("SX-YT-2J", "车厘子", "2斤 JJ级", 12800),
            ("SX-NN-24", "纯牛奶", "250ml×24盒", 6590),
        ],
    },
    Shop {
        name: "简衣服饰旗舰店",
        products: &[
            ("FS-MY-L", "羊毛衫", "L码 燕麦色", 25900),
            ("FS-YRF-M", "轻薄羽绒服", "M码 黑色", 39900),
            ("FS-NZK-30", "牛仔裤", "30码 直筒", 15900),
            ("FS-TX-XL", "纯棉T恤", "XL 白色", 7900),
        ],
    },
    Shop {
        name: "童趣玩具官方店",
        products: &[
            ("WJ-JM-500", "积木套装", "500粒", 19900),
            ("WJ-YKC-01", "遥控赛车", "充电版 红色", 15900),
            ("WJ-HB-A4", "儿童画板", "磁性 A4", 5900),
        ],
    },
];

/// (carrier code, weight)
pub const CARRIERS: &[(&str, u32)] = &[
    ("zto", 26),
    ("yto", 22),
    ("yunda", 16),
    ("sto", 12),
    ("sf", 12),
    ("jd", 8),
    ("ems", 4),
];

pub const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林",
];
pub const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明",
    "超", "秀英", "小红", "晓东", "雨涵", "子轩", "梓萱", "浩然",
];

/// Complaint texts by category; `{p}` is the product, `{c}` the carrier.
pub fn complaints(category: Category) -> &'static [&'static str] {
    match category {
        Category::Logistics => &[
            "下单五天了{p}还没收到，物流信息三天没更新，到底什么时候能到？",
            "物流显示已签收，但是我根本没收到{p}，家里也没人签过",
            "快递一直显示在转运中心，{c}客服电话打不通，麻烦帮我催一下",
            "买的{p}说好次日达，现在都第四天了还没发货",
            "包裹被退回了，我没有拒收过，{p}还要不要给我发？",
        ],
        Category::Damaged => &[
            "收到的{p}外包装破损严重，里面的东西也压坏了",
            "{p}到货就是坏的，箱子被压扁了，有开箱照片",
            "快递送来的时候{p}已经摔坏了，当着快递员的面拍了照",
        ],
        Category::WrongItem => &[
            "我买的是{p}，收到的却是别的款式，发错货了",
            "订单里两件商品只收到一件，{p}少发了",
            "{p}规格发错了，我要的不是这个尺寸",
        ],
        Category::Quality => &[
            "{p}用了不到一周就坏了，质量太差了",
            "{p}洗了一次就严重起球、掉色，要求退货",
            "{p}有明显的异味，用着不放心",
            "{p}充不进电，换了充电线也不行",
        ],
        Category::NotAsDescribed => &[
            "{p}实物和图片差别太大，颜色完全不一样",
            "详情页写的是纯棉，收到的{p}明显不是，描述不符",
            "{p}的尺寸比页面上写的小很多",
        ],
        Category::Price => &[
            "刚买的{p}第二天就降价了，要求退差价",
            "下单时优惠券没有用上，{p}多付了钱",
            "活动页写满减，结算的时候{p}没有减",
        ],
        Category::Refund => &[
            "{p}退货已经寄回一周了，退款还没到账",
            "申请退款{p}三天了没人处理，什么时候退？",
            "退款金额不对，{p}少退了运费",
        ],
        Category::Service => &[
            "客服态度很差，问{p}的问题半天不回，回了也很敷衍",
            "客服答应给我补偿，后来就不认账了",
            "问了三次{p}的发货时间，每次说法都不一样",
        ],
        Category::Other => &[
            "{p}的发票一直没有开，麻烦尽快处理",
            "想修改{p}的收货地址，找不到地方改",
            "会员积分没有到账，买{p}的时候说好送积分的",
        ],
    }
}

/// Root cause, liability and findings a department typically reaches for a category.
pub fn analysis(category: Category, roll: u32) -> (RootCause, Liability, &'static str) {
    match (category, roll % 3) {
        (Category::Logistics, 0) => (
            RootCause::Carrier,
            Liability::Carrier,
            "承运商中转延误，已联系催件",
        ),
        (Category::Logistics, 1) => (
            RootCause::Carrier,
            Liability::Carrier,
            "快递员未按地址投递，误签",
        ),
        (Category::Logistics, _) => (
            RootCause::Process,
            Liability::Merchant,
            "仓库漏发出库，物流信息未上传",
        ),
        (Category::Damaged, 0 | 1) => (
            RootCause::Carrier,
            Liability::Carrier,
            "运输途中挤压破损，外箱有明显压痕",
        ),
        (Category::Damaged, _) => (
            RootCause::Process,
            Liability::Merchant,
            "包装不足，易碎品未加固",
        ),
        (Category::WrongItem, 0 | 1) => (RootCause::Staff, Liability::Merchant, "拣货员拣错货位"),
        (Category::WrongItem, _) => (
            RootCause::Process,
            Liability::Merchant,
            "套装商品分包发货未通知顾客",
        ),
        (Category::Quality, 0 | 1) => (
            RootCause::Product,
            Liability::Supplier,
            "同批次产品存在质量缺陷，已反馈供应商",
        ),
        (Category::Quality, _) => (
            RootCause::Customer,
            Liability::Customer,
            "顾客未按说明使用，已指导",
        ),
        (Category::NotAsDescribed, _) => (
            RootCause::Product,
            Liability::Merchant,
            "详情页图片色差，描述需更新",
        ),
        (Category::Price, _) => (
            RootCause::Process,
            Liability::Merchant,
            "促销设置错误，优惠未生效",
        ),
        (Category::Refund, _) => (
            RootCause::Process,
            Liability::Merchant,
            "退货入库未及时登记，退款延迟",
        ),
        (Category::Service, _) => (
            RootCause::Staff,
            Liability::Merchant,
            "客服未按话术回复，已培训",
        ),
        (Category::Other, _) => (RootCause::Other, Liability::Shared, "信息同步不及时"),
    }
}

pub const LESSONS: &[&str] = &[
    "易碎品加厚包装并贴易碎标识",
    "出库前增加二次核对",
    "大促前与承运商确认揽收能力",
    "详情页补充实物图和尺寸表",
    "促销上线前由运营复核",
    "客服话术更新并组织培训",
];
