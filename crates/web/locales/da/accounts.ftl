# Konti, kontakter og konvertering af kundeemner (flow 8 og 10).

error-domain-invalid = Angiv et domæne som nordlys.dk.
error-website-invalid = Angiv en webadresse som https://nordlys.dk.
error-account-unknown = Vælg en konto, du kan se, fra samme virksomhed.
error-owner-not-of-partner = Ejeren skal være en af denne partners brugere.

## Lister
accounts-new = Ny konto
accounts-create = Opret konto
accounts-view-all = Alle konti
accounts-view-mine = Mine konti
accounts-empty = Ingen konti endnu. Opret en, eller konvertér et kvalificeret kundeemne.
accounts-search-placeholder = Navn eller domæne
accounts-place = Sted
accounts-vendor-owned = Leverandør
contacts-new = Ny kontakt
contacts-create = Opret kontakt
contacts-view-all = Alle kontakter
contacts-view-mine = Mine kontakter
contacts-empty = Ingen kontakter endnu. Tilføj en fra en konto, eller konvertér et kundeemne.
contacts-search-placeholder = Navn, e-mail eller titel
records-empty-filtered = Intet matcher søgningen.
records-conflict-intro = En anden gemte posten, efter du åbnede den. Deres værdier nu:

## Kontofelter og kontoside
account-field-name = Navn
account-field-domain = Domæne
account-field-website = Hjemmeside
account-field-phone = Telefon
account-field-industry = Branche
account-field-city = By
account-field-country = Land
account-field-description = Beskrivelse
account-field-owner = Ejer
account-field-partner = Partner
account-edit-title = Rediger konto
account-edit-heading = Rediger { $name }
account-related-contacts = Relaterede kontakter
account-no-contacts = Ingen kontakter på kontoen endnu.
account-more-contacts = Vis alle kontakter
account-related-opportunities = Salgsmuligheder
account-no-opportunities = Ingen salgsmuligheder på kontoen endnu.
account-opportunity-name = Salgsmulighed
account-opportunity-stage = Fase
account-opportunity-amount = Beløb
account-opportunity-close = Forventet lukkedato
account-converted-leads = Konverterede kundeemner
account-no-converted-leads = Ingen kundeemner er konverteret til denne konto.

## Kontaktfelter og kontaktside
contact-field-name = Navn
contact-field-account = Konto
contact-field-title = Titel
contact-field-email = E-mail
contact-field-phone = Telefon
contact-field-country = Land
contact-field-description = Beskrivelse
contact-no-account = Ingen konto
contact-edit-title = Rediger kontakt
contact-edit-heading = Rediger { $name }
contact-converted-from = Konverteret fra
contact-converted-lead = Kundeemnet

## Kundeemnestatusser (admin)
admin-status-qualified = Kan konverteres

## Konvertering af kundeemner
error-lead-already-converted = Kundeemnet er allerede konverteret.
error-lead-not-qualified = Kun et kundeemne med en kvalificeret status kan konverteres.
error-convert-not-taken = Et kundeemne, der stadig venter i en kø eller en indbakke, kan ikke konverteres: en partner skal først tage det.
convert-action = Konvertér
convert-title = Konvertér kundeemne
convert-heading = Konvertér { $name }
convert-account = Konto
convert-suggested = Konti, der ligner kundeemnets virksomhed:
convert-new-account = Opret en ny konto med navnet
convert-search-hint = Leder du efter en anden konto?
convert-search-accounts = Søg i konti
convert-contact = Kontakt, der oprettes
convert-create-opportunity = Opret også en salgsmulighed
convert-currency = Valuta
convert-done-title = Konverteret
convert-done-account = Konto
convert-done-contact = Kontakt
convert-done-on = Konverteret den { $date }
convert-done-opportunity = Salgsmulighed
timeline-converted = Konverterede kundeemnet
