# The label of every code: channels, categories, demands, liability, root causes, resolutions,
# priorities, statuses, steps, claims, clocks, parcels, script scenarios, history actions, carriers.
# Keys are `kind-code`, the code as in the API.

channel-chat = Chat
channel-phone = Phone
channel-email = Email
channel-app = App
channel-platform = Platform
channel-web_form = Web form
channel-consumer_association = Consumer association

category-logistics = Logistics
category-damaged = Damaged
category-wrong_item = Wrong item
category-quality = Quality
category-not_as_described = Not as described
category-price = Price
category-refund = Refund
category-service = Service
category-other = Other

demand-refund = Refund
demand-return_refund = Return refund
demand-exchange = Exchange
demand-reship = Reship
demand-repair = Repair
demand-compensation = Compensation
demand-apology = Apology
demand-explanation = Explanation
demand-other = Other

liability-customer = Customer
liability-merchant = Merchant
liability-carrier = Carrier
liability-supplier = Supplier
liability-shared = Shared

root_cause-process = Process
root_cause-staff = Staff
root_cause-product = Product
root_cause-carrier = Carrier
root_cause-customer = Customer
root_cause-other = Other

resolution-refund = Refund
resolution-partial_refund = Partial refund
resolution-return_refund = Return refund
resolution-exchange = Exchange
resolution-reship = Reship
resolution-repair = Repair
resolution-discount = Discount
resolution-compensation = Compensation
resolution-apology = Apology
resolution-guidance = Guidance

priority-normal = Normal
priority-high = High
priority-urgent = Urgent

jurisdiction-county = County
jurisdiction-city = City
jurisdiction-province = Province

status-registered = Registered
status-validated = Validated
status-routed = Routed
status-analysed = Analysed
status-proposed = Proposed
status-awaiting_approval = Awaiting approval
status-approved = Approved
status-executed = Executed
status-resolved = Resolved
status-closed = Closed

step-confirm_not_shipped = Confirm not shipped
step-cancel_order = Cancel order
step-track_parcel = Track parcel
step-parcel_back = Parcel back
step-return_shipped = Return shipped
step-receive_return = Receive return
step-inspect = Inspect
step-restock = Restock
step-refund = Refund
step-ship_replacement = Ship replacement

product_flag-made_to_order = Made to order
product_flag-perishable = Fresh and perishable
product_flag-digital = Digital (once downloaded or unsealed)
product_flag-periodical = Newspapers and periodicals
product_flag-confirmed_non_returnable = Confirmed non-returnable at purchase
parcel_outcome-intercepted = Intercepted
parcel_outcome-refused = Refused
parcel_outcome-returned = Returned
inspection-pass = Pass
inspection-partial = Partly acceptable
inspection-fail = Fail

outcome-invalid = Not valid
outcome-merged = Merged (duplicate)
outcome-resolved = Resolved

claim_status-filed = Filed
claim_status-accepted = Accepted
claim_status-rejected = Rejected
claim_status-paid = Paid

claim_reason-lost = Lost
claim_reason-damaged = Damaged

clock-first_response = First response
clock-step = Step
clock-resolution = Resolution
clock-platform = Platform deadline
clock-refund = Refund due

improvement_status-planned = Planned
improvement_status-in_progress = In progress
improvement_status-done = Done
improvement_status-dropped = Dropped

exception-pickup_timeout = Pickup timeout
exception-no_tracking = No tracking
exception-stalled = Stalled
exception-carrier_exception = Carrier exception
exception-refused = Refused
exception-returned = Returned
exception-redirected = Redirected
exception-signed_not_received = Signed not received
exception-damaged = Damaged

tracking-info_received = Info received
tracking-picked_up = Picked up
tracking-in_transit = In transit
tracking-out_for_delivery = Out for delivery
tracking-delivered = Delivered
tracking-failed_attempt = Failed attempt
tracking-exception = Exception
tracking-refused = Refused
tracking-returned = Returned
tracking-redirected = Redirected

scenario-first_reply = First reply
scenario-ask_details = Ask details
scenario-not_valid = Not valid
scenario-offer_resolution = Offer resolution
scenario-progress = Progress
scenario-follow_up = Follow up
scenario-closing = Closing
scenario-notice_acknowledged = Notice: received
scenario-notice_message = Notice: message from the desk
scenario-notice_options_offered = Notice: options to choose
scenario-notice_approved = Notice: resolution approved
scenario-notice_refund_made = Notice: refund made
scenario-notice_reshipped = Notice: reshipped
scenario-notice_follow_up = Notice: follow-up
scenario-notice_closed = Notice: closed


# History actions (the steps of a flow are labelled by step-*)
action-register = Registered
action-judge = Judge validity
action-route = Route to a department
action-analyse = Cause and liability
action-propose = Propose a resolution
action-choose = Customer chose
action-approve = Approve
action-reject = Reject
action-execute = Execute
action-follow_up = Follow up
action-close = Close
action-take = Take (claim)
action-assign = Assign
action-comment = Reply / note
action-wait_customer = Waiting for the customer (clock paused)
action-resume = Customer replied (clock resumed)
action-record_referral = Consumer association referral
action-record_appraisal = Technical appraisal
action-recategorise = Correct the category
action-platform = Platform after-sales change
action-platform_answer = Answered the platform request
action-platform_answer_sent = Platform answer attempt
action-merged_into = Merged into another case (duplicate)
action-merged = A duplicate was merged in
action-case_linked = Linked a case
action-incident = Added to an incident
action-sla_warning = Deadline warning
action-sla_breach = Overdue · escalated
action-sla_reminder = Reminder
action-logistics_exception = Parcel in trouble
action-claim = Carrier claim
action-attach = Attachment added
action-notify = Customer notified

carrier-sf = SF Express
carrier-shunfeng = SF Express
carrier-zto = ZTO Express
carrier-zhongtong = ZTO Express
carrier-yto = YTO Express
carrier-yuantong = YTO Express
carrier-sto = STO Express
carrier-shentong = STO Express
carrier-yunda = Yunda Express
carrier-jd = JD Logistics
carrier-ems = EMS
carrier-best = Best Express
carrier-huitongkuaidi = Best Express
carrier-jtexpress = J&T Express
carrier-jt = J&T Express
carrier-deppon = Deppon Express
carrier-debangwuliu = Deppon Express

role-admin = Admin
role-supervisor = Supervisor
role-agent = Agent
role-department = Department user
role-auditor = Auditor

shipment-original = Original delivery
shipment-reship = Reshipment
shipment-exchange = Exchange sent
shipment-return = Return

# What to do about each logistics exception (seeds 000, 002, 003).
playbook-pickup_timeout = Ask the warehouse whether the parcel was handed over and press the carrier to collect it; if need be, ship again with another carrier.
playbook-no_tracking = Ask the warehouse whether it was shipped, then ask the carrier to scan it; tell the customer how things stand before they ask.
playbook-stalled = Ask the carrier to trace and hurry the parcel; past the limit treat it as lost: reship or refund, and claim from the carrier.
playbook-carrier_exception = Ask the carrier what went wrong (address unclear, recipient unreachable…) and help redirect it or reach the customer.
playbook-refused = Ask the customer why they refused it: deliver again, exchange, return or hold.
playbook-returned = Find out why it came back and agree with the customer on reshipping or a refund; inspect it when it is back in the warehouse.
playbook-redirected = Check that the customer asked for the new address, so it is not misdelivered; intercept it if need be.
playbook-signed_not_received = Ask the carrier for the proof of delivery and check with whoever signed; if signed in error have it delivered again, else treat it as lost and claim.
playbook-damaged = Help the customer inspect and photograph the goods, reship or refund, and claim from the carrier with the photos and the tracking record.

payment-original = Back the way it was paid
payment-alipay = Alipay
payment-wechat_pay = WeChat Pay
payment-unionpay = UnionPay
payment-credit_card = Credit card
payment-bank_transfer = Bank transfer
payment-balance = Shop balance
payment-cod = Cash on delivery
payment-huabei = Huabei (Ant Credit Pay)
payment-jd_baitiao = JD Baitiao
payment-points = Points

discount-item = Item discount
discount-shop_coupon = Shop coupon
discount-platform_coupon = Platform coupon
discount-promotion = Promotion

platform-site = Own site
platform-taobao = Taobao/Tmall
platform-pinduoduo = Pinduoduo
platform-jd = JD
platform-douyin = Douyin shop
after_sale-refund_only = Refund only
after_sale-return_refund = Return and refund
after_sale-exchange = Exchange
after_sale-reship = Reship
platform_stage-awaiting_seller = Waiting for the shop
platform_stage-awaiting_return = Waiting for the buyer's return
platform_stage-returned = Returned, waiting for the shop to receive
platform_stage-refused = Refused by the shop
platform_stage-intervened = The platform stepped in
platform_stage-refunded = Refunded
platform_stage-closed = Closed
platform_stage-other = Other status
after_sale-repair = Repair
platform_stage-refunding = Refund agreed, on its way
platform_stage-done = Done
