## Deal activity and help: asking for help, answers and resources, the
## activity feed, "View as of", and e-mail notifications.

help-title = Help and resources
help-ask-intro = Stuck on this deal? Ask your channel manager; they are told at once.
help-ask-label = What do you need?
help-ask = Ask for help
help-answer-label = Answer the partner
help-answer = Send answer
help-cancel = Cancel
resource-add-link = Add a link
resource-upload = Upload a file
resource-title = Title
resource-title-optional = Title (optional)
resource-url = Address (http or https)
resource-file = File
resource-file-hint = PDF, PNG, JPEG, Word, Excel, PowerPoint, text or CSV; at most 10 MB.
resources-title = Resources
resources-empty = No resources yet.

timeline-help = Asked for help
timeline-help_answer = Answered
timeline-resource = Attached a resource

live-notice-help-requested = Help requested on { $title }
live-notice-help-answered = Your channel manager answered on { $title }

as-of-title = View as of
as-of-label = View as of
as-of-show = Show
as-of-now = Now
as-of-heading = As it was on { $date }
as-of-fields = Fields then
as-of-timeline = Timeline up to then
as-of-timeline-empty = Nothing had happened yet.
as-of-not-yet = The record did not exist yet.
error-as-of-invalid = Enter a date and time (UTC).

activity-title = Deal activity
activity-intro = Your partners' leads and opportunities as they move, newest first.
activity-partner = Partner
activity-all-partners = All partners
activity-kind = Kind
activity-all-kinds = Everything
activity-filter = Filter
activity-empty = No activity yet.
activity-older = Older
activity-record-lead = Lead
activity-record-opportunity = Opportunity
activity-kind-created = New records
activity-kind-claims = Claims and releases
activity-kind-moves = Status and stage moves
activity-kind-fields = Other changes
activity-kind-notes = Notes
activity-kind-conversions = Conversions
activity-kind-help = Help requests and answers
activity-entry-field = Changed { $field }
activity-entry-note = Added a note
activity-entry-help = Asked for help
activity-entry-help_answer = Answered a help request
activity-entry-resource = Attached a resource
activity-entry-converted = Converted the lead
activity-entry-created = Created
activity-entry-routed = Routed
activity-entry-claim = Accepted from a queue
activity-entry-accept = Accepted
activity-entry-release = Released to the queue
activity-entry-decline = Declined
activity-entry-stale_warning = Warned of a stale claim
activity-entry-stale_return = Returned to the queue after a time without activity
error-activity-kind-unknown = Unknown kind of activity.

error-url-invalid = Enter an address starting with http:// or https://.
error-file-empty = The file is empty.
error-file-too-large = The file is larger than 10 MB.
error-file-type = Only PDF, PNG, JPEG, Word, Excel, PowerPoint, text and CSV files, whose content matches their name.

menu-notifications = Notifications
notifications-title = Notifications
notifications-intro = Choose which e-mails you get. Everything on the screen stays as it is.
notifications-legend = E-mail me when
notifications-saved = Your choices are saved.
notifications-kind-lead_assigned = A lead is assigned to me
notifications-hint-lead_assigned = Someone places a lead with you or your company's inbox.
notifications-kind-help_requested = A partner asks for help
notifications-hint-help_requested = For channel managers and admins: a partner asks for help on a deal.
notifications-kind-help_answered = My help request is answered
notifications-hint-help_answered = Your channel manager answers or attaches a resource.
notifications-kind-stale_warning = A lead of mine is about to return to its queue
notifications-hint-stale_warning = A day before a claimed lead without activity goes back.

email-notification-greeting = Hello { $name },
email-notification-link-label = Open it in the portal:
email-notification-button = Open in the portal
email-notification-someone = Someone
email-lead-assigned-subject = New lead for you: { $title }
email-lead-assigned-intro = { $name } assigned the lead { $title } to you.
email-help-requested-subject = Help requested on { $title }
email-help-requested-intro = { $name } asks for your help on { $title }:
email-help-answered-subject = Your channel manager answered on { $title }
email-help-answered-intro = { $name } answered on { $title }:
