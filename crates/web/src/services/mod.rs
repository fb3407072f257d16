//! Work shared by the pages and the API: signing in, inviting, changing a password.

pub mod invitations;
pub mod passwords;
pub mod sign_in;
