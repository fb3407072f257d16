## Aftaleaktivitet og hjælp: bede om hjælp, svar og ressourcer,
## aktivitetsstrømmen, "Vis pr." og e-mailbeskeder.

help-title = Hjælp og ressourcer
help-ask-intro = Står du fast med denne aftale? Spørg din kanalansvarlige; de får besked med det samme.
help-ask-label = Hvad har du brug for?
help-ask = Bed om hjælp
help-answer-label = Svar partneren
help-answer = Send svar
help-cancel = Annuller
resource-add-link = Tilføj et link
resource-upload = Upload en fil
resource-title = Titel
resource-title-optional = Titel (valgfri)
resource-url = Adresse (http eller https)
resource-file = Fil
resource-file-hint = PDF, PNG, JPEG, Word, Excel, PowerPoint, tekst eller CSV; højst 10 MB.
resources-title = Ressourcer
resources-empty = Ingen ressourcer endnu.

timeline-help = Bad om hjælp
timeline-help_answer = Svarede
timeline-resource = Vedhæftede en ressource

live-notice-help-requested = Der bedes om hjælp med { $title }
live-notice-help-answered = Din kanalansvarlige har svaret på { $title }

as-of-title = Vis pr.
as-of-label = Vis pr.
as-of-show = Vis
as-of-now = Nu
as-of-heading = Som det var { $date }
as-of-fields = Felter dengang
as-of-timeline = Tidslinje indtil da
as-of-timeline-empty = Der var ikke sket noget endnu.
as-of-not-yet = Posten fandtes ikke endnu.
error-as-of-invalid = Angiv dato og klokkeslæt (UTC).

activity-title = Aftaleaktivitet
activity-intro = Dine partneres leads og salgsmuligheder, mens de bevæger sig, nyeste først.
activity-partner = Partner
activity-all-partners = Alle partnere
activity-kind = Slags
activity-all-kinds = Alt
activity-filter = Filtrer
activity-empty = Ingen aktivitet endnu.
activity-older = Ældre
activity-record-lead = Lead
activity-record-opportunity = Salgsmulighed
activity-kind-created = Nye poster
activity-kind-claims = Accepter og frigivelser
activity-kind-moves = Status- og fasebevægelser
activity-kind-fields = Andre ændringer
activity-kind-notes = Noter
activity-kind-conversions = Konverteringer
activity-kind-help = Hjælpeanmodninger og svar
activity-entry-field = Ændrede { $field }
activity-entry-note = Tilføjede en note
activity-entry-help = Bad om hjælp
activity-entry-help_answer = Besvarede en hjælpeanmodning
activity-entry-resource = Vedhæftede en ressource
activity-entry-converted = Konverterede leadet
activity-entry-created = Oprettet
activity-entry-routed = Fordelt
activity-entry-claim = Accepteret fra en kø
activity-entry-accept = Accepteret
activity-entry-release = Frigivet til køen
activity-entry-decline = Afvist
activity-entry-stale_warning = Advaret om et inaktivt lead
activity-entry-stale_return = Sendt tilbage til køen efter en periode uden aktivitet
error-activity-kind-unknown = Ukendt slags aktivitet.

error-url-invalid = Angiv en adresse, der begynder med http:// eller https://.
error-file-empty = Filen er tom.
error-file-too-large = Filen er større end 10 MB.
error-file-type = Kun PDF-, PNG-, JPEG-, Word-, Excel-, PowerPoint-, tekst- og CSV-filer, hvis indhold passer til navnet.

menu-notifications = Notifikationer
notifications-title = Notifikationer
notifications-intro = Vælg hvilke e-mails du får. Alt på skærmen forbliver som det er.
notifications-legend = Send mig en e-mail, når
notifications-saved = Dine valg er gemt.
notifications-kind-lead_assigned = Et lead tildeles mig
notifications-hint-lead_assigned = Nogen placerer et lead hos dig eller i din virksomheds indbakke.
notifications-kind-help_requested = En partner beder om hjælp
notifications-hint-help_requested = For kanalansvarlige og administratorer: en partner beder om hjælp med en aftale.
notifications-kind-help_answered = Min hjælpeanmodning besvares
notifications-hint-help_answered = Din kanalansvarlige svarer eller vedhæfter en ressource.
notifications-kind-stale_warning = Et af mine leads er ved at gå tilbage til sin kø
notifications-hint-stale_warning = En dag før et accepteret lead uden aktivitet sendes tilbage.

email-notification-greeting = Hej { $name }
email-notification-link-label = Åbn det i portalen:
email-notification-button = Åbn i portalen
email-notification-someone = Nogen
email-lead-assigned-subject = Nyt lead til dig: { $title }
email-lead-assigned-intro = { $name } har tildelt dig leadet { $title }.
email-help-requested-subject = Der bedes om hjælp med { $title }
email-help-requested-intro = { $name } beder om din hjælp med { $title }:
email-help-answered-subject = Din kanalansvarlige har svaret på { $title }
email-help-answered-intro = { $name } har svaret på { $title }:
