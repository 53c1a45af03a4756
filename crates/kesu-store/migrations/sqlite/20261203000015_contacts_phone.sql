-- The case page lists the customer's earlier cases by phone (and by order, indexed already).
CREATE INDEX case_contacts_phone ON case_contacts (phone);
