-- Unguessable links to a case's status page, for the customer who complained.
CREATE TABLE customer_links (
    token_hash TEXT PRIMARY KEY,
    case_id BIGINT NOT NULL REFERENCES cases(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX customer_links_case ON customer_links (case_id);
