-- Every claim counts the claimer's open claimed leads (per user and per
-- partner account) inside the transaction that serialises claims. Through
-- leads_owner / leads_partner that read every lead a big partner's rep owns
-- (thousands); these cover only claimed leads and the columns the count checks.
CREATE INDEX leads_owner_claimed ON leads (owner_id, status, queue_id) WHERE claimed_at IS NOT NULL;
CREATE INDEX leads_partner_claimed ON leads (partner_id, status, queue_id) WHERE claimed_at IS NOT NULL;
