//! Work shared by the pages and the API: signing in, inviting, changing a
//! password, importing leads from CSV; notification e-mails; and the
//! stale-claim warning e-mail the background job sends.

pub mod invitations;
pub mod lead_import;
pub mod notifications;
pub mod passwords;
pub mod registrations;
pub mod sign_in;
pub mod stale_claims;
