use super::*;

fn run(text: &str, channel: Option<Channel>, purpose: Purpose) -> Vec<Finding> {
    check(
        &ReplyRules::builtin(),
        &Reply {
            text,
            channel,
            purpose,
            personal: vec![],
        },
    )
}

fn kinds(text: &str) -> Vec<(FindingKind, String)> {
    run(text, Some(Channel::Platform), Purpose::Reply)
        .into_iter()
        .map(|f| (f.kind, f.text))
        .collect()
}

#[test]
fn moving_the_customer_off_the_platform_is_found_in_its_disguises() {
    use FindingKind::*;
    for (text, kind, what) in [
        ("亲，加我微信详细说", OffPlatformContact, "加我微信"),
        ("您加下VX：kefu2026，我发您图片", OffPlatformContact, "VX"),
        ("可以找我V信哦", OffPlatformContact, "V信"),
        ("威信上联系我", OffPlatformContact, "威信"),
        ("我的扣扣是12345", OffPlatformContact, "扣扣"),
        ("直接转到我的支付宝就行", OffPlatformContact, "支付宝"),
        ("ZFB转账更快", OffPlatformContact, "ZFB"),
        ("有问题找我QQ6930454", OffPlatformContact, "QQ6930454"),
        ("微信号：kefu_2026", OffPlatformContact, "微信号：kefu_2026"),
        ("欢迎关注我们的微信公众号", OffPlatformContact, "微信"),
        ("有问题+V 私聊", OffPlatformContact, "+V"),
        (
            "给我发邮件 kefu@example.com",
            OffPlatformContact,
            "kefu@example.com",
        ),
        ("请拨打 138 1234 5678 联系我", PhoneNumber, "138 1234 5678"),
        ("电话138-1234-5678", PhoneNumber, "138-1234-5678"),
        ("座机0571-88886666", PhoneNumber, "0571-88886666"),
        (
            "寄到杭州市西湖区文三路100号2单元",
            Address,
            "文三路100号2单元",
        ),
        (
            "去这家看看 https://shop.example.cn/item/1",
            ExternalLink,
            "https://shop.example.cn/item/1",
        ),
    ] {
        let found = kinds(text);
        assert!(
            found.iter().any(|(k, t)| *k == kind && t.contains(what)),
            "{text}: {found:?}"
        );
    }
}

#[test]
fn ordinary_words_that_contain_a_keyword_are_left_alone() {
    for text in [
        "亲，加油！我们已经为您加急处理了",
        "您可以先加购，活动开始后再下单",
        "退款会原路退回，您是用微信支付的，款项会退回微信零钱",
        "款项已原路退回到您的支付宝账户，请注意查收",
        "您的快递单号是YT1234567890，订单号TB20261111001，请在淘宝订单页查看",
        "请在 https://item.taobao.com/item.htm?id=1 查看商品详情",
        "我们正在加快处理，感谢您的耐心",
        // The apps named in passing (from the labelled real texts, crates/kesu/eval/).
        "摄像头QQ聊天够用了",
        "您是通过支付宝付款的，款项会原路退回",
        "用了QQ10元礼券以后就不能撤单了",
    ] {
        let found = kinds(text);
        assert!(found.is_empty(), "{text}: {found:?}");
    }
}

#[test]
fn contact_blocks_on_the_platform_channel_only() {
    let text = "亲，加我微信详细说";
    assert!(blocks(&run(text, Some(Channel::Platform), Purpose::Reply)));
    let chat = run(text, Some(Channel::Phone), Purpose::Reply);
    assert!(!chat.is_empty() && !blocks(&chat), "a warning elsewhere");
}

#[test]
fn offsets_are_characters_into_the_reply() {
    let f = run("亲，加我微信", Some(Channel::Platform), Purpose::Reply);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].start, f[0].end, f[0].text.as_str()),
        (2, 6, "加我微信")
    );
}

#[test]
fn stiff_words_are_warnings_with_a_warmer_wording() {
    let f = run(
        "您一定要先寄回来，否则没办法退款，这不归我们管",
        Some(Channel::Platform),
        Purpose::Reply,
    );
    let tone: Vec<&str> = f
        .iter()
        .filter(|f| f.kind == FindingKind::Tone)
        .map(|f| f.text.as_str())
        .collect();
    assert_eq!(tone, ["一定要", "否则", "没办法", "不归我们管"]);
    assert!(f.iter().all(|f| !f.blocking && !f.suggestion.is_empty()));
    // "We will definitely…" is a promise, not an order.
    assert!(run("我们一定要给您一个满意的答复", None, Purpose::Reply).is_empty());
}

#[test]
fn a_first_reply_greets_and_apologises_and_a_closing_thanks() {
    let kinds = |text, purpose| -> Vec<FindingKind> {
        run(text, None, purpose)
            .into_iter()
            .map(|f| f.kind)
            .collect()
    };
    assert_eq!(
        kinds("收到，马上查。", Purpose::FirstReply),
        [FindingKind::MissingGreeting, FindingKind::MissingApology]
    );
    assert!(kinds(
        "亲，您好！非常抱歉给您带来不便，我们马上为您核实，今天内给您答复。",
        Purpose::FirstReply
    )
    .is_empty());
    assert_eq!(
        kinds("问题已处理完毕。", Purpose::Closing),
        [FindingKind::MissingThanks]
    );
    assert!(kinds("问题已处理完毕，感谢您的理解与支持！", Purpose::Closing).is_empty());
}

#[test]
fn the_customers_own_data_blocks_a_public_reply() {
    let f = check(
        &ReplyRules::builtin(),
        &Reply {
            text: "王小明您好，已按13812345678联系您",
            channel: Some(Channel::Chat),
            purpose: Purpose::Reply,
            personal: vec!["13812345678".into()],
        },
    );
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].kind, FindingKind::PersonalData);
    assert!(f[0].blocking);
}

/// 电子商务法 Art. 17 and 39, 反不正当竞争法 (2025) Art. 13: nothing for a good review, nothing
/// for deleting or changing a bad one, whatever the channel.
#[test]
fn money_or_gifts_for_a_review_block_the_reply() {
    for text in [
        "亲，好评返现5元，晒图再加3元",
        "给个五星好评，联系客服领取红包",
        "麻烦您给我们一个好评，我们送您一张10元无门槛优惠券",
        "晒图有礼哦～",
        "您把差评删了，我们给您补偿20元",
        "如果您愿意修改评价，我们可以给您退款",
        "追评带图可以返现",
        "五星好评后截图给客服，返您8块",
    ] {
        let found = run(text, Some(Channel::Chat), Purpose::Reply);
        assert!(
            found
                .iter()
                .any(|f| f.kind == FindingKind::PaidReview && f.blocking),
            "{text}: {found:?}"
        );
    }
}

#[test]
fn compensation_around_the_platform_blocks_the_reply() {
    for (text, what) in [
        ("给您发个微信红包作为补偿", "微信红包"),
        ("我直接转账给您30元", "转账给您"),
        ("把您的收款码发我，我们退您差价", "收款码"),
        ("我们私下补偿您，不走平台了", "私下补偿"),
    ] {
        let found = run(text, Some(Channel::Phone), Purpose::Reply);
        assert!(
            found
                .iter()
                .any(|f| f.kind == FindingKind::OffPlatformPayment
                    && f.blocking
                    && f.text.contains(what)),
            "{text}: {found:?}"
        );
    }
}

#[test]
fn ordinary_talk_about_reviews_and_compensation_is_left_alone() {
    for text in [
        "感谢您的好评，期待您再次光临！",
        "您的好评是对我们最大的鼓励和奖励",
        "收到您的评价后，我们已经改进了包装",
        "非常抱歉给您带来不便，我们为您补发一个新的杯子，运费由我们承担",
        "退款已原路退回，请注意查收",
        "我们已通过平台为您发放一张5元店铺优惠券，作为这次延误的补偿",
        "您的评价我们都看到了，会认真改进",
    ] {
        let found: Vec<_> = run(text, Some(Channel::Platform), Purpose::Reply)
            .into_iter()
            .filter(|f| {
                matches!(
                    f.kind,
                    FindingKind::PaidReview | FindingKind::OffPlatformPayment
                )
            })
            .collect();
        assert!(found.is_empty(), "{text}: {found:?}");
    }
}

#[test]
fn rules_saved_before_the_review_lists_existed_get_the_built_in_ones() {
    let mut stored = serde_json::to_value(ReplyRules::builtin()).unwrap();
    let obj = stored.as_object_mut().unwrap();
    for key in [
        "paid_review_phrases",
        "review_words",
        "review_changes",
        "review_rewards",
        "review_compensation",
        "off_platform_payments",
    ] {
        obj.remove(key);
    }
    let rules: ReplyRules = serde_json::from_value(stored).unwrap();
    assert_eq!(rules, ReplyRules::builtin());
}
