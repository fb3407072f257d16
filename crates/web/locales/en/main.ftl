# OpenPRM — English

## Tabs and navigation
tab-home = Home
tab-leads = Leads
tab-opportunities = Opportunities
tab-accounts = Accounts
tab-contacts = Contacts
tab-resources = Resources
tab-partners = Partners
tab-dashboard = Dashboard
tab-admin = Admin
nav-label = Main navigation
menu-my-company = My company
menu-change-password = Change password
menu-language = Language
menu-sign-out = Sign out
recent-items = Recent Items
recent-items-empty = Records you open or accept appear here.

## Actions
action-save = Save
action-edit = Edit
action-accept = Accept
action-resend = Resend invitation
action-revoke = Revoke invitation
action-deactivate = Deactivate
action-reactivate = Reactivate

## Roles and tiers
role-admin = Administrator
role-channel_manager = Channel manager
role-partner_manager = Partner manager
role-partner_user = Partner user
tier-registered = Registered
tier-silver = Silver
tier-gold = Gold
tier-platinum = Platinum
status-active = Active
status-invited = Invited
status-deactivated = Deactivated

## Fields
field-email = E-mail
field-password = Password
field-username = Your user name
field-current-password = Current password
field-new-password = New password
field-confirm-password = Repeat the new password
field-partner = Partner
field-tier = Tier
field-users = People
field-channel-manager = Channel manager
field-name = Name
field-none = None
field-role = Role
field-status = Status
field-actions = Actions
field-language = Language
field-brand-name = Portal name shown to this partner
field-logo-url = Logo address (https:// or data:image)
field-primary-colour = Main colour
field-accent-colour = Accent colour
field-portal-name = Portal name
field-when = When
field-who = Who
field-action = Action
field-detail = Detail

## Sign-in
login-title = Sign in
login-intro = Sign in with the e-mail address your invitation was sent to.
login-submit = Sign in
login-help = Forgotten your password? Ask your partner manager or channel manager to send you a new invitation.

## Invitation
invitation-welcome = Welcome, { $name }
invitation-explain = You have been invited to { $portal }. Continue to choose your password; you will be signed in straight away.
invitation-continue = Continue and choose a password
invitation-unusable-title = This invitation link cannot be used
invitation-expired = The link has expired: invitation links work for 7 days.
invitation-used = The link has already been used. Sign in with your e-mail and password instead.
invitation-revoked = The invitation was withdrawn, or a newer one was sent to you.
invitation-ask-again = Ask the person who invited you to send a new invitation.
invitation-sent = An invitation was sent to { $email }.

## Password
password-title = Choose a new password
password-forced = Welcome! Before you start, choose a password of your own.
password-policy = At least 12 characters. Not your e-mail address, and not a well-known password. A short sentence is easy to remember.
password-submit = Save password

## Home
home-welcome = Welcome, { $name }
home-new-leads = New leads assigned to me
home-new-leads-empty = No new leads. When a lead is routed to you, it appears here.
home-queue-leads = Unclaimed leads in my queues
home-queue-leads-empty = No unclaimed leads in your queues right now.
home-your-partners = Your partners
home-your-partners-empty = No partner accounts yet.
home-opportunities = My open opportunities by stage
home-opportunities-empty = No open opportunities yet. Converted leads and approved deal registrations show up here.
home-activity = Recent activity
home-activity-all = All activity
home-activity-empty = Nothing has happened yet.
home-channel-manager = Your channel manager
home-channel-manager-none = Your company has no channel manager assigned yet.

## Tabs without records yet
empty-leads-title = No leads yet
empty-leads-body = Leads routed to you and leads in your queues will be listed here.
empty-opportunities-title = No opportunities yet
empty-opportunities-body = Opportunities you create or convert from leads will be listed here.
empty-accounts-title = No accounts yet
empty-accounts-body = Customer accounts appear here when you convert a lead or create one.
empty-contacts-title = No contacts yet
empty-contacts-body = Contacts appear here when you convert a lead or add one to an account.
empty-resources-title = No resources yet
empty-resources-body = Sales material shared by your channel manager will be listed here.
empty-dashboard-title = Nothing to chart yet
empty-dashboard-body = Pipeline and lead figures appear here once partners work leads and opportunities.

## Partners
partners-empty = No partner accounts yet.
partners-new = New partner account
partners-create = Create partner
partner-title = Partner
partner-people = People
partner-people-empty = Nobody has been invited yet.
partner-settings = Partner account
invite-title = Invite a colleague
invite-title-vendor = Invite someone to { $partner }
invite-intro = They receive an e-mail with a one-time link that is valid for 7 days.
invite-submit = Send invitation

## Admin
admin-branding = Branding and tabs
admin-partner-tabs = Tabs partners see
admin-audit = Audit log
admin-audit-empty = No administrative actions yet.
audit-system = system
footer-powered-by = Powered by OpenPRM

## Errors
error-heading-400 = The request could not be understood
error-heading-401 = Please sign in
error-heading-403 = Not allowed
error-heading-404 = Page not found
error-heading-405 = Not allowed here
error-heading-410 = Link no longer valid
error-heading-412 = Changed by someone else
error-heading-413 = Too large
error-heading-415 = Unsupported format
error-heading-422 = Please check your input
error-heading-429 = Too many attempts
error-heading-500 = Something went wrong
error-back-home = Back to Home
error-unauthenticated = You need to sign in first.
error-password-change-required = Choose a new password before continuing.
error-forbidden = You may see this, but not change it.
error-not-found = There is nothing here, or you do not have access to it.
error-no-route = No such endpoint.
error-validation = Some fields need attention.
error-version-conflict = Someone else changed this record after you opened it.
error-rate-limited = Too many attempts. Wait a little and try again.
error-internal = Something went wrong on our side. Please try again.
error-bad-request = The request was malformed.
error-too-large = The request is too large.
error-csrf = This form has expired. Go back, reload the page and try again.
error-sign-in-failed = The e-mail or password is wrong.
error-sign-in-throttled = Too many failed attempts. Try again in { $minutes } minutes.
error-duplicate = This already exists.
error-required = Required.
error-too-long = Too long.
error-email-invalid = Not a valid e-mail address.
error-email-unavailable = This address already has an account or cannot be invited.
error-colour-invalid = Use a colour like #1f3a5f.
error-logo-invalid = Use an https:// address or a data:image URI.
error-password-too-short = The password must be at least 12 characters.
error-password-too-long = The password is too long.
error-password-is-email = The password must not be your e-mail address.
error-password-common = This password is too well known. Choose another.
error-password-mismatch = The two passwords are not the same.
error-current-password-wrong = The current password is wrong.
error-role-not-invitable = Choose partner user or partner manager.
error-not-a-channel-manager = Choose an active channel manager.
error-partner-name-taken = A partner with this name already exists.
error-cannot-deactivate-self = You cannot deactivate yourself.
error-invitation-already-accepted = This person has already accepted the invitation.
error-locale-unknown = Choose English or Dansk.
error-tier-unknown = Choose registered, silver, gold or platinum.
error-tab-unknown = Unknown tab.

## E-mail
email-invitation-subject = Your invitation to { $portal }
email-invitation-greeting = Hello { $name },
email-invitation-intro = { $inviter } has invited you to join { $company } on { $portal }, where you receive leads, work them and follow your opportunities.
email-invitation-link-label = Use this one-time link to sign in and choose your password:
email-invitation-button = Sign in and choose a password
email-invitation-expiry = The link works once and expires in 7 days.
email-invitation-bookmark = Portal address to bookmark:
email-invitation-username = Your user name:
email-invitation-ignore = If you did not expect this invitation, you can ignore this e-mail.

## Leads and claiming
error-heading-409 = Someone was quicker
error-lead-already-claimed = Someone else has already taken this lead.
error-claim-limit-reached = You have reached a claim limit.
claim-limit-none = The limit “{ $rule }” allows no claims here.
claim-limit-open = You have reached the limit “{ $rule }”: { $max } open leads per { $subject ->
        [partner] partner account
       *[user] user
    }. Release, convert or close a lead to claim another.
claim-limit-window = You have reached the limit “{ $rule }”: { $max } claims per { $subject ->
        [partner] partner account
       *[user] user
    } in { $hours } hours. The next claim is possible at { $frees_at }.
claim-limit-window-later = You have reached the limit “{ $rule }”: { $max } claims per { $subject ->
        [partner] partner account
       *[user] user
    } in { $hours } hours. Try again later.
error-out-of-range = Out of range.
error-duplicate-override = This target already has an override.
error-phone-invalid = Not a valid phone number.
error-country-invalid = Use a two-letter country code such as DK.
error-postal-code-invalid = Not a valid postal code.
error-source-unknown = Unknown source.
error-status-unknown = Unknown status.
error-status-not-selectable = This status is set by converting the lead.
error-rating-unknown = Choose hot, warm or cold.
error-invalid-characters = Contains characters that are not allowed.
error-lead-not-in-queue = This lead is not in a queue.
error-lead-not-claimed = This lead was not claimed from a queue.
error-lead-converted = This lead has been converted and can no longer change.
error-lead-not-in-inbox = This lead is not waiting in an inbox.
error-queue-unknown = Unknown queue.
error-queue-name-taken = A queue with this name already exists.
error-partner-unknown = Unknown partner.
error-user-unknown = Unknown partner user.
error-one-destination = Choose one place for the lead: a queue, a partner or a user.
error-if-match-required = Send the lead's version in If-Match.
error-if-match-invalid = If-Match must be the lead's version number.
error-view-unknown = Unknown list view.
error-sort-unknown = Unknown sort order.
error-reason-unknown = Choose a reason.
error-cursor-invalid = This page link is no longer valid; start from the first page.

## Stale claims
email-stale-warning-subject = Your lead { $lead } returns to { $queue } on { $date }
email-stale-warning-greeting = Hello { $name },
email-stale-warning-intro = Your lead { $lead } at { $company } has had no activity for a while. It returns to the queue { $queue } on { $date } unless you work it.
email-stale-warning-rule = In { $queue }, a claimed lead goes back to the queue after { $days } days without activity.
email-stale-warning-rule-one = In { $queue }, a claimed lead goes back to the queue after 1 day without activity.
email-stale-warning-keep = An edit or a note on the lead counts as activity and keeps it yours.
email-stale-warning-link-label = Open the lead:
email-stale-warning-button = Open the lead

## Leads tab
lead-title = Lead
lead-new = New lead
lead-new-title = New lead
lead-create = Create lead
lead-cancel = Cancel
lead-edit-title = Edit lead
lead-edit-heading = Edit { $name }
lead-field-name = Name
lead-field-company = Company
lead-field-title = Title
lead-field-email = E-mail
lead-field-phone = Phone
lead-field-country = Country
lead-field-postal_code = Postal code
lead-field-source = Source
lead-field-status = Status
lead-field-rating = Rating
lead-field-product_interest = Product interest
lead-field-description = Description
lead-field-owner = Owner
lead-field-partner = Partner
lead-field-queue = Queue
lead-field-created = Created
lead-field-updated = Last changed
lead-field-claimed = Accepted from the queue
lead-field-state = Assignment
lead-source-trade_show = Trade show
lead-source-web = Web
lead-source-partner = Partner
lead-source-import = Import
lead-source-referral = Referral
lead-source-event = Event
lead-source-other = Other
lead-rating-hot = Hot
lead-rating-warm = Warm
lead-rating-cold = Cold
lead-rating-none = Not rated
lead-state-unassigned = With the vendor, not assigned
lead-state-in_queue = Waiting in a queue
lead-state-inbox = Waiting for Accept or Decline
lead-state-owned = Owned by a partner
lead-destination = Send the lead to
lead-destination-unassigned = Nobody yet (unassigned)
lead-destination-partners = A partner's inbox
leads-list-view = List view
leads-views-queues = Queues
leads-views-partners = Partners
leads-view-mine = My Leads
leads-view-company = My Company's Leads
leads-view-inbox = Inbox
leads-view-inbox-vendor = Waiting in partner inboxes
leads-view-queue = Queue
leads-view-recent = Recently Viewed
leads-view-all = All Leads
leads-view-partner = Partner
leads-view-unassigned = Unassigned
leads-view-declined = Declined
leads-search = Search
leads-search-placeholder = Name, company or e-mail
leads-all-statuses = All statuses
leads-show = Show
leads-clear-filters = Clear search and filter
leads-pages = Pages
leads-first-page = First page
leads-next-page = Next page
leads-empty-mine = You own no leads yet. Accept a lead from a queue or from your inbox and it is listed here.
leads-empty-company = Your company owns no leads yet.
leads-empty-inbox = Nothing waiting. Leads routed straight to you or your company appear here for you to accept or decline.
leads-empty-queue = No unclaimed leads in this queue right now.
leads-empty-recent = You have not opened any leads yet.
leads-empty-all = No leads yet.
leads-empty-partner = This partner has no leads.
leads-empty-unassigned = Every lead has been assigned.
leads-empty-declined = No declined leads.
leads-empty-filtered = No leads in this view match your search or status.
leads-done-released = The lead went back to its queue.
leads-done-declined = The lead was declined and went back to the channel team.
lead-release = Release to queue
lead-decline = Decline
lead-decline-title = Decline this lead
lead-decline-intro = Not for you? Decline it with a reason, and the channel team routes it elsewhere.
lead-decline-reason = Reason
lead-decline-choose = Choose a reason
lead-decline-note = Note (optional)
lead-reason-not_my_territory = Not my territory
lead-reason-no_capacity = No capacity
lead-reason-duplicate = Duplicate
lead-reason-spam = Spam
lead-reason-other = Other
lead-timeline = Timeline
lead-note-label = Add a note
lead-note-add = Add note
lead-changed-to = changed to
lead-conflict-title = Someone else saved this lead while you were editing.
lead-conflict-intro = They changed:
lead-conflict-keep = Your input is kept below. Check it, then Save again to store your version.
timeline-created = Created the lead
timeline-field = Changed { $field }
timeline-note = Added a note
timeline-claim = Accepted the lead from the queue
timeline-release = Released the lead to the queue
timeline-accept = Accepted the lead
timeline-decline = Declined the lead
timeline-decline-reason = Declined the lead: { $reason }
timeline-stale_warning = Warned the owner: without activity the lead returns to the queue on { $date }
timeline-stale_warning-soon = Warned the owner: without activity the lead returns to the queue soon
timeline-stale_return = Returned the lead to the queue after a time without activity
timeline-system = OpenPRM
timeline-someone = Someone at another company
home-leads-inbox-all = All leads in your inbox

## Admin: queues and rules
admin-leads-section = Leads
admin-link-queues = Queues
admin-link-queues-desc = Shared pools of leads, and which partner accounts may accept from each.
admin-link-claim-rules = Claim rules
admin-link-claim-rules-desc = How many queue leads partners may hold at once or take per period, with overrides per tier and partner.
admin-link-lead-statuses = Lead statuses
admin-link-lead-statuses-desc = The status picklist: labels in English and Danish, order, and which statuses are closed.
admin-cancel = Cancel
admin-delete = Delete
admin-remove = Remove
admin-move-up = Move up
admin-move-down = Move down
admin-order = Order
admin-error-whole-number = Enter a whole number.
admin-queues = Queues
admin-queues-intro = Leads in a queue wait for a member partner to accept them: first come, first served.
admin-queues-empty = No queues yet. Create the first one below.
admin-queue-members = Member partners
admin-queue-members-intro = Users of the ticked partner accounts see this queue's unclaimed leads and may accept them. Other partners do not see the queue at all.
admin-queue-no-members = No members yet
admin-queue-unclaimed = Unclaimed
admin-queue-stale-days = Stale-claim days
admin-queue-edit-members = Edit members
admin-queue-new = New queue
admin-queue-create = Create queue
admin-queue-stale-days-field = Return unworked claims after (days)
admin-queue-stale-days-hint = Optional, 1–365. Empty: claimed leads stay with their owner.
admin-queue-summary = { $unclaimed } unclaimed { $leads ->
        [one] lead
       *[other] leads
    }
admin-queue-stale-summary = claimed leads without activity return after { $days } { $days_plural ->
        [one] day
       *[other] days
    }
admin-claim-rules = Claim rules
admin-claim-rules-intro = Rules limit the queue leads partners may hold or take. A claim must fit every rule that applies; a refusal names the first rule that is full and what frees it.
admin-claim-rules-empty = No claim rules yet: partners may accept as many queue leads as they like.
admin-rule-open = At most { $max } open claimed { $leads ->
        [one] lead
       *[other] leads
    } per { $subject ->
        [partner] partner account
       *[user] partner user
    }, { $scope }
admin-rule-window = At most { $max } { $claims ->
        [one] claim
       *[other] claims
    } per { $subject ->
        [partner] partner account
       *[user] partner user
    } in { $hours } { $hours_plural ->
        [one] hour
       *[other] hours
    }, { $scope }
admin-rule-none = No claims at all, { $scope }
admin-rule-all-queues = all queues
admin-rule-queue = queue “{ $queue }”
admin-rule-unknown-queue = a queue that no longer exists
admin-override-tier = { $tier } partners
admin-override-unknown-partner = A partner account that no longer exists
admin-override-max = at most { $max }
admin-override-none = no claims
admin-override-unlimited = no limit
admin-override-set = Set an override
admin-override-for = Override for
admin-override-save = Set
admin-override-intro = A different maximum for the partner accounts of a tier or for one partner account; an account's own override beats its tier's. Setting one again replaces it.
admin-override-rule = Rule
admin-rule-unknown = This rule no longer exists.
admin-rule-new = Add a rule
admin-rule-name-example = e.g. Fair share
admin-rule-kind = Limit
admin-rule-kind-open = Open claimed leads at once
admin-rule-kind-window = Claims per period
admin-rule-window-hours = Period in hours
admin-rule-window-hours-hint = For claims per period: 24 is a day, 168 a week.
admin-rule-subject = Counted per
admin-rule-subject-user = Partner user
admin-rule-subject-partner = Partner account
admin-rule-queue-field = Queue
admin-rule-all-queues-option = All queues together
admin-rule-max = Maximum
admin-rule-max-hint = 0 allows no claims at all.
admin-rule-tier-overrides = Overrides per tier
admin-rule-tier-overrides-hint = Empty: the maximum above. An override for one partner account is set under “Set an override” once the rule is added.
admin-rule-add = Add rule
admin-lead-statuses = Lead statuses
admin-lead-statuses-intro = The status picklist of every lead, in the order lists and forms show it. Leads in a closed status no longer count as open claimed leads.
admin-status-key = Key
admin-status-label-en = English label
admin-status-label-da = Danish label
admin-status-closed = Closed
admin-status-used = Leads
admin-status-converted-note = set by converting
admin-status-closed-hint = Moving or removing a status also saves the labels typed.
admin-status-in-use-hint = Leads are in this status: give them another status before removing it.
admin-status-new = Add a status
admin-status-new-closed = Closed: leads in it no longer count as open
admin-status-add = Add status
admin-status-in-use = “{ $status }” is used by { $count } { $leads ->
        [one] lead
       *[other] leads
    } and cannot be removed. Give { $leads ->
        [one] it
       *[other] them
    } another status first.
admin-status-converted-stays = “{ $status }” is set by converting a lead: it can be renamed, but not removed.
error-status-key-invalid = Use lower-case letters, digits and _, starting with a letter (at most 40).
error-status-converted-fixed = Only the converted status is set by conversion, and it is always closed.
error-status-converted-required = The converted status cannot be removed.
error-status-none-open = Keep at least one open status: new leads start in the first one.
error-status-in-use = Leads are in this status; give them another status before removing it.

## Live notices
live-notice-lead-for-you = New lead for you: { $title }
live-notice-lead-for-company = New lead for your company: { $title }
live-notice-opportunity-for-you = Opportunity handed to you: { $title }
live-notice-open = Open
live-notice-dismiss = Dismiss
live-updated = Updated just now
error-event-id-invalid = Must be an event id: a whole number, 0 or more.
