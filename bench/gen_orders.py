#!/usr/bin/env python3
"""Generates a realistic order export for `kesu import orders`.

    bench/gen_orders.py N OUT.jsonl          # JSON Lines, one order per line
    bench/gen_orders.py N OUT.csv [--gbk]    # CSV, one row per order line (GBK like Taobao exports)
"""
import csv
import json
import random
import sys

random.seed(20261111)
SHOPS = ["旗舰店", "家居专营店", "数码官方店", "母婴生活馆"]
PRODUCTS = [("TSHIRT", "纯棉T恤", ["蓝色 L", "白色 M", "黑色 XL"], 12900), ("MUG", "陶瓷马克杯", ["白色", "蓝色"], 3900),
            ("EARBUD", "蓝牙耳机", ["黑色"], 29900), ("TOWEL", "纯棉毛巾", ["灰色 3条装"], 4990),
            ("LAMP", "护眼台灯", ["白色"], 15900), ("DIAPER", "婴儿纸尿裤", ["L 码 52片"], 8990)]
CARRIERS = [("yto", "YT"), ("sf", "SF"), ("zto", "ZT"), ("sto", "ST"), ("yunda", "YD"), ("jd", "JD")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["小明", "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰"]
CITIES = ["浙江省杭州市西湖区", "广东省深圳市南山区", "江苏省南京市鼓楼区", "北京市朝阳区", "上海市浦东新区", "四川省成都市武侯区"]


def order(i):
    lines = []
    for j in range(random.choice([1, 1, 1, 2, 2, 3])):
        sku, name, specs, price = random.choice(PRODUCTS)
        spec = random.choice(specs)
        lines.append({"line_id": chr(65 + j), "sku": f"{sku}-{j}", "name": name, "spec": spec,
                      "unit_price_cents": price, "quantity": random.choice([1, 1, 2, 3])})
    gross = sum(l["unit_price_cents"] * l["quantity"] for l in lines)
    discounts = []
    if random.random() < 0.6:
        discounts.append({"id": "shop", "kind": "shop_coupon", "amount_cents": min(2000, gross // 10), "applies_to": []})
    if random.random() < 0.3:
        discounts.append({"id": "plat", "kind": "platform_coupon", "amount_cents": min(500, gross // 20), "applies_to": ["A"]})
    day = random.randint(1, 28)
    carrier, prefix = random.choice(CARRIERS)
    o = {
        "order_no": f"TB2026{i:010d}",
        "shop": random.choice(SHOPS),
        "buyer": {"name": random.choice(SURNAMES) + random.choice(GIVEN),
                  "phone": "1" + random.choice("3589") + "".join(random.choice("0123456789") for _ in range(9)),
                  "address": random.choice(CITIES) + f"幸福路{random.randint(1, 999)}号"},
        "placed_at": f"2026-11-{day:02d}T{random.randint(0, 23):02d}:{random.randint(0, 59):02d}:00+08:00",
        "payment_method": random.choice(["alipay", "wechat_pay", "card"]),
        "lines": lines, "discounts": discounts,
        "points_cents": random.choice([0, 0, 100, 300]), "shipping_cents": random.choice([0, 0, 800, 1000]),
        "shipments": [],
    }
    if random.random() < 0.8:
        o["shipments"].append({"carrier": carrier, "tracking_no": f"{prefix}{random.randint(10**11, 10**12 - 1)}",
                               "shipped_at": f"2026-11-{day:02d}T20:00:00+08:00",
                               "lines": [{"line_id": l["line_id"], "quantity": l["quantity"]} for l in lines]})
    return o


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    if out.endswith(".csv"):
        enc = "gbk" if "--gbk" in sys.argv else "utf-8"
        with open(out, "w", newline="", encoding=enc) as f:
            w = csv.writer(f)
            w.writerow(["order_no", "shop", "buyer_name", "buyer_phone", "buyer_address", "placed_at", "payment_method",
                        "line_id", "sku", "name", "spec", "unit_price", "quantity", "points_cents", "shipping_cents",
                        "discounts", "carrier", "tracking_no", "shipped_at"])
            for i in range(n):
                o = order(i)
                disc = "; ".join(f"{d['id']}:{d['kind']}:{d['amount_cents']}:{'|'.join(d['applies_to'])}" for d in o["discounts"])
                s = o["shipments"][0] if o["shipments"] else None
                for l in o["lines"]:
                    w.writerow([o["order_no"], o["shop"], o["buyer"]["name"], o["buyer"]["phone"], o["buyer"]["address"],
                                o["placed_at"].replace("T", " ")[:19], o["payment_method"], l["line_id"], l["sku"], l["name"],
                                l["spec"], f"{l['unit_price_cents'] / 100:.2f}", l["quantity"], o["points_cents"],
                                o["shipping_cents"], disc, s["carrier"] if s else "", s["tracking_no"] if s else "",
                                s["shipped_at"].replace("T", " ")[:19] if s else ""])
    else:
        with open(out, "w", encoding="utf-8") as f:
            for i in range(n):
                f.write(json.dumps(order(i), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
