# Aftaleregistrering (spec flow 13) — dansk

## E-mails
email-registration-greeting = Hej { $name }
email-registration-link-label = Åbn den i portalen:
email-registration-button = Åbn i portalen
email-registration-approved-subject = Din aftaleregistrering for { $company } er godkendt
email-registration-approved-intro = Din registrering af { $company } ({ $product }) er godkendt. Den er nu din salgsmulighed, beskyttet mod andre partnere indtil { $date }.
email-registration-approved-detail = Du får en påmindelse, før beskyttelsen udløber.
email-registration-rejected-subject = Din aftaleregistrering for { $company } er afvist
email-registration-rejected-intro = Din registrering af { $company } ({ $product }) er ikke godkendt.
email-registration-rejected-reason = Begrundelse:
email-registration-reminder-subject = Beskyttelsen af din aftale med { $company } udløber den { $date }
email-registration-reminder-intro = Din registrerede aftale med { $company } ({ $product }) er beskyttet mod andre partnere indtil { $date }.
email-registration-reminder-detail = Derefter er den stadig din salgsmulighed, men andre partnere kan registrere den samme kunde. Tal med din kanalansvarlige, hvis du har brug for mere tid.

## Fejl
registration-error-domain-invalid = Angiv et domæne som nordlys.dk, en webadresse eller en e-mailadresse hos virksomheden.
registration-error-domain-free-mail = Brug virksomhedens eget domæne, ikke en gratis e-mailtjeneste.
registration-error-company-invalid = Angiv virksomhedens navn.
registration-error-currency-unknown = Vælg en valuta på listen.
registration-error-amount-zero = Det forventede beløb skal være større end nul.
registration-error-date-invalid = Angiv en dato som ÅÅÅÅ-MM-DD.
registration-error-close-date-past = Den forventede lukkedato kan ikke ligge i fortiden.
registration-error-close-date-too-far = Den forventede lukkedato skal ligge inden for tre år.
registration-error-duplicate = Din virksomhed har allerede registreret denne kunde.
registration-error-already-decided = Der er allerede truffet afgørelse om denne registrering.
registration-error-protected = En anden partners godkendte registrering af denne kunde er stadig beskyttet.
registration-error-protected-by = { $partner } har en godkendt registrering af denne kunde, beskyttet indtil { $date }. Den kan ikke godkendes før da.
registration-error-protection-days-range = Angiv et helt antal dage fra 1 til 730.
registration-error-reminder-days-range = Angiv et helt antal dage, fra 0 og op til én mindre end beskyttelsesperioden.
registration-error-no-open-stage = Salgsfaserne har ingen åben fase, aftalen kan starte i. En administrator skal tilføje en.
