## Opportunities: the tab, the opportunity page, its form, Home's cards and
## the admin's stage picklist.

opportunities-view-mine = My Opportunities
opportunities-view-company = My Company's Opportunities
opportunities-view-closing_this_month = Closing This Month
opportunities-view-won = Won
opportunities-view-lost = Lost
opportunities-view-all = All Opportunities
opportunities-views-partners = Partners
opportunities-list-view = List view
opportunities-search = Search
opportunities-search-placeholder = Name or account
opportunities-all-stages = All stages
opportunities-show = Show
opportunities-clear-filters = Clear search and filter
opportunities-pages = Pages
opportunities-first-page = First page
opportunities-next-page = Next page
opportunities-empty-filtered = No opportunities match the search and filter.
opportunities-empty-mine = You own no opportunities yet. Convert a lead or create one with New.
opportunities-empty-company = Your company has no opportunities yet.
opportunities-empty-closing_this_month = No open opportunity closes this month.
opportunities-empty-won = No opportunities won yet.
opportunities-empty-lost = No opportunities lost.
opportunities-empty-all = No opportunities yet.
opportunities-empty-partner = This partner has no opportunities yet.
opportunities-saved = Saved.

opportunity-new = New opportunity
opportunity-new-title = New opportunity
opportunity-title = Opportunity
opportunity-edit-title = Edit opportunity
opportunity-edit-heading = Edit { $name }
opportunity-create = Create opportunity
opportunity-cancel = Cancel
opportunity-timeline = Timeline
opportunity-note-label = Add a note
opportunity-note-add = Add note
opportunity-changed-to = changed to
opportunity-no-accounts = There is no account to put an opportunity on yet. Create the account first, or convert a lead.
opportunity-owner-self = Me
opportunity-choose-account = Choose an account
opportunity-choose-owner = Choose an owner
opportunity-probability-hint = Leave as it is to follow the stage.
opportunity-conflict-title = Someone else saved this opportunity after you opened it.
opportunity-conflict-intro = Their changes:
opportunity-conflict-keep = Your input is kept below. Save again to put your values over theirs, or Cancel to keep theirs.

opportunity-field-name = Name
opportunity-field-account = Account
opportunity-field-stage = Stage
opportunity-field-amount = Amount
opportunity-field-currency = Currency
opportunity-field-close_date = Close date
opportunity-field-probability = Probability (%)
opportunity-field-next_step = Next step
opportunity-field-description = Description
opportunity-field-owner = Owner
opportunity-field-partner = Partner
opportunity-field-created = Created
opportunity-field-updated = Updated

opportunity-timeline-created = Created the opportunity
opportunity-timeline-created-lead = Created the opportunity by converting a lead
opportunity-timeline-created-registration = Created the opportunity from an approved deal registration
opportunity-timeline-field = Changed { $field }
opportunity-timeline-note = Added a note
opportunity-timeline-someone = Someone

opportunities-home-pipeline = Pipeline total
opportunities-home-pipeline-vendor = Open opportunities of your partners by stage
opportunities-home-deals = { $plural ->
    [one] 1 deal
   *[other] { $count } deals
}
opportunities-home-closing = Deals closing this month
opportunities-home-closing-empty = No open deal closes this month.
opportunities-home-all = All my opportunities
opportunities-home-closing-all = All deals closing this month

admin-link-opportunity-stages = Opportunity stages
admin-link-opportunity-stages-desc = The stages of a deal, their probability and whether they are open, won or lost.
admin-opportunity-stages = Opportunity stages
admin-opportunity-stages-intro = Deals move through these stages in this order. A new deal starts in the first open stage, with its probability. Keep at least one open, one won and one lost stage.
admin-stage-label-en = English label
admin-stage-label-da = Danish label
admin-stage-probability = Probability (%)
admin-stage-outcome = Outcome
admin-stage-outcome-open = Open
admin-stage-outcome-won = Won
admin-stage-outcome-lost = Lost
admin-stage-used = Opportunities
admin-stage-key = Key
admin-stage-new = Add a stage
admin-stage-add = Add stage
admin-stage-in-use = { $stage } cannot be removed: { $count } { $opportunities ->
    [one] opportunity is
   *[other] opportunities are
} in it. Move them to another stage first.
admin-stage-in-use-hint = Opportunities are in this stage.

error-amount-invalid = Enter an amount such as 12500 or 12,500.50.
error-amount-negative = The amount cannot be negative.
error-amount-too-precise = This currency does not have that many decimals.
error-amount-too-large = The amount is too large (at most 999,999,999,999).
error-currency-unknown = Choose a currency from the list.
error-stage-unknown = Unknown stage.
error-date-invalid = Enter a date as YYYY-MM-DD.
error-close-date-range = Choose a close date between 2000-01-01 and 2099-12-31.
error-probability-range = The probability is a percentage from 0 to 100.
error-probability-invalid = Enter the probability as a whole number from 0 to 100.
error-stage-probability-fixed = A won stage has probability 100 and a lost stage 0.
error-stage-outcomes-required = Keep at least one open, one won and one lost stage.
error-stage-in-use = Opportunities are in this stage; move them to another stage before removing it.
error-stage-outcome-unknown = Choose open, won or lost.
opportunity-error-account-unknown = Choose an account you can see.
opportunity-error-account-no-partner = This account belongs to no partner; choose a partner's account.
opportunity-error-account-other-partner = Choose an account of the same partner.
opportunity-error-owner-unknown = Choose one of the partner's active users as the owner.
opportunity-error-owner-self = You can only make yourself the owner.
opportunity-error-if-match-required = Send the opportunity's version in If-Match.
opportunity-error-if-match-invalid = If-Match must be the opportunity's version number.
