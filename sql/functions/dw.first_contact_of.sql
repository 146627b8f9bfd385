-- dw.first_contact_of — Earliest WeCom relationship add of a customer

CREATE OR REPLACE FUNCTION dw.first_contact_of(p_customer bigint)
RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT LEAST((SELECT min(c.added_at) FROM dw.fact_contact c WHERE c.customer_key = p_customer),
                 (SELECT min(e.occurred_at) FROM dw.fact_contact_event e
                   WHERE e.customer_key = p_customer AND e.event_type = 'add'))
$$;
COMMENT ON FUNCTION dw.first_contact_of(bigint) IS
    'Earliest WeCom relationship add of a customer: the least of fact_contact.added_at and of its add events (a re-add keeps only the latest added_at on fact_contact, the events keep the first); NULL = never in the private domain';
