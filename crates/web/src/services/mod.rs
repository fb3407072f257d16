//! Work shared by the pages and the API: signing in, inviting, changing a
//! password; and the stale-claim warning e-mail the background job sends.

pub mod invitations;
pub mod passwords;
pub mod registrations;
pub mod sign_in;
pub mod stale_claims;
