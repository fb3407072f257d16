# Accounts, contacts and converting a lead (spec flows 8 and 10).

error-domain-invalid = Use a domain such as nordlys.dk.
error-website-invalid = Use a web address such as https://nordlys.dk.
error-account-unknown = Choose an account you can see, of the same company.
error-owner-not-of-partner = The owner must be one of this partner's users.
