# Konti, kontakter og konvertering af kundeemner (flow 8 og 10).

error-domain-invalid = Angiv et domæne som nordlys.dk.
error-website-invalid = Angiv en webadresse som https://nordlys.dk.
error-account-unknown = Vælg en konto, du kan se, fra samme virksomhed.
error-owner-not-of-partner = Ejeren skal være en af denne partners brugere.
