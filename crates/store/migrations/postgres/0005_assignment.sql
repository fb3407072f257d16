-- What a lead asked about; assignment rules may route on it.
ALTER TABLE leads ADD COLUMN product_interest TEXT;
