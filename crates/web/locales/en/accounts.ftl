# Accounts, contacts and converting a lead (spec flows 8 and 10).

error-domain-invalid = Use a domain such as nordlys.dk.
error-website-invalid = Use a web address such as https://nordlys.dk.
error-account-unknown = Choose an account you can see, of the same company.
error-owner-not-of-partner = The owner must be one of this partner's users.

## Lists
accounts-new = New account
accounts-create = Create account
accounts-view-all = All accounts
accounts-view-mine = My accounts
accounts-empty = No accounts yet. Create one, or convert a qualified lead.
accounts-search-placeholder = Name or domain
accounts-place = Location
accounts-vendor-owned = Vendor
contacts-new = New contact
contacts-create = Create contact
contacts-view-all = All contacts
contacts-view-mine = My contacts
contacts-empty = No contacts yet. Add one from an account, or convert a lead.
contacts-search-placeholder = Name, e-mail or title
records-empty-filtered = Nothing matches this search.
records-conflict-intro = Someone else saved this record after you opened it. Their values now:

## Account fields and page
account-field-name = Name
account-field-domain = Domain
account-field-website = Website
account-field-phone = Phone
account-field-industry = Industry
account-field-city = City
account-field-country = Country
account-field-description = Description
account-field-owner = Owner
account-field-partner = Partner
account-edit-title = Edit account
account-edit-heading = Edit { $name }
account-related-contacts = Related contacts
account-no-contacts = No contacts on this account yet.
account-more-contacts = Show all contacts
account-related-opportunities = Opportunities
account-no-opportunities = No opportunities on this account yet.
account-opportunity-name = Opportunity
account-opportunity-stage = Stage
account-opportunity-amount = Amount
account-opportunity-close = Close date
account-converted-leads = Converted leads
account-no-converted-leads = No leads were converted into this account.

## Contact fields and page
contact-field-name = Name
contact-field-account = Account
contact-field-title = Title
contact-field-email = E-mail
contact-field-phone = Phone
contact-field-country = Country
contact-field-description = Description
contact-no-account = No account
contact-edit-title = Edit contact
contact-edit-heading = Edit { $name }
contact-converted-from = Converted from
contact-converted-lead = The lead

## Lead statuses (admin)
admin-status-qualified = Convertible

## Converting a lead
error-lead-already-converted = This lead has already been converted.
error-lead-not-qualified = Only a lead in a qualified status can be converted.
error-convert-not-taken = A lead still waiting in a queue or an inbox cannot be converted: a partner must take it first.
convert-action = Convert
convert-title = Convert lead
convert-heading = Convert { $name }
convert-account = Account
convert-suggested = Accounts that look like this lead's company:
convert-new-account = Create a new account named
convert-search-hint = Looking for another account?
convert-search-accounts = Search accounts
convert-contact = Contact to be created
convert-create-opportunity = Also create an opportunity
convert-currency = Currency
convert-done-title = Converted
convert-done-account = Account
convert-done-contact = Contact
convert-done-on = Converted on { $date }
convert-done-opportunity = Opportunity
timeline-converted = Converted the lead
