-- Erasure of customers' personal data (issue 21, PIPL Art. 47): when a case's customer was
-- erased, on request or because the retention period ran out. The retention sweep looks for
-- closed cases untouched for the period and not erased yet.
ALTER TABLE cases ADD COLUMN personal_erased_at INTEGER;
CREATE INDEX cases_retention ON cases (status, updated_at) WHERE personal_erased_at IS NULL;
