## Salgsmuligheder: fanen, salgsmulighedens side, dens formular, startsidens
## kort og administratorens faser.

opportunities-view-mine = Mine salgsmuligheder
opportunities-view-company = Mit firmas salgsmuligheder
opportunities-view-closing_this_month = Lukkes denne måned
opportunities-view-won = Vundne
opportunities-view-lost = Tabte
opportunities-view-all = Alle salgsmuligheder
opportunities-views-partners = Partnere
opportunities-list-view = Listevisning
opportunities-search = Søg
opportunities-search-placeholder = Navn eller konto
opportunities-all-stages = Alle faser
opportunities-show = Vis
opportunities-clear-filters = Ryd søgning og filter
opportunities-pages = Sider
opportunities-first-page = Første side
opportunities-next-page = Næste side
opportunities-empty-filtered = Ingen salgsmuligheder passer til søgningen og filteret.
opportunities-empty-mine = Du ejer ingen salgsmuligheder endnu. Konvertér et kundeemne, eller opret en med Ny salgsmulighed.
opportunities-empty-company = Dit firma har ingen salgsmuligheder endnu.
opportunities-empty-closing_this_month = Ingen åben salgsmulighed lukkes denne måned.
opportunities-empty-won = Ingen salgsmuligheder vundet endnu.
opportunities-empty-lost = Ingen tabte salgsmuligheder.
opportunities-empty-all = Ingen salgsmuligheder endnu.
opportunities-empty-partner = Denne partner har ingen salgsmuligheder endnu.
opportunities-saved = Gemt.

opportunity-new = Ny salgsmulighed
opportunity-new-title = Ny salgsmulighed
opportunity-title = Salgsmulighed
opportunity-edit-title = Rediger salgsmulighed
opportunity-edit-heading = Rediger { $name }
opportunity-create = Opret salgsmulighed
opportunity-cancel = Annuller
opportunity-timeline = Tidslinje
opportunity-note-label = Tilføj en note
opportunity-note-add = Tilføj note
opportunity-changed-to = ændret til
opportunity-no-accounts = Der er endnu ingen konto at knytte en salgsmulighed til. Opret kontoen først, eller konvertér et kundeemne.
opportunity-owner-self = Mig
opportunity-choose-account = Vælg en konto
opportunity-choose-owner = Vælg en ejer
opportunity-probability-hint = Lad den stå, så følger den fasen.
opportunity-conflict-title = En anden har gemt salgsmuligheden, efter du åbnede den.
opportunity-conflict-intro = Deres ændringer:
opportunity-conflict-keep = Dine indtastninger står herunder. Gem igen for at sætte dine værdier over deres, eller Annuller for at beholde deres.

opportunity-field-name = Navn
opportunity-field-account = Konto
opportunity-field-stage = Fase
opportunity-field-amount = Beløb
opportunity-field-currency = Valuta
opportunity-field-close_date = Lukkedato
opportunity-field-probability = Sandsynlighed (%)
opportunity-field-next_step = Næste skridt
opportunity-field-description = Beskrivelse
opportunity-field-owner = Ejer
opportunity-field-partner = Partner
opportunity-field-created = Oprettet
opportunity-field-updated = Opdateret

opportunity-timeline-created = Oprettede salgsmuligheden
opportunity-timeline-created-lead = Oprettede salgsmuligheden ved at konvertere et kundeemne
opportunity-timeline-created-registration = Oprettede salgsmuligheden fra en godkendt aftaleregistrering
opportunity-timeline-field = Ændrede { $field }
opportunity-timeline-note = Tilføjede en note
opportunity-timeline-someone = En anden

opportunities-home-pipeline = Pipeline i alt
opportunities-home-pipeline-vendor = Dine partneres åbne salgsmuligheder efter fase
opportunities-home-deals = { $plural ->
    [one] 1 aftale
   *[other] { $count } aftaler
}
opportunities-home-closing = Aftaler der lukkes denne måned
opportunities-home-closing-empty = Ingen åben aftale lukkes denne måned.
opportunities-home-all = Alle mine salgsmuligheder
opportunities-home-closing-all = Alle aftaler der lukkes denne måned

admin-link-opportunity-stages = Faser for salgsmuligheder
admin-link-opportunity-stages-desc = En aftales faser, deres sandsynlighed, og om de er åbne, vundne eller tabte.
admin-opportunity-stages = Faser for salgsmuligheder
admin-opportunity-stages-intro = Aftaler går gennem faserne i denne rækkefølge. En ny aftale starter i den første åbne fase med dens sandsynlighed. Behold mindst én åben, én vundet og én tabt fase.
admin-stage-label-en = Engelsk navn
admin-stage-label-da = Dansk navn
admin-stage-probability = Sandsynlighed (%)
admin-stage-outcome = Udfald
admin-stage-outcome-open = Åben
admin-stage-outcome-won = Vundet
admin-stage-outcome-lost = Tabt
admin-stage-used = Salgsmuligheder
admin-stage-key = Nøgle
admin-stage-new = Tilføj en fase
admin-stage-add = Tilføj fase
admin-stage-in-use = { $stage } kan ikke fjernes: { $count } { $opportunities ->
    [one] salgsmulighed er
   *[other] salgsmuligheder er
} i den. Flyt dem til en anden fase først.
admin-stage-in-use-hint = Der er salgsmuligheder i denne fase.

error-amount-invalid = Skriv et beløb som 12500 eller 12.500,50.
error-amount-negative = Beløbet kan ikke være negativt.
error-amount-too-precise = Valutaen har ikke så mange decimaler.
error-amount-too-large = Beløbet er for stort (højst 999.999.999.999).
error-currency-unknown = Vælg en valuta fra listen.
error-stage-unknown = Ukendt fase.
error-date-invalid = Skriv datoen som ÅÅÅÅ-MM-DD.
error-close-date-range = Vælg en lukkedato mellem 2000-01-01 og 2099-12-31.
error-probability-range = Sandsynligheden er en procentsats fra 0 til 100.
error-probability-invalid = Skriv sandsynligheden som et helt tal fra 0 til 100.
error-stage-probability-fixed = En vundet fase har sandsynlighed 100 og en tabt fase 0.
error-stage-outcomes-required = Behold mindst én åben, én vundet og én tabt fase.
error-stage-in-use = Der er salgsmuligheder i denne fase; flyt dem til en anden fase, før den fjernes.
error-stage-outcome-unknown = Vælg åben, vundet eller tabt.
opportunity-error-account-unknown = Vælg en konto, du kan se.
opportunity-error-account-no-partner = Kontoen tilhører ingen partner; vælg en partners konto.
opportunity-error-account-other-partner = Vælg en konto hos samme partner.
opportunity-error-owner-unknown = Vælg en af partnerens aktive brugere som ejer.
opportunity-error-owner-self = Du kan kun gøre dig selv til ejer.
opportunity-error-if-match-required = Send salgsmulighedens version i If-Match.
opportunity-error-if-match-invalid = If-Match skal være salgsmulighedens versionsnummer.
