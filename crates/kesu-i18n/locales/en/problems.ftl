# What each error code means: problem-<code>, with the arguments of the API's errors[].args.

problem-empty = must not be empty
problem-required = is required
problem-too_long = is too long: at most { $max } characters
problem-length = must be { $min }–{ $max } characters long
problem-range = must be from { $min } to { $max }
problem-negative = must not be negative
problem-at_least = must be at least { $min }
problem-too_many = at most { $max }
problem-not_a_phone = is not a phone number: give an 11-digit mobile or a landline with area code
problem-not_an_email = is not an e-mail address
problem-control_character = must not contain control characters
problem-in_future = lies in the future
problem-not_in_future = must lie in the future
problem-too_old = lies more than { $years } years back
problem-not_a_date = write the date as 2026-12-01 (or 2026-12-01 14:30)
problem-characters = may contain only letters, digits, - and _
problem-format = is not in the expected form
problem-not_one_of = use one of { $allowed }
problem-unknown = { $thing ->
    [line] the order has no line { $value }
    [department] there is no department { $value }
    [user] there is no active user { $value }
    [case] there is no case { $value }
    [field] is not a known field
    [category] there is no category { $value }
    [attachment] the case has no attachment { $value }
   *[other] { $value } does not exist
}
problem-unknown_variable = there is no variable { $name }; known: { $known }
problem-twice = { $value } appears twice
problem-before = must not be before { $other }
problem-not_applicable = does not apply here
problem-explain = { $what ->
    [why_invalid] explain to the customer why the complaint does not stand
    [why_rejected] say why the proposal is rejected
    [what_was_done] record what was done
    [summary] summarise the case before closing it
    [acceptable_units] say which units are acceptable
    [where_the_parcel_is] say where the parcel is
    [what_the_customer_is_asked] say what the customer is asked for
    [what_the_carrier_paid] say how much the carrier paid
    [what_was_wrong] record what was wrong with the returned goods
    [evidence] name the file, link or record (1–500 characters)
    [an_option] offer at least one option
    [contact] give a phone number or an e-mail address
    [amount] must state its amount
    [appraisal_payer] no liability has been found yet: say which party pays for the appraisal
    [target] name at least one deadline target
    [readback] read the record back to the customer and confirm it is complete and accurate
    [why_override] say why the rule is set aside here
   *[other] please explain
}
problem-over_refundable = is more than is left to refund: at most { $left_cents }
problem-nothing_left = nothing is left to refund on this order
problem-quote_mismatch = differs from the refund quote of { $quote_cents } for these units; for another amount offer a partial refund
problem-already_shipped = line { $line } has already shipped: use the refund after shipping
problem-goods_not_back = the goods are not back yet ({ $why }): wait for tracking to show the parcel refused or returned, or for the warehouse to confirm receipt
problem-already_refunded = has already been refunded
problem-order_inconsistent = the order's figures do not add up; fix the order first
problem-no_order = the case has no order in kesu: state the amount
problem-no_choice = no resolution has been chosen
problem-reply_blocked = the reply checker blocks this reply (a supervisor may override): { $findings }
problem-invalid = is not valid

# Problems of a whole request (not of one field)

problem-forbidden = your role may not do this
problem-not_allowed_now = this is not allowed in the case's current status
problem-stale_version = the case has changed since you opened it: reload the page and try again
problem-duplicate = this already exists
problem-conflict = this conflicts with the current data
problem-not_found = not found, or not visible to you
problem-bad_request = the request is malformed
problem-too_large = the content is too large
problem-too_many_requests = too many attempts; try again later
problem-unsupported_media_type = this kind of file is not taken: photos (JPEG, PNG, GIF, WebP), videos (MP4, MOV, WebM) and PDFs only
