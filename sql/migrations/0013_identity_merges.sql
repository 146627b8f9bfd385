-- 0013_identity_merges.sql — identity resolution, second version (the functions it
-- replaced are now functions/dw.merge_customers.sql, dw.resolve_customers.sql,
-- dw.first_contact_of.sql, dw.keep_first_contact_at.sql, etl.resequence_customers.sql).
-- requires: functions/dw.first_contact_of.sql
--
-- What the tests of tests/sql/200_identity*.sql found in 0010, and what changed:
--   * dw.merge_customers failed with a unique violation when two merged-away customers
--     had a relationship with the same staff member (or the same event, group span or
--     tag span) and the survivor had none: their rows now fold into one first.
--   * A merge re-pointed the orders but left order_seq / is_first_order as they were, so
--     when WeCom (or anything but etl.merge_orders) linked two buyers their orders did
--     not form one sequence: merge_customers now resequences the survivors itself.
--   * dim_customer.first_contact_at was never set by anyone: it is now kept by triggers on
--     dw.fact_contact and dw.fact_contact_event (whatever loader writes them), as the
--     earliest of the customer's relationship adds (fact_contact.added_at and add events).
--   * A late record that moved a customer's first_seen_at back kept the old
--     acquisition_source; it now follows the earliest sighting, and an identifier seen
--     earlier than we knew moves its own first_seen_at back too.
--   * dw.resolve_customers is faster on big batches: identifiers are looked up while the
--     nodes are built, label propagation only runs over records that link two or more
--     identifiers, on a narrow label table, with pointer jumping (rounds grow with the
--     logarithm of the longest chain, not with its length); new customer keys are handed
--     out in order of first sighting, so a replay gives the same keys.
-- The contract (temp tables tmp_id_link in, tmp_rec_customer and tmp_merge out) is
-- unchanged; see functions/dw.resolve_customers.sql.

-- Customers loaded before this migration.
UPDATE dw.dim_customer d SET first_contact_at = dw.first_contact_of(d.customer_key)
 WHERE d.first_contact_at IS DISTINCT FROM dw.first_contact_of(d.customer_key);
