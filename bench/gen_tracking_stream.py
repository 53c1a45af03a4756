#!/usr/bin/env python3
"""Generates the recorded tracking stream the logistics replay test plays back.

    bench/gen_tracking_stream.py OUT_DIR

Writes OUT_DIR/orders.jsonl (1,000 orders, one parcel each), OUT_DIR/stream.jsonl (tracking
events and customer complaints in order of arrival: {"arrive", "event"} or {"arrive",
"complaint"}; some events arrive twice, some late and out of order) and OUT_DIR/expected.json
(the exceptions each parcel must end with, and how many cases the monitor must open). The
scenario of each parcel decides its expected exceptions; kesu's rules are not run here.
Seeded: the same files every time.
"""
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone

random.seed(20261101)
CST = timezone(timedelta(hours=8))
START = datetime(2026, 11, 1, 0, 0, tzinfo=CST)
CARRIERS = [("yto", "YT"), ("zto", "ZT"), ("sto", "ST"), ("yunda", "YD"), ("sf", "SF"), ("jd", "JD"), ("ems", "EM")]
HUBS = ["杭州转运中心", "上海青浦转运中心", "广州白云分拨中心", "武汉转运中心", "成都双流分拨中心", "北京顺义转运中心",
        "南京江宁分拨中心", "郑州航空港转运中心"]
CITIES = [("浙江省杭州市西湖区", "杭州西湖文三路营业部"), ("广东省深圳市南山区", "深圳南山科技园营业点"),
          ("江苏省南京市鼓楼区", "南京鼓楼中山路站"), ("北京市朝阳区", "北京朝阳望京营业部"),
          ("四川省成都市武侯区", "成都武侯高升桥站"), ("上海市浦东新区", "上海浦东张江营业部")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["小明", "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰"]

# Scenario → how many parcels, and the exceptions (kind, level) each must end with.
SCENARIOS = [
    ("normal", 850, []),
    ("late_pickup", 20, [("pickup_timeout", "warning")]),
    ("pickup_timeout", 20, [("pickup_timeout", "warning"), ("pickup_timeout", "exception")]),
    ("no_tracking", 20, [("pickup_timeout", "warning"), ("no_tracking", "exception")]),
    ("stalled", 20, [("stalled", "exception")]),
    ("carrier_exception", 15, [("carrier_exception", "exception")]),
    ("refused", 15, [("refused", "exception"), ("returned", "exception")]),
    ("returned", 10, [("returned", "exception")]),
    ("redirected", 10, [("redirected", "exception")]),
    ("damaged", 10, [("damaged", "exception")]),
    ("signed_not_received", 10, [("signed_not_received", "exception")]),
]


def iso(t):
    return t.isoformat(timespec="seconds")


def ev(carrier, no, t, status, location=None, text=None):
    e = {"carrier": carrier, "tracking_no": no, "at": iso(t), "status": status}
    if location:
        e["location"] = location
    if text:
        e["text"] = text
    return e


def journey(carrier, no, shipped, city, station, scenario):
    """The events of one parcel, by scenario; times are when the carrier scanned."""
    out = []
    t = shipped + timedelta(minutes=random.randint(20, 90))
    if scenario == "no_tracking":
        return out
    out.append(ev(carrier, no, t, "info_received", None, "商家已下单，等待揽收"))
    if scenario == "pickup_timeout":
        return out
    # Late pushes add up to 9 hours: a normal pickup is still known within 24 hours, a late
    # one within 48.
    t = shipped + (timedelta(hours=random.uniform(26, 36)) if scenario == "late_pickup"
                   else timedelta(hours=random.uniform(2, 12)))
    out.append(ev(carrier, no, t, "picked_up", HUBS[0], "快递员已揽收"))
    for hub in random.sample(HUBS[1:], random.randint(1, 3)):
        t += timedelta(hours=random.uniform(6, 30))
        out.append(ev(carrier, no, t, "in_transit", hub, "快件已到达" + hub))
    if scenario == "stalled":
        return out
    if scenario == "damaged":
        t += timedelta(hours=random.uniform(2, 10))
        out.append(ev(carrier, no, t, "in_transit", out[-1]["location"], "快件外包装破损，已拍照留存，继续转运"))
    if scenario == "carrier_exception":
        t += timedelta(hours=random.uniform(4, 12))
        out.append(ev(carrier, no, t, "exception", station, random.choice(
            ["收件人电话无人接听，地址不详", "收件地址超区，需转第三方派送", "快件滞留，待进一步处理"])))
        t += timedelta(hours=random.uniform(10, 30))
    if scenario == "redirected":
        t += timedelta(hours=random.uniform(4, 12))
        out.append(ev(carrier, no, t, "redirected", station, "应收件人要求转投至附近驿站"))
    t += timedelta(hours=random.uniform(4, 16))
    out.append(ev(carrier, no, t, "out_for_delivery", station, "快递员正在派件"))
    if scenario == "refused":
        t += timedelta(hours=random.uniform(1, 5))
        out.append(ev(carrier, no, t, "refused", station, "收件人拒收：不想要了"))
        t += timedelta(hours=random.uniform(20, 40))
        out.append(ev(carrier, no, t, "returned", HUBS[0], "拒收件已退回寄件人"))
        return out
    if scenario == "returned":
        t += timedelta(hours=random.uniform(1, 5))
        out.append(ev(carrier, no, t, "returned", station, "地址错误无法派送，已退回"))
        return out
    t += timedelta(hours=random.uniform(1, 5))
    out.append(ev(carrier, no, t, "delivered", station, random.choice(
        ["已签收，签收人：本人", "已签收，签收人：门卫", "已放入快递柜，凭取件码领取"])))
    return out


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    scenarios = [s for (s, n, _) in SCENARIOS for _ in range(n)]
    random.shuffle(scenarios)
    expected_kinds = {s: k for (s, _, k) in SCENARIOS}
    orders, arrivals, expected = [], [], {}
    complaints = 0
    for i, scenario in enumerate(scenarios):
        carrier, prefix = random.choice(CARRIERS)
        no = f"{prefix}{7000000000 + i * 7919:010d}"
        order_no = f"TB20261101{i:06d}"
        city, station = random.choice(CITIES)
        shipped = START + timedelta(hours=random.uniform(2, 72))
        placed = shipped - timedelta(hours=random.uniform(2, 30))
        price = random.choice([3900, 4990, 12900, 15900, 29900])
        qty = random.choice([1, 1, 2])
        orders.append({
            "order_no": order_no, "shop": "旗舰店",
            "buyer": {"name": random.choice(SURNAMES) + random.choice(GIVEN),
                      "phone": "1" + random.choice("3589") + "".join(random.choice("0123456789") for _ in range(9)),
                      "address": city + f"幸福路{random.randint(1, 999)}号"},
            "placed_at": iso(placed), "paid_at": iso(placed + timedelta(minutes=2)),
            "payment_method": random.choice(["alipay", "wechat_pay"]),
            "lines": [{"line_id": "A", "sku": f"SKU-{price}", "name": "商品", "spec": "标准",
                       "unit_price_cents": price, "quantity": qty}],
            "discounts": [], "points_cents": 0, "shipping_cents": 0,
            "shipments": [{"carrier": carrier, "tracking_no": no, "shipped_at": iso(shipped),
                           "lines": [{"line_id": "A", "quantity": qty}]}],
        })
        events = journey(carrier, no, shipped, city, station, scenario)
        for e in events:
            # Carriers push with a delay; a tenth arrive late (out of order), some twice.
            at = datetime.fromisoformat(e["at"])
            delay = timedelta(minutes=random.randint(1, 50))
            if random.random() < 0.1:
                delay += timedelta(hours=random.randint(2, 8))
            arrivals.append((at + delay, {"arrive": iso(at + delay), "event": e}))
            if random.random() < 0.08:
                again = at + delay + timedelta(hours=random.randint(1, 12))
                arrivals.append((again, {"arrive": iso(again), "event": e}))
        if scenario == "signed_not_received":
            complaints += 1
            when = datetime.fromisoformat(events[-1]["at"]) + timedelta(hours=random.uniform(6, 30))
            arrivals.append((when, {"arrive": iso(when), "complaint": {
                "channel": random.choice(["chat", "phone", "platform"]),
                "complainant": {"name": orders[-1]["buyer"]["name"], "phone": orders[-1]["buyer"]["phone"]},
                "order_no": order_no, "tracking_no": no, "category": "logistics", "demand": "reship",
                "description": random.choice(["物流显示已签收，但我根本没收到包裹", "显示快递柜签收了，柜子里没有",
                                              "门卫说没有我的快递，物流却显示签收"]),
                "received_at": iso(when)}}))
        expected[no] = sorted(expected_kinds[scenario])
    arrivals.sort(key=lambda a: a[0])
    with open(os.path.join(out_dir, "orders.jsonl"), "w", encoding="utf-8") as f:
        for o in orders:
            f.write(json.dumps(o, ensure_ascii=False) + "\n")
    with open(os.path.join(out_dir, "stream.jsonl"), "w", encoding="utf-8") as f:
        for _, a in arrivals:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    opened = sum(1 for (s, n, k) in SCENARIOS for _ in range(n)
                 if any(level == "exception" for _, level in k) and s != "signed_not_received")
    damaged = dict((s, n) for (s, n, _) in SCENARIOS)["damaged"]
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"parcels": len(orders), "events": sum(1 for _, a in arrivals if "event" in a),
                   "complaints": complaints, "cases_opened_by_monitor": opened,
                   "damaged_cases": damaged, "exceptions": expected}, f, ensure_ascii=False, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
