# OpenPRM — dansk

## Faner og navigation
tab-home = Startside
tab-leads = Kundeemner
tab-opportunities = Salgsmuligheder
tab-accounts = Konti
tab-contacts = Kontakter
tab-resources = Ressourcer
tab-partners = Partnere
tab-dashboard = Oversigt
tab-admin = Administration
nav-label = Hovedmenu
menu-my-company = Min virksomhed
menu-change-password = Skift adgangskode
menu-language = Sprog
menu-sign-out = Log ud
recent-items = Seneste elementer
recent-items-empty = Poster, du åbner eller accepterer, vises her.

## Handlinger
action-save = Gem
action-edit = Rediger
action-accept = Accepter
action-resend = Send invitation igen
action-revoke = Tilbagekald invitation
action-deactivate = Deaktiver
action-reactivate = Genaktiver

## Roller og niveauer
role-admin = Administrator
role-channel_manager = Kanalansvarlig
role-partner_manager = Partneransvarlig
role-partner_user = Partnerbruger
tier-registered = Registreret
tier-silver = Sølv
tier-gold = Guld
tier-platinum = Platin
status-active = Aktiv
status-invited = Inviteret
status-deactivated = Deaktiveret

## Felter
field-email = E-mail
field-password = Adgangskode
field-username = Dit brugernavn
field-current-password = Nuværende adgangskode
field-new-password = Ny adgangskode
field-confirm-password = Gentag den nye adgangskode
field-partner = Partner
field-tier = Niveau
field-users = Personer
field-channel-manager = Kanalansvarlig
field-name = Navn
field-none = Ingen
field-role = Rolle
field-status = Status
field-actions = Handlinger
field-language = Sprog
field-brand-name = Portalnavn for denne partner
field-logo-url = Logoadresse (https:// eller data:image)
field-primary-colour = Hovedfarve
field-accent-colour = Accentfarve
field-portal-name = Portalnavn
field-when = Hvornår
field-who = Hvem
field-action = Handling
field-detail = Detaljer

## Log ind
login-title = Log ind
login-intro = Log ind med den e-mailadresse, din invitation blev sendt til.
login-submit = Log ind
login-help = Glemt din adgangskode? Bed din partneransvarlige eller kanalansvarlige om at sende dig en ny invitation.

## Invitation
invitation-welcome = Velkommen, { $name }
invitation-explain = Du er inviteret til { $portal }. Fortsæt for at vælge din adgangskode; du bliver logget ind med det samme.
invitation-continue = Fortsæt og vælg adgangskode
invitation-unusable-title = Dette invitationslink kan ikke bruges
invitation-expired = Linket er udløbet: invitationslinks virker i 7 dage.
invitation-used = Linket er allerede brugt. Log ind med din e-mail og adgangskode i stedet.
invitation-revoked = Invitationen er trukket tilbage, eller du har fået en nyere.
invitation-ask-again = Bed den, der inviterede dig, om at sende en ny invitation.
invitation-sent = Der er sendt en invitation til { $email }.

## Adgangskode
password-title = Vælg en ny adgangskode
password-forced = Velkommen! Før du går i gang, skal du vælge din egen adgangskode.
password-policy = Mindst 12 tegn. Ikke din e-mailadresse og ikke en kendt adgangskode. En kort sætning er nem at huske.
password-submit = Gem adgangskode

## Startside
home-welcome = Velkommen, { $name }
home-new-leads = Nye kundeemner tildelt mig
home-new-leads-empty = Ingen nye kundeemner. Når et kundeemne sendes til dig, vises det her.
home-queue-leads = Ledige kundeemner i mine køer
home-queue-leads-empty = Der er ingen ledige kundeemner i dine køer lige nu.
home-your-partners = Dine partnere
home-your-partners-empty = Der er ingen partnerkonti endnu.
home-opportunities = Mine åbne salgsmuligheder efter fase
home-opportunities-empty = Ingen åbne salgsmuligheder endnu. Konverterede kundeemner og godkendte aftaleregistreringer vises her.
home-activity = Seneste aktivitet
home-activity-all = Al aktivitet
home-activity-empty = Der er ikke sket noget endnu.
home-channel-manager = Din kanalansvarlige
home-channel-manager-none = Din virksomhed har endnu ingen kanalansvarlig.

## Faner uden poster endnu
empty-leads-title = Ingen kundeemner endnu
empty-leads-body = Kundeemner sendt til dig og kundeemner i dine køer vises her.
empty-opportunities-title = Ingen salgsmuligheder endnu
empty-opportunities-body = Salgsmuligheder, du opretter eller konverterer fra kundeemner, vises her.
empty-accounts-title = Ingen konti endnu
empty-accounts-body = Kundekonti vises her, når du konverterer et kundeemne eller opretter en konto.
empty-contacts-title = Ingen kontakter endnu
empty-contacts-body = Kontakter vises her, når du konverterer et kundeemne eller tilføjer en kontakt til en konto.
empty-resources-title = Ingen ressourcer endnu
empty-resources-body = Salgsmateriale, som din kanalansvarlige deler, vises her.
empty-dashboard-title = Intet at vise endnu
empty-dashboard-body = Tal for pipeline og kundeemner vises her, når partnerne arbejder med kundeemner og salgsmuligheder.

## Partnere
partners-empty = Der er ingen partnerkonti endnu.
partners-new = Ny partnerkonto
partners-create = Opret partner
partner-title = Partner
partner-people = Personer
partner-people-empty = Der er ikke inviteret nogen endnu.
partner-settings = Partnerkonto
invite-title = Inviter en kollega
invite-title-vendor = Inviter en person til { $partner }
invite-intro = Vedkommende får en e-mail med et engangslink, der virker i 7 dage.
invite-submit = Send invitation

## Administration
admin-branding = Udseende og faner
admin-partner-tabs = Faner, partnerne ser
admin-audit = Revisionslog
admin-audit-empty = Ingen administrative handlinger endnu.
audit-system = system
footer-powered-by = Drevet af OpenPRM

## Fejl
error-heading-400 = Forespørgslen kunne ikke forstås
error-heading-401 = Log venligst ind
error-heading-403 = Ikke tilladt
error-heading-404 = Siden findes ikke
error-heading-405 = Ikke tilladt her
error-heading-410 = Linket er ikke længere gyldigt
error-heading-412 = Ændret af en anden
error-heading-413 = For stor
error-heading-415 = Formatet understøttes ikke
error-heading-422 = Kontroller dine oplysninger
error-heading-429 = For mange forsøg
error-heading-500 = Noget gik galt
error-back-home = Tilbage til startsiden
error-unauthenticated = Du skal logge ind først.
error-password-change-required = Vælg en ny adgangskode, før du fortsætter.
error-forbidden = Du må se dette, men ikke ændre det.
error-not-found = Her er ikke noget, eller du har ikke adgang til det.
error-no-route = Dette endepunkt findes ikke.
error-validation = Nogle felter skal rettes.
error-version-conflict = En anden har ændret posten, efter du åbnede den.
error-rate-limited = For mange forsøg. Vent lidt, og prøv igen.
error-internal = Der skete en fejl hos os. Prøv venligst igen.
error-bad-request = Forespørgslen var ugyldig.
error-too-large = Forespørgslen er for stor.
error-csrf = Formularen er udløbet. Gå tilbage, genindlæs siden, og prøv igen.
error-sign-in-failed = E-mail eller adgangskode er forkert.
error-sign-in-throttled = For mange mislykkede forsøg. Prøv igen om { $minutes } minutter.
error-duplicate = Dette findes allerede.
error-required = Skal udfyldes.
error-too-long = For lang.
error-email-invalid = Ikke en gyldig e-mailadresse.
error-email-unavailable = Denne adresse har allerede en konto eller kan ikke inviteres.
error-colour-invalid = Angiv en farve som #1f3a5f.
error-logo-invalid = Angiv en https://-adresse eller en data:image-URI.
error-password-too-short = Adgangskoden skal være mindst 12 tegn.
error-password-too-long = Adgangskoden er for lang.
error-password-is-email = Adgangskoden må ikke være din e-mailadresse.
error-password-common = Denne adgangskode er for kendt. Vælg en anden.
error-password-mismatch = De to adgangskoder er ikke ens.
error-current-password-wrong = Den nuværende adgangskode er forkert.
error-role-not-invitable = Vælg partnerbruger eller partneransvarlig.
error-not-a-channel-manager = Vælg en aktiv kanalansvarlig.
error-partner-name-taken = Der findes allerede en partner med dette navn.
error-cannot-deactivate-self = Du kan ikke deaktivere dig selv.
error-invitation-already-accepted = Denne person har allerede accepteret invitationen.
error-locale-unknown = Vælg English eller Dansk.
error-tier-unknown = Vælg registreret, sølv, guld eller platin.
error-tab-unknown = Ukendt fane.

## E-mail
email-invitation-subject = Din invitation til { $portal }
email-invitation-greeting = Hej { $name }
email-invitation-intro = { $inviter } har inviteret dig til at være med for { $company } på { $portal }, hvor du modtager kundeemner, arbejder med dem og følger dine salgsmuligheder.
email-invitation-link-label = Brug dette engangslink til at logge ind og vælge din adgangskode:
email-invitation-button = Log ind og vælg adgangskode
email-invitation-expiry = Linket virker én gang og udløber om 7 dage.
email-invitation-bookmark = Portalens adresse (gem den som bogmærke):
email-invitation-username = Dit brugernavn:
email-invitation-ignore = Hvis du ikke ventede denne invitation, kan du se bort fra denne e-mail.

## Kundeemner og tildeling
error-heading-409 = En anden var hurtigere
error-lead-already-claimed = En anden har allerede taget dette kundeemne.
error-claim-limit-reached = Du har nået en grænse for at tage kundeemner.
claim-limit-none = Grænsen “{ $rule }” tillader ingen kundeemner her.
claim-limit-open = Du har nået grænsen “{ $rule }”: { $max } åbne kundeemner pr. { $subject ->
        [partner] partnerkonto
       *[user] bruger
    }. Frigiv, konverter eller luk et kundeemne for at tage et nyt.
claim-limit-window = Du har nået grænsen “{ $rule }”: { $max } kundeemner pr. { $subject ->
        [partner] partnerkonto
       *[user] bruger
    } på { $hours } timer. Du kan tage det næste { $frees_at }.
claim-limit-window-later = Du har nået grænsen “{ $rule }”: { $max } kundeemner pr. { $subject ->
        [partner] partnerkonto
       *[user] bruger
    } på { $hours } timer. Prøv igen senere.
error-out-of-range = Uden for det tilladte interval.
error-duplicate-override = Der findes allerede en undtagelse for dette mål.
error-phone-invalid = Ikke et gyldigt telefonnummer.
error-country-invalid = Brug en landekode på to bogstaver, f.eks. DK.
error-postal-code-invalid = Ikke et gyldigt postnummer.
error-source-unknown = Ukendt kilde.
error-status-unknown = Ukendt status.
error-status-not-selectable = Denne status sættes ved at konvertere kundeemnet.
error-rating-unknown = Vælg varm, lun eller kold.
error-invalid-characters = Indeholder tegn, der ikke er tilladt.
error-lead-not-in-queue = Dette kundeemne er ikke i en kø.
error-lead-not-claimed = Dette kundeemne er ikke taget fra en kø.
error-lead-converted = Dette kundeemne er konverteret og kan ikke længere ændres.
error-lead-not-in-inbox = Dette kundeemne venter ikke i en indbakke.
error-queue-unknown = Ukendt kø.
error-queue-name-taken = Der findes allerede en kø med dette navn.
error-partner-unknown = Ukendt partner.
error-user-unknown = Ukendt partnerbruger.
error-one-destination = Vælg ét sted til kundeemnet: en kø, en partner eller en bruger.
error-if-match-required = Send kundeemnets version i If-Match.
error-if-match-invalid = If-Match skal være kundeemnets versionsnummer.
error-view-unknown = Ukendt listevisning.
error-sort-unknown = Ukendt sortering.
error-reason-unknown = Vælg en årsag.
error-cursor-invalid = Dette sidelink er ikke længere gyldigt; start fra første side.

## Stale claims
email-stale-warning-subject = Dit kundeemne { $lead } går tilbage til { $queue } den { $date }
email-stale-warning-greeting = Hej { $name }
email-stale-warning-intro = Der har ikke været aktivitet på dit kundeemne { $lead } hos { $company } i et stykke tid. Det går tilbage til køen { $queue } den { $date }, medmindre du arbejder med det.
email-stale-warning-rule = I { $queue } går et taget kundeemne tilbage til køen efter { $days } dage uden aktivitet.
email-stale-warning-rule-one = I { $queue } går et taget kundeemne tilbage til køen efter 1 dag uden aktivitet.
email-stale-warning-keep = En redigering eller en note på kundeemnet tæller som aktivitet, så beholder du det.
email-stale-warning-link-label = Åbn kundeemnet:
email-stale-warning-button = Åbn kundeemnet

## Leads tab
lead-title = Kundeemne
lead-new = Nyt kundeemne
lead-new-title = Nyt kundeemne
lead-create = Opret kundeemne
lead-cancel = Annuller
lead-edit-title = Rediger kundeemne
lead-edit-heading = Rediger { $name }
lead-field-name = Navn
lead-field-company = Virksomhed
lead-field-title = Titel
lead-field-email = E-mail
lead-field-phone = Telefon
lead-field-country = Land
lead-field-postal_code = Postnummer
lead-field-source = Kilde
lead-field-status = Status
lead-field-rating = Vurdering
lead-field-product_interest = Produktinteresse
lead-field-description = Beskrivelse
lead-field-owner = Ejer
lead-field-partner = Partner
lead-field-queue = Kø
lead-field-created = Oprettet
lead-field-updated = Senest ændret
lead-field-claimed = Accepteret fra køen
lead-field-state = Tildeling
lead-source-trade_show = Messe
lead-source-web = Web
lead-source-partner = Partner
lead-source-import = Import
lead-source-referral = Anbefaling
lead-source-event = Arrangement
lead-source-other = Andet
lead-rating-hot = Varm
lead-rating-warm = Lun
lead-rating-cold = Kold
lead-rating-none = Ikke vurderet
lead-state-unassigned = Hos leverandøren, ikke tildelt
lead-state-in_queue = Venter i en kø
lead-state-inbox = Venter på Accepter eller Afvis
lead-state-owned = Ejet af en partner
lead-destination = Send kundeemnet til
lead-destination-unassigned = Ingen endnu (ikke tildelt)
lead-destination-partners = En partners indbakke
leads-list-view = Listevisning
leads-views-queues = Køer
leads-views-partners = Partnere
leads-view-mine = Mine kundeemner
leads-view-company = Min virksomheds kundeemner
leads-view-inbox = Indbakke
leads-view-inbox-vendor = Venter i partnernes indbakker
leads-view-queue = Kø
leads-view-recent = Senest viste
leads-view-all = Alle kundeemner
leads-view-partner = Partner
leads-view-unassigned = Ikke tildelte
leads-view-declined = Afviste
leads-search = Søg
leads-search-placeholder = Navn, virksomhed eller e-mail
leads-all-statuses = Alle statusser
leads-show = Vis
leads-clear-filters = Ryd søgning og filter
leads-pages = Sider
leads-first-page = Første side
leads-next-page = Næste side
leads-empty-mine = Du ejer ingen kundeemner endnu. Accepter et kundeemne fra en kø eller fra din indbakke, så vises det her.
leads-empty-company = Din virksomhed ejer ingen kundeemner endnu.
leads-empty-inbox = Intet venter. Kundeemner, der sendes direkte til dig eller din virksomhed, vises her, så du kan acceptere eller afvise dem.
leads-empty-queue = Ingen ledige kundeemner i denne kø lige nu.
leads-empty-recent = Du har ikke åbnet nogen kundeemner endnu.
leads-empty-all = Ingen kundeemner endnu.
leads-empty-partner = Denne partner har ingen kundeemner.
leads-empty-unassigned = Alle kundeemner er tildelt.
leads-empty-declined = Ingen afviste kundeemner.
leads-empty-filtered = Ingen kundeemner i denne visning passer til din søgning eller status.
leads-done-released = Kundeemnet gik tilbage til sin kø.
leads-done-declined = Kundeemnet blev afvist og gik tilbage til kanalteamet.
lead-release = Frigiv til køen
lead-decline = Afvis
lead-decline-title = Afvis dette kundeemne
lead-decline-intro = Ikke noget for dig? Afvis det med en årsag, så sender kanalteamet det videre.
lead-decline-reason = Årsag
lead-decline-choose = Vælg en årsag
lead-decline-note = Note (valgfri)
lead-reason-not_my_territory = Ikke mit område
lead-reason-no_capacity = Ingen kapacitet
lead-reason-duplicate = Dublet
lead-reason-spam = Spam
lead-reason-other = Andet
lead-timeline = Tidslinje
lead-note-label = Tilføj en note
lead-note-add = Tilføj note
lead-changed-to = ændret til
lead-conflict-title = En anden gemte dette kundeemne, mens du redigerede.
lead-conflict-intro = De ændrede:
lead-conflict-keep = Dine indtastninger er bevaret nedenfor. Kontroller dem, og tryk Gem igen for at gemme din version.
timeline-created = Oprettede kundeemnet
timeline-field = Ændrede { $field }
timeline-note = Tilføjede en note
timeline-claim = Accepterede kundeemnet fra køen
timeline-release = Frigav kundeemnet til køen
timeline-accept = Accepterede kundeemnet
timeline-decline = Afviste kundeemnet
timeline-decline-reason = Afviste kundeemnet: { $reason }
timeline-stale_warning = Advarede ejeren: uden aktivitet går kundeemnet tilbage til køen { $date }
timeline-stale_warning-soon = Advarede ejeren: uden aktivitet går kundeemnet snart tilbage til køen
timeline-stale_return = Sendte kundeemnet tilbage til køen efter en periode uden aktivitet
timeline-system = OpenPRM
timeline-someone = En person i en anden virksomhed
home-leads-inbox-all = Alle kundeemner i din indbakke

## Admin: queues and rules
admin-leads-section = Kundeemner
admin-link-queues = Køer
admin-link-queues-desc = Fælles puljer af kundeemner, og hvilke partnerkonti der må tage fra hver af dem.
admin-link-claim-rules = Regler for at tage kundeemner
admin-link-claim-rules-desc = Hvor mange kundeemner fra køerne partnerne må have ad gangen eller tage pr. periode, med undtagelser pr. niveau og partner.
admin-link-lead-statuses = Status for kundeemner
admin-link-lead-statuses-desc = Statuslisten: betegnelser på engelsk og dansk, rækkefølge, og hvilke status der er lukkede.
admin-cancel = Annuller
admin-delete = Slet
admin-remove = Fjern
admin-move-up = Flyt op
admin-move-down = Flyt ned
admin-order = Rækkefølge
admin-error-whole-number = Skriv et helt tal.
admin-queues = Køer
admin-queues-intro = Kundeemner i en kø venter på, at en partner, der er medlem, accepterer dem: først til mølle.
admin-queues-empty = Ingen køer endnu. Opret den første herunder.
admin-queue-members = Partnere, der er medlemmer
admin-queue-members-intro = Brugere hos de afkrydsede partnerkonti ser køens ledige kundeemner og kan acceptere dem. Andre partnere ser slet ikke køen.
admin-queue-no-members = Ingen medlemmer endnu
admin-queue-unclaimed = Ledige
admin-queue-stale-days = Dage før tilbagelevering
admin-queue-edit-members = Ret medlemmer
admin-queue-new = Ny kø
admin-queue-create = Opret kø
admin-queue-stale-days-field = Send uberørte kundeemner tilbage efter (dage)
admin-queue-stale-days-hint = Valgfrit, 1–365. Tomt: kundeemnerne bliver hos ejeren.
admin-queue-summary = { $unclaimed } { $leads ->
        [one] ledigt kundeemne
       *[other] ledige kundeemner
    }
admin-queue-stale-summary = kundeemner uden aktivitet går tilbage efter { $days } { $days_plural ->
        [one] dag
       *[other] dage
    }
admin-claim-rules = Regler for at tage kundeemner
admin-claim-rules-intro = Reglerne begrænser, hvor mange kundeemner fra køerne partnerne må have eller tage. Et kundeemne kan kun tages, hvis alle gældende regler har plads; et afslag nævner den første fulde regel, og hvad der frigør den.
admin-claim-rules-empty = Ingen regler endnu: partnerne må tage så mange kundeemner fra køerne, de vil.
admin-rule-open = Højst { $max } { $leads ->
        [one] åbent kundeemne
       *[other] åbne kundeemner
    } ad gangen pr. { $subject ->
        [partner] partnerkonto
       *[user] partnerbruger
    }, { $scope }
admin-rule-window = Højst { $max } { $claims ->
        [one] kundeemne taget
       *[other] kundeemner taget
    } pr. { $subject ->
        [partner] partnerkonto
       *[user] partnerbruger
    } på { $hours } { $hours_plural ->
        [one] time
       *[other] timer
    }, { $scope }
admin-rule-none = Ingen kundeemner må tages, { $scope }
admin-rule-all-queues = alle køer
admin-rule-queue = køen “{ $queue }”
admin-rule-unknown-queue = en kø, der ikke findes længere
admin-override-tier = { $tier }-partnere
admin-override-unknown-partner = En partnerkonto, der ikke findes længere
admin-override-max = højst { $max }
admin-override-none = ingen
admin-override-unlimited = ingen grænse
admin-override-set = Angiv en undtagelse
admin-override-for = Undtagelse for
admin-override-save = Angiv
admin-override-intro = Et andet maksimum for partnerkontiene på et niveau eller for en enkelt partnerkonto; en kontos egen undtagelse går forud for niveauets. Angives den igen, erstattes den.
admin-override-rule = Regel
admin-rule-unknown = Reglen findes ikke længere.
admin-rule-new = Tilføj en regel
admin-rule-name-example = f.eks. Retfærdig fordeling
admin-rule-kind = Begrænser
admin-rule-kind-open = Åbne kundeemner ad gangen
admin-rule-kind-window = Kundeemner taget pr. periode
admin-rule-window-hours = Periode i timer
admin-rule-window-hours-hint = For kundeemner pr. periode: 24 er et døgn, 168 en uge.
admin-rule-subject = Tælles pr.
admin-rule-subject-user = Partnerbruger
admin-rule-subject-partner = Partnerkonto
admin-rule-queue-field = Kø
admin-rule-all-queues-option = Alle køer samlet
admin-rule-max = Maksimum
admin-rule-max-hint = 0 betyder, at ingen kundeemner må tages.
admin-rule-tier-overrides = Undtagelser pr. niveau
admin-rule-tier-overrides-hint = Tomt: maksimum ovenfor. En undtagelse for en enkelt partnerkonto angives under “Angiv en undtagelse”, når reglen er tilføjet.
admin-rule-add = Tilføj regel
admin-lead-statuses = Status for kundeemner
admin-lead-statuses-intro = Statuslisten for alle kundeemner, i den rækkefølge lister og formularer viser den. Kundeemner med en lukket status tæller ikke længere som åbne.
admin-status-key = Nøgle
admin-status-label-en = Engelsk betegnelse
admin-status-label-da = Dansk betegnelse
admin-status-closed = Lukket
admin-status-used = Kundeemner
admin-status-converted-note = sættes ved konvertering
admin-status-closed-hint = Når du flytter eller fjerner en status, gemmes de indtastede betegnelser også.
admin-status-in-use-hint = Der er kundeemner med denne status: giv dem en anden status, før du fjerner den.
admin-status-new = Tilføj en status
admin-status-new-closed = Lukket: kundeemner med denne status tæller ikke længere som åbne
admin-status-add = Tilføj status
admin-status-in-use = “{ $status }” bruges af { $count } { $leads ->
        [one] kundeemne
       *[other] kundeemner
    } og kan ikke fjernes. Giv { $leads ->
        [one] det
       *[other] dem
    } en anden status først.
admin-status-converted-stays = “{ $status }” sættes, når et kundeemne konverteres: den kan omdøbes, men ikke fjernes.
error-status-key-invalid = Brug små bogstaver, tal og _, og start med et bogstav (højst 40).
error-status-converted-fixed = Kun status for konverterede kundeemner sættes ved konvertering, og den er altid lukket.
error-status-converted-required = Status for konverterede kundeemner kan ikke fjernes.
error-status-none-open = Behold mindst én åben status: nye kundeemner starter i den første.
error-status-in-use = Der er kundeemner med denne status; giv dem en anden status, før du fjerner den.

## Live notices
live-notice-lead-for-you = Nyt lead til dig: { $title }
live-notice-lead-for-company = Nyt lead til din virksomhed: { $title }
live-notice-opportunity-for-you = Salgsmulighed overdraget til dig: { $title }
live-notice-open = Åbn
live-notice-dismiss = Luk
live-updated = Opdateret lige nu
error-event-id-invalid = Skal være et hændelses-id: et helt tal, 0 eller derover.
