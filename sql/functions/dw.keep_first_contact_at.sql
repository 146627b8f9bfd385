-- dw.keep_first_contact_at — Trigger function (statement level, transition tables new_rows/old_rows) on dw.fact_contact and …

CREATE OR REPLACE FUNCTION dw.keep_first_contact_at()
RETURNS trigger
LANGUAGE plpgsql AS $fn$
-- Statement level, with transition tables named new_rows / old_rows. Inserts can only
-- move first_contact_at earlier (cheap); updates and deletes recompute it for the
-- customers whose rows changed in a way that matters (customer, add time, event type).
BEGIN
    IF TG_OP = 'INSERT' AND TG_TABLE_NAME = 'fact_contact' THEN
        UPDATE dw.dim_customer d
           SET first_contact_at = n.at, updated_run_id = COALESCE(n.run_id, d.updated_run_id)
          FROM (SELECT customer_key, max(run_id) AS run_id, min(added_at) AS at
                  FROM new_rows GROUP BY customer_key) n
         WHERE d.customer_key = n.customer_key
           AND (d.first_contact_at IS NULL OR n.at < d.first_contact_at);
    ELSIF TG_OP = 'INSERT' THEN
        UPDATE dw.dim_customer d
           SET first_contact_at = n.at, updated_run_id = COALESCE(n.run_id, d.updated_run_id)
          FROM (SELECT customer_key, max(run_id) AS run_id, min(occurred_at) AS at
                  FROM new_rows WHERE event_type = 'add' GROUP BY customer_key) n
         WHERE d.customer_key = n.customer_key
           AND (d.first_contact_at IS NULL OR n.at < d.first_contact_at);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE dw.dim_customer d SET first_contact_at = k.at
          FROM (SELECT customer_key, dw.first_contact_of(customer_key) AS at
                  FROM (SELECT DISTINCT customer_key FROM old_rows) o) k
         WHERE d.customer_key = k.customer_key AND d.first_contact_at IS DISTINCT FROM k.at;
    ELSIF TG_TABLE_NAME = 'fact_contact' THEN
        UPDATE dw.dim_customer d
           SET first_contact_at = k.at, updated_run_id = COALESCE(k.run_id, d.updated_run_id)
          FROM (SELECT customer_key, max(run_id) AS run_id, dw.first_contact_of(customer_key) AS at
                  FROM (SELECT x.customer_key, n.run_id
                          FROM new_rows n JOIN old_rows o USING (contact_key)
                         CROSS JOIN LATERAL (VALUES (n.customer_key), (o.customer_key)) x (customer_key)
                         WHERE n.customer_key <> o.customer_key OR n.added_at <> o.added_at) c
                 GROUP BY customer_key) k
         WHERE d.customer_key = k.customer_key AND d.first_contact_at IS DISTINCT FROM k.at;
    ELSE
        UPDATE dw.dim_customer d
           SET first_contact_at = k.at, updated_run_id = COALESCE(k.run_id, d.updated_run_id)
          FROM (SELECT customer_key, max(run_id) AS run_id, dw.first_contact_of(customer_key) AS at
                  FROM (SELECT x.customer_key, n.run_id
                          FROM new_rows n JOIN old_rows o USING (event_key)
                         CROSS JOIN LATERAL (VALUES (n.customer_key), (o.customer_key)) x (customer_key)
                         WHERE n.customer_key <> o.customer_key OR n.occurred_at <> o.occurred_at
                            OR n.event_type <> o.event_type) c
                 GROUP BY customer_key) k
         WHERE d.customer_key = k.customer_key AND d.first_contact_at IS DISTINCT FROM k.at;
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION dw.keep_first_contact_at() IS
    'Trigger function (statement level, transition tables new_rows/old_rows) on dw.fact_contact and dw.fact_contact_event: keeps dim_customer.first_contact_at = dw.first_contact_of(customer_key) for every customer whose relationships or add events were inserted, re-pointed, re-timed or deleted';
CREATE OR REPLACE TRIGGER fact_contact_first_contact_ins AFTER INSERT ON dw.fact_contact
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
CREATE OR REPLACE TRIGGER fact_contact_first_contact_upd AFTER UPDATE ON dw.fact_contact
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
CREATE OR REPLACE TRIGGER fact_contact_first_contact_del AFTER DELETE ON dw.fact_contact
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
CREATE OR REPLACE TRIGGER fact_contact_event_first_contact_ins AFTER INSERT ON dw.fact_contact_event
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
CREATE OR REPLACE TRIGGER fact_contact_event_first_contact_upd AFTER UPDATE ON dw.fact_contact_event
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
CREATE OR REPLACE TRIGGER fact_contact_event_first_contact_del AFTER DELETE ON dw.fact_contact_event
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dw.keep_first_contact_at();
