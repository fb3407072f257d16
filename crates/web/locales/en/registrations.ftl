# Deal registration (spec flow 13) — English

## E-mails
email-registration-greeting = Hello { $name },
email-registration-link-label = Open it in the portal:
email-registration-button = Open in the portal
email-registration-approved-subject = Your deal registration for { $company } is approved
email-registration-approved-intro = Your registration of { $company } ({ $product }) is approved. It is now your opportunity, protected from other partners until { $date }.
email-registration-approved-detail = You will be reminded before the protection ends.
email-registration-rejected-subject = Your deal registration for { $company } was rejected
email-registration-rejected-intro = Your registration of { $company } ({ $product }) was not approved.
email-registration-rejected-reason = The reason given:
email-registration-reminder-subject = The protection of your deal with { $company } ends on { $date }
email-registration-reminder-intro = Your registered deal with { $company } ({ $product }) is protected from other partners until { $date }.
email-registration-reminder-detail = After that it stays your opportunity, but other partners may register the same customer. Talk to your channel manager if you need more time.

## Errors
registration-error-domain-invalid = Enter a domain such as nordlys.dk, a web address or an e-mail address at the company.
registration-error-domain-free-mail = Use the company's own domain, not a free e-mail service.
registration-error-company-invalid = Enter the company's name.
registration-error-currency-unknown = Choose a currency from the list.
registration-error-amount-zero = The expected amount must be more than zero.
registration-error-date-invalid = Enter a date as YYYY-MM-DD.
registration-error-close-date-past = The expected close date cannot be in the past.
registration-error-close-date-too-far = The expected close date must be within three years.
registration-error-duplicate = Your company has already registered this customer.
registration-error-already-decided = This registration has already been decided.
registration-error-protected = Another partner's approved registration of this customer is still protected.
registration-error-protected-by = { $partner } holds an approved registration of this customer, protected until { $date }. It cannot be approved before then.
registration-error-protection-days-range = Enter a whole number of days from 1 to 730.
registration-error-reminder-days-range = Enter a whole number of days, from 0 up to one less than the protection period.
registration-error-no-open-stage = The opportunity stages have no open stage to start the deal in. An administrator must add one.
