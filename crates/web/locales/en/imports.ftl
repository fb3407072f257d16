# Lead intake: the CSV import (API, upload page, command line) and the
# public web-to-lead form (spec flow 12).

## The file as a whole
import-error-content-type = Send the file as CSV, with Content-Type: text/csv.
import-file-not-text = This is not a CSV text file. Save the sheet as "CSV (semicolon or comma separated)" and upload that file.
import-file-empty = The file is empty: it has no header row.
import-file-missing-columns = The header row has no column for: { $columns }. The first row must name the columns, for example Name;Company;E-mail.
import-file-duplicate-column = The columns "{ $first }" and "{ $second }" mean the same field. Remove one of them.
import-file-too-many-rows = The file has more than { $max } rows. Split it into smaller files.
import-file-unreadable = The file could not be read as CSV: { $detail }
import-file-too-large = The file is larger than 20 MB. Split it into smaller files.
import-file-required = Choose a CSV file to upload.

## Rows
import-duplicate-row = Duplicate of row { $row }.
import-duplicate-existing = Duplicate of an existing lead.

## The upload page
leads-import = Import
import-title = Import leads
import-intro = Upload a CSV file, as spreadsheets save it. Good rows are imported; rows with problems are listed below and not imported, never half a row.
import-columns-hint = The first row names the columns, in English or Danish: Name, Company, E-mail, Phone, Country, Postal code, Title, Source, Status, Rating, Product interest, Description. Name and Company are required.
import-file-label = CSV file
import-file-help = UTF-8 or Windows-1252 (as Excel saves it), separated by semicolons or commas. At most 20 MB.
import-destination-label = Where the leads go
import-destination-router = By the assignment rules
import-destination-unassigned = Unassigned, with the vendor
import-destination-queues = Queues
import-destination-partners = Partners
import-submit = Import leads
import-uploading = Uploading…
import-checking = Checking and importing…
import-report-heading = Import report
import-rows-read = Rows read
import-imported = Imported
import-duplicates = Duplicates skipped
import-rejected = Rows with problems
import-all-imported = Every row was imported.
import-ignored-columns = Columns not imported: { $columns }
import-col-row = Row
import-col-column = Column
import-col-problem = Problem
import-problems-omitted = And { $count } more problems not listed.
import-view-leads = View the leads

## The public web-to-lead form
weblead-title = Contact us
weblead-intro = Tell us who you are and what you need. One of our partners will get in touch.
weblead-name = Your name
weblead-company = Company
weblead-email = E-mail
weblead-phone = Phone
weblead-country = Country
weblead-country-help = Two letters, such as DK or SE.
weblead-message = Message
weblead-website = Leave this field empty
weblead-submit = Send
weblead-thanks-title = Thank you
weblead-thanks-text = We have your message and will be in touch soon.
weblead-rate-limited = Too many messages from your address. Please try again in an hour.
