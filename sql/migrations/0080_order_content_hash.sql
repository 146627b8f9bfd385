-- 0080_order_content_hash.sql — what an order's loaded version says, to tell a change from a copy.
--
-- A back-office export has no modified time per order: every order of a re-export gets
-- the export's time as its version, newer than the warehouse's whether the order changed
-- or not (docs/import-exports.md "Versions"). etl.merge_orders compares this fingerprint
-- of the newer version's content with the loaded one: equal, the order is unchanged (only
-- its version moves on); different, it is replaced. NULL until an order is next merged:
-- its next newer version then replaces it, as before this column.

ALTER TABLE dw.order_identity ADD COLUMN content_hash text;
COMMENT ON COLUMN dw.order_identity.content_hash IS
    'md5 of the loaded version''s content (status, payment, buyer, amounts and every line; not its version or lineage): a newer version with the same content changes nothing but source_version';
