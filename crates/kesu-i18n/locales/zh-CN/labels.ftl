# 各类代码的中文名称：渠道、类别、诉求、责任、根因、方案、优先级、状态、环节、索赔、时限、物流、话术场景、历史动作、承运商。
# 键为「种类-代码」，代码与 API 相同。

channel-chat = 在线客服
channel-phone = 电话
channel-email = 邮件
channel-app = App
channel-platform = 平台工单
channel-web_form = 网页表单
channel-consumer_association = 消费者协会

category-logistics = 物流
category-damaged = 破损
category-wrong_item = 错发漏发
category-quality = 质量问题
category-not_as_described = 与描述不符
category-price = 价格
category-refund = 退款
category-service = 服务态度
category-other = 其他

demand-refund = 退款
demand-return_refund = 退货退款
demand-exchange = 换货
demand-reship = 补发
demand-repair = 维修
demand-compensation = 赔偿
demand-apology = 道歉
demand-explanation = 解释说明
demand-other = 其他

liability-customer = 顾客
liability-merchant = 商家
liability-carrier = 承运商
liability-supplier = 供应商
liability-shared = 共同责任

root_cause-process = 流程缺陷
root_cause-staff = 人员失误
root_cause-product = 产品设计
root_cause-carrier = 承运商
root_cause-customer = 顾客使用不当
root_cause-other = 其他

resolution-refund = 全额退款
resolution-partial_refund = 部分退款
resolution-return_refund = 退货退款
resolution-exchange = 换货
resolution-reship = 补发
resolution-repair = 维修
resolution-discount = 折价
resolution-compensation = 补偿
resolution-apology = 道歉
resolution-guidance = 使用指导

priority-normal = 普通
priority-high = 紧急
priority-urgent = 特急

jurisdiction-county = 县级
jurisdiction-city = 市级
jurisdiction-province = 省级

status-registered = 待判定
status-validated = 待分派
status-routed = 待分析
status-analysed = 待出方案
status-proposed = 待选择方案
status-awaiting_approval = 待主管审批
status-approved = 待执行
status-executed = 待回访
status-resolved = 待结案
status-closed = 已结案

step-confirm_not_shipped = 确认未出库
step-cancel_order = 取消订单
step-track_parcel = 跟踪包裹
step-parcel_back = 拦截/拒收/退回
step-return_shipped = 顾客寄回
step-receive_return = 签收退货
step-inspect = 验货
step-restock = 入库
step-refund = 退款
step-ship_replacement = 发出新件

product_flag-made_to_order = 定制商品
product_flag-perishable = 鲜活易腐
product_flag-digital = 数字化商品（下载或拆封后）
product_flag-periodical = 报纸期刊
product_flag-confirmed_non_returnable = 购买时确认不适用七天无理由
parcel_outcome-intercepted = 已拦截
parcel_outcome-refused = 已拒收
parcel_outcome-returned = 已退回
inspection-pass = 合格
inspection-partial = 部分合格
inspection-fail = 不合格

outcome-invalid = 投诉不成立
outcome-merged = 已合并（重复投诉）
outcome-resolved = 已解决

claim_status-filed = 已提交
claim_status-accepted = 承运商已受理
claim_status-rejected = 已拒赔
claim_status-paid = 已赔付

claim_reason-lost = 丢件
claim_reason-damaged = 破损

clock-first_response = 首次响应
clock-step = 当前环节
clock-resolution = 解决
clock-platform = 平台时限
clock-refund = 退款时限

improvement_status-planned = 计划中
improvement_status-in_progress = 进行中
improvement_status-done = 已完成
improvement_status-dropped = 已放弃

exception-pickup_timeout = 揽收超时
exception-no_tracking = 无物流信息
exception-stalled = 物流停滞
exception-carrier_exception = 疑难件
exception-refused = 拒签
exception-returned = 退回
exception-redirected = 转投
exception-signed_not_received = 已签收但顾客未收到
exception-damaged = 包裹破损

tracking-info_received = 已下单
tracking-picked_up = 已揽收
tracking-in_transit = 运输中
tracking-out_for_delivery = 派件中
tracking-delivered = 已签收
tracking-failed_attempt = 投递失败
tracking-exception = 疑难件
tracking-refused = 拒签
tracking-returned = 退回
tracking-redirected = 转投

scenario-first_reply = 首次回复
scenario-ask_details = 询问详情
scenario-not_valid = 投诉不成立的说明
scenario-offer_resolution = 提出方案
scenario-progress = 进度告知
scenario-follow_up = 回访
scenario-closing = 结束致谢
scenario-notice_acknowledged = 通知·已受理
scenario-notice_message = 通知·客服留言
scenario-notice_options_offered = 通知·请选择方案
scenario-notice_approved = 通知·方案已确认
scenario-notice_refund_made = 通知·已退款
scenario-notice_reshipped = 通知·已补发
scenario-notice_follow_up = 通知·回访
scenario-notice_closed = 通知·已结案

carrier-sf = 顺丰速运
carrier-shunfeng = 顺丰速运
carrier-zto = 中通快递
carrier-zhongtong = 中通快递
carrier-yto = 圆通速递
carrier-yuantong = 圆通速递
carrier-sto = 申通快递
carrier-shentong = 申通快递
carrier-yunda = 韵达快递
carrier-jd = 京东物流
carrier-ems = EMS
carrier-best = 百世快递
carrier-huitongkuaidi = 百世快递
carrier-jtexpress = 极兔速递
carrier-jt = 极兔速递
carrier-deppon = 德邦快递
carrier-debangwuliu = 德邦快递

# History actions (the steps of a flow are labelled by step-*)
action-register = 登记投诉
action-judge = 判定是否成立
action-route = 分派责任部门
action-analyse = 原因与责任认定
action-propose = 提出处理方案
action-choose = 顾客选择方案
action-approve = 批准
action-reject = 驳回
action-execute = 执行
action-follow_up = 回访
action-close = 结案
action-take = 认领
action-assign = 指派处理人
action-comment = 回复 / 备注
action-wait_customer = 等待顾客（暂停计时）
action-resume = 顾客已回复（恢复计时）
action-record_referral = 消协转办信息
action-record_appraisal = 技术鉴定
action-recategorise = 更正类别
action-platform = 平台售后单变化
action-platform_answer = 答复平台售后单
action-platform_answer_sent = 平台答复发送结果
action-merged_into = 并入另一案件（重复投诉）
action-merged = 合并了重复投诉
action-case_linked = 关联案件
action-incident = 加入事件
action-sla_warning = 时限预警
action-sla_breach = 已超时 · 升级主管
action-sla_reminder = 催办
action-logistics_exception = 物流异常
action-claim = 承运商索赔
action-attach = 上传附件
action-notify = 通知客户

role-admin = 管理员
role-supervisor = 主管
role-agent = 客服
role-department = 部门用户
role-auditor = 审计员

shipment-original = 原始发货
shipment-reship = 补发
shipment-exchange = 换货发出
shipment-return = 退货寄回

# What to do about each logistics exception (seeds 000, 002, 003).
playbook-pickup_timeout = 联系仓库确认是否已交接，催承运商上门揽收；必要时更换快递重新发货。
playbook-no_tracking = 先问仓库是否已发出，再请承运商补扫描；主动告知顾客进度。
playbook-stalled = 联系承运商查件、催件；超过时限按丢件处理：补发或退款，并向承运商索赔。
playbook-carrier_exception = 联系承运商核实疑难原因（地址不详、联系不上收件人等），协助改派或联系顾客。
playbook-refused = 联系顾客了解拒收原因：重新派送、换货、退货或暂存。
playbook-returned = 确认退回原因，与顾客协商重新发货或退款；退回件到仓后验货。
playbook-redirected = 确认转投地址是否为顾客本人要求，防止误投；必要时拦截。
playbook-signed_not_received = 向承运商索取签收凭证，与签收人核实；误签则要求承运商重新投递，无法找回按丢件处理并索赔。
playbook-damaged = 协助顾客验货拍照，补发或退款，并凭照片与物流记录向承运商索赔。

payment-original = 原路退回
payment-alipay = 支付宝
payment-wechat_pay = 微信支付
payment-unionpay = 银联
payment-credit_card = 信用卡
payment-bank_transfer = 银行转账
payment-balance = 店铺余额
payment-cod = 货到付款
payment-huabei = 花呗
payment-jd_baitiao = 京东白条
payment-points = 积分

discount-item = 单品优惠
discount-shop_coupon = 店铺优惠券
discount-platform_coupon = 平台优惠券
discount-promotion = 满减活动

platform-site = 自有站点
platform-taobao = 淘宝/天猫
platform-pinduoduo = 拼多多
platform-jd = 京东
platform-douyin = 抖店
after_sale-refund_only = 仅退款
after_sale-return_refund = 退货退款
after_sale-exchange = 换货
after_sale-reship = 补寄
platform_stage-awaiting_seller = 待商家处理
platform_stage-awaiting_return = 待买家退货
platform_stage-returned = 买家已退货，待商家收货
platform_stage-refused = 商家已拒绝
platform_stage-intervened = 平台已介入
platform_stage-refunded = 已退款
platform_stage-closed = 已关闭
platform_stage-other = 其他状态
after_sale-repair = 维修
platform_stage-refunding = 已同意退款，退款中
platform_stage-done = 已完成
