# 错误代码的中文说明：problem-<代码>，参数与 API 的 errors[].args 相同。

problem-empty = 不能为空
problem-required = 必填
problem-too_long = 内容过长：最多 { $max } 个字符
problem-length = 长度应为 { $min }–{ $max } 个字符
problem-range = 应在 { $min } 到 { $max } 之间
problem-negative = 不能为负数
problem-at_least = 至少为 { $min }
problem-too_many = 最多 { $max } 项
problem-not_a_phone = 不是有效的电话号码：请填写11位手机号或带区号的座机号
problem-not_an_email = 不是有效的电子邮箱
problem-control_character = 不能包含控制字符
problem-in_future = 不能晚于当前时间
problem-not_in_future = 应晚于当前时间
problem-too_old = 不能早于 { $years } 年前
problem-not_a_date = 请按 2026-12-01 或 2026-12-01 14:30 的格式填写
problem-characters = 只能包含字母、数字、- 和 _
problem-format = 格式不正确
problem-not_one_of = 请从以下选项中选择：{ $allowed }
problem-unknown = { $thing ->
    [line] 订单中没有商品行 { $value }
    [department] 没有这个部门：{ $value }
    [user] 没有这个在职用户：{ $value }
    [case] 没有这个案件：{ $value }
    [field] 不认识的字段：{ $value }
    [category] 没有这个类别：{ $value }
    [attachment] 案件中没有这个附件：{ $value }
   *[other] 不存在：{ $value }
}
problem-unknown_variable = 没有这个变量：{ $name }；可用的变量：{ $known }
problem-twice = { $value } 重复出现
problem-before = 不能早于 { $other }
problem-not_applicable = 此处不适用
problem-explain = { $what ->
    [why_invalid] 投诉不成立时，请写明委婉的解释
    [why_rejected] 请说明驳回理由
    [what_was_done] 请记录执行情况
    [summary] 结案前请填写总结
    [acceptable_units] 请说明可接受的件数
    [where_the_parcel_is] 请说明包裹当前状态
    [what_the_customer_is_asked] 请说明需要顾客提供什么
    [what_the_carrier_paid] 请填写承运商赔付金额
    [what_was_wrong] 请记录退回商品存在的问题
    [evidence] 请填写文件名、链接或记录（1–500个字符）
    [an_option] 请至少提供一个方案
    [contact] 请至少填写电话或邮箱
    [amount] 需要填写金额
    [appraisal_payer] 尚未认定责任：请说明鉴定费由哪一方承担
    [target] 请至少填写一项时限目标
    [readback] 请向顾客复述登记内容，确认完整准确后再提交
    [why_override] 请说明为何在此破例
   *[other] 请补充说明
}
problem-over_refundable = 超过了可退金额：本订单最多还可退 { $left_cents }
problem-nothing_left = 本订单已没有可退金额
problem-quote_mismatch = 金额与退款试算不一致：这些商品应退 { $quote_cents }；如需其他金额请选择部分退款
problem-already_shipped = 该商品已发货，请按“已发货仅退款”流程处理
problem-goods_not_back = 货物尚未退回（{ $why }）：请等物流显示拒收或退回，或由仓库确认收货验货后再退款
problem-already_refunded = 已经退过款
problem-order_inconsistent = 订单金额不一致，请先修正订单
problem-no_order = 案件没有关联订单，请填写金额
problem-no_choice = 顾客尚未选择方案
problem-reply_blocked = 这条回复不能发送（主管可放行）：{ $findings }
problem-invalid = 内容无效

# 整个请求的问题（不属于某个字段）

problem-forbidden = 您的角色不能执行此操作
problem-not_allowed_now = 当前状态下不能执行此操作
problem-stale_version = 案件已被他人更新，请刷新页面后重试
problem-duplicate = 该记录已存在
problem-conflict = 与当前数据冲突
problem-not_found = 没有找到，或您无权查看
problem-bad_request = 请求格式不正确
problem-too_large = 内容过大（超过上限）
problem-too_many_requests = 尝试次数过多，请稍后再试
problem-unsupported_media_type = 不接受这种文件，只接受照片（JPEG、PNG、GIF、WebP）、视频（MP4、MOV、WebM）和 PDF
