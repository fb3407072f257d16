# Indtag af kundeemner: CSV-import (API, uploadside, kommandolinje) og den
# offentlige web-til-kundeemne-formular (spec flow 12).

## Filen som helhed
import-error-content-type = Send filen som CSV med Content-Type: text/csv.
import-file-not-text = Dette er ikke en CSV-tekstfil. Gem arket som "CSV (semikolonsepareret)" og upload den fil.
import-file-empty = Filen er tom: den har ingen overskriftsrække.
import-file-missing-columns = Overskriftsrækken har ingen kolonne til: { $columns }. Første række skal navngive kolonnerne, for eksempel Navn;Firma;E-mail.
import-file-duplicate-column = Kolonnerne "{ $first }" og "{ $second }" betyder det samme felt. Fjern den ene.
import-file-too-many-rows = Filen har mere end { $max } rækker. Del den op i mindre filer.
import-file-unreadable = Filen kunne ikke læses som CSV: { $detail }
import-file-too-large = Filen er større end 20 MB. Del den op i mindre filer.
import-file-required = Vælg en CSV-fil at uploade.

## Rækker
import-duplicate-row = Dublet af række { $row }.
import-duplicate-existing = Dublet af et eksisterende kundeemne.

## Uploadsiden
leads-import = Importér
import-title = Importér kundeemner
import-intro = Upload en CSV-fil, som regneark gemmer den. Gode rækker importeres; rækker med problemer vises nedenfor og importeres ikke, aldrig en halv række.
import-columns-hint = Første række navngiver kolonnerne, på dansk eller engelsk: Navn, Firma, E-mail, Telefon, Land, Postnummer, Titel, Kilde, Status, Vurdering, Produktinteresse, Beskrivelse. Navn og Firma skal være med.
import-file-label = CSV-fil
import-file-help = UTF-8 eller Windows-1252 (som Excel gemmer), adskilt med semikolon eller komma. Højst 20 MB.
import-destination-label = Hvor kundeemnerne skal hen
import-destination-router = Efter tildelingsreglerne
import-destination-unassigned = Ikke tildelt, hos leverandøren
import-destination-queues = Køer
import-destination-partners = Partnere
import-submit = Importér kundeemner
import-uploading = Uploader…
import-checking = Kontrollerer og importerer…
import-report-heading = Importrapport
import-rows-read = Rækker læst
import-imported = Importeret
import-duplicates = Dubletter sprunget over
import-rejected = Rækker med problemer
import-all-imported = Alle rækker blev importeret.
import-ignored-columns = Kolonner, der ikke blev importeret: { $columns }
import-col-row = Række
import-col-column = Kolonne
import-col-problem = Problem
import-problems-omitted = Og { $count } problemer mere, som ikke er vist.
import-view-leads = Se kundeemnerne

## Den offentlige web-til-kundeemne-formular
weblead-title = Kontakt os
weblead-intro = Fortæl os, hvem du er, og hvad du har brug for. En af vores partnere kontakter dig.
weblead-name = Dit navn
weblead-company = Firma
weblead-email = E-mail
weblead-phone = Telefon
weblead-country = Land
weblead-country-help = To bogstaver, for eksempel DK eller SE.
weblead-message = Besked
weblead-website = Lad dette felt være tomt
weblead-submit = Send
weblead-thanks-title = Tak
weblead-thanks-text = Vi har modtaget din besked og vender snart tilbage.
weblead-rate-limited = For mange beskeder fra din adresse. Prøv igen om en time.
